"""Filtered records out: CSV that Excel opens and re-imports, and XLSX with text kept as text."""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import BinaryIO

import pandas as pd
import xlsxwriter

from pqtrack.filters import RecordFilter
from pqtrack.schema import (
    BENEFICIARY_TYPE_VI,
    COLUMN_NAMES,
    COLUMNS,
    DERIVED_HEADERS_VI,
    TEXT_COLUMNS,
)
from pqtrack.store import Store, queries

EXPORT_COLUMNS: tuple[str, ...] = (*COLUMN_NAMES, "district", "commune")
EXPORT_TEXT_COLUMNS: tuple[str, ...] = (*TEXT_COLUMNS, "district", "commune")
_RISKY = r"^'?[=+\-@\t\r]"
BOM = b"\xef\xbb\xbf"
XLSX_MAX_ROWS = 1_048_575


def neutralise(series: pd.Series) -> pd.Series:
    """Return text cells that a spreadsheet could run as a formula prefixed with ``'``."""
    text = series.astype("string")
    risky = text.str.contains(_RISKY, regex=True, na=False)
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
    write_csv(queries.iter_records(store, flt), buf)
    return buf.getvalue()


def _headers(lang: str) -> list[str]:
    vi = {c.name: c.header_vi for c in COLUMNS}
    vi.update(DERIVED_HEADERS_VI)
    return [vi[c] if lang == "vi" else c for c in EXPORT_COLUMNS]


def write_xlsx(chunks: Iterable[pd.DataFrame], fh: BinaryIO, lang: str = "vi") -> int:
    """Write record chunks to an XLSX sheet (dates and đồng formatted, text as text)."""
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
    fmt_date = wb.add_format({"num_format": "dd/mm/yyyy"})
    fmt_int = wb.add_format({"num_format": "#,##0"})
    for col, name in enumerate(_headers(lang)):
        ws.write_string(0, col, name, bold)
    widths = {"date": 11, "beneficiary_name": 36, "note": 30, "locality": 20, "funding_vnd": 14}
    for col, name in enumerate(EXPORT_COLUMNS):
        ws.set_column(col, col, widths.get(name, 16))
    ws.freeze_panes(1, 0)
    row = 0
    for chunk in chunks:
        frame = chunk.reindex(columns=list(EXPORT_COLUMNS))
        if lang == "vi":
            frame["beneficiary_type"] = frame["beneficiary_type"].map(
                lambda v: BENEFICIARY_TYPE_VI.get(v, v) if isinstance(v, str) else v
            )
        for rec in frame.itertuples(index=False):
            row += 1
            if row > XLSX_MAX_ROWS:
                raise ValueError("export.too_many_rows")
            for col, (name, value) in enumerate(zip(EXPORT_COLUMNS, rec, strict=True)):
                if value is None or value is pd.NA or (isinstance(value, float) and value != value):
                    continue
                if name == "date":
                    ws.write_datetime(row, col, pd.Timestamp(value).to_pydatetime(), fmt_date)
                elif name in ("quantity", "funding_vnd", "participants"):
                    ws.write_number(row, col, int(value), fmt_int)
                else:
                    ws.write_string(row, col, str(value))
    ws.autofilter(0, 0, max(row, 1), len(EXPORT_COLUMNS) - 1)
    wb.close()
    return row


def xlsx_bytes(store: Store, flt: RecordFilter, lang: str = "vi") -> bytes:
    """Return the records matching ``flt`` as XLSX bytes."""
    buf = io.BytesIO()
    write_xlsx(queries.iter_records(store, flt), buf, lang)
    return buf.getvalue()
