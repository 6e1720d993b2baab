"""Filtered records out: CSV that Excel opens and re-imports, and XLSX with text kept as text."""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import BinaryIO

import pandas as pd
import xlsxwriter

from pqtrack.domain.filters import RecordFilter
from pqtrack.domain.schema import (
    BENEFICIARY_TYPE_VI,
    COLUMN_NAMES,
    COLUMNS,
    DERIVED_HEADERS_VI,
    TEXT_COLUMNS,
)
from pqtrack.figures import listing
from pqtrack.presentation import numbers
from pqtrack.store import Store
from pqtrack.text import BOM, first_visible, formula_like

EXPORT_COLUMNS: tuple[str, ...] = (*COLUMN_NAMES, "district", "commune")
EXPORT_TEXT_COLUMNS: tuple[str, ...] = (*TEXT_COLUMNS, "district", "commune")
XLSX_MAX_ROWS = 1_048_575


def neutralise(series: pd.Series) -> pd.Series:
    """Return text cells that a spreadsheet could run as a formula prefixed with ``'``.

    Each distinct two-character start is tested once: a risky start makes the cell risky; a
    start of spaces or format characters only leaves it undecided, and such cells (rare) are
    tested whole.
    """
    text = series.astype("string")
    head = text.str.slice(0, 2)
    risky_heads, open_heads = [], []
    for h in head.dropna().unique():
        if formula_like(h):
            risky_heads.append(h)
        elif first_visible(h[1:] if h.startswith("'") else h) is None:
            open_heads.append(h)
    risky = head.isin(risky_heads).fillna(False).astype(bool)
    undecided = head.isin(open_heads).fillna(False).astype(bool)
    if undecided.any():
        risky[undecided] = [formula_like(v) for v in text[undecided]]
    return text.where(~risky, "'" + text)


def _csv_frame(chunk: pd.DataFrame) -> pd.DataFrame:
    out = chunk.reindex(columns=list(EXPORT_COLUMNS))
    out["date"] = pd.to_datetime(out["date"]).dt.strftime("%Y-%m-%d")
    for col in ("quantity", "funding_vnd", "participants"):
        out[col] = out[col].astype("Int64")
    for col in EXPORT_TEXT_COLUMNS:
        out[col] = neutralise(out[col])
    return out


def write_csv(chunks: Iterable[pd.DataFrame], fh: BinaryIO) -> int:
    """Write record chunks as UTF-8-with-BOM CSV (canonical columns); return rows written."""
    fh.write(BOM)
    rows = 0
    header = True
    for chunk in chunks:
        text = _csv_frame(chunk).to_csv(index=False, header=header, lineterminator="\r\n")
        fh.write(text.encode("utf-8"))
        header = False
        rows += len(chunk)
    if header:
        fh.write((",".join(EXPORT_COLUMNS) + "\r\n").encode("utf-8"))
    return rows


def csv_bytes(store: Store, flt: RecordFilter) -> bytes:
    """Return the records matching ``flt`` as CSV bytes."""
    buf = io.BytesIO()
    write_csv(listing.iter_records(store, flt), buf)
    return buf.getvalue()


def _headers(lang: str) -> list[str]:
    vi = {c.name: c.header_vi for c in COLUMNS}
    vi.update(DERIVED_HEADERS_VI)
    return [vi[c] if lang == "vi" else c for c in EXPORT_COLUMNS]


_NUMBER_COLUMNS = ("quantity", "funding_vnd", "participants")
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")  # day 0 of Excel's 1900 date system (after 1900-02)


def _xlsx_columns(frame: pd.DataFrame) -> list[list]:
    """Return the chunk's cells column by column, as the values XLSX cells hold.

    Dates become Excel day numbers (the column's date format shows them as dates), counts
    and đồng become ints, text stays ``str``; missing values are None (no cell).
    """
    columns = []
    for name in EXPORT_COLUMNS:
        col = frame[name]
        if name == "date":
            col = (pd.to_datetime(col) - _EXCEL_EPOCH) / pd.Timedelta(days=1)
        elif name in _NUMBER_COLUMNS:
            col = col.astype("Int64")
        values = col.to_numpy(dtype=object, na_value=None)
        if name not in ("date", *_NUMBER_COLUMNS):
            values = [v if v is None or v.__class__ is str else str(v) for v in values]
        columns.append(values)
    return columns


def write_xlsx(chunks: Iterable[pd.DataFrame], fh: BinaryIO, lang: str = "vi") -> int:
    """Write record chunks to an XLSX sheet (dates and đồng formatted, text as text).

    Formats are set once per column; each row is one ``write_row`` of plain values: text
    cells stay text (no formula, number or URL guessing), dates are day numbers shown with
    the date format, numbers are numbers.
    """
    wb = xlsxwriter.Workbook(
        fh,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    ws = wb.add_worksheet("Du lieu" if lang == "vi" else "Records")
    bold = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    excel = numbers.excel_formats(lang)
    fmt_date = wb.add_format({"num_format": excel["day"]})
    fmt_int = wb.add_format({"num_format": excel["int"]})
    for col, name in enumerate(_headers(lang)):
        ws.write_string(0, col, name, bold)
    widths = {"date": 11, "beneficiary_name": 36, "note": 30, "locality": 20, "funding_vnd": 14}
    for col, name in enumerate(EXPORT_COLUMNS):
        fmt = fmt_date if name == "date" else fmt_int if name in _NUMBER_COLUMNS else None
        ws.set_column(col, col, widths.get(name, 16), fmt)
    ws.freeze_panes(1, 0)
    row = 0
    for chunk in chunks:
        frame = chunk.reindex(columns=list(EXPORT_COLUMNS))
        if lang == "vi":
            frame["beneficiary_type"] = frame["beneficiary_type"].map(
                lambda v: BENEFICIARY_TYPE_VI.get(v, v) if isinstance(v, str) else v
            )
        if row + len(frame) > XLSX_MAX_ROWS:
            raise ValueError("export.too_many_rows")
        write_row = ws.write_row
        for values in zip(*_xlsx_columns(frame), strict=True):
            row += 1
            write_row(row, 0, values)
    ws.autofilter(0, 0, max(row, 1), len(EXPORT_COLUMNS) - 1)
    wb.close()
    return row


def xlsx_bytes(store: Store, flt: RecordFilter, lang: str = "vi") -> bytes:
    """Return the records matching ``flt`` as XLSX bytes."""
    buf = io.BytesIO()
    write_xlsx(listing.iter_records(store, flt), buf, lang)
    return buf.getvalue()
