"""Yearly macro data for the TFP estimate: read and check a CSV of GRDP, capital and labour.

Accepted input (also in ``data/macro/README.md``):

- encoding: UTF-8 with or without BOM; anything else is detected with charset-normalizer;
- delimiter: ``,``, ``;`` or tab, whichever occurs most in the header line (ties: ``,``);
- header (row 1) with ``year``, ``grdp``, ``labour`` and at least one of ``capital_stock`` /
  ``investment``; optional ``capital_share`` and ``source``; Vietnamese spellings
  (``Năm``, ``Lao động``, ``Vốn đầu tư``, ``Nguồn`` ...) are recognised; other columns are ignored;
- numbers (see :func:`parse_number`): ``74709``, ``74709.5``, ``74709,5``, ``74.709`` (thousands),
  ``74.709,5``, ``74,709.5``, ``74 709``; an empty cell is a missing value.

Bad input is never raised: every problem comes back as a :class:`MacroProblem`.
"""

from __future__ import annotations

import csv
import io
import math
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from pqtrack.i18n import DEFAULT_LANG, t
from pqtrack.ingest.decode import DecodeError, decode_bytes
from pqtrack.paths import data_dir
from pqtrack.store.batches import MACRO_ROW_COLUMNS
from pqtrack.text import fold

if TYPE_CHECKING:
    from pqtrack.store import Store

MACRO_COLUMNS: tuple[str, ...] = (
    "year",
    "grdp",
    "capital_stock",
    "investment",
    "labour",
    "capital_share",
    "source",
)
REQUIRED_COLUMNS: tuple[str, ...] = ("year", "grdp", "labour")
CAPITAL_COLUMNS: tuple[str, ...] = ("capital_stock", "investment")
NUMERIC_COLUMNS: tuple[str, ...] = (
    "grdp",
    "capital_stock",
    "investment",
    "labour",
    "capital_share",
)
# Levels whose growth is taken must be strictly positive; investment may be zero.
POSITIVE_COLUMNS: tuple[str, ...] = ("grdp", "capital_stock", "labour")
YEAR_MIN = 1990
YEAR_MAX = 2100
PLACEHOLDER_MARKER = "PLACEHOLDER"
DELIMITERS: tuple[str, ...] = (",", ";", "\t")
# The frame returned by the parser: the file's columns plus the placeholder flag, as the
# store keeps them (its macro table's columns).
FRAME_COLUMNS: tuple[str, ...] = MACRO_ROW_COLUMNS

_ALIASES: dict[str, tuple[str, ...]] = {
    "year": ("năm", "nam"),
    "grdp": ("GRDP giá so sánh", "tổng sản phẩm trên địa bàn"),
    "capital_stock": ("capital", "vốn", "vốn sản xuất", "giá trị vốn"),
    "investment": ("vốn đầu tư", "vốn đầu tư toàn xã hội", "đầu tư"),
    "labour": ("labor", "employment", "lao động", "lao động đang làm việc"),
    "capital_share": ("b_K", "hệ số vốn", "tỷ phần vốn"),
    "source": ("nguồn", "nguồn số liệu"),
}

# Problem codes (message key: ``macro.problem.<code>``).
P_ENCODING = "encoding"
P_EMPTY_FILE = "empty_file"
P_NO_ROWS = "no_rows"
P_MISSING_COLUMN = "missing_column"
P_MISSING_CAPITAL_COLUMN = "missing_capital_column"
P_DUPLICATE_COLUMN = "duplicate_column"
P_EXTRA_CELLS = "extra_cells"
P_YEAR_MISSING = "year_missing"
P_YEAR_INVALID = "year_invalid"
P_YEAR_DUPLICATE = "year_duplicate"
P_NOT_A_NUMBER = "not_a_number"
P_NEGATIVE = "negative"
P_NOT_POSITIVE = "not_positive"
P_SHARE_OUT_OF_RANGE = "share_out_of_range"

_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]+")
_GROUP_DOT = re.compile(r"[1-9]\d{0,2}(?:\.\d{3})+(?:,\d+)?")
_GROUP_COMMA = re.compile(r"[1-9]\d{0,2}(?:,\d{3})+(?:\.\d+)?")
_DECIMAL = re.compile(r"\d+(?:[.,]\d+)?")
_YEAR = re.compile(r"\d{4}")


@dataclass(frozen=True)
class MacroProblem:
    """One problem in a macro file: row (header = 1), column, the cell's text, reason code."""

    row: int
    column: str | None
    value: str | None
    code: str

    def message(self, lang: str = DEFAULT_LANG) -> str:
        """Return the problem as a sentence in ``lang``."""
        return t(
            f"macro.problem.{self.code}",
            lang,
            row=self.row,
            column=self.column or "",
            value=self.value if self.value is not None else "",
        )

    def to_dict(self) -> dict[str, object]:
        """Return the problem as a JSON-ready dict."""
        return {"row": self.row, "column": self.column, "value": self.value, "code": self.code}


