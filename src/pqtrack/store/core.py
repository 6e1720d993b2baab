"""The Store: the one gateway to the DuckDB file (schema, batches, audit, queries)."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from pqtrack.ingest.layout import CsvLayout
from pqtrack.presentation.numbers import MISSING
from pqtrack.store import loading, migrations, originals, summary
from pqtrack.store.loading import LocalityResolver, StageResult
from pqtrack.tfp.macro import FRAME_COLUMNS

log = logging.getLogger("pqtrack")


# The audit actions that change stored data (the data version follows these only).
DATA_ACTIONS: tuple[str, ...] = ("ingest", "rollback", "macro_upload", "void")


class StoreError(Exception):
    """A store failure with a message key users can read."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


class StoreBusy(StoreError):
    """Another process holds the store file for writing."""


@contextmanager
def transaction(cur: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """Run the block in one transaction on ``cur``: COMMIT at its end, ROLLBACK on any error."""
    cur.execute("BEGIN TRANSACTION")
    try:
        yield cur
        cur.execute("COMMIT")
    except BaseException:
        cur.execute("ROLLBACK")
        raise


def _purged(batch_id: int, user: str | None, at: Any) -> StoreError:
    """Return the error that says a batch's original was purged, by whom and when."""
    return StoreError(
        "store.original_purged", batch_id=batch_id, user=user or MISSING, at=f"{at:%d/%m/%Y %H:%M}"
    )


class Store:
    """One DuckDB file: records, batches, original files and the audit log."""

    def __init__(
        self,
        path: str | Path,
        *,
        keep_open: bool = True,
        lock_timeout: float = 10.0,
        summary_in_background: bool = False,
    ) -> None:
        """Open (creating and migrating if needed) the store at ``path``."""
        self.path = Path(path)
        self.keep_open = keep_open
        self.lock_timeout = lock_timeout
        # The dashboard rebuilds the per-phase summary after a write in a thread of its own:
        # the official's upload is done at COMMIT; queries read records until it is fresh.
        self.summary_in_background = summary_in_background
        self.originals_folder = originals.folder_for(self.path)
        self._summary_thread: threading.Thread | None = None
        self._con: duckdb.DuckDBPyConnection | None = None
        self._open_lock = threading.Lock()
        self.write_lock = threading.RLock()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.cursor() as cur:
            self._migrate(cur)

    # -- connection handling -------------------------------------------------------------

    def _connect(self) -> duckdb.DuckDBPyConnection:
        deadline = time.monotonic() + self.lock_timeout
        delay = 0.05
        while True:
            try:
                return duckdb.connect(str(self.path))
            except duckdb.IOException as exc:
                locked = "lock" in str(exc).lower()
                if not locked:
                    raise StoreError("store.cannot_open", path=str(self.path)) from exc
                if time.monotonic() >= deadline:
                    raise StoreBusy("store.busy", path=str(self.path)) from exc
                time.sleep(delay)
                delay = min(delay * 2, 0.5)
            except duckdb.Error as exc:
                raise StoreError("store.cannot_open", path=str(self.path)) from exc

    @contextmanager
    def cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """Yield a cursor of its own (thread-safe); the file is held only as long as needed.

        A damaged file (a corrupt or missing block, a truncated file) raises
        :class:`StoreError` ``store.corrupt`` wherever it is found, not DuckDB's error.
        """
        try:
            if self.keep_open:
                with self._open_lock:
                    if self._con is None:
                        self._con = self._connect()
                    cur = self._con.cursor()
                try:
                    yield cur
                finally:
                    cur.close()
            else:
                con = self._connect()
                try:
                    yield con
                finally:
                    con.close()
        except duckdb.Error as exc:
            if not self._damaged(exc):
                raise
            log.error("store %s is damaged: %s", self.path, exc)
            if self.keep_open:
                self.close()  # a later cursor opens the file afresh
            raise StoreError("store.corrupt", path=str(self.path)) from exc

    def _damaged(self, exc: duckdb.Error) -> bool:
        """Return whether ``exc`` says the store file itself cannot be read as written."""
        text = str(exc)
        return (
            isinstance(exc, duckdb.FatalException)
            or "Corrupt database file" in text
            or "not a valid DuckDB database file" in text
            or (isinstance(exc, duckdb.IOException) and self.path.name in text)
        )

    def close(self) -> None:
        """Close the held connection, releasing the file."""
        with self._open_lock:
            if self._con is not None:
                self._con.close()
                self._con = None

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """Hold the write lock and yield a cursor in one transaction (rolled back on error)."""
        with self.write_lock, self.cursor() as cur, transaction(cur):
            yield cur

    # -- the query gateway ---------------------------------------------------------------

    def query_df(self, sql: str, params: dict | list | None = None) -> pd.DataFrame:
        """Run a read query with bound ``params`` and return a DataFrame."""
        with self.cursor() as cur:
            return cur.execute(sql, params or {}).df()

    def query_rows(self, sql: str, params: dict | list | None = None) -> list[tuple]:
        """Run a read query with bound ``params`` and return its rows."""
        with self.cursor() as cur:
            return cur.execute(sql, params or {}).fetchall()

    def scalar(self, sql: str, params: dict | list | None = None) -> Any:
        """Run a read query with bound ``params`` and return its first value."""
        rows = self.query_rows(sql, params)
        return rows[0][0] if rows else None

    # -- schema ----------------------------------------------------------------------------

    def _migrate(self, cur: duckdb.DuckDBPyConnection) -> None:
        with self.write_lock:
            cur.execute(migrations.META)
            row = cur.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            version = int(row[0]) if row else 0
            for target in sorted(v for v in migrations.MIGRATIONS if v > version):
                with transaction(cur):
                    for stmt in migrations.MIGRATIONS[target]:
                        cur.execute(stmt)
                    # Built in the last step, once the records have every column it reads.
                    if target == migrations.LATEST and version < summary.SHAPE_CHANGED_IN:
                        summary.refresh(cur)
                    cur.execute(
                        "INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [str(target)]
                    )

    def schema_version(self) -> int:
        """Return the schema version of the open store."""
        return int(self.scalar("SELECT value FROM meta WHERE key = 'schema_version'"))

    # -- audit -------------------------------------------------------------------------------

    @staticmethod
    def _audit(
        cur: duckdb.DuckDBPyConnection,
        user: str | None,
        action: str,
        batch_id: int | None = None,
        detail: dict | None = None,
    ) -> int:
        return cur.execute(
            "INSERT INTO audit VALUES (nextval('audit_seq'), current_localtimestamp(), ?, ?, ?, ?) "
            "RETURNING audit_id",
            [user, action, batch_id, json.dumps(detail or {}, ensure_ascii=False)],
        ).fetchone()[0]

    def record_event(
        self, user: str | None, action: str, detail: dict | None = None, batch_id: int | None = None
    ) -> None:
        """Append one event to the audit log."""
        with self.write_lock, self.cursor() as cur:
            self._audit(cur, user, action, batch_id, detail)

    def audit_log(self, limit: int | None = None) -> pd.DataFrame:
        """Return the audit log, newest first."""
        return self.query_df(
            "SELECT audit_id, happened_at, user_name, action, batch_id, detail FROM audit "
            "ORDER BY audit_id DESC LIMIT ?",
            [limit if limit is not None else 2**62],
        )

    def data_version(self, cur: duckdb.DuckDBPyConnection | None = None) -> int:
        """Return a number that changes whenever stored data changes (for caches).

        Only the audit entries of data writes count: logins, log-outs and account changes
        leave every cached figure in place. ``cur``: read over a connection already open.
        """
        sql = "SELECT COALESCE(max(audit_id), 0) FROM audit WHERE list_contains(?, action)"
        if cur is None:
            return int(self.scalar(sql, [list(DATA_ACTIONS)]))
        return int(cur.execute(sql, [list(DATA_ACTIONS)]).fetchone()[0])

    # -- batches -----------------------------------------------------------------------------

    def batches(self, kind: str = "records") -> pd.DataFrame:
        """Return the batch history of ``kind``, newest first."""
        return self.query_df(
            "SELECT batch_id, file_name, user_name, created_at, row_count, status, encoding, "
            "delimiter, is_sample, content_hash, rolled_back_at, rolled_back_by "
            "FROM batches WHERE kind = ? ORDER BY batch_id DESC",
            [kind],
        )

    def batch(self, batch_id: int) -> dict | None:
        """Return one batch as a dict, or None."""
        df = self.query_df("SELECT * FROM batches WHERE batch_id = ?", [batch_id])
        return None if df.empty else df.iloc[0].to_dict()

    def active_batch_with_hash(self, content_hash: str, kind: str = "records") -> dict | None:
        """Return the active batch that stored a file with ``content_hash``, if any."""
        df = self.query_df(
            "SELECT batch_id, file_name, created_at, user_name FROM batches "
            "WHERE content_hash = ? AND kind = ? AND status = 'active' ORDER BY batch_id LIMIT 1",
            [content_hash, kind],
        )
        return None if df.empty else df.iloc[0].to_dict()

    def has_sample(self) -> bool:
        """Return whether an active sample-data batch is stored."""
        return bool(
            self.scalar("SELECT count(*) FROM batches WHERE is_sample AND status = 'active'")
        )

    def is_new(self) -> bool:
        """Return whether no batch was ever stored (active or rolled back)."""
        return not self.scalar("SELECT count(*) FROM batches")

    def file_bytes(self, batch_id: int) -> tuple[str, bytes] | None:
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

    def rollback(self, batch_id: int, user: str | None) -> int:
        """Remove an active batch's rows in one transaction; return the rows removed."""
        with self.transaction() as cur:
            row = cur.execute(
                "SELECT status, kind, file_name FROM batches WHERE batch_id = ?", [batch_id]
            ).fetchone()
            if row is None:
                raise StoreError("store.no_batch", batch_id=batch_id)
            if row[0] != "active":
                raise StoreError("store.already_rolled_back", batch_id=batch_id)
            if row[1] == "records":
                from pqtrack.store import versions  # a module of the store that reads this one

                later = versions.later_batch(cur, batch_id)
                if later is not None:
                    raise StoreError("store.rollback_later", batch_id=batch_id, later=later)
            if row[1] == "records":  # nothing is deleted: the versions go to the past
                removed = versions.retire_batch(cur, batch_id)
            else:
                # Kept, as record versions are: the figures as they stood can be rebuilt.
                removed = cur.execute(
                    "SELECT count(*) FROM macro_rows WHERE batch_id = ?", [batch_id]
                ).fetchone()[0]
            cur.execute(
                "UPDATE batches SET status = 'rolled_back', rolled_back_at = "
                "current_localtimestamp(), rolled_back_by = ? WHERE batch_id = ?",
                [user, batch_id],
            )
            self._audit(cur, user, "rollback", batch_id, {"file_name": row[2], "rows": removed})
        if row[1] == "records":
            self._records_changed()
        return int(removed)

    # -- per-phase summary -------------------------------------------------------------------

    def refresh_summary(self, added: int | None = None) -> bool:
        """Bring the per-phase summary up to date unless it is; return whether it changed.

        ``added`` names a records batch just stored: when the summary was current up to it,
        only that batch is added; otherwise (or after a rollback) it is rebuilt whole.
        """
        with self.transaction() as cur:
            if summary.is_fresh(cur):
                return False  # nothing written: the empty transaction commits
            if added is not None and summary.can_add(cur, added):
                summary.add_batch(cur, added)
            else:
                summary.refresh(cur)
        return True

    def wait_for_summary(self, timeout: float | None = None) -> None:
        """Wait until a summary rebuild running in the background has finished."""
        thread = self._summary_thread
        if thread is not None:
            thread.join(timeout)

    def _records_changed(self, added: int | None = None) -> None:
        if not self.summary_in_background:
            self._refresh_quietly(added)
            return
        thread = threading.Thread(
            target=self._refresh_quietly, args=(added,), name="pqtrack-summary"
        )
        thread.daemon = True
        self._summary_thread = thread
        thread.start()

    def _refresh_quietly(self, added: int | None = None) -> None:
        # The write is committed whatever happens here: a failed rebuild leaves the summary
        # stale, and queries then read the records themselves until the next write.
        try:
            self.refresh_summary(added)
        except Exception:
            log.exception("summary rebuild failed; queries read the records until the next write")

    # -- macro data (TFP panel) ------------------------------------------------------------

    def store_macro(
        self,
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
            self._audit(cur, user, "macro_upload", batch_id, {"file_name": file_name})
        return int(batch_id)

    def active_macro(self) -> pd.DataFrame | None:
        """Return the rows of the newest active macro batch, or None when none is stored."""
        df = self.query_df(
            "SELECT year, grdp, capital_stock, investment, labour, capital_share, source, "
            "placeholder FROM macro_rows WHERE batch_id = (SELECT max(batch_id) FROM batches "
            "WHERE kind = 'macro' AND status = 'active') ORDER BY year"
        )
        return None if df.empty else df

    # -- ingest ------------------------------------------------------------------------------

    def stage_records(
        self,
        layout: CsvLayout,
        content: bytes,
        *,
        indicators: list[str],
        type_lookup: dict[str, str],
        today: date,
        user: str | None,
        commit: bool,
        is_sample: bool = False,
        resolver: LocalityResolver | None = None,
        on_store: Callable[[], None] | None = None,
    ) -> StageResult:
        """Validate a laid-out file in bulk; if ``commit`` and clean, store it as a batch."""
        lock = self.write_lock if commit else threading.Lock()
        with lock, self.cursor() as cur:
            # Checked under the write lock: two sessions sending the same file at once must
            # not both miss the other's batch (the second is then refused as a duplicate).
            duplicate = self.active_batch_with_hash(layout.content_hash)
            if duplicate is not None:
                # The same bytes again: the active batch's original is put right if it was
                # changed or lost on disk (a file refused as a duplicate stores nothing else).
                originals.put(self.originals_folder, layout.content_hash, content)
            # The original is written once, outside the WAL, while the file is validated;
            # it is in place before the transaction that names it commits.
            pending = (
                originals.PendingOriginal(self.originals_folder, layout.content_hash, content)
                if commit and duplicate is None
                else None
            )
            req = loading.Request(
                indicators=indicators,
                type_lookup=type_lookup,
                today=today,
                user=user,
                is_sample=is_sample,
                resolver=resolver,
                on_store=on_store,
                duplicate=duplicate,
                original=pending,
            )
            try:
                result = loading.load(self, cur, layout, req)
            except BaseException:
                if pending is not None:
                    pending.drop()
                raise
            if pending is not None and result.batch_id is None:
                pending.drop()
        if result.batch_id is not None:
            self._records_changed(added=result.batch_id)
        return result

    def _begin_batch(
        self, cur: duckdb.DuckDBPyConnection, on_store: Callable[[], None] | None
    ) -> tuple[duckdb.DuckDBPyConnection, int]:
        """Open the batch's write transaction on a cursor of its own; return it and the number.

        The checking goes on in ``cur``, outside the transaction. A batch refused after this
        point (a record id repeated across chunks of a large file) leaves its number unused:
        the sequence does not give numbers back.
        """
        writer = cur.cursor()
        writer.execute("BEGIN TRANSACTION")
        if on_store is not None:
            on_store()
        return writer, int(writer.execute("SELECT nextval('batch_seq')").fetchall()[0][0])
