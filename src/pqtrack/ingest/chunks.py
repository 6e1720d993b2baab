"""The cells of an uploaded CSV, a chunk of rows at a time, as text with their row numbers.

A UTF-8 file still in memory is parsed by Arrow: up to 256 MiB whole, on every core, and cut
into chunks; beyond that, streamed block by block. Each chunk is a table of ``c0``… text
columns (an empty cell is NULL) plus ``rn``, the spreadsheet row number, and arrives with the
set of columns holding a cell that may need cleaning (padding, a neutralising apostrophe). A
thread reads one chunk ahead while the caller works on the current one. A file Arrow refuses
(rows wider or narrower than the header, bytes that are not UTF-8, a blank line) or one
already written out as text is read by DuckDB into a temp table instead, as one chunk whose
every column is cleaned.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from pqtrack.ingest.layout import CsvLayout, FastPathRefused, has_blank_line
from pqtrack.ingest.rowscan import body_end
from pqtrack.store.db import Connection, DatabaseError

# Rows per chunk: whole row groups of DuckDB (122,880 rows), so that each chunk's insert
# writes full row groups straight to the file.
CHUNK_ROWS = 8 * 122_880
# Arrow parses blocks of this size on its threads. Against 16 MiB blocks: a streamed file's
# first 10^6 rows in 0.5 s, not 0.87 s (the reader parses one block before the first
# batch); a 1M-row file parsed whole in 0.37 s, not 0.40-0.52 s.
ARROW_BLOCK = 4 << 20
# A file up to this size is parsed whole, on every core (1M rows, 180 MB: 0.54 s against
# 0.9 s streamed); a larger one (the CLI's: uploads stop at 50 MB) is streamed.
ARROW_WHOLE_BYTES = 256 << 20

# DuckDB's words when the bytes are not UTF-8, or a row has more cells than declared.
_FAST_PATH_ERRORS = ("invalid unicode", "expected number of columns")

# What trimming removes from both ends of a cell (staging's ``pq_trim`` is made from it).
BLANKS = " \t\n\r\u00a0"
# First and last bytes of a cell that cleaning may change: the ASCII blanks (a no-break
# space is C2 A0, checked apart) and, first, the apostrophe that neutralises a formula.
_ASCII_BLANKS = [ord(c) for c in BLANKS if ord(c) < 0x80]
_FIRST = np.zeros(256, dtype=bool)
_FIRST[[*_ASCII_BLANKS, 0x27]] = True
_LAST = np.zeros(256, dtype=bool)
_LAST[_ASCII_BLANKS] = True


class ArrowRefused(Exception):
    """Arrow's reader refused the bytes: the file is read by DuckDB instead."""


@dataclass
class Chunk:
    """One chunk of rows, registered on the cursor as ``chunk_raw`` (rn, c0, c1, …)."""

    width: int
    dirty: frozenset[int]
    last: bool
    # Only data rows with a cell (the reader left out the header and blank rows): the
    # staging needs no filter, and DuckDB knows how many rows it joins.
    data_rows_only: bool = False
    # On the last chunk: how many rows the reader read in all, header and blank rows too.
    rows_read: int | None = None
    # Blank-headed columns without a cell in the chunk: left out of every step at once.
    skip: frozenset[int] = frozenset()


def _column_may_need_cleaning(column: pa.ChunkedArray) -> bool:
    """Return whether a cell of ``column`` may start or end with what cleaning removes."""
    for arr in column.chunks:
        if arr.null_count == len(arr):
            continue
        _, offsets_buf, data_buf = arr.buffers()
        if data_buf is None or data_buf.size == 0:
            continue
        data = np.frombuffer(data_buf, dtype=np.uint8)
        offsets = np.frombuffer(
            offsets_buf, dtype=np.int32, count=len(arr) + 1, offset=arr.offset * 4
        )
        top = data.size - 1
        # An empty (NULL) cell points at its neighbour's bytes: looked at anyway, no harm.
        starts = np.minimum(offsets[:-1], top)
        ends = np.maximum(offsets[1:] - 1, 0)
        first, last = data[starts], data[ends]
        if _FIRST[first].any() or _LAST[last].any():
            return True
        if ((first == 0xC2) & (data[np.minimum(starts + 1, top)] == 0xA0)).any():
            return True
        if ((last == 0xA0) & (data[np.maximum(ends - 1, 0)] == 0xC2)).any():
            return True
    return False


