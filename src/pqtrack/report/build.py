"""The phase report: one XLSX workbook an official sends to the People's Committee.

``build_report`` writes, with xlsxwriter (no browser needed): a cover (plan, phase, as-of
date, author, data sources, sample data flagged), the indicator table with native charts,
breakdowns by beneficiary type, locality, standard and year, turns vs distinct
beneficiaries, funding, the list of beneficiaries and the TFP summary of the phase.
Every label comes from ``locales/report.toml``; user text is always written as text.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from datetime import date, datetime
from pathlib import Path
from typing import BinaryIO

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from pqtrack.domain import plan
from pqtrack.domain.missing import MISSING, is_missing
from pqtrack.domain.progress import Progress, summary_counts
from pqtrack.figures import progress, queries
from pqtrack.i18n import t
from pqtrack.presentation import numbers
from pqtrack.report.breakdowns import (
    beneficiaries_sheet,
    breakdown_sheet,
    funding_sheet,
    locality_parts,
    turns_sheet,
    type_summary,
)
from pqtrack.report.sheets import Ctx, make_formats, put, table
from pqtrack.report.tfp import tfp_sheet
from pqtrack.store import Store

WORKBOOK_OPTIONS = {
    "strings_to_formulas": False,
    "strings_to_numbers": False,
    "strings_to_urls": False,
    "remove_timezone": True,
}


def remark(p: Progress, unit: str, lang: str) -> str:
    """Return a one-line remark on an indicator's standing, generated from its figures."""

    def tr(key: str, **params: object) -> str:
        return t(f"report.remark.{key}", lang, **params)

    pct = numbers.percent(100.0 * p.actual / p.target if p.target else 0.0, lang, trim=True)
    needed = numbers.decimal(p.needed_per_year or 0.0, lang, trim=True)
    gap = numbers.decimal(max(p.expected - p.actual, 0.0), lang, trim=True)
    if p.status == "achieved":
        over = p.actual - p.target
        if over == 0:
            return tr("achieved_exact", actual=p.actual, target=p.target, unit=unit)
        return tr("achieved", percent=pct, over=numbers.integer(over, lang), unit=unit)
    if p.status == "not_started":
        return tr("not_started")
    if p.status == "not_yet_due":
        return tr("not_yet_due", year=p.due_year)
    if p.status == "not_achieved":
        return tr("not_achieved", remaining=p.remaining, unit=unit, percent=pct)
    if p.status == "on_track":
        expected = numbers.decimal(p.expected, lang, trim=True)
        return tr(
            "on_track",
            actual=p.actual,
            target=p.target,
            unit=unit,
            expected=expected,
            remaining=p.remaining,
        )
    if p.actual == 0:
        return tr("no_result", needed=needed, unit=unit)
    return tr(p.status, percent=pct, gap=gap, needed=needed, unit=unit)


def _kv(ctx: Ctx, ws: Worksheet, row: int, key: str, value: object, kind: str = "value") -> int:
    ws.write_string(row, 0, ctx.tr(key), ctx.fmt["label"])
    ws.merge_range(row, 1, row, 6, "", ctx.fmt[kind])
    put(ws, row, 1, value, ctx.fmt[kind])
    return row + 1


