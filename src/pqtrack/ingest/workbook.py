"""XLSX uploads: the first sheet of a workbook as the CSV the record checks already read.

A workbook is a zip of XML parts, and a small one can unpack into gigabytes. Before openpyxl
opens it, the archive's table is checked (parts, declared sizes, compression ratio); while
openpyxl reads, every part goes through :class:`_Part`, which refuses a stretch of text
longer than any cell can hold (zipfile itself stops a part at its declared size and then
fails its checksum, so a table that understates sizes unpacks no more than it says); the
rows are then streamed with caps on rows, columns, cell length and the size of the CSV.
The upload page and ``pqtrack ingest`` both go through :func:`record_file`.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
import zlib
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO

from openpyxl.reader.excel import ExcelReader
from openpyxl.utils import get_column_letter

from pqtrack.i18n import t
from pqtrack.ingest.pipeline import Problem
from pqtrack.presentation import numbers
from pqtrack.text import BOM

XLSX_MAGIC = b"PK\x03\x04"
MIB = 1 << 20

MAX_PARTS = 1_000  # files inside the archive (Excel writes a dozen or so)
MAX_UNPACKED = 512 * MIB  # all parts together, as declared (zipfile reads no more)
MAX_RATIO = 100  # unpacked size / packed size of one part (Excel's own: about 5-15)
RATIO_FLOOR = MIB  # parts smaller than this are not held to the ratio
MAX_TEXT_RUN = MIB  # bytes of XML without a tag: far beyond a 32,767-character cell
MAX_ROWS = 1_048_576  # Excel's own limit for a sheet
MAX_COLUMNS = 256  # columns read (the template has about twenty)
MAX_CELL_CHARS = 32_767  # Excel's own limit for a cell
MAX_CSV_BYTES = 512 * MIB  # the converted sheet
PREVIEW_CHARS = 40
_CHUNK = 64 * 1024  # at most this is read from a part at a time (≤ MAX_TEXT_RUN)
_NOT_EXCEL_XML = (b"<!DOCTYPE", b"<![CDATA[")  # a DTD or CDATA: Excel writes neither
# Shared strings are loaded whole before any row is read (about 180 bytes of memory each).
# A sheet refers to one with a cell of at least CELL_XML_BYTES of XML, so a workbook can
# use no more than its sheets' size allows; MAX_SHARED_STRINGS bounds the memory anyway.
MAX_SHARED_STRINGS = 2_000_000
CELL_XML_BYTES = 16  # <c t="s"><v>1</v></c>
SHARED_STRINGS_SLACK = 10_000
_SHARED_STRING = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?si[\s/>]")


# What openpyxl (and zipfile, zlib, expat under it) raise on a broken or hostile workbook.
_UNREADABLE = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
    KeyError,
    IndexError,
    ValueError,
    TypeError,
    AttributeError,
    SyntaxError,  # xml.etree.ElementTree.ParseError
    NotImplementedError,  # a compression method zipfile lacks
    RuntimeError,  # an encrypted part
    OverflowError,
)


class WorkbookError(ValueError):
    """The workbook is refused: unreadable, or beyond one of the caps."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.code)
        self.problem = problem

    def message(self, lang: str) -> str:
        """Return why, in ``lang`` (numbers with the language's thousands separator)."""
        params = {k: _number(v, lang) for k, v in self.problem.params.items()}
        return t(self.problem.code, lang, **params)


class _Refused(Exception):  # not a ValueError: openpyxl re-wraps those while it loads
    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.code)
        self.problem = problem


@dataclass(frozen=True)
class RecordFile:
    """What the record checks read (``data`` named ``name``) and the original to keep."""

    data: bytes
    name: str
    original: tuple[str, bytes] | None = None


def is_xlsx(data: bytes, file_name: str) -> bool:
    """Return whether an upload is an Excel workbook (by name and zip signature)."""
    return file_name.lower().endswith((".xlsx", ".xlsm")) and data.startswith(XLSX_MAGIC)


def record_file(data: bytes, file_name: str) -> RecordFile:
    """Return the file to check: a workbook's first sheet as CSV, keeping the workbook itself.

    Raises :class:`WorkbookError` for a workbook that cannot be read or is beyond a cap.
    """
    if not is_xlsx(data, file_name):
        return RecordFile(data, file_name)
    return RecordFile(xlsx_to_csv(data), csv_name(file_name), (file_name, data))


