"""How an uploaded CSV is laid out once decoded: where it is, its delimiter and columns."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from pqtrack.domain.schema import header_lookup
from pqtrack.text import fold

DELIMITERS = (",", ";", "\t")
HEADER_SEARCH_ROWS = 10
BLANK_LINE = re.compile(r"\n[ \t]*\r?\n")
_BLANK_LINE_BYTES = re.compile(rb"\n[ \t]*\r?\n")


def has_blank_line(data: bytes) -> bool:
    """Return whether UTF-8 ``data`` holds a blank line before its trailing blank space."""
    end = len(data)
    while end and data[end - 1] in b"\r\n \t":  # rstrip without copying the file
        end -= 1
    return _BLANK_LINE_BYTES.search(data, 0, end) is not None


class FastPathRefused(Exception):
    """DuckDB refused the bytes of a fast-path layout (not UTF-8, or a row too wide)."""


@dataclass
class CsvLayout:
    """An upload as UTF-8 text on disk, with its header row mapped to contract columns."""

    text_path: Path
    delimiter: str
    ncols: int
    header_row: int
    mapping: dict[int, str]
    ignored: list[int] = field(default_factory=list)
    file_name: str = ""
    content_hash: str = ""
    encoding: str = ""
    size: int = 0
    # UTF-8 fast path: the uploaded bytes are read as they are (``data``; written to
    # ``text_path`` only if DuckDB must read them) and validated by the reader; ``ncols`` is
    # the header's width (``header_width``) plus a margin, not the widest row's.
    fast: bool = False
    data: bytes | None = field(default=None, repr=False)
    header_width: int = 0
    # The text may hold characters NFC changes: DuckDB normalises each cell.
    nfc: bool = False
    # Rows in the file (header and blank rows included) as ``rowscan`` counted them apart
    # from the reader: the reader must see as many.
    rows: int | None = None


def _head_rows(text: str, delimiter: str) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text[:65536], newline=""), delimiter=delimiter)
    rows = []
    for row in reader:
        rows.append(row)
        if len(rows) >= HEADER_SEARCH_ROWS:
            break
    return rows


def find_header(text: str) -> tuple[str, int, list[str]]:
    """Return (delimiter, header row number, header cells) that map the most contract columns."""
    lookup = header_lookup()
    best: tuple[int, int, str, int, list[str]] | None = None
    for delim in DELIMITERS:
        rows = _head_rows(text, delim)
        for idx, row in enumerate(rows):
            known = len({lookup[fold(c)] for c in row if fold(c) in lookup})
            score = (known, len(row))
            if best is None or score > best[:2]:
                best = (known, len(row), delim, idx + 1, row)
            if known >= 2:
                break
    if best is None:
        return ",", 1, []
    _, _, delim, header_row, cells = best
    return delim, header_row, cells


def normalise_layout(text: str, delimiter: str) -> str:
    """Return text whose blank lines keep their row numbers (``text`` itself if it has none)."""
    body = text.rstrip("\r\n \t")
    if not BLANK_LINE.search(body):
        return text
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
        writer.writerow(row if row else [""])
    return out.getvalue()