def cover_sheet(ctx: Ctx, user: str | None) -> Worksheet:
    """Add the cover: title, plan, phase, dates, author, summary and the data sources."""
    ws = ctx.sheet("cover", landscape=True)
    ctx.columns(ws, dict(enumerate((44, 44, 10, 16, 18, 20, 14))))
    ws.merge_range(0, 0, 0, 6, "", ctx.fmt["title"])
    ws.write_string(0, 0, ctx.tr("title"), ctx.fmt["title"])
    ws.set_row(1, 48)
    ws.merge_range(1, 0, 1, 6, "", ctx.fmt["subtitle"])
    ws.write_string(1, 0, ctx.tr("plan_name"), ctx.fmt["subtitle"])
    row = 3
    ws.set_row(row, 40)
    ws.merge_range(row, 0, row, 6, "", ctx.fmt["warn" if ctx.sample else "ok"])
    text = ctx.tr("cover.sample_warning" if ctx.sample else "cover.no_sample")
    ws.write_string(row, 0, text, ctx.fmt["warn" if ctx.sample else "ok"])
    row += 2
    start, end = ctx.flt.window()
    window = (
        f"{numbers.day(start, ctx.lang)} – {numbers.day(end, ctx.lang)}"
        if start and end and start <= end
        else MISSING
    )
    row = _kv(ctx, ws, row, "cover.phase", ctx.phase.label)
    row = _kv(ctx, ws, row, "cover.as_of", ctx.as_of, "value_date")
    row = _kv(ctx, ws, row, "cover.window", window)
    row = _kv(ctx, ws, row, "cover.generated_at", datetime.now(), "value_datetime")
    row = _kv(ctx, ws, row, "cover.generated_by", user or ctx.tr("cover.unknown_user"))
    row += 1
    ws.write_string(row, 0, ctx.tr("cover.summary"), ctx.fmt["section"])
    row += 1
    row = _kv(ctx, ws, row, "cover.indicator_count", len(ctx.rows), "value_int")
    for status, count in summary_counts(ctx.rows).items():
        if count:
            ws.write_string(row, 0, "    " + t(f"status.{status}", ctx.lang), ctx.fmt["value"])
            ws.write_number(row, 1, count, ctx.fmt["value_int"])
            row += 1
    tot = queries.beneficiary_totals(ctx.store, ctx.flt)
    for key in ("turns", "beneficiaries", "funding_vnd"):
        label = "col.funding" if key == "funding_vnd" else f"col.{key}"
        row = _kv(ctx, ws, row, label, tot[key], "value_int")
    row += 1
    ws.write_string(row, 0, ctx.tr("cover.sources"), ctx.fmt["section"])
    row += 1
    batches = ctx.store.batches()
    batches = batches[batches["status"] == "active"].sort_values("batch_id")
    if batches.empty:
        ws.write_string(row, 0, ctx.tr("cover.no_batches"), ctx.fmt["note"])
        row += 2
    else:
        keys = ("batch", "file_name", "rows", "uploaded_by", "uploaded_at", "kind")
        for col, key in enumerate(keys):
            ws.write_string(row, col, ctx.tr(f"col.{key}"), ctx.fmt["head"])
        row += 1
        for b in batches.itertuples(index=False):
            sample = bool(b.is_sample)
            kind_fmt = ctx.fmt["sample_text" if sample else "text"]
            ws.write_string(row, 0, f"#{int(b.batch_id)}", ctx.fmt["text"])
            ws.write_string(row, 1, str(b.file_name), kind_fmt)
            put(ws, row, 2, int(b.row_count), ctx.fmt["int"])
            ws.write_string(
                row, 3, "" if is_missing(b.user_name) else str(b.user_name), ctx.fmt["text"]
            )
            put(ws, row, 4, b.created_at, ctx.fmt["datetime"])
            kind = ctx.tr("cover.kind_sample" if sample else "cover.kind_real")
            ws.write_string(row, 5, kind, kind_fmt)
            row += 1
        row += 1
    ws.set_row(row, 32)
    ws.merge_range(row, 0, row, 6, "", ctx.fmt["note"])
    ws.write_string(row, 0, ctx.tr("cover.note"), ctx.fmt["note"])
    return ws


