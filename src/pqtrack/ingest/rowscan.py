"""The rows of an upload counted from its bytes, apart from the readers that parse it, and
the rows and cells too long to take.

The count guards the store against a reader that loses a row without a word (DuckDB's
parallel reader dropped a last line longer than its 32 MiB buffer): a file is stored only
when its reader saw as many rows as are counted here. Rows are counted as RFC 4180 has them,
in numpy a few MiB at a time: a line break ends a row unless an odd number of quotes precede
it. A file whose quotes are not RFC 4180's (a quote inside an unquoted cell, ``5" tv``) is
counted by Python's csv module instead, which reads such quotes as Arrow does.

Row numbers are the spreadsheet's: the file's first row is 1, a row with line breaks in a
quoted cell is one row.
"""

from __future__ import annotations

import csv
import io
import mmap
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

# Characters in one cell: Excel's own limit (a longer cell cannot come from a workbook).
CELL_LIMIT = 32_767
# Bytes (UTF-8) in one row. A longer row is not read at all: it stays well inside what both
# readers take whole (Arrow's 4 MiB blocks, DuckDB's 2,000,000-byte lines), and the thirteen
# columns of the template filled to Excel's limit with Vietnamese letters (3 bytes each)
# would come to about 1.2 MiB.
LINE_LIMIT = 1 << 20
# Rows listed as too long before the scan stops listing (it still counts every row).
LISTED = 1_000
# Characters of a too-long cell shown as its value.
SHOWN = 40

_BLOCK = 1 << 20  # bytes a step: 1 MiB steps stay in cache (all-quoted 1M rows: 0.4 s, not 0.5)
_LF, _CR, _QUOTE = 10, 13, 34
_CONTINUATION = np.zeros(256, dtype=bool)
_CONTINUATION[0x80:0xC0] = True


@dataclass(frozen=True)
class LongRow:
    """A row over :data:`LINE_LIMIT` bytes, or a cell over :data:`CELL_LIMIT` characters."""

    row: int
    column: int  # 0-based: the too-long cell, or the longest cell of a too-long row
    length: int  # characters of the cell (``line`` False) or bytes of the row
    shown: str  # the cell's first characters
    line: bool


@dataclass
class RowScan:
    """How many rows a file holds (header and blank rows included) and which are too long."""

    rows: int
    too_long: list[LongRow] = field(default_factory=list)
    widest: int = 0  # cells in the widest row, when asked for

    def problems(self, header: list[str], mapping: dict[int, str]) -> pd.DataFrame:
        """Return the too-long rows and cells as row problems (row, column, value, code,
        detail); a column is named by its contract name, its header or its letters."""
        return pd.DataFrame(
            {
                "row": [r.row for r in self.too_long],
                "column": [_column_name(r.column, header, mapping) for r in self.too_long],
                "value": [r.shown for r in self.too_long],
                "code": [f"rule.{'row' if r.line else 'cell'}_too_long" for r in self.too_long],
                "detail": [str(r.length) for r in self.too_long],
            }
        )


def _column_name(idx: int, header: list[str], mapping: dict[int, str]) -> str:
    """Return column ``idx``'s contract name, else its header, else its spreadsheet letters
    (A, B, …, AA) when its header is blank."""
    if idx in mapping:
        return mapping[idx]
    if idx < len(header) and header[idx].strip():
        return header[idx].strip()
    letters, n = "", idx + 1
    while n:
        n, r = divmod(n - 1, 26)
        letters = chr(65 + r) + letters
    return letters


def body_end(data: bytes | mmap.mmap, start: int = 0) -> int:
    """Return where ``data`` ends once its final line breaks are dropped (they end no row)."""
    end = len(data)
    while end > start:
        lo = max(end - 65536, start)
        tail = np.frombuffer(data, np.uint8, count=end - lo, offset=lo)
        kept = np.flatnonzero((tail != _LF) & (tail != _CR))
        if kept.size:
            return lo + int(kept[-1]) + 1
        end = lo
    return start


def scan(data: bytes | mmap.mmap, start: int, delimiter: str, *, widest: bool = False) -> RowScan:
    """Count the rows of UTF-8 ``data`` from ``start`` (past a BOM); list the too-long ones;
    with ``widest``, count the cells of the widest row too."""
    end = body_end(data, start)
    if end <= start:
        return RowScan(rows=0)
    a = np.frombuffer(data, np.uint8)
    delim = ord(delimiter)
    found = _rfc4180(data, a, start, end, delim, widest)
    if found is None:
        return _by_csv_module(data, start, end, delimiter)
    rows, spans, cells = found
    too_long = [cell for row, s, e in spans for cell in _long_cells(data, a, row, s, e, delim)]
    return RowScan(rows=rows, too_long=too_long[:LISTED], widest=cells)


