"""The store as it stood at a past moment, as a store of its own that every figure can read.

Nothing is overwritten, so the data at a moment is: the batches stored by then and not yet
rolled back, and of each record the version of the latest such batch (none if it was a
void). The copy is a temporary DuckDB file with the same schema, read by the same code as
the live store: the figures it gives are the figures the dashboard gave at that moment.
"""

from __future__ import annotations

import itertools
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path

from pqtrack.store import versions
from pqtrack.store.core import Store
from pqtrack.store.db import transaction

# Batches in effect at $at: stored by then and not rolled back by then.
_IN_EFFECT = "created_at <= $at AND (rolled_back_at IS NULL OR rolled_back_at > $at)"
# An attached database's name is shared by every cursor of the store: each copy has its own.
_ALIASES = itertools.count(1)


def copy_at(store: Store, at: datetime, path: Path, window: tuple[date, date] | None) -> None:
    """Write into the new store at ``path`` the data of ``store`` as it stood at ``at``.

    ``window``: only records dated within it (the figures of one phase need no others).
    """
    Store(path).close()  # the schema, by the same migrations
    first, last = window or (date.min, date.max)
    snap = f"snap{int(next(_ALIASES))}"  # a name made here, from a number
    with store.cursor() as cur:
        cur.execute(f"ATTACH $path AS {snap}", {"path": str(path)})
        try:
            with transaction(cur):
                cur.execute(
                    f"INSERT INTO {snap}.batches BY NAME SELECT * REPLACE ("
                    "CASE WHEN rolled_back_at <= $at THEN 'rolled_back' ELSE 'active' END "
                    "AS status, CASE WHEN rolled_back_at <= $at THEN rolled_back_at END "
                    "AS rolled_back_at, CASE WHEN rolled_back_at <= $at THEN rolled_back_by "
                    "END AS rolled_back_by) FROM batches WHERE created_at <= $at",
                    {"at": at},
                )
                cur.execute(
                    f"INSERT INTO {snap}.records BY NAME SELECT * FROM {versions.AT_MOMENT} "
                    "WHERE date BETWEEN $first AND $last",
                    {"at": at, "first": first, "last": last},
                )
                cur.execute(
                    f"INSERT INTO {snap}.macro_rows BY NAME SELECT m.* FROM macro_rows m "
                    f"WHERE m.batch_id IN (SELECT batch_id FROM batches WHERE {_IN_EFFECT})",
                    {"at": at},
                )
                cur.execute(f"INSERT INTO {snap}.names BY NAME SELECT * FROM names")
                cur.execute(f"INSERT INTO {snap}.beneficiaries BY NAME SELECT * FROM beneficiaries")
        finally:
            cur.execute(f"DETACH {snap}")


@contextmanager
def stored_at(
    store: Store, at: datetime, window: tuple[date, date] | None = None
) -> Iterator[Store]:
    """Yield a temporary store holding ``store``'s data as it stood at ``at``."""
    with tempfile.TemporaryDirectory(prefix="pqtrack-at-") as folder:
        path = Path(folder) / "at.duckdb"
        copy_at(store, at, path, window)
        snap = Store(path)
        try:
            yield snap
        finally:
            snap.close()