def indicator_sheet(ctx: Ctx) -> Worksheet:
    """Add the indicator table (target, actual, percent, status, pace, remark) with charts."""
    ws = ctx.sheet("indicators", landscape=True)
    ctx.columns(ws, dict(enumerate((5, 46, 11, 11, 11, 11, 16, 12, 11, 13, 60))))
    title = ctx.tr(
        "section.indicators", phase=ctx.phase.label, as_of=numbers.day(ctx.as_of, ctx.lang)
    )
    ws.write_string(0, 0, title, ctx.fmt["title"])
    ws.merge_range(1, 0, 1, 10, "", ctx.fmt["note"])
    ws.write_string(1, 0, ctx.tr("section.pace_note"), ctx.fmt["note"])
    ws.set_row(1, 30)
    keys = ("no", "indicator", "unit", "target", "actual", "percent", "status", "expected")
    keys += ("remaining", "needed", "remark")
    header_row = 3
    headers = [ctx.tr(f"col.{key}") for key in keys]
    for col, text in enumerate(headers):
        ws.write_string(header_row, col, text, ctx.fmt["head"])
    ctx.fit(ws, header_row, headers, bold=True)
    ws.freeze_panes(header_row + 1, 2)
    ws.repeat_rows(header_row)
    targets = {tg.indicator: tg for tg in plan.targets(ctx.phase.code)}
    kinds = ("int", "text", "text", "int", "int", "pct", None, "dec", "int", "dec", "text")
    for n, p in enumerate(ctx.rows, start=1):
        tg = targets[p.indicator]
        note = remark(p, tg.unit(ctx.lang), ctx.lang)
        values = (
            n,
            tg.label(ctx.lang),
            tg.unit(ctx.lang),
            p.target,
            p.actual,
            p.actual / p.target if p.target else None,
            t(f"status.{p.status}", ctx.lang),
            p.expected,
            p.remaining,
            None if p.remaining == 0 else (p.needed_per_year if p.needed_per_year else MISSING),
            note,
        )
        row = header_row + n
        for col, (value, kind) in enumerate(zip(values, kinds, strict=True)):
            fmt = ctx.fmt[f"status_{p.status}" if kind is None else kind]
            put(ws, row, col, value, fmt)
        ctx.fit(ws, row, list(values))
    last = header_row + len(ctx.rows)
    chart_row = _chart_data(ctx, ws, last + 2)
    _indicator_charts(ctx, ws, last + 3, last + 2 + len(ctx.rows), chart_row)
    return ws


def _chart_data(ctx: Ctx, ws: Worksheet, row: int) -> int:
    """Write the short-label block the charts read; return the row under the charts."""
    headers = [ctx.tr("col.no"), ctx.tr("col.indicator"), ctx.tr("col.target")]
    headers += [ctx.tr("col.actual"), ctx.tr("col.percent")]
    body = [
        [n, ctx.indicator_short(p.indicator), p.target, p.actual, p.actual / p.target]
        for n, p in enumerate(ctx.rows, start=1)
    ]
    return table(ctx, ws, row, headers, ["int", "text", "int", "int", "pct"], body)


def _indicator_charts(ctx: Ctx, ws: Worksheet, first: int, last: int, below: int) -> None:
    name = ws.get_name()
    cats = [name, first, 1, last, 1]
    bars = ctx.wb.add_chart({"type": "bar"})
    for col, color in ((2, "#A6A6A6"), (3, "#2F5597")):
        bars.add_series(
            {
                "name": [name, first - 1, col],
                "categories": cats,
                "values": [name, first, col, last, col],
                "fill": {"color": color},
                "data_labels": {"value": True},
            }
        )
    bars.set_title({"name": ctx.tr("chart.indicators")})
    bars.set_y_axis({"reverse": True})
    bars.set_legend({"position": "bottom"})
    bars.set_size({"width": 640, "height": 420})
    ws.insert_chart(below + 1, 1, bars)
    percent_format = numbers.excel_formats(ctx.lang)["pct0"]
    pct = ctx.wb.add_chart({"type": "bar"})
    pct.add_series(
        {
            "name": [name, first - 1, 4],
            "categories": cats,
            "values": [name, first, 4, last, 4],
            "fill": {"color": "#70AD47"},
            "data_labels": {"value": True, "num_format": percent_format},
        }
    )
    pct.set_title({"name": ctx.tr("chart.percent")})
    pct.set_x_axis({"num_format": percent_format, "min": 0})
    pct.set_y_axis({"reverse": True})
    pct.set_legend({"none": True})
    pct.set_size({"width": 560, "height": 420})
    ws.insert_chart(below + 1, 6, pct)


