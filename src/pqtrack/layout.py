"""How an uploaded CSV is laid out once decoded: where it is, its delimiter and columns."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


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
    # ``text_path`` holds the uploaded bytes themselves (UTF-8 fast path): DuckDB validates
    # them, and ``ncols`` is the header's width plus a margin, not the widest row's.
    fast: bool = False
    # False when the stored original is another file (an .xlsx converted to this CSV).
    original_is_text: bool = True
    # The text may hold characters NFC changes: DuckDB normalises each cell.
    nfc: bool = False