def _dirty_columns(table: pa.Table, kept: list[int], pool: ThreadPoolExecutor) -> frozenset[int]:
    flags = pool.map(lambda i: _column_may_need_cleaning(table.column(i)), kept)
    return frozenset(i for i, flag in zip(kept, flags, strict=True) if flag)


def _empty_blank_headed(table: pa.Table, layout: CsvLayout) -> frozenset[int]:
    """Return the blank-headed columns of ``table`` without a cell (Arrow counts its NULLs)."""
    named = set(layout.mapping) | set(layout.ignored)
    return frozenset(
        i
        for i in range(layout.header_width)
        if i not in named and table.column(i).null_count == table.num_rows
    )


def _arrow_batches(layout: CsvLayout) -> Iterator[pa.RecordBatch]:
    """Yield the file's rows as Arrow batches: parsed whole up to ``ARROW_WHOLE_BYTES``
    (on every core), streamed beyond (memory bounded by a few blocks)."""
    assert layout.data is not None
    end = body_end(layout.data)  # a final line break ends no row
    names = [f"c{i}" for i in range(layout.header_width)]
    source = pa.py_buffer(layout.data).slice(0, end)
    options = {
        "read_options": pa_csv.ReadOptions(column_names=names, block_size=ARROW_BLOCK),
        "parse_options": pa_csv.ParseOptions(
            delimiter=layout.delimiter,
            quote_char='"',
            double_quote=True,
            newlines_in_values=True,
            ignore_empty_lines=False,
        ),
        "convert_options": pa_csv.ConvertOptions(
            column_types=dict.fromkeys(names, pa.string()),
            strings_can_be_null=True,
            quoted_strings_can_be_null=True,
            null_values=[""],
        ),
    }
    try:
        if end <= ARROW_WHOLE_BYTES:
            yield from pa_csv.read_csv(source, **options).to_batches()
        else:
            yield from pa_csv.open_csv(pa.BufferReader(source), **options)
    except pa.ArrowInvalid as exc:
        raise ArrowRefused(str(exc)) from exc


def _arrow_chunks(layout: CsvLayout) -> Iterator[tuple[pa.Table, int, bool]]:
    """Yield (table of at most CHUNK_ROWS rows, its first row number, is it the last).

    A chunk is cut only once more rows follow it, so the last one is known as such.
    """
    pending: list[pa.RecordBatch] = []
    have = 0
    first_rn = 1
    for batch in _arrow_batches(layout):
        pending.append(batch)
        have += batch.num_rows
        while have > CHUNK_ROWS:
            table = pa.Table.from_batches(pending)
            pending = table.slice(CHUNK_ROWS).to_batches()
            have -= CHUNK_ROWS
            yield table.slice(0, CHUNK_ROWS), first_rn, False
            first_rn += CHUNK_ROWS
    schema = pending[0].schema if pending else None
    yield (pa.Table.from_batches(pending, schema) if schema else _empty(layout)), first_rn, True


def _empty(layout: CsvLayout) -> pa.Table:
    names = [f"c{i}" for i in range(layout.header_width)]
    return pa.table({n: pa.array([], pa.string()) for n in names})


def _prepared_chunks(
    layout: CsvLayout,
) -> Iterator[tuple[pa.Table, frozenset[int], int | None, frozenset[int]]]:
    """Yield each chunk with its row numbers, the columns it needs cleaned, on the last one
    how many rows were read in all, and its empty blank-headed columns (no step looks at
    them: a file of 1,000 trailing blank columns is read as one of its named columns)."""
    with ThreadPoolExecutor(2) as pool:
        for table, first_rn, last in _arrow_chunks(layout):
            rn = np.arange(first_rn, first_rn + table.num_rows, dtype=np.int32)
            table = table.append_column("rn", pa.array(rn))
            skip = _empty_blank_headed(table, layout)
            kept = [
                i
                for i in range(layout.header_width)
                if i not in skip and i not in set(layout.ignored)
            ]
            dirty = frozenset(kept) if layout.nfc else _dirty_columns(table, kept, pool)
            read = first_rn + table.num_rows - 1 if last else None
            yield _data_rows(table, layout, dirty, first_rn, kept), dirty, read, skip