def _rfc4180(
    data: bytes | mmap.mmap, a: np.ndarray, start: int, end: int, delim: int, widest: bool
) -> tuple[int, list[tuple[int, int, int]], int] | None:
    """Return (rows, (row, start, end) of each row over CELL_LIMIT bytes, cells of the widest
    row or 0), or None when a quote is not where RFC 4180 puts one."""
    opens_after = np.zeros(256, dtype=bool)  # what a quote that opens a cell may follow
    opens_after[[delim, _LF, _CR, _QUOTE]] = True
    quotes = 0  # quotes before the block
    row_start = start
    rows = 0  # rows ended before the block
    spans: list[tuple[int, int, int]] = []
    most = pending = 0  # delimiters in the widest row so far, in the row going on
    for lo in range(start, end, _BLOCK):
        hi = min(lo + _BLOCK, end)
        block = a[lo:hi]
        breaks = np.flatnonzero(block == _LF) + lo
        # A CR alone ends a row too (old Mac files); the body never ends on one.
        crs = np.count_nonzero(block == _CR)
        inner = breaks[1:] if breaks.size and breaks[0] == lo else breaks  # CR in the block
        if crs and crs > np.count_nonzero(a[inner - 1] == _CR):
            cr = np.flatnonzero(block == _CR) + lo
            breaks = np.union1d(breaks, cr[a[cr + 1] != _LF])
        q = np.flatnonzero(block == _QUOTE) + lo
        if q.size:
            # A quote that opens (an even one) must start a cell, or be the second of a ""
            # pair (the quote before it closed). One that closes needs no check: what
            # follows it up to the next delimiter is part of the cell for every reader, and
            # a quote there is an opening one in the wrong place.
            opening = q[quotes & 1 :: 2]
            if not opens_after[a[opening[opening > start] - 1]].all():
                return None
            outside = ((quotes + np.searchsorted(q, breaks)) & 1) == 0
            cuts = _cuts(block, lo, delim, q, quotes) if widest else None
            breaks = breaks[outside]
            quotes += q.size
        elif quotes & 1:
            breaks = cuts = breaks[:0]  # the whole block is inside one quoted cell
        else:
            cuts = np.flatnonzero(block == delim) + lo if widest else None
        if cuts is not None:
            per_row = np.bincount(np.searchsorted(breaks, cuts), minlength=breaks.size + 1)
            per_row[0] += pending
            most = max(most, int(per_row[:-1].max(initial=0)))
            pending = int(per_row[-1])
        if breaks.size:
            starts = np.concatenate(([row_start], breaks[:-1] + 1))
            for i in np.flatnonzero(breaks - starts > CELL_LIMIT)[: LISTED - len(spans)]:
                spans.append((rows + int(i) + 1, int(starts[i]), int(breaks[i])))
            rows += breaks.size
            row_start = int(breaks[-1]) + 1
    if quotes & 1:
        return None  # a quote never closed
    if end - row_start > CELL_LIMIT and len(spans) < LISTED:
        spans.append((rows + 1, row_start, end))
    return rows + 1, spans, max(most, pending) + 1 if widest else 0


def _cuts(block: np.ndarray, lo: int, delim: int, q: np.ndarray, quotes: int) -> np.ndarray:
    """Return where the block's delimiters outside quotes are (``quotes`` before the block)."""
    cuts = np.flatnonzero(block == delim) + lo
    return cuts[((quotes + np.searchsorted(q, cuts)) & 1) == 0]


