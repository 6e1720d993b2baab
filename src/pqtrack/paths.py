"""Where the project's data files and the default store live."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def data_dir() -> Path:
    """Return the folder holding plan, sample and map data (``PQTRACK_DATA_DIR`` overrides)."""
    override = os.environ.get("PQTRACK_DATA_DIR")
    return Path(override) if override else PROJECT_ROOT / "data"


def default_db_path() -> Path:
    """Return the store path: ``PQTRACK_DB`` if set, else ``data/pqtrack.duckdb``."""
    override = os.environ.get("PQTRACK_DB")
    return Path(override) if override else data_dir() / "pqtrack.duckdb"
