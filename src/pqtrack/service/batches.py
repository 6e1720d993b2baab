"""Stored batches, for the upload and TFP pages and the CLI: list, roll back, originals.

Every change here is refused with a :class:`StoreError` (a message key and its values)
when the store says no: a batch unknown or already rolled back, an original shared or gone.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from pqtrack.presentation import views
from pqtrack.store import Store, StoreError, purging

__all__ = [
    "StoreError",
    "history",
    "mime_for",
    "original",
    "purge_original",
    "purged",
    "rollback",
    "table",
]


def history(store: Store, kind: str = "records") -> pd.DataFrame:
    """Return the batches of ``kind`` (records or macro), newest first."""
    return store.batches(kind=kind)


def table(batches: pd.DataFrame, lang: str, kind: str = "records") -> pd.DataFrame:
    """Return the batch history as a page shows it (statuses in words)."""
    out = views.batches_table(batches, lang)
    return out.drop(columns=["is_sample"]) if kind == "macro" else out


def rollback(store: Store, batch_id: int, user: str | None) -> int:
    """Roll back an active batch (audited); return the rows removed."""
    return store.rollback(batch_id, user)


def original(store: Store, batch_id: int) -> bytes:
    """Return the original file a batch was stored from."""
    found = store.file_bytes(batch_id)
    if found is None:
        raise StoreError("store.no_batch", batch_id=batch_id)
    return found[1]


def purged(store: Store) -> dict[int, tuple[str | None, datetime]]:
    """Return the batches whose original was purged: batch id → (by whom, when)."""
    return purging.purged(store)


def purge_original(store: Store, batch_id: int, user: str | None) -> str:
    """Delete the original of a rolled-back batch (audited); return its file name."""
    return purging.purge_original(store, batch_id, user)


def mime_for(file_name: str) -> str:
    """Return the download type of a stored original (workbook or text)."""
    return views.mime_for(file_name)
