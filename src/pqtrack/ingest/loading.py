"""One laid-out file checked chunk by chunk and, when asked and clean, stored as one batch.

Every chunk is cleaned, parsed (``staging``) and checked (``rules``) in bulk. When the file
is to be stored, a chunk is inserted as soon as it and every chunk before it are clean, inside the
one transaction of the batch: the last chunk waits for the checks across rows (repeated or
already stored record ids), so a one-chunk file, as most are, writes nothing until it is
known clean. The batch commits whole once every chunk is in, or rolls back whole.

The store hands out the cursors, begins and names the batch (``Store.begin_batch``,
``Store.finish_batch``) and keeps the original; this module drives the work.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Generator
from dataclasses import dataclass
from datetime import date

import pandas as pd

from pqtrack import steps
from pqtrack.ingest import chunks, corrections, names, rules, staging
from pqtrack.ingest.layout import CsvLayout
from pqtrack.store import Store, originals
from pqtrack.store.db import Connection, TransactionError

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
    # A file of corrections: how many rows correct a stored record, their changes field by
    # field (up to a limit), and the version each replaces (record id -> batch).
    corrections: int = 0
    changes: pd.DataFrame | None = None
    versions: dict[str, int] | None = None


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
    # Rows may correct stored records; ``expected``: the versions the preview showed.
    corrections: bool = False
    expected: dict[str, int] | None = None
    # The locked phases: (phase, first day, last day, reason).
    locks: list[tuple[str, date, date, str]] | None = None


def stage(
    store: Store,
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
    correct: bool = False,
    expected: dict[str, int] | None = None,
) -> StageResult:
    """Validate a laid-out file in bulk; if ``commit`` and clean, store it as a batch.

    ``correct``: rows whose record id is stored correct that record (else they are refused);
    ``expected``: the versions the preview showed, refused if any changed since.
    """
    from pqtrack.store import locks

    lock = store.write_lock if commit else threading.Lock()
    with lock, store.cursor() as cur:
        # Checked under the write lock: two sessions sending the same file at once must
        # not both miss the other's batch (the second is then refused as a duplicate).
        duplicate = store.active_batch_with_hash(layout.content_hash)
        if duplicate is not None:
            # The same bytes again: the active batch's original is put right if it was
            # changed or lost on disk (a file refused as a duplicate stores nothing else).
            originals.put(store.originals_folder, layout.content_hash, content)
        # The original is written once, outside the WAL, while the file is validated;
        # it is in place before the transaction that names it commits.
        pending = (
            originals.PendingOriginal(store.originals_folder, layout.content_hash, content)
            if commit and duplicate is None
            else None
        )
        req = Request(
            indicators=indicators,
            type_lookup=type_lookup,
            today=today,
            user=user,
            is_sample=is_sample,
            resolver=resolver,
            on_store=on_store,
            duplicate=duplicate,
            original=pending,
            corrections=correct,
            expected=expected,
            locks=locks.locked_spans(cur),
        )
        try:
            result = load(store, cur, layout, req)
        except BaseException:
            if pending is not None:
                pending.drop()
            raise
        if pending is not None and result.batch_id is None:
            pending.drop()
    if result.batch_id is not None:  # a correction removes rows: the summary is rebuilt
        store.records_changed(added=None if result.corrections else result.batch_id)
    return result


@steps.timed("check and store (total)")
def load(store: Store, cur: Connection, layout: CsvLayout, req: Request) -> StageResult:
    """Check ``layout``'s rows and, if ``req`` carries an original and all is clean, store them."""
    if layout.data is not None:
        try:
            read = chunks.arrow_chunks(cur, layout)
            return _run(store, cur, layout, req, read, "read: Arrow (parse, check cells)")
        except chunks.ArrowRefused:
            pass  # rows of another width, or not UTF-8: DuckDB's reader judges
    read = chunks.duckdb_chunk(cur, layout)
    return _run(store, cur, layout, req, read, "read: DuckDB read_csv")