def csv_name(file_name: str) -> str:
    """Return the name the converted CSV is stored under (``report.xlsx`` → ``report.xlsx.csv``)."""
    return f"{file_name}.csv"


def xlsx_to_csv(data: bytes) -> bytes:
    """Return the first sheet as UTF-8-with-BOM CSV (dates as YYYY-MM-DD, whole numbers plain)."""
    try:
        archive = _GuardedZip(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise WorkbookError(Problem("workbook.unreadable")) from exc
    try:
        _check_archive(archive)
        return _convert(archive, data)
    except _Refused as exc:
        raise WorkbookError(exc.problem) from None
    except _UNREADABLE as exc:
        raise WorkbookError(Problem("workbook.unreadable")) from exc
    finally:
        archive.close()


def _check_archive(archive: zipfile.ZipFile) -> None:
    """Refuse an archive whose table declares too many parts, too much data or a bomb's ratio."""
    infos = archive.infolist()
    if len(infos) > MAX_PARTS:
        params = {"count": len(infos), "limit": MAX_PARTS}
        raise _Refused(Problem("workbook.too_many_parts", params))
    total = sum(info.file_size for info in infos)
    if total > MAX_UNPACKED:
        params = {"size": -(-total // MIB), "limit": MAX_UNPACKED // MIB}
        raise _Refused(Problem("workbook.too_large", params))
    for info in infos:
        packed = max(info.compress_size, 1)
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * packed:
            params = {
                "part": _preview(info.filename),
                "ratio": info.file_size // packed,
                "limit": MAX_RATIO,
            }
            raise _Refused(Problem("workbook.ratio", params))


class _GuardedZip(zipfile.ZipFile):
    """The archive as openpyxl reads it: every part it opens goes through :class:`_Part`."""

    def shared_strings_limit(self) -> int:
        """Return how many shared strings this workbook's sheets could refer to, capped."""
        sheets = sum(
            info.file_size
            for info in self.infolist()
            if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")
        )
        return min(MAX_SHARED_STRINGS, sheets // CELL_XML_BYTES + SHARED_STRINGS_SLACK)

    def open(
        self,
        name: str | zipfile.ZipInfo,
        mode: str = "r",
        pwd: bytes | None = None,
        *,
        force_zip64: bool = False,
    ) -> IO[bytes]:
        """Open a part; one opened for reading is read through the caps."""
        raw = super().open(name, mode, pwd, force_zip64=force_zip64)
        if mode != "r":
            return raw
        strings = self.shared_strings_limit() if raw.name.endswith("sharedStrings.xml") else None
        return io.BufferedReader(_Part(raw, raw.name, strings))


class _Part(io.RawIOBase):
    """One part being read, refused at text no cell can hold or at XML Excel never writes."""

    def __init__(self, raw: IO[bytes], name: str, strings: int | None = None) -> None:
        super().__init__()
        self._raw, self._name = raw, name
        self._run = 0  # bytes since the last "<"
        self._tail = b""
        self._first = True
        self._strings_limit, self._strings = strings, 0  # shared strings: how many, so far

    def readable(self) -> bool:
        """Return True: a part is read, never written."""
        return True

    def readinto(self, buffer: memoryview) -> int:
        """Read the next piece of the part into ``buffer``, checking it first."""
        data = self._raw.read(min(len(buffer), _CHUNK))
        if data:
            self._check(data)
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        """Close the part."""
        self._raw.close()
        super().close()

    def _check(self, data: bytes) -> None:
        if self._first:
            self._first = False
            # UTF-16 (a BOM or a zero byte at the start) could hide "<" inside other
            # characters; in UTF-8 every byte of a non-ASCII character is 0x80 or above.
            if data[:2] in (b"\xfe\xff", b"\xff\xfe") or b"\x00" in data[:2]:
                raise _Refused(Problem("workbook.not_excel_xml", {"part": self._part()}))
        window = self._tail + data
        if any(marker in window for marker in _NOT_EXCEL_XML):
            raise _Refused(Problem("workbook.not_excel_xml", {"part": self._part()}))
        if self._strings_limit is not None:
            self._count_strings(window, len(self._tail))
        self._tail = data[-(len(_NOT_EXCEL_XML[0]) - 1) :]
        first = data.find(b"<")
        if first < 0:
            self._run += len(data)
        elif self._run + first > MAX_TEXT_RUN:
            self._run += first
        else:  # a stretch inside ``data`` is shorter than _CHUNK, so shorter than the cap
            self._run = len(data) - data.rfind(b"<") - 1
        if self._run > MAX_TEXT_RUN:
            params = {"part": self._part(), "limit": MAX_TEXT_RUN // MIB}
            raise _Refused(Problem("workbook.text_too_long", params))

    def _count_strings(self, window: bytes, old: int) -> None:
        # a tag that ends within the tail was counted with the piece before
        self._strings += sum(1 for m in _SHARED_STRING.finditer(window) if m.end() > old)
        if self._strings > (self._strings_limit or 0):
            params = {"count": self._strings, "limit": self._strings_limit}
            raise _Refused(Problem("workbook.too_many_strings", params))

    def _part(self) -> str:
        return _preview(self._name)


def _convert(archive: _GuardedZip, data: bytes) -> bytes:
    reader = ExcelReader(io.BytesIO(data), read_only=True, data_only=True)
    reader.archive.close()
    reader.archive, reader.valid_files = archive, archive.namelist()
    reader.read()
    book = reader.wb
    try:
        sheet = book.worksheets[0]
        sheet.reset_dimensions()  # a wrong or huge <dimension> would pad every row
        out = io.BytesIO()
        out.write(BOM)
        writer = csv.writer(_Utf8(out), lineterminator="\r\n")
        blank = 0
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            if number > MAX_ROWS:
                params = {"row": number, "limit": MAX_ROWS}
                raise _Refused(Problem("workbook.too_many_rows", params))
            if not row:  # a row the sheet skips: openpyxl gives an empty one in its place
                blank += 1
                continue
            if blank:  # written once a row follows (blank rows at the end are left out)
                out.write(b"\r\n" * blank)
                blank = 0
            if len(row) > MAX_COLUMNS:
                row = _within_columns(row, number)
            cells = [_cell(v) for v in row]
            while cells and not cells[-1].strip():
                cells.pop()
            if cells and max(map(len, cells)) > MAX_CELL_CHARS:
                _refuse_long_cell(cells, number)
            writer.writerow(cells)
            if out.tell() > MAX_CSV_BYTES:
                params = {"row": number, "limit": MAX_CSV_BYTES // MIB}
                raise _Refused(Problem("workbook.csv_too_large", params))
    finally:
        book.close()
    return out.getvalue()


class _Utf8:
    """Where csv.writer puts each line: encoded straight into the output buffer."""

    def __init__(self, out: io.BytesIO) -> None:
        self._out = out

    def write(self, text: str) -> int:
        """Append one CSV line as UTF-8."""
        return self._out.write(text.encode("utf-8"))


def _within_columns(row: tuple, number: int) -> tuple:
    """Return ``row`` cut to MAX_COLUMNS; refuse it if a cell beyond holds something."""
    tail = row[MAX_COLUMNS:]
    if tail.count(None) != len(tail):
        for offset, value in enumerate(tail):
            text = _cell(value)
            if text.strip():
                params = {
                    "row": number,
                    "column": get_column_letter(MAX_COLUMNS + offset + 1),
                    "value": _preview(text),
                    "limit": MAX_COLUMNS,
                }
                raise _Refused(Problem("workbook.too_many_columns", params))
    return row[:MAX_COLUMNS]


def _refuse_long_cell(cells: list[str], number: int) -> None:
    index = next(i for i, text in enumerate(cells) if len(text) > MAX_CELL_CHARS)
    params = {
        "row": number,
        "column": get_column_letter(index + 1),
        "value": _preview(cells[index]),
        "length": len(cells[index]),
        "limit": MAX_CELL_CHARS,
    }
    raise _Refused(Problem("workbook.cell_too_long", params))


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _preview(text: str) -> str:
    """Return the start of a value for a message, on one line."""
    head = " ".join(text[:PREVIEW_CHARS].split())
    return head + "…" if len(text) > PREVIEW_CHARS else head


def _number(value: object, lang: str) -> object:
    if isinstance(value, int) and not isinstance(value, bool):
        return numbers.integer(value, lang)
    return value
