"""XLSX uploads: the first sheet of a workbook as the CSV the record checks already read."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime

import openpyxl

XLSX_MAGIC = b"PK\x03\x04"


class WorkbookError(ValueError):
    """The workbook could not be read."""


def is_xlsx(data: bytes, file_name: str) -> bool:
    """Return whether an upload is an Excel workbook (by name and zip signature)."""
    return file_name.lower().endswith((".xlsx", ".xlsm")) and data.startswith(XLSX_MAGIC)


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


def xlsx_to_csv(data: bytes) -> bytes:
    """Return the first sheet as UTF-8-with-BOM CSV (dates as YYYY-MM-DD, whole numbers plain)."""
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise WorkbookError(str(exc)) from exc
    try:
        sheet = book.worksheets[0]
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        for row in sheet.iter_rows(values_only=True):
            cells = [_cell(v) for v in row]
            while cells and not cells[-1].strip():
                cells.pop()
            writer.writerow(cells)
    finally:
        book.close()
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


def csv_name(file_name: str) -> str:
    """Return the name the converted CSV is stored under (``report.xlsx`` → ``report.xlsx.csv``)."""
    return f"{file_name}.csv"
