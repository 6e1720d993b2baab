"""The illustrative sample batch that a new dashboard store starts with."""

from __future__ import annotations

import os
from pathlib import Path

from pqtrack.ingest import pipeline as ingest
from pqtrack.paths import data_dir
from pqtrack.store import Store

SAMPLE_USER = "sample"


def sample_path() -> Path:
    """Return the shipped illustrative record file."""
    return data_dir() / "sample" / "du-lieu-minh-hoa_illustrative-sample.csv"


def seeding_enabled() -> bool:
    """Return whether a new store is seeded (``PQTRACK_SEED_SAMPLE=0`` turns it off)."""
    return os.environ.get("PQTRACK_SEED_SAMPLE", "1").strip().lower() not in ("0", "false", "no")


def seed_if_new(store: Store) -> int | None:
    """Store the sample file as a batch flagged as sample when the store never had a batch."""
    if not seeding_enabled() or not store.is_new():
        return None
    path = sample_path()
    report = ingest.process(store, path.read_bytes(), path.name, user=SAMPLE_USER, is_sample=True)
    return report.batch_id