def build_report(
    store: Store,
    phase_code: str,
    as_of: date,
    lang: str = "vi",
    user: str | None = None,
    *,
    out: BinaryIO | Path | str,
) -> None:
    """Write the phase report workbook (XLSX) to ``out`` (a path or a binary file object)."""
    ph = plan.phase(phase_code)
    target = str(out) if isinstance(out, Path | str) else out
    wb = xlsxwriter.Workbook(target, WORKBOOK_OPTIONS)
    ctx = Ctx(store, wb, make_formats(wb, lang), lang, ph, as_of, store.has_sample())
    ctx.rows = progress.phase_progress(store, phase_code, as_of)
    wb.set_properties(
        {
            "title": ctx.tr("title") + " " + ph.label,
            "subject": ctx.tr("plan_name"),
            "author": user or "",
            "comments": ctx.tr("cover.sample_header") if ctx.sample else "",
        }
    )
    try:
        cover_sheet(ctx, user)
        indicators_ws = indicator_sheet(ctx)
        type_summary(ctx)
        breakdown_sheet(ctx, "by_locality", locality_parts(ctx))
        breakdown_sheet(ctx, "by_standard", [("standard", "section.by_standard", ctx.flt)])
        breakdown_sheet(ctx, "by_year", [("year", "section.by_year", ctx.flt)])
        turns_sheet(ctx)
        funding_sheet(ctx)
        beneficiaries_sheet(ctx)
        _, tfp_ok = tfp_sheet(ctx)
        if tfp_ok:
            _note_tfp(ctx, indicators_ws)
        wb.worksheets()[0].activate()
    finally:
        wb.close()


def _note_tfp(ctx: Ctx, ws: Worksheet) -> None:
    """Point the TFP indicator's remark at the TFP sheet."""
    for n, p in enumerate(ctx.rows, start=1):
        if p.indicator == "tfp_assessment":
            unit = plan.target_for(p.indicator, ctx.phase.code).unit(ctx.lang)
            text = remark(p, unit, ctx.lang) + ctx.tr("remark.tfp_see_sheet")
            ws.write_string(3 + n, 10, text, ctx.fmt["text"])


def report_bytes(
    store: Store, phase_code: str, as_of: date, lang: str = "vi", user: str | None = None
) -> bytes:
    """Return the phase report workbook as bytes (for a download button)."""
    buf = io.BytesIO()
    build_report(store, phase_code, as_of, lang, user, out=buf)
    return buf.getvalue()


def report_file_name(phase_code: str, as_of: date, lang: str = "vi") -> str:
    """Return a file name for the report, e.g. ``bao-cao_2021-2025_2025-10-01.xlsx``."""
    stem = "bao-cao" if lang == "vi" else "report"
    return f"{stem}_{phase_code}_{as_of:%Y-%m-%d}.xlsx"


def libreoffice() -> str | None:
    """Return the LibreOffice executable if installed."""
    return shutil.which("libreoffice") or shutil.which("soffice")


def to_pdf(xlsx: Path, out_dir: Path | None = None, timeout: float = 180.0) -> Path | None:
    """Convert a workbook to PDF with headless LibreOffice; None when it is not installed."""
    exe = libreoffice()
    if exe is None:
        return None
    out_dir = out_dir or xlsx.parent
    with tempfile.TemporaryDirectory(prefix="pqtrack-lo-") as profile:
        cmd = [
            exe,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out_dir),
            str(xlsx),
        ]
        done = subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)  # noqa: S603
    pdf = out_dir / (xlsx.stem + ".pdf")
    return pdf if done.returncode == 0 and pdf.exists() else None
