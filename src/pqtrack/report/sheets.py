"""The phase report's shared parts: cell formats, the context every sheet writer gets, tables."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import pandas as pd
from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from pqtrack.domain import plan
from pqtrack.domain.filters import RecordFilter
from pqtrack.domain.missing import is_missing
from pqtrack.domain.progress import Progress
from pqtrack.domain.schema import BENEFICIARY_TYPES
from pqtrack.i18n import t
from pqtrack.presentation import numbers
from pqtrack.store import Store

A4 = 9

_FORMATS: dict[str, dict[str, Any]] = {
    "title": {"bold": True, "font_size": 14},
    "subtitle": {"italic": True, "text_wrap": True, "valign": "top"},
    "section": {"bold": True, "font_size": 12, "font_color": "#1F4E78"},
    "head": {
        "bold": True,
        "bg_color": "#DDEBF7",
        "border": 1,
        "text_wrap": True,
        "valign": "vcenter",
    },
    "text": {"border": 1, "text_wrap": True, "valign": "top"},
    "int": {"border": 1, "valign": "top"},
    "vnd": {"border": 1, "valign": "top"},
    "dec": {"border": 1, "valign": "top"},
    "pct": {"border": 1, "valign": "top"},
    "pct2": {"border": 1, "valign": "top"},
    "year": {"border": 1, "num_format": "0", "align": "left", "valign": "top"},
    "date": {"border": 1, "align": "left", "valign": "top"},
    "datetime": {"border": 1, "align": "left", "valign": "top"},
    "note": {"italic": True, "font_color": "#595959", "text_wrap": True, "valign": "top"},
    "note_line": {"italic": True, "font_color": "#595959"},
    "label": {"bold": True, "valign": "top"},
    "value": {"text_wrap": True, "valign": "top", "align": "left"},
    "value_date": {"align": "left"},
    "value_datetime": {"align": "left"},
    "value_int": {"align": "left"},
    "warn": {
        "bold": True,
        "font_size": 13,
        "font_color": "#FFFFFF",
        "bg_color": "#C00000",
        "text_wrap": True,
        "valign": "vcenter",
        "align": "center",
        "border": 2,
    },
    "ok": {"italic": True, "font_color": "#375623", "text_wrap": True},
    "sample_text": {"border": 1, "text_wrap": True, "font_color": "#C00000", "bold": True},
}
# Each number or date cell kind takes its ``num_format`` from :func:`numbers.excel_formats`.
_NUMBER_KINDS: dict[str, str] = {
    "int": "int",
    "vnd": "money",
    "dec": "dec",
    "pct": "pct",
    "pct2": "pct2",
    "date": "day",
    "datetime": "moment",
    "value_date": "day",
    "value_datetime": "moment",
    "value_int": "int",
}
# Totals rows repeat the cell kinds in bold.
_TOTAL_KINDS = ("text", "int", "vnd", "dec", "pct", "pct2", "year")
STATUS_FILL: dict[str, str] = {
    "achieved": "#C6EFCE",
    "on_track": "#E2EFDA",
    "at_risk": "#FFEB9C",
    "behind": "#FFC7CE",
    "not_achieved": "#FFC7CE",
    "not_started": "#EDEDED",
    "not_yet_due": "#EDEDED",
}


def format_specs(lang: str) -> dict[str, dict[str, Any]]:
    """Return the report's cell format specs by name, numbers and dates written for ``lang``."""
    excel = numbers.excel_formats(lang)
    specs = {name: dict(spec) for name, spec in _FORMATS.items()}
    for name, kind in _NUMBER_KINDS.items():
        specs[name]["num_format"] = excel[kind]
    return specs


def make_formats(wb: Workbook, lang: str) -> dict[str, Format]:
    """Return the report's cell formats by name (``total_<kind>`` for bold totals)."""
    specs = format_specs(lang)
    fmt = {name: wb.add_format(spec) for name, spec in specs.items()}
    for kind in _TOTAL_KINDS:
        fmt[f"total_{kind}"] = wb.add_format({**specs[kind], "bold": True, "top": 2})
    for status, color in STATUS_FILL.items():
        fmt[f"status_{status}"] = wb.add_format({**_FORMATS["text"], "bg_color": color})
    return fmt


