"""Sheets of the phase report that break figures down: by type, place, standard, year,
turns against beneficiaries, funding, and the beneficiaries themselves."""

from __future__ import annotations

import pandas as pd
from xlsxwriter.worksheet import Worksheet

from pqtrack.domain import plan
from pqtrack.domain.filters import RecordFilter
from pqtrack.domain.localities import REORG_DATE
from pqtrack.domain.missing import is_missing
from pqtrack.domain.schema import BENEFICIARY_TYPES
from pqtrack.figures import listing, queries
from pqtrack.report.sheets import Ctx, put, section, table


def _int(value: object) -> int:
    return 0 if is_missing(value) else int(value)  # type: ignore[arg-type]


def _value_label(ctx: Ctx, dim: str, value: object) -> object:
    if dim == "beneficiary_type":
        return ctx.type_label(value)
    if is_missing(value):
        return ctx.tr("col.not_stated")
    return int(value) if dim == "year" else str(value)  # type: ignore[arg-type]


def pivot(ctx: Ctx, ws: Worksheet, row: int, dim: str, flt: RecordFilter, label: str) -> int:
    """Write value × indicator quantities with turns and funding, then the detail table."""
    df = queries.breakdown(ctx.store, dim, flt)
    if df.empty:
        ws.write_string(row, 0, ctx.tr("section.no_data"), ctx.fmt["note_line"])
        return row + 2
    order = [i for i in plan.indicators() if i in set(df["indicator"])]
    key = df[dim].astype(object).where(df[dim].notna(), None)
    df = df.assign(_key=key)
    groups = df.groupby("_key", dropna=False, sort=False)
    summary = groups.agg(turns=("turns", "sum"), funding=("funding_vnd", "sum"))
    if dim == "year":
        summary = summary.sort_index()
    else:
        summary = summary.sort_values("turns", ascending=False, kind="stable")
        summary = pd.concat([summary[summary.index.notna()], summary[summary.index.isna()]])
    qty = df.pivot_table(
        index="_key", columns="indicator", values="quantity", aggfunc="sum", dropna=False
    )
    is_year = dim == "year"
    headers = [label, *(ctx.indicator_short(i) for i in order), ctx.tr("col.turns")]
    headers.append(ctx.tr("col.funding"))
    kinds = ["year" if is_year else "text", *["int"] * len(order), "int", "vnd"]
    body = []
    for value, srow in summary.iterrows():
        cells = [qty.at[value, i] if value in qty.index else None for i in order]
        line = [_value_label(ctx, dim, value), *(_int(c) or None for c in cells)]
        body.append([*line, _int(srow["turns"]), _int(srow["funding"])])
    total_qty = [_int(df.loc[df["indicator"] == i, "quantity"].sum()) for i in order]
    total = [ctx.tr("col.total"), *total_qty, _int(df["turns"].sum())]
    total.append(_int(df["funding_vnd"].sum()))
    end = table(ctx, ws, row, headers, kinds, body, total)
    ws.write_string(end - 1, 0, ctx.tr("section.pivot_note"), ctx.fmt["note_line"])
    return end + 1


def detail(ctx: Ctx, ws: Worksheet, row: int, dim: str, flt: RecordFilter, label: str) -> int:
    """Write the indicator × value table: turns, quantity, distinct beneficiaries, funding."""
    df = queries.breakdown(ctx.store, dim, flt)
    if df.empty:
        return row
    row = section(ctx, ws, row, ctx.tr("section.detail"))
    rank = {code: n for n, code in enumerate(plan.indicators())}
    df = df.assign(_rank=df["indicator"].map(rank)).sort_values(["_rank"], kind="stable")
    headers = [ctx.tr("col.indicator"), label, ctx.tr("col.turns"), ctx.tr("col.quantity")]
    headers += [ctx.tr("col.beneficiaries"), ctx.tr("col.funding")]
    kinds = ["text", "year" if dim == "year" else "text", "int", "int", "int", "vnd"]
    body = [
        [
            ctx.indicator_short(r.indicator),
            _value_label(ctx, dim, getattr(r, dim)),
            _int(r.turns),
            _int(r.quantity),
            _int(r.beneficiaries),
            _int(r.funding_vnd),
        ]
        for r in df.itertuples(index=False)
    ]
    return table(ctx, ws, row, headers, kinds, body)


