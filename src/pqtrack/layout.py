"""How an uploaded CSV is laid out once decoded: where it is, its delimiter and columns."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

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