def _run(
    store: Store,
    cur: Connection,
    layout: CsvLayout,
    req: Request,
    read: Generator[chunks.Chunk, None, None],
    read_step: str,
) -> StageResult:
    staging.begin(cur, layout, req.type_lookup, req.indicators)
    corrections.begin(cur, req.expected)
    writer: Connection | None = None  # the batch's transaction, once begun
    batch_id: int | None = None
    rows = stored = 0
    try:
        try:
            for chunk in steps.timed_chunks(read_step, read):
                staging.build_staged(cur, layout, chunk)
                staging.update_maps(cur, layout, chunk)
                typed = staging.build_typed(cur, id_prefix=layout.content_hash[:10])
                rows += typed.num_rows
                rules.check_rows(cur, req.today)
                if req.locks:
                    rules.check_locks(cur, req.locks, corrections=req.corrections)
                if req.corrections:
                    corrections.add_chunk(cur)
                _place_localities(cur, staging.add_chunk_facts(cur), req.resolver)
                if chunk.last:
                    break  # stored (or not) once the checks across rows are done
                if req.original is not None and not rules.problem_count(cur):
                    if writer is None:
                        writer, batch_id = store.begin_batch(cur, req.on_store)
                    stored += _store_chunk(writer, typed, cur, batch_id, req)
            else:  # every reader ends on a chunk marked last; storing it twice must not happen
                raise RuntimeError("the reader ended without its last chunk")
            # The writer's rows are not committed: "already stored" means before this file.
            rules.check_record_ids(cur, stored_too=req.duplicate is None and not req.corrections)
            corrections.check(cur, expected=req.expected is not None)
            # The reader saw every row of the file, and a file of no data row is no batch.
            lost = _lost(layout.rows, chunk.rows_read)
            clean = not rules.problem_count(cur) and lost is None and rows > 0
            if req.original is not None and clean:
                if writer is None:
                    writer, batch_id = store.begin_batch(cur, req.on_store)
                stored += _store_chunk(writer, typed, cur, batch_id, req)
                lost = _lost(rows, stored)  # and the batch holds every row checked
                clean = lost is None
        finally:
            read.close()  # the reader's chunk and temp tables go; the session's stay
        result = _result(cur, rows, req.duplicate)
        result.lost = lost
        if req.corrections:
            result.corrections = corrections.count(cur)
            result.changes = corrections.changes(cur)
            result.versions = corrections.versions(cur)
        if writer is not None and clean:
            change = "correct" if result.corrections else "add"
            _commit(store, writer, cur, layout, req, batch_id, rows, change)
            result.batch_id = batch_id
        elif writer is not None:
            writer.execute("ROLLBACK")
    except BaseException:
        if writer is not None:
            with contextlib.suppress(TransactionError):  # a failed COMMIT ended it
                writer.execute("ROLLBACK")
        raise
    finally:
        if writer is not None:
            writer.close()
        corrections.end(cur)
        staging.end(cur)
    return result


def _store_chunk(
    writer: Connection, typed: object, cur: Connection, batch_id: int, req: Request
) -> int:
    """Insert a checked chunk in the batch; a correction first retires the versions it replaces."""
    if req.corrections:
        corrections.retire(writer, typed)
    return staging.store_chunk(writer, typed, staging.places(cur), batch_id)


def _lost(counted: int | None, read: int | None) -> tuple[int, int] | None:
    """Return (counted, read) when a count was made and the other differs from it."""
    return None if counted is None or counted == read else (counted, read or 0)


@steps.timed("place localities")
def _place_localities(
    cur: Connection,
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


@steps.timed("result")
def _result(cur: Connection, rows: int, duplicate: dict | None) -> StageResult:
    return StageResult(
        rows_read=rows,
        problems=rules.problems_listing(cur, PROBLEM_LIMIT).df(),
        problem_count=rules.problem_count(cur),
        summary=rules.indicator_totals(cur).df(),
        unmatched_localities=rules.unmatched_localities(cur).df(),
        duplicate_of=duplicate,
    )


@steps.timed("name the batch, COMMIT")
def _commit(
    store: Store,
    cur: Connection,
    session: Connection,
    layout: CsvLayout,
    req: Request,
    batch_id: int,
    rows: int,
    change: str = "add",
) -> None:
    """Store the file's new names, then have the store name the batch and COMMIT (the
    original in place first). ``cur`` is the batch's writer, ``session`` the checker."""
    assert req.original is not None
    kept = req.original.keep()
    try:
        names.store(cur, names.new_names(session), names.new_keys(session))
        store.finish_batch(
            cur,
            batch_id,
            file_name=layout.file_name,
            content_hash=layout.content_hash,
            size=layout.size,
            user=req.user,
            rows=rows,
            encoding=layout.encoding,
            delimiter=layout.delimiter,
            is_sample=req.is_sample,
            change=change,
        )
    except BaseException:
        if kept:
            originals.discard(store.originals_folder, layout.content_hash)
        raise
