"""The Store: the one gateway to the DuckDB file (schema, batches, audit, queries)."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from pqtrack import steps
from pqtrack.store import migrations, originals, summary
from pqtrack.store.batches import BatchLedger
from pqtrack.store.db import Connection, transaction
from pqtrack.store.errors import StoreBusy, StoreError

log = logging.getLogger("pqtrack")


# Steps (pqtrack.steps) of the summary's upkeep after a write.
SUMMARY_REBUILD = "summary rebuild (after COMMIT)"
SUMMARY_ADD = "summary update with one batch (after COMMIT)"

# The audit actions that change stored data (the data version follows these only).
DATA_ACTIONS: tuple[str, ...] = ("ingest", "rollback", "macro_upload", "void")


class Store(BatchLedger):
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
        self._con: Connection | None = None
        self._open_lock = threading.Lock()
        self.write_lock = threading.RLock()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.cursor() as cur:
            self._migrate(cur)

    # -- connection handling -------------------------------------------------------------

    def _connect(self) -> Connection:
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
    def cursor(self) -> Iterator[Connection]:
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
    def transaction(self) -> Iterator[Connection]:
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

    def _migrate(self, cur: Connection) -> None:
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
                        with steps.step(SUMMARY_REBUILD):
                            summary.refresh(cur)
                    cur.execute(
                        "INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [str(target)]
                    )

    def schema_version(self) -> int:
        """Return the schema version of the open store."""
        return int(self.scalar("SELECT value FROM meta WHERE key = 'schema_version'"))

    # -- audit -------------------------------------------------------------------------------

    @staticmethod
    def audit(
        cur: Connection,
        user: str | None,
        action: str,
        batch_id: int | None = None,
        detail: dict | None = None,
    ) -> int:
        """Append one event to the audit log in ``cur``'s transaction; return its number."""
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
            self.audit(cur, user, action, batch_id, detail)

    def audit_log(self, limit: int | None = None) -> pd.DataFrame:
        """Return the audit log, newest first."""
        return self.query_df(
            "SELECT audit_id, happened_at, user_name, action, batch_id, detail FROM audit "
            "ORDER BY audit_id DESC LIMIT ?",
            [limit if limit is not None else 2**62],
        )

    def data_version(self, cur: Connection | None = None) -> int:
        """Return a number that changes whenever stored data changes (for caches).

        Only the audit entries of data writes count: logins, log-outs and account changes
        leave every cached figure in place. ``cur``: read over a connection already open.
        """
        sql = "SELECT COALESCE(max(audit_id), 0) FROM audit WHERE list_contains(?, action)"
        if cur is None:
            return int(self.scalar(sql, [list(DATA_ACTIONS)]))
        return int(cur.execute(sql, [list(DATA_ACTIONS)]).fetchone()[0])

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
                with steps.step(SUMMARY_ADD):
                    summary.add_batch(cur, added)
            else:
                with steps.step(SUMMARY_REBUILD):
                    summary.refresh(cur)
        return True

    def wait_for_summary(self, timeout: float | None = None) -> None:
        """Wait until a summary rebuild running in the background has finished."""
        thread = self._summary_thread
        if thread is not None:
            thread.join(timeout)

    def records_changed(self, added: int | None = None) -> None:
        """Bring the summary up to date after a write to the records (in a thread if so set).

        ``added`` names the records batch just committed, when that was the write.
        """
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
