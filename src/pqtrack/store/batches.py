"""Batches: begun, named and committed, listed, their originals read back, rolled back.

A batch is one stored file: records (checked and inserted by the ingest job on a writer
cursor this module opens) or macro data (stored here whole). Every batch is named in
``batches`` with its file in ``files`` and an audit entry, in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pandas as pd

from pqtrack.domain.macro_data import FRAME_COLUMNS
from pqtrack.domain.missing import MISSING
from pqtrack.store import originals
from pqtrack.store.db import Connection
from pqtrack.store.errors import StoreError

if TYPE_CHECKING:
    from pqtrack.store.core import Store


def _purged(batch_id: int, user: str | None, at: Any) -> StoreError:
    """Return the error that says a batch's original was purged, by whom and when."""
    return StoreError(
        "store.original_purged", batch_id=batch_id, user=user or MISSING, at=f"{at:%d/%m/%Y %H:%M}"
    )


class BatchLedger:
    """The batch methods of :class:`~pqtrack.store.core.Store`."""

    def batches(self: Store, kind: str = "records") -> pd.DataFrame:
        """Return the batch history of ``kind``, newest first."""
        return self.query_df(
            "SELECT batch_id, file_name, user_name, created_at, row_count, status, encoding, "
            "delimiter, is_sample, content_hash, rolled_back_at, rolled_back_by "
            "FROM batches WHERE kind = ? ORDER BY batch_id DESC",
            [kind],
        )

    def batch(self: Store, batch_id: int) -> dict | None:
        """Return one batch as a dict, or None."""
        df = self.query_df("SELECT * FROM batches WHERE batch_id = ?", [batch_id])
        return None if df.empty else df.iloc[0].to_dict()

    def active_batch_with_hash(
        self: Store, content_hash: str, kind: str = "records"
    ) -> dict | None:
        """Return the active batch that stored a file with ``content_hash``, if any."""
        df = self.query_df(
            "SELECT batch_id, file_name, created_at, user_name FROM batches "
            "WHERE content_hash = ? AND kind = ? AND status = 'active' ORDER BY batch_id LIMIT 1",
            [content_hash, kind],
        )
        return None if df.empty else df.iloc[0].to_dict()

    def has_sample(self: Store) -> bool:
        """Return whether an active sample-data batch is stored."""
        return bool(
            self.scalar("SELECT count(*) FROM batches WHERE is_sample AND status = 'active'")
        )

    def is_new(self: Store) -> bool:
        """Return whether no batch was ever stored (active or rolled back)."""
        return not self.scalar("SELECT count(*) FROM batches")

    def file_bytes(self: Store, batch_id: int) -> tuple[str, bytes] | None:
        """Return the original file name and bytes of a batch."""
        rows = self.query_rows(
            "SELECT b.file_name, f.content, f.content_hash FROM batches b "
            "JOIN files f USING (content_hash) WHERE b.batch_id = ?",
            [batch_id],
        )
        if not rows:
            return None
        name, content, digest = rows[0]
        # A purge is read from the audit log: this batch's own first, else one of a batch
        # that sent the same bytes (the file they shared is gone).
        purge = self.query_rows(
            "SELECT a.batch_id, a.user_name, a.happened_at FROM audit a JOIN batches b "
            "USING (batch_id) WHERE a.action = 'purge_original' AND b.content_hash = ? "
            "ORDER BY a.batch_id = ? DESC, a.audit_id DESC LIMIT 1",
            [digest, batch_id],
        )
        if purge and purge[0][0] == batch_id:
            raise _purged(*purge[0])
        if content is None:  # kept in the originals folder (records files)
            content = originals.get(self.originals_folder, digest)
            if content is None and purge:
                raise _purged(*purge[0])
            if content is None:
                raise StoreError(
                    "store.original_missing", batch_id=batch_id, path=str(self.originals_folder)
                )
        return name, bytes(content)

    def rollback(self: Store, batch_id: int, user: str | None) -> int:
        """Roll back an active batch in one transaction; return how many current rows it had."""
        with self.transaction() as cur:
            row = cur.execute(
                "SELECT status, kind, file_name FROM batches WHERE batch_id = ?", [batch_id]
            ).fetchone()
            if row is None:
                raise StoreError("store.no_batch", batch_id=batch_id)
            if row[0] != "active":
                raise StoreError("store.already_rolled_back", batch_id=batch_id)
            if row[1] == "records":  # nothing is deleted: the versions go to the past
                from pqtrack.store import versions  # a module of the store that reads this one

                later = versions.later_batch(cur, batch_id)
                if later is not None:
                    raise StoreError("store.rollback_later", batch_id=batch_id, later=later)
                removed = versions.retire_batch(cur, batch_id)
            else:  # kept, as record versions are: the figures as they stood can be rebuilt
                removed = cur.execute(
                    "SELECT count(*) FROM macro_rows WHERE batch_id = ?", [batch_id]
                ).fetchone()[0]
            cur.execute(
                "UPDATE batches SET status = 'rolled_back', rolled_back_at = "
                "current_localtimestamp(), rolled_back_by = ? WHERE batch_id = ?",
                [user, batch_id],
            )
            self.audit(cur, user, "rollback", batch_id, {"file_name": row[2], "rows": removed})
        if row[1] == "records":
            self.records_changed()
        return int(removed)

    # -- a records batch, written by the ingest job ------------------------------------------

    def begin_batch(
        self: Store, cur: Connection, on_store: Callable[[], None] | None = None
    ) -> tuple[Connection, int]:
        """Open a batch's write transaction on a cursor of its own; return it and the number.

        The checking goes on in ``cur``, outside the transaction. A batch refused after this
        point (a record id repeated across chunks of a large file) leaves its number unused:
        the sequence does not give numbers back. ``on_store`` is called once it is open.
        """
        writer = cur.cursor()
        writer.execute("BEGIN TRANSACTION")
        if on_store is not None:
            on_store()
        return writer, int(writer.execute("SELECT nextval('batch_seq')").fetchall()[0][0])

    def finish_batch(
        self: Store,
        writer: Connection,
        batch_id: int,
        *,
        file_name: str,
        content_hash: str,
        size: int,
        user: str | None,
        rows: int,
        encoding: str,
        delimiter: str,
        is_sample: bool,
        change: str = "add",
    ) -> None:
        """Name the records batch begun on ``writer``, its original and the event; COMMIT.

        ``change``: ``add`` (new records only) or ``correct`` (some rows correct records).

        The original's bytes are already in the originals folder: its ``files`` row (content
        NULL) ties batches to them.
        """
        writer.execute(
            "INSERT INTO batches (batch_id, kind, file_name, content_hash, user_name, created_at, "
            "row_count, status, encoding, delimiter, is_sample, change) VALUES (?, 'records', ?, "
            "?, ?, current_localtimestamp(), ?, 'active', ?, ?, ?, ?)",
            [batch_id, file_name, content_hash, user, rows, encoding, delimiter, is_sample, change],
        )
        writer.execute(
            "INSERT INTO files SELECT ?, ?, NULL WHERE NOT EXISTS "
            "(SELECT 1 FROM files WHERE content_hash = ?)",
            [content_hash, size, content_hash],
        )
        detail = {"file_name": file_name, "rows": rows, "sample": is_sample, "change": change}
        self.audit(writer, user, "ingest", batch_id, detail)
        writer.execute("COMMIT")

    # -- macro data (TFP panel) ------------------------------------------------------------

    def store_macro(
        self: Store,
        frame: pd.DataFrame,
        file_name: str,
        content: bytes,
        content_hash: str,
        user: str | None,
    ) -> int:
        """Store a validated macro frame as one batch of kind ``macro``; return its id."""
        rows = frame.reindex(columns=list(FRAME_COLUMNS)).astype(object)
        rows = rows.where(rows.notna(), None)
        with self.transaction() as cur:
            batch_id = cur.execute(
                "INSERT INTO batches (batch_id, kind, file_name, content_hash, user_name, "
                "created_at, row_count, status) VALUES (nextval('batch_seq'), 'macro', ?, ?, "
                "?, current_localtimestamp(), ?, 'active') RETURNING batch_id",
                [file_name, content_hash, user, len(rows)],
            ).fetchone()[0]
            cur.execute(
                "INSERT INTO files SELECT ?, ?, ? WHERE NOT EXISTS "
                "(SELECT 1 FROM files WHERE content_hash = ?)",
                [content_hash, len(content), content, content_hash],
            )
            cur.executemany(
                "INSERT INTO macro_rows VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [[batch_id, *r] for r in rows.itertuples(index=False, name=None)],
            )
            self.audit(cur, user, "macro_upload", batch_id, {"file_name": file_name})
        return int(batch_id)

    def active_macro(self: Store) -> pd.DataFrame | None:
        """Return the rows of the newest active macro batch, or None when none is stored."""
        df = self.query_df(
            "SELECT year, grdp, capital_stock, investment, labour, capital_share, source, "
            "placeholder FROM macro_rows WHERE batch_id = (SELECT max(batch_id) FROM batches "
            "WHERE kind = 'macro' AND status = 'active') ORDER BY year"
        )
        return None if df.empty else df