@dataclass
class Ctx:
    """What every sheet writer shares: store, workbook, formats, language, window."""

    store: Store
    wb: Workbook
    fmt: dict[str, Format]
    lang: str
    phase: plan.Phase
    as_of: date
    sample: bool
    rows: list[Progress] = field(default_factory=list)
    widths: dict[str, dict[int, float]] = field(default_factory=dict)

    def columns(self, ws: Worksheet, widths: dict[int, float]) -> None:
        """Set column widths and remember them for row-height fitting."""
        for col, width in widths.items():
            ws.set_column(col, col, width)
        self.widths.setdefault(ws.get_name(), {}).update(widths)

    def fit(self, ws: Worksheet, row: int, values: list[object], bold: bool = False) -> None:
        """Set a row's height to show its wrapped text (LibreOffice does not autofit rows)."""
        widths = self.widths.get(ws.get_name(), {})
        lines = 1
        for col, value in enumerate(values):
            if isinstance(value, str) and value:
                per_line = max(widths.get(col, 8.43) * (1.0 if bold else 1.15) - 1, 1)
                count = sum(math.ceil(max(len(part), 1) / per_line) for part in value.split("\n"))
                lines = max(lines, count)
        if lines > 1:
            ws.set_row(row, 15 * lines + 2)

    @property
    def flt(self) -> RecordFilter:
        """Return the filter of the report's window (the phase up to the as-of date)."""
        return RecordFilter(phase=self.phase.code, date_to=self.as_of)

    def tr(self, key: str, **params: object) -> str:
        """Return the report message ``report.<key>`` in the report's language."""
        return t(f"report.{key}", self.lang, **params)

    def sheet(self, key: str, *, landscape: bool = False) -> Worksheet:
        """Add a worksheet with print setup (A4, fit to width) and the sample banner."""
        ws = self.wb.add_worksheet(self.tr(f"sheet.{key}")[:31])
        ws.set_paper(A4)
        if landscape:
            ws.set_landscape()
        ws.fit_to_pages(1, 0)
        ws.set_margins(left=0.5, right=0.5, top=0.75, bottom=0.75)
        if self.sample:
            ws.set_header('&C&"-,Bold"&KC00000' + self.tr("cover.sample_header"))
        ws.set_footer("&L" + self.phase.label + "&R&P / &N")
        return ws

    def indicator_short(self, code: str) -> str:
        """Return the indicator's short label."""
        key = f"report.ind.{code}"
        return t(key, self.lang) if key in _catalog_keys() else code

    def type_label(self, code: object) -> str:
        """Return a beneficiary type in words, or "(not stated)"."""
        if is_missing(code):
            return self.tr("col.not_stated")
        return self.tr(f"type.{code}") if code in BENEFICIARY_TYPES else str(code)


def _catalog_keys() -> set[str]:
    from pqtrack.i18n import catalog

    return set(catalog())


def put(ws: Worksheet, row: int, col: int, value: object, fmt: Format | None = None) -> None:
    """Write one cell by type; text always as a string, never as a formula."""
    if is_missing(value):
        ws.write_blank(row, col, None, fmt)
    elif isinstance(value, str):
        ws.write_string(row, col, value, fmt)
    elif isinstance(value, pd.Timestamp):
        ws.write_datetime(row, col, value.to_pydatetime(), fmt)
    elif isinstance(value, datetime | date):
        ws.write_datetime(row, col, value, fmt)
    elif isinstance(value, bool):
        ws.write_boolean(row, col, value, fmt)
    else:
        ws.write_number(row, col, float(value), fmt)


def table(
    ctx: Ctx,
    ws: Worksheet,
    row: int,
    headers: list[str],
    kinds: list[str],
    body: list[list[object]],
    total: list[object] | None = None,
) -> int:
    """Write a header row, body rows and an optional totals row; return the next free row."""
    for col, text in enumerate(headers):
        ws.write_string(row, col, text, ctx.fmt["head"])
    ctx.fit(ws, row, list(headers), bold=True)
    for r, values in enumerate(body, start=row + 1):
        for col, (value, kind) in enumerate(zip(values, kinds, strict=True)):
            put(ws, r, col, value, ctx.fmt[kind])
        ctx.fit(ws, r, values)
    end = row + 1 + len(body)
    if total is not None:
        for col, (value, kind) in enumerate(zip(total, kinds, strict=True)):
            put(ws, end, col, value, ctx.fmt.get(f"total_{kind}", ctx.fmt[kind]))
        ctx.fit(ws, end, total, bold=True)
        end += 1
    return end + 1


def section(ctx: Ctx, ws: Worksheet, row: int, text: str) -> int:
    """Write a section title; return the next row."""
    ws.write_string(row, 0, text, ctx.fmt["section"])
    return row + 1
