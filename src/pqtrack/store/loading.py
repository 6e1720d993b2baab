"""One laid-out file checked chunk by chunk and, when asked and clean, stored as one batch.

Every chunk is cleaned, parsed and checked in bulk (``staging``). When the file is to be
stored, a chunk is inserted as soon as it and every chunk before it are clean, inside the
one transaction of the batch: the last chunk waits for the checks across rows (repeated or
already stored record ids), so a one-chunk file, as most are, writes nothing until it is
known clean. The batch commits whole once every chunk is in, or rolls back whole.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Generator
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import duckdb
import pandas as pd

from pqtrack.ingest.layout import CsvLayout
from pqtrack.store import originals, people, reader, staging

if TYPE_CHECKING:
    from pqtrack.store.core import Store

LocalityResolver = Callable[[list[tuple[str, bool]]], dict[tuple[str, bool], tuple]]

PROBLEM_LIMIT = 100_000


@dataclass
class StageResult:
    """What validating (and possibly storing) one file produced."""

    rows_read: int
    problems: pd.DataFrame
    problem_count: int
    summary: pd.DataFrame
    unmatched_localities: pd.DataFrame
    duplicate_of: dict | None = None
    batch_id: int | None = None
    # (rows counted, rows read) when they differ: the file is not stored.
    lost: tuple[int, int] | None = None


@dataclass
class Request:
    """What to check a file against, and how to store it."""

    indicators: list[str]
    type_lookup: dict[str, str]
    today: date
    user: str | None
    is_sample: bool
    resolver: LocalityResolver | None
    on_store: Callable[[], None] | None
    duplicate: dict | None
    # Set when the file is to be stored: the original being written beside the store.
    original: originals.PendingOriginal | None


def load(
    store: Store, cur: duckdb.DuckDBPyConnection, layout: CsvLayout, req: Request
) -> StageResult:
    """Check ``layout``'s rows and, if ``req`` carries an original and all is clean, store them."""
    if layout.data is not None:
        try:
            return _run(store, cur, layout, req, reader.arrow_chunks(cur, layout))
        except reader.ArrowRefused:
            pass  # rows of another width, or not UTF-8: DuckDB's reader judges
    return _run(store, cur, layout, req, reader.duckdb_chunk(cur, layout))


def _run(
    store: Store,
    cur: duckdb.DuckDBPyConnection,
    layout: CsvLayout,
    req: Request,
    chunks: Generator[reader.Chunk, None, None],
) -> StageResult:
    staging.begin(cur, layout, req.type_lookup, req.indicators)
    writer: duckdb.DuckDBPyConnection | None = None  # the batch's transaction, once begun
    batch_id: int | None = None
    rows = stored = 0
    try:
        try:
            for chunk in chunks:
                staging.build_staged(cur, layout, chunk)
                staging.update_maps(cur, layout, chunk)
                typed = staging.build_typed(cur, id_prefix=layout.content_hash[:10])
                rows += typed.num_rows
                staging.check_rows(cur, req.today)
                _place_localities(cur, staging.add_chunk_facts(cur), req.resolver)
                if chunk.last:
                    break  # stored (or not) once the checks across rows are done
                if req.original is not None and not staging.problem_count(cur):
                    if writer is None:
                        writer, batch_id = store._begin_batch(cur, req.on_store)
                    stored += staging.store_chunk(writer, typed, staging.places(cur), batch_id)
            else:  # every reader ends on a chunk marked last; storing it twice must not happen
                raise RuntimeError("the reader ended without its last chunk")
            # The writer's rows are not committed: "already stored" means before this file.
            staging.check_record_ids(cur, stored_too=req.duplicate is None)
            # The reader saw every row of the file, and a file of no data row is no batch.
            lost = _lost(layout.rows, chunk.rows_read)
            clean = not staging.problem_count(cur) and lost is None and rows > 0
            if req.original is not None and clean:
                if writer is None:
                    writer, batch_id = store._begin_batch(cur, req.on_store)
                stored += staging.store_chunk(writer, typed, staging.places(cur), batch_id)
                lost = _lost(rows, stored)  # and the batch holds every row checked
                clean = lost is None
        finally:
            chunks.close()  # the reader's chunk and temp tables go; the session's stay
        result = _result(cur, rows, req.duplicate)
        result.lost = lost
        if writer is not None and clean:
            _commit(store, writer, cur, layout, req, batch_id, rows)
            result.batch_id = batch_id
        elif writer is not None:
            writer.execute("ROLLBACK")
    except BaseException:
        if writer is not None:
            with contextlib.suppress(duckdb.TransactionException):  # a failed COMMIT ended it
                writer.execute("ROLLBACK")
        raise
    finally:
        if writer is not None:
            writer.close()
        staging.end(cur)
    return result


def _lost(counted: int | None, read: int | None) -> tuple[int, int] | None:
    """Return (counted, read) when a count was made and the other differs from it."""
    return None if counted is None or counted == read else (counted, read or 0)


def _place_localities(
    cur: duckdb.DuckDBPyConnection,
    pairs: list[tuple[str, bool]],
    resolver: LocalityResolver | None,
) -> None:
    """Add the district, commune and match status of each new (locality, after) pair."""
    if not pairs:
        return
    matches = resolver(pairs) if resolver else {}
    staging.add_localities(
        cur,
        [
            (name, after, *matches.get((name, after), (None, None, "unknown")))
            for name, after in pairs
        ],
    )


def _result(cur: duckdb.DuckDBPyConnection, rows: int, duplicate: dict | None) -> StageResult:
    return StageResult(
        rows_read=rows,
        problems=staging.problems_listing(cur, PROBLEM_LIMIT).df(),
        problem_count=staging.problem_count(cur),
        summary=staging.indicator_totals(cur).df(),
        unmatched_localities=staging.unmatched_localities(cur).df(),
        duplicate_of=duplicate,
    )


def _commit(
    store: Store,
    cur: duckdb.DuckDBPyConnection,
    session: duckdb.DuckDBPyConnection,
    layout: CsvLayout,
    req: Request,
    batch_id: int,
    rows: int,
) -> None:
    """Store the file's new names, name the batch, its original and the event, then COMMIT
    (the original in place first). ``cur`` is the batch's writer, ``session`` the checker."""
    assert req.original is not None
    kept = req.original.keep()
    try:
        people.store(cur, people.new_names(session), people.new_keys(session))
        cur.execute(
            "INSERT INTO batches (batch_id, kind, file_name, content_hash, user_name, created_at, "
            "row_count, status, encoding, delimiter, is_sample) VALUES (?, 'records', ?, ?, ?, "
            "current_localtimestamp(), ?, 'active', ?, ?, ?)",
            [
                batch_id,
                layout.file_name,
                layout.content_hash,
                req.user,
                rows,
                layout.encoding,
                layout.delimiter,
                req.is_sample,
            ],
        )
        # The bytes are in the originals folder (content NULL); the row ties batches to them.
        cur.execute(
            "INSERT INTO files SELECT ?, ?, NULL WHERE NOT EXISTS "
            "(SELECT 1 FROM files WHERE content_hash = ?)",
            [layout.content_hash, layout.size, layout.content_hash],
        )
        store._audit(
            cur,
            req.user,
            "ingest",
            batch_id,
            {"file_name": layout.file_name, "rows": rows, "sample": req.is_sample},
        )
        cur.execute("COMMIT")
    except BaseException:
        if kept:
            originals.discard(store.originals_folder, layout.content_hash)
        raise