def _long_cells(
    data: bytes | mmap.mmap, a: np.ndarray, row: int, start: int, end: int, delim: int
) -> list[LongRow]:
    """Return the row's cells over CELL_LIMIT characters, or the row itself (named by its
    longest cell in bytes) when it is over LINE_LIMIT bytes."""
    if a[end - 1] == _CR:
        end -= 1  # the CR of a CRLF belongs to no cell
    if end - start > LINE_LIMIT:
        col, lo, hi = _longest_cell(a, start, end, delim)
        return [LongRow(row, col, end - start, _shown(data, lo, hi), True)]
    span = a[start:end]
    q = np.flatnonzero(span == _QUOTE)
    cuts = np.flatnonzero(span == delim)
    cuts = cuts[(np.searchsorted(q, cuts) & 1) == 0]  # delimiters outside quotes
    first = np.concatenate(([0], cuts + 1))  # each cell's first byte and its end
    last = np.concatenate((cuts, [span.size]))
    nbytes = last - first
    # At most LINE_LIMIT bytes: counted as int64 per byte, a few MiB.
    at = np.minimum(first, span.size - 1)
    conts = np.add.reduceat(_CONTINUATION[span], at, dtype=np.int64)
    chars = np.where(nbytes > 0, nbytes - conts, 0)
    # A quoted cell's characters: less its two quotes and one of each "" pair inside.
    quoted = (nbytes > 0) & (span[at] == _QUOTE)
    inner = np.searchsorted(q, last) - np.searchsorted(q, first)
    chars = np.where(quoted, chars - 1 - inner // 2, chars)
    return [
        LongRow(row, int(i), int(chars[i]), _shown(data, start + first[i], start + last[i]), False)
        for i in np.flatnonzero(chars > CELL_LIMIT)
    ]


def _longest_cell(a: np.ndarray, start: int, end: int, delim: int) -> tuple[int, int, int]:
    """Return (column, first byte, end) of the row's longest cell in bytes, a block at a
    time: a row over LINE_LIMIT may be any size."""
    quotes = col = 0
    cell = start  # where the cell going on starts
    best = (-1, 0, start, start)
    for lo in range(start, end, _BLOCK):
        block = a[lo : min(lo + _BLOCK, end)]
        q = np.flatnonzero(block == _QUOTE) + lo
        cuts = np.flatnonzero(block == delim) + lo
        cuts = cuts[((quotes + np.searchsorted(q, cuts)) & 1) == 0]
        quotes += q.size
        if cuts.size:
            starts = np.concatenate(([cell], cuts[:-1] + 1))
            i = int(np.argmax(cuts - starts))
            if cuts[i] - starts[i] > best[0]:
                best = (int(cuts[i] - starts[i]), col + i, int(starts[i]), int(cuts[i]))
            col += cuts.size
            cell = int(cuts[-1]) + 1
    if end - cell > best[0]:
        best = (end - cell, col, cell, end)
    return best[1:]


def _shown(data: bytes | mmap.mmap, lo: int, hi: int) -> str:
    """Return the first characters of the cell in ``data[lo:hi]`` (unquoted), then "…"."""
    text = bytes(data[lo : min(hi, lo + 4 * SHOWN + 1)]).decode("utf-8", "replace")
    if text.startswith('"'):
        text = text[1:].replace('""', '"')
    return text[:SHOWN] + "…"


def _by_csv_module(data: bytes | mmap.mmap, start: int, end: int, delimiter: str) -> RowScan:
    """Count the rows as Python's csv module reads them; list too-long cells and rows.

    A cell over the module's field limit (131,072 characters) stops the count: its row is
    listed as too long, which refuses the file (its column unknown: shown as the first).
    """
    raw = io.BufferedReader(_View(memoryview(data)[start:end]))
    text = io.TextIOWrapper(raw, encoding="utf-8", errors="replace", newline="")
    rows = widest = 0
    too_long: list[LongRow] = []
    try:
        for cells in csv.reader(text, delimiter=delimiter):
            rows += 1
            widest = max(widest, len(cells))
            if sum(map(len, cells)) <= CELL_LIMIT or len(too_long) >= LISTED:
                continue
            size = sum(len(c.encode("utf-8")) for c in cells) + len(cells) - 1
            longest = max(range(len(cells)), key=lambda i: len(cells[i]))
            if size > LINE_LIMIT:
                too_long.append(LongRow(rows, longest, size, cells[longest][:SHOWN] + "…", True))
                continue
            too_long.extend(
                LongRow(rows, i, len(c), c[:SHOWN] + "…", False)
                for i, c in enumerate(cells)
                if len(c) > CELL_LIMIT
            )
    except csv.Error:
        too_long.append(LongRow(rows + 1, 0, LINE_LIMIT + 1, "…", True))
    return RowScan(rows=rows, too_long=too_long[:LISTED], widest=widest)


class _View(io.RawIOBase):
    """Bytes already in memory, read as a file without copying them whole."""

    def __init__(self, view: memoryview) -> None:
        self._view = view
        self._at = 0

    def readable(self) -> bool:
        """Return True: the view is read."""
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        """Copy the next bytes into ``buffer``; return how many."""
        n = min(len(buffer), len(self._view) - self._at)
        buffer[:n] = self._view[self._at : self._at + n]
        self._at += n
        return n
