"""How an uploaded CSV is laid out once decoded: where it is, its delimiter and columns."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class CsvLayout:
    """A decoded upload written as UTF-8, with its header row mapped to contract columns."""

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
