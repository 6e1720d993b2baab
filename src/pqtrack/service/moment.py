"""Figures as the store stood at a past moment (``--stored-at``), or as it stands now."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime

from pqtrack.store import Store, snapshot


@contextmanager
def as_stood(
    store: Store, at: datetime | None, window: tuple[date, date] | None = None
) -> Iterator[Store]:
    """Yield the store itself (``at`` None) or a copy of its data as it stood at ``at``."""
    if at is None:
        yield store
        return
    with snapshot.stored_at(store, at, window) as then:
        yield then