def _data_rows(
    table: pa.Table, layout: CsvLayout, dirty: frozenset[int], first_rn: int, kept: list[int]
) -> pa.Table:
    """Return the rows of ``table`` below the header that hold a cell once trimmed in one
    of the ``kept`` columns."""
    below = min(max(layout.header_row - first_rn + 1, 0), table.num_rows)
    table = table.slice(below)
    filled = None
    for i in kept:
        column = table.column(i)
        has = pc.is_valid(column)
        if i in dirty:
            has = pc.and_kleene(has, pc.not_equal(pc.utf8_trim(column, BLANKS), ""))
        filled = has if filled is None else pc.or_(filled, has)
    if filled is None:
        return table.slice(0, 0)
    return table if pc.all(filled).as_py() is not False else table.filter(filled)


class _ReadAhead:
    """Run a generator on a thread of its own, one item ahead of its consumer.

    Arrow parses (and numpy checks) without holding the GIL, so the next chunk is read
    while DuckDB works on this one. The generator's exception reaches the consumer.
    """

    DONE = object()

    def __init__(self, items: Iterator) -> None:
        self._items = items
        self._queue: queue.Queue = queue.Queue(maxsize=1)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="pqtrack-read", daemon=True)
        self._thread.start()

    def _put(self, item: object) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _run(self) -> None:
        try:
            for item in self._items:
                if not self._put((item, None)):
                    return
            self._put((self.DONE, None))
        except BaseException as exc:  # handed to the consumer
            self._put((None, exc))

    def get(self) -> object:
        """Return the next item, or ``DONE``; raise what the generator raised."""
        item, exc = self._queue.get()
        if exc is not None:
            raise exc
        return item

    def close(self) -> None:
        """Stop the thread (it drops what it read ahead) and wait for it."""
        self._stop.set()
        with contextlib.suppress(queue.Empty):
            while True:
                self._queue.get_nowait()
        self._thread.join()


def arrow_chunks(cur: Connection, layout: CsvLayout) -> Iterator[Chunk]:
    """Register each chunk of an in-memory UTF-8 file as ``chunk_raw``; raise ArrowRefused."""
    ahead = _ReadAhead(_prepared_chunks(layout))
    try:
        while (item := ahead.get()) is not _ReadAhead.DONE:
            table, dirty, read, skip = item
            cur.register("chunk_raw", table)
            try:
                yield Chunk(
                    width=layout.header_width,
                    dirty=dirty,
                    last=read is not None,
                    data_rows_only=True,
                    rows_read=read,
                    skip=skip,
                )
            finally:
                cur.unregister("chunk_raw")
                del table, item
    finally:
        ahead.close()


def duckdb_chunk(cur: Connection, layout: CsvLayout) -> Iterator[Chunk]:
    """Read the whole file with DuckDB into a temp table, registered as one ``chunk_raw``.

    It reads the file in file order (a plain ``SELECT *``: a projection over a parallel
    ``read_csv`` was seen, DuckDB 2.0.1, to store row groups out of order), so ``rowid`` + 1
    is the row number. On the fast path a blank line, invalid UTF-8 or a row wider than the
    margin raises :class:`FastPathRefused`: the file is then decoded and laid out in Python.
    """
    if layout.data is not None:
        if has_blank_line(layout.data):
            raise FastPathRefused("blank line")  # DuckDB would skip it: rows would shift
        layout.text_path.write_bytes(layout.data)
    sql_template = (
        "CREATE OR REPLACE TEMP TABLE raw_table AS SELECT * FROM read_csv($path, "
        "header = false, all_varchar = true, null_padding = true, delim = $delim, "
        "quote = '\"', escape = '\"', auto_detect = false, parallel = {parallel}, "
        "columns = {columns})"
    )
    params = {"path": str(layout.text_path), "delim": layout.delimiter}
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(layout.ncols)) + "}"
    try:
        try:
            cur.execute(sql_template.format(parallel="true", columns=columns), params)
        except DatabaseError as exc:
            if "parallel" not in str(exc):
                raise
            cur.execute(sql_template.format(parallel="false", columns=columns), params)
    except DatabaseError as exc:
        if layout.fast and any(word in str(exc).lower() for word in _FAST_PATH_ERRORS):
            raise FastPathRefused(str(exc)) from exc
        raise
    cur.execute(
        "CREATE OR REPLACE TEMP VIEW chunk_raw AS "
        "SELECT *, CAST(rowid + 1 AS INTEGER) AS rn FROM raw_table"
    )
    read = cur.execute("SELECT count(*) FROM raw_table").fetchall()[0][0]
    try:
        yield Chunk(
            width=layout.ncols, dirty=frozenset(range(layout.ncols)), last=True, rows_read=read
        )
    finally:
        cur.execute("DROP VIEW IF EXISTS chunk_raw")
        cur.execute("DROP TABLE IF EXISTS raw_table")
