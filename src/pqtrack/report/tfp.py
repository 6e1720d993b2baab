"""The TFP sheet of the phase report, on stored or shipped macro data."""

from __future__ import annotations

from xlsxwriter.worksheet import Worksheet

from pqtrack.presentation import numbers
from pqtrack.report.sheets import Ctx, put, table
from pqtrack.tfp import macro


def macro_input(ctx: Ctx) -> tuple[object, str]:
    """Return the macro frame for the estimate (:func:`pqtrack.tfp.macro.current`)."""
    current = macro.current(ctx.store)
    if current.batch is not None:
        batch = current.batch
        return current.frame, ctx.tr(
            "tfp.source_uploaded", batch=int(batch["batch_id"]), file=current.file_name
        )
    if current.problems:
        raise ValueError("; ".join(p.message(ctx.lang) for p in current.problems[:3]))
    return current.frame, ctx.tr("tfp.source_default", file=current.file_name)


def tfp_result(ctx: Ctx) -> tuple[dict | None, str]:
    """Return the TFP JSON dict and the data source, or (None, the reason it is unavailable)."""
    try:
        from pqtrack.tfp import model as tfp

        frame, where = macro_input(ctx)
        out = tfp.compute(frame).to_json_dict()
        out["benchmarks"] = [
            b.__dict__
            for b in getattr(tfp, "NATIONAL_BENCHMARKS", ())
            if b.period == ctx.phase.code
        ]
        return out, where
    except Exception as exc:  # noqa: BLE001 - another module; the report must still be made
        return None, f"{type(exc).__name__}: {exc}"


def _pct(value: object) -> float | None:
    return None if numbers.is_missing(value) else float(value) / 100.0  # type: ignore[arg-type]


def _flag(ctx: Ctx, flag: object) -> str | None:
    return None if numbers.is_missing(flag) or not flag else ctx.tr(f"tfp.flag_text.{flag}")


def tfp_sheet(ctx: Ctx) -> tuple[Worksheet, bool]:
    """Add the TFP summary of the phase; return the sheet and whether an estimate exists."""
    ws = ctx.sheet("tfp", landscape=True)
    ctx.columns(ws, {0: 40, **{c: 15 for c in range(1, 8)}, 8: 24, 9: 16})
    ws.write_string(0, 0, ctx.tr("tfp.title", phase=ctx.phase.label), ctx.fmt["title"])
    ws.merge_range(1, 0, 2, 8, "", ctx.fmt["subtitle"])
    ws.write_string(1, 0, ctx.tr("tfp.disclaimer"), ctx.fmt["subtitle"])
    data, where = tfp_result(ctx)
    if data is None:
        ws.merge_range(4, 0, 4, 8, "", ctx.fmt["warn"])
        ws.write_string(4, 0, ctx.tr("tfp.unavailable", reason=where), ctx.fmt["warn"])
        return ws, False
    ph = next((p for p in data["phases"] if p["phase"] == ctx.phase.code), None)
    if ph is None:
        ws.write_string(4, 0, ctx.tr("tfp.unavailable", reason=ctx.phase.code), ctx.fmt["warn"])
        return ws, False
    row = 4
    years = [y for y in data["years"] if ctx.phase.start.year <= y["year"] <= ctx.phase.end.year]
    placeholder = bool(ph.get("placeholder")) or any(y.get("placeholder") for y in years)
    if placeholder:
        ws.set_row(row, 48)
        ws.merge_range(row, 0, row, 8, "", ctx.fmt["warn"])
        ws.write_string(row, 0, ctx.tr("tfp.placeholder_warning"), ctx.fmt["warn"])
        row += 2
    band = None
    if ph.get("band_min") is not None and ph.get("band_max") is not None:
        low, high = (numbers.percent(ph[k], ctx.lang, trim=True) for k in ("band_min", "band_max"))
        band = f"{low} – {high}"
    yes, no = ctx.tr("tfp.yes"), ctx.tr("tfp.no")
    items: list[tuple[str, object, str]] = [
        ("tfp.share", _pct(ph.get("tfp_share")), "pct"),
        ("tfp.band", band, "text"),
        ("tfp.gdp_growth", _pct(ph.get("gdp_growth")), "pct2"),
        ("tfp.tfp_growth", _pct(ph.get("tfp_growth")), "pct2"),
        ("tfp.years_used", ", ".join(str(y) for y in ph.get("years_used", [])), "text"),
        ("tfp.missing_years", ", ".join(str(y) for y in ph.get("missing_years", [])), "text"),
        ("tfp.flag", _flag(ctx, ph.get("flag")), "text"),
        ("tfp.placeholder", yes if placeholder else no, "text"),
        ("tfp.source", where, "text"),
    ]
    for bench in data.get("benchmarks", []):
        items.append(
            (
                "tfp.national",
                f"{bench['relation']} {numbers.percent(bench['value'], ctx.lang, 2, trim=True)}"
                f" ({bench['source']})",
                "text",
            )
        )
    for key, value, kind in items:
        ws.write_string(row, 0, ctx.tr(key), ctx.fmt["head"])
        if kind == "text":
            ws.merge_range(row, 1, row, 8, "", ctx.fmt["text"])
        put(ws, row, 1, value if value != "" else None, ctx.fmt[kind])
        row += 1
    params = data.get("parameters", {})
    b_k = params.get("capital_share")
    b_text = (
        numbers.decimal(b_k, ctx.lang, 4, trim=True)
        if b_k is not None
        else ctx.tr(
            "tfp.capital_share_file",
            default=numbers.decimal(params.get("default_capital_share", 0), ctx.lang, 4, trim=True),
        )
    )
    ws.write_string(
        row + 1,
        0,
        ctx.tr(
            "tfp.parameters",
            capital_share=b_text,
            depreciation=numbers.decimal(params.get("depreciation", 0), ctx.lang, 2, trim=True),
            method=ctx.tr(f"tfp.method.{params.get('capital_method', 'pim')}"),
        ),
        ctx.fmt["note_line"],
    )
    row += 3
    cols = ["gdp_growth", "capital_growth", "labour_growth", "capital_contribution"]
    cols += ["labour_contribution", "tfp_growth", "tfp_share"]
    headers = [ctx.tr("col.year"), *(ctx.tr(f"tfp.col.{c}") for c in cols)]
    headers += [ctx.tr("tfp.flag"), ctx.tr("tfp.placeholder")]
    kinds = ["year", *["pct2"] * 6, "pct", "text", "text"]
    body = [
        [
            y["year"],
            *(_pct(y.get(c)) for c in cols),
            _flag(ctx, y.get("flag")),
            ctx.tr("tfp.placeholder_yes") if y.get("placeholder") else None,
        ]
        for y in years
    ]
    table(ctx, ws, row, headers, kinds, body)
    return ws, ph.get("tfp_share") is not None