@dataclass
class MacroData:
    """A parsed macro file: one row per year (sorted) and every problem found.

    ``frame`` has :data:`FRAME_COLUMNS`: ``year`` (int), the numeric columns (float, NaN where
    empty or absent), ``source`` (str) and ``placeholder`` (bool). When ``problems`` is not
    empty the frame is empty: a file with problems is refused as a whole.
    """

    frame: pd.DataFrame
    problems: list[MacroProblem] = field(default_factory=list)
    encoding: str = ""
    delimiter: str = ","

    @property
    def ok(self) -> bool:
        """Return whether the file was accepted (no problems)."""
        return not self.problems

    @property
    def placeholder_years(self) -> list[int]:
        """Return the years whose row is marked as an illustrative placeholder."""
        return [int(y) for y in self.frame.loc[self.frame["placeholder"], "year"]]


def empty_frame() -> pd.DataFrame:
    """Return an empty macro frame with the right columns and types."""
    frame = pd.DataFrame({c: pd.Series(dtype="float64") for c in FRAME_COLUMNS})
    return frame.astype({"year": "int64", "source": "str", "placeholder": "bool"})


def is_placeholder(source: str) -> bool:
    """Return whether a ``source`` text marks its row as an illustrative placeholder."""
    return PLACEHOLDER_MARKER.lower() in (source or "").lower()


def parse_number(text: str) -> float:
    """Return the number written in ``text``; raise ``ValueError`` if it is not one.

    Accepted: digits with an optional decimal part after ``.`` or ``,`` (``7.07``, ``74709,5``);
    thousands grouped by ``.``, ``,`` or spaces in groups of three, with the other mark as the
    decimal separator (``74.709``, ``74.709,5``, ``74,709.5``, ``74 709``); a leading ``-``.
    One separator followed by exactly three digits, after a first group of 1–3 digits not
    starting with 0, is read as thousands: ``74.709`` and ``74,709`` are 74709, ``0.352`` is
    0.352. Growth rates do not change if every year is written the same way.
    """
    s = _SPACES.sub("", unicodedata.normalize("NFKC", text))
    sign = 1.0
    if s.startswith("-"):
        sign, s = -1.0, s[1:]
    if _GROUP_DOT.fullmatch(s):
        value = float(s.replace(".", "").replace(",", "."))
    elif _GROUP_COMMA.fullmatch(s):
        value = float(s.replace(",", ""))
    elif _DECIMAL.fullmatch(s):
        value = float(s.replace(",", "."))
    else:
        raise ValueError(text)
    if not math.isfinite(value):
        raise ValueError(text)
    return sign * value


def decode(data: bytes) -> tuple[str, str] | None:
    """Return ``(text, encoding name)`` for ``data``, or ``None`` if it cannot be decoded."""
    try:
        decoded = decode_bytes(data)
    except DecodeError:
        return None
    return decoded.text, decoded.encoding


def sniff_delimiter(text: str) -> str:
    """Return the delimiter (``,``, ``;`` or tab) occurring most in the first non-blank line."""
    header = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: header.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])  # first of the tied: ","
    return best if counts[best] else ","


def _header_lookup() -> dict[str, str]:
    lookup: dict[str, str] = {}
    for name in MACRO_COLUMNS:
        lookup[fold(name)] = name
        for alias in _ALIASES.get(name, ()):
            lookup.setdefault(fold(alias), name)
    return lookup


def parse_macro_bytes(data: bytes) -> MacroData:
    """Return the macro file in ``data`` parsed and checked; problems are listed, not raised."""
    decoded = decode(data)
    if decoded is None:
        return MacroData(empty_frame(), [MacroProblem(1, None, None, P_ENCODING)])
    text, encoding = decoded
    text = unicodedata.normalize("NFC", text)
    delimiter = sniff_delimiter(text)
    records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    frame, problems = _check(records)
    return MacroData(frame, problems, encoding=encoding, delimiter=delimiter)