def breakdown_sheet(ctx: Ctx, key: str, parts: list[tuple[str, str, RecordFilter]]) -> Worksheet:
    """Add a breakdown sheet with one pivot + detail per (dimension, title key, filter)."""
    ws = ctx.sheet(key, landscape=True)
    ctx.columns(ws, {0: 30, 1: 24, **{c: 14 for c in range(2, 13)}})
    row = 0
    ws.write_string(row, 0, ctx.tr(f"sheet.{key}") + " – " + ctx.phase.label, ctx.fmt["title"])
    row += 2
    for dim, title_key, flt in parts:
        label = ctx.tr(f"col.{'type' if dim == 'beneficiary_type' else dim}")
        row = section(ctx, ws, row, ctx.tr(title_key))
        if row == 3:
            ws.freeze_panes(row + 1, 1)
        row = pivot(ctx, ws, row, dim, flt, label)
        row = detail(ctx, ws, row, dim, flt, label)
    return ws


def type_summary(ctx: Ctx) -> Worksheet:
    """Add the by-type sheet: exact per-type totals with a chart, then the pivot and detail."""
    ws = ctx.sheet("by_type", landscape=True)
    ctx.columns(ws, {0: 30, 1: 16, **{c: 14 for c in range(2, 13)}})
    ws.write_string(0, 0, ctx.tr("section.by_type") + " – " + ctx.phase.label, ctx.fmt["title"])
    flt = ctx.flt
    overall = queries.beneficiary_totals(ctx.store, flt)
    body = []
    for code in BENEFICIARY_TYPES:
        tot = queries.beneficiary_totals(ctx.store, flt.with_(beneficiary_types=(code,)))
        body.append([ctx.type_label(code), tot["turns"], tot["beneficiaries"], tot["funding_vnd"]])
    rest = [overall[k] - sum(b[n] for b in body) for n, k in ((1, "turns"), (3, "funding_vnd"))]
    body.append([ctx.tr("col.not_stated"), rest[0], None, rest[1]])
    headers = [ctx.tr("col.type"), ctx.tr("col.turns"), ctx.tr("col.beneficiaries")]
    headers.append(ctx.tr("col.funding"))
    total = [
        ctx.tr("col.total"),
        overall["turns"],
        overall["beneficiaries"],
        overall["funding_vnd"],
    ]
    ws.freeze_panes(3, 1)
    end = table(ctx, ws, 2, headers, ["text", "int", "int", "vnd"], body, total)
    chart = ctx.wb.add_chart({"type": "column"})
    sheet_name = ws.get_name()
    first, last = 3, 2 + len(BENEFICIARY_TYPES)
    for col, color in ((1, "#2F5597"), (2, "#ED7D31")):
        chart.add_series(
            {
                "name": [sheet_name, 2, col],
                "categories": [sheet_name, first, 0, last, 0],
                "values": [sheet_name, first, col, last, col],
                "fill": {"color": color},
                "data_labels": {"value": True},
            }
        )
    chart.set_title({"name": ctx.tr("chart.by_type")})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 620, "height": 300})
    ws.insert_chart(2, 5, chart)
    row = max(end, 19)
    row = section(ctx, ws, row, ctx.tr("section.detail"))
    row = pivot(ctx, ws, row, "beneficiary_type", flt, ctx.tr("col.type"))
    detail(ctx, ws, row, "beneficiary_type", flt, ctx.tr("col.type"))
    return ws


def locality_parts(ctx: Ctx) -> list[tuple[str, str, RecordFilter]]:
    """Return the locality sheet's parts: former districts, then communes from July 2025."""
    parts = [("district", "section.by_district", ctx.flt)]
    if ctx.phase.end >= REORG_DATE:
        parts.append(("commune", "section.by_commune", ctx.flt.with_(date_from=REORG_DATE)))
    return parts


def turns_sheet(ctx: Ctx) -> Worksheet:
    """Add turns vs distinct beneficiaries per indicator (the total counts each one once)."""
    ws = ctx.sheet("turns", landscape=True)
    ctx.columns(ws, {0: 34, **{c: 15 for c in range(1, 7)}})
    ws.write_string(0, 0, ctx.tr("section.turns") + " – " + ctx.phase.label, ctx.fmt["title"])
    headers = [ctx.tr(f"col.{k}") for k in ("indicator", "unit", "turns", "quantity")]
    headers += [ctx.tr("col.beneficiaries"), ctx.tr("col.turns_per_beneficiary")]
    headers.append(ctx.tr("col.funding"))
    units = {tg.indicator: tg.unit(ctx.lang) for tg in plan.targets(ctx.phase.code)}
    body = [
        [
            ctx.indicator_short(p.indicator),
            units[p.indicator],
            p.turns,
            p.actual,
            p.beneficiaries,
            p.turns / p.beneficiaries if p.beneficiaries else None,
            p.funding_vnd,
        ]
        for p in ctx.rows
    ]
    tot = queries.beneficiary_totals(ctx.store, ctx.flt)
    ratio = tot["turns"] / tot["beneficiaries"] if tot["beneficiaries"] else None
    total = [ctx.tr("col.total"), "", tot["turns"], None, tot["beneficiaries"], ratio]
    total.append(tot["funding_vnd"])
    ws.freeze_panes(3, 1)
    kinds = ["text", "text", "int", "int", "int", "dec", "vnd"]
    end = table(ctx, ws, 2, headers, kinds, body, total)
    ws.merge_range(end, 0, end + 1, 6, "", ctx.fmt["note"])
    ws.write_string(end, 0, ctx.tr("cover.note"), ctx.fmt["note"])
    return ws


