"""Hostile workbooks built in the tests: an ordinary workbook with one part replaced."""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Iterable

import xlsxwriter

MIB = 1 << 20
SHEET = "xl/worksheets/sheet1.xml"
STRINGS = "xl/sharedStrings.xml"
NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def ordinary(rows: list[list[object]] | None = None) -> bytes:
    """Return a workbook as Excel would write it (shared strings, first sheet only)."""
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf)
    sheet = book.add_worksheet()
    for r, row in enumerate(rows or [["Ngày", "Chỉ tiêu"], ["15/03/2023", "workshop"]]):
        sheet.write_row(r, 0, row)
    book.close()
    return buf.getvalue()


def replace_parts(parts: dict[str, bytes | Iterable[bytes]], base: bytes | None = None) -> bytes:
    """Return ``base`` (an ordinary workbook) with the named parts replaced or added, deflated.

    A part given as an iterable of pieces is streamed, so a bomb is never whole in memory.
    """
    src = zipfile.ZipFile(io.BytesIO(base or ordinary()))
    names = src.namelist()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as dst:
        for name in [*names, *(n for n in parts if n not in names)]:
            content = parts[name] if name in parts else src.read(name)
            with dst.open(name, "w") as fh:
                for piece in [content] if isinstance(content, bytes) else content:
                    fh.write(piece)
    return out.getvalue()


def sheet_xml(rows: str, head: str = "") -> bytes:
    """Return a worksheet part holding ``rows`` (``<row>`` elements) after ``head``."""
    return f'<worksheet xmlns="{NS}">{head}<sheetData>{rows}</sheetData></worksheet>'.encode()


def repeated(piece: bytes, size: int) -> Iterable[bytes]:
    """Yield ``size`` bytes made of ``piece`` repeated, a mebibyte at a time."""
    block = (piece * (MIB // len(piece) + 1))[:MIB]
    for _ in range(size // MIB):
        yield block
    yield block[: size % MIB]


def one_cell_bomb(size: int, *, shared: bool = False, piece: bytes = b"A") -> bytes:
    """Return a small workbook whose one cell holds ``size`` bytes of text.

    The text sits in the sheet (an inline string) or in the shared strings.
    """
    if shared:
        head = f'<sst xmlns="{NS}" count="1" uniqueCount="1"><si><t>'.encode()
        strings = [head, *repeated(piece, size), b"</t></si></sst>"]
        sheet = sheet_xml('<row r="1"><c r="A1" t="s"><v>0</v></c></row>')
        return replace_parts({STRINGS: strings, SHEET: sheet})
    cell = sheet_xml('<row r="1"><c r="A1" t="inlineStr"><is><t>SPLIT</t></is></c></row>')
    before, after = cell.split(b"SPLIT")
    return replace_parts({SHEET: [before, *repeated(piece, size), after]})


def declare_size(data: bytes, part: str, size: int) -> bytes:
    """Return ``data`` with the archive's table declaring ``part`` as ``size`` bytes unpacked."""
    out = bytearray(data)
    start = out.rfind(b"PK\x05\x06")
    count, _, offset = struct.unpack_from("<HII", out, start + 10)
    pos = offset
    for _ in range(count):
        name_len, extra_len, comment_len = struct.unpack_from("<HHH", out, pos + 28)
        name = out[pos + 46 : pos + 46 + name_len].decode()
        if name == part:
            struct.pack_into("<I", out, pos + 24, size)
        pos += 46 + name_len + extra_len + comment_len
    return bytes(out)


def many_strings_workbook(count: int, *, sheet_cells: int = 1) -> bytes:
    """Return a workbook whose shared-strings table holds ``count`` tiny strings.

    Its sheet refers to the first ``sheet_cells`` of them, one cell a row.
    """
    head = f'<sst xmlns="{NS}" count="{count}" uniqueCount="{count}">'.encode()

    def strings() -> Iterable[bytes]:
        yield head
        step = 100_000
        for start in range(0, count, step):
            yield b"".join(
                b"<si><t>%d</t></si>" % i for i in range(start, min(count, start + step))
            )
        yield b"</sst>"

    rows = "".join(
        f'<row r="{r}"><c r="A{r}" t="s"><v>{r - 1}</v></c></row>'
        for r in range(1, sheet_cells + 1)
    )
    return replace_parts({STRINGS: strings(), SHEET: sheet_xml(rows)})
