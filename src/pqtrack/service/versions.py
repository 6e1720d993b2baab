"""A record's versions as pages and the CLI see them: void one, read its history."""

from __future__ import annotations

import pandas as pd

from pqtrack.presentation import year
from pqtrack.store import Store, versions


def void_record(store: Store, record_id: str, user: str | None, reason: str | None) -> int:
    """Void a record with a reason (audited); return the void's batch id."""
    return versions.void(store, record_id, user, reason)


def record_history(store: Store, record_id: str) -> list[dict]:
    """Return the record's versions, oldest first (empty when no such record was stored)."""
    return versions.history(store, record_id)


def history_table(store: Store, record_id: str, lang: str) -> pd.DataFrame | None:
    """Return the record's history as the page shows it, or None when no such record."""
    rows = record_history(store, record_id)
    return year.history_table(rows, lang) if rows else None