def funding_sheet(ctx: Ctx) -> Worksheet:
    """Add funding per indicator and year, with totals and shares."""
    ws = ctx.sheet("funding", landscape=True)
    ctx.columns(ws, {0: 34, **{c: 16 for c in range(1, 13)}})
    ws.write_string(0, 0, ctx.tr("section.funding") + " – " + ctx.phase.label, ctx.fmt["title"])
    df = queries.breakdown(ctx.store, "year", ctx.flt)
    years = sorted(int(y) for y in df["year"].dropna().unique())
    grand = _int(df["funding_vnd"].sum())
    headers = [ctx.tr("col.indicator"), *(str(y) for y in years), ctx.tr("col.total")]
    headers.append(ctx.tr("col.funding_share"))
    body = []
    for code in plan.indicators():
        part = df[df["indicator"] == code]
        by_year = [_int(part.loc[part["year"] == y, "funding_vnd"].sum()) for y in years]
        line_total = sum(by_year)
        share = line_total / grand if grand else None
        body.append([ctx.indicator_short(code), *by_year, line_total, share])
    col_totals = [_int(df.loc[df["year"] == y, "funding_vnd"].sum()) for y in years]
    total = [ctx.tr("col.total"), *col_totals, grand, 1.0 if grand else None]
    kinds = ["text", *["vnd"] * (len(years) + 1), "pct"]
    ws.freeze_panes(3, 1)
    table(ctx, ws, 2, headers, kinds, body, total)
    return ws


def beneficiaries_sheet(ctx: Ctx) -> Worksheet:
    """Add the list of beneficiaries supported: who, what (indicator + standard), when."""
    ws = ctx.sheet("beneficiaries", landscape=True)
    keys = ["no", "name", "type", "tax_code", "locality", "district", "commune", "indicator"]
    keys += ["standard", "quantity", "funding", "date"]
    widths = [6, 40, 16, 14, 22, 24, 22, 26, 20, 10, 15, 12]
    kinds = ["int", "text", "text", "text", "text", "text", "text", "text", "text", "int"]
    kinds += ["vnd", "date"]
    ctx.columns(ws, dict(enumerate(widths)))
    ws.write_string(
        0, 0, ctx.tr("section.beneficiaries") + " – " + ctx.phase.label, ctx.fmt["title"]
    )
    headers = [ctx.tr(f"col.{key}") for key in keys]
    for col, text in enumerate(headers):
        ws.write_string(2, col, text, ctx.fmt["head"])
    ctx.fit(ws, 2, headers, bold=True)
    ws.freeze_panes(3, 2)
    ws.repeat_rows(2)
    row = 3
    for chunk in listing.iter_records(ctx.store, ctx.flt):
        chunk = chunk[chunk["beneficiary_name"].notna()]
        for r in chunk.itertuples(index=False):
            values = [
                row - 2,
                r.beneficiary_name,
                ctx.type_label(r.beneficiary_type),
                r.tax_code,
                r.locality,
                r.district,
                r.commune,
                ctx.indicator_short(r.indicator),
                r.standard,
                r.quantity,
                r.funding_vnd,
                pd.Timestamp(r.date),
            ]
            values = [
                str(v) if k == "text" and not is_missing(v) else v
                for v, k in zip(values, kinds, strict=True)
            ]
            for col, (value, kind) in enumerate(zip(values, kinds, strict=True)):
                put(ws, row, col, value, ctx.fmt[kind])
            ctx.fit(ws, row, values)
            row += 1
    if row == 3:
        ws.write_string(row, 0, ctx.tr("section.no_data"), ctx.fmt["note_line"])
    else:
        ws.autofilter(2, 0, row - 1, len(keys) - 1)
    return ws