def _check(records: list[list[str]]) -> tuple[pd.DataFrame, list[MacroProblem]]:
    problems: list[MacroProblem] = []
    # Row numbers follow the CSV records; header = row 1. Leading blank records are skipped.
    numbered = [(i + 1, rec) for i, rec in enumerate(records)]
    while numbered and not any(c.strip() for c in numbered[0][1]):
        numbered.pop(0)
    if not numbered:
        return empty_frame(), [MacroProblem(1, None, None, P_EMPTY_FILE)]
    header_row, header = numbered[0]
    lookup = _header_lookup()
    positions: dict[str, int] = {}
    for pos, cell in enumerate(header):
        name = lookup.get(fold(cell))
        if name is None:
            continue
        if name in positions:
            problems.append(MacroProblem(header_row, name, cell.strip(), P_DUPLICATE_COLUMN))
            continue
        positions[name] = pos
    for name in REQUIRED_COLUMNS:
        if name not in positions:
            problems.append(MacroProblem(header_row, name, None, P_MISSING_COLUMN))
    if not any(name in positions for name in CAPITAL_COLUMNS):
        problems.append(
            MacroProblem(header_row, "/".join(CAPITAL_COLUMNS), None, P_MISSING_CAPITAL_COLUMN)
        )
    if problems:
        return empty_frame(), problems

    rows: list[dict[str, object]] = []
    seen_years: dict[int, int] = {}
    for row_no, rec in numbered[1:]:
        if not any(c.strip() for c in rec):
            continue
        if len(rec) > len(header) and any(c.strip() for c in rec[len(header) :]):
            extra = next(c for c in rec[len(header) :] if c.strip())
            problems.append(MacroProblem(row_no, None, extra.strip(), P_EXTRA_CELLS))
        cells = {
            name: (rec[pos].strip() if pos < len(rec) else "") for name, pos in positions.items()
        }
        row: dict[str, object] = {}
        year_text = cells["year"]
        if not year_text:
            problems.append(MacroProblem(row_no, "year", "", P_YEAR_MISSING))
        elif not _YEAR.fullmatch(year_text) or not YEAR_MIN <= int(year_text) <= YEAR_MAX:
            problems.append(MacroProblem(row_no, "year", year_text, P_YEAR_INVALID))
        elif int(year_text) in seen_years:
            problems.append(MacroProblem(row_no, "year", year_text, P_YEAR_DUPLICATE))
        else:
            seen_years[int(year_text)] = row_no
            row["year"] = int(year_text)
        for name in NUMERIC_COLUMNS:
            row[name] = _check_number(name, cells.get(name, ""), row_no, problems)
        row["source"] = cells.get("source", "")
        row["placeholder"] = is_placeholder(str(row["source"]))
        rows.append(row)
    if not rows and not problems:
        problems.append(MacroProblem(header_row + 1, None, None, P_NO_ROWS))
    if problems:
        return empty_frame(), problems
    frame = pd.DataFrame(rows, columns=list(FRAME_COLUMNS))
    frame = frame.astype(
        {"year": "int64", **dict.fromkeys(NUMERIC_COLUMNS, "float64"), "source": "str"}
    )
    frame["placeholder"] = frame["placeholder"].astype("bool")
    return frame.sort_values("year", ignore_index=True), problems


def _check_number(name: str, text: str, row_no: int, problems: list[MacroProblem]) -> float:
    if not text:
        return math.nan
    try:
        value = parse_number(text)
    except ValueError:
        problems.append(MacroProblem(row_no, name, text, P_NOT_A_NUMBER))
        return math.nan
    if name == "capital_share":
        if not 0.0 < value < 1.0:
            problems.append(MacroProblem(row_no, name, text, P_SHARE_OUT_OF_RANGE))
            return math.nan
    elif name in POSITIVE_COLUMNS and value <= 0.0:
        problems.append(MacroProblem(row_no, name, text, P_NOT_POSITIVE))
        return math.nan
    elif value < 0.0:
        problems.append(MacroProblem(row_no, name, text, P_NEGATIVE))
        return math.nan
    return value


def parse_macro_file(path: Path) -> MacroData:
    """Return the macro file at ``path`` parsed and checked."""
    return parse_macro_bytes(Path(path).read_bytes())


def default_macro_file() -> Path:
    """Return the path of the shipped macro file (``data/macro/soc_trang_macro.csv``)."""
    return data_dir() / "macro" / "soc_trang_macro.csv"


def load_default() -> MacroData:
    """Return the shipped macro file parsed (cited GRDP growth, placeholder capital and labour)."""
    return parse_macro_file(default_macro_file())


@dataclass(frozen=True)
class Current:
    """The macro data every TFP figure uses, and where it came from."""

    frame: pd.DataFrame
    file_name: str
    batch: dict | None = None  # the uploaded batch (id, file, when, who); None: the shipped file
    problems: tuple[MacroProblem, ...] = ()  # the shipped file's, if it fails its checks


def current(store: Store | None) -> Current:
    """Return the current macro data: the store's newest active macro batch, else the shipped file.

    The one rule: the TFP page, the report's TFP sheet and ``pqtrack tfp`` all ask here.
    """
    stored = store.active_macro() if store is not None else None
    if stored is not None:
        batches = store.batches(kind="macro")
        batch = batches[batches["status"] == "active"].iloc[0].to_dict()
        frame = stored.astype({"year": "int64", "placeholder": "bool"})
        return Current(frame, str(batch["file_name"]), batch)
    shipped = load_default()
    return Current(shipped.frame, default_macro_file().name, None, tuple(shipped.problems))
