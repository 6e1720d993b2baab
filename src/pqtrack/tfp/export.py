"""TFP results out: tables for the panel, CSV (UTF-8 with BOM) and XLSX downloads.

Pure functions of a :class:`pqtrack.tfp.model.TfpResult` and the macro frame it was computed from
(no Streamlit, no SQL). Growth values are percent / percentage points, as in
:mod:`pqtrack.tfp.model`; placeholder years keep the ``placeholder`` flag and are marked in every
table and in the XLSX (shaded rows).
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import replace

import pandas as pd
import xlsxwriter

from pqtrack.domain.missing import is_missing
from pqtrack.i18n import t
from pqtrack.presentation import numbers
from pqtrack.report.export import neutralise
from pqtrack.text import BOM
from pqtrack.tfp.macro import MacroProblem
from pqtrack.tfp.model import (
    DEFAULT_CAPITAL_SHARE,
    METHOD_PIM,
    NATIONAL_BENCHMARKS,
    NEAR_ZERO_GROWTH_PP,
    Benchmark,
    PhaseResult,
    TfpResult,
)

NUMERIC_COLUMNS: tuple[str, ...] = (
    "gdp_growth",
    "capital_growth",
    "labour_growth",
    "capital_share",
    "capital_contribution",
    "labour_contribution",
    "tfp_growth",
    "tfp_share",
)
# The CSV's columns (stable codes, like the records export).
YEAR_COLUMNS: tuple[str, ...] = ("year", *NUMERIC_COLUMNS, "flag", "placeholder", "source")
PHASE_COLUMNS: tuple[str, ...] = (
    "phase",
    "gdp_growth",
    "capital_contribution",
    "labour_contribution",
    "tfp_growth",
    "tfp_share",
    "band_min",
    "band_max",
    "years_used",
    "missing_years",
    "flag",
    "placeholder",
)
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def dash(code: str) -> str:
    """Return a period code ``2021-2025`` as shown to users (``2021–2025``)."""
    return code.replace("-", "–")


def year_results(result: TfpResult, frame: pd.DataFrame) -> pd.DataFrame:
    """Return one row per year after the base year, with :data:`YEAR_COLUMNS`.

    ``source`` comes from the macro ``frame`` (empty for a year the file does not have);
    numbers are rounded to 4 decimals, NaN where not computed (``tfp_share`` where flagged).
    """
    rows = result.year_rows()
    sources = dict(zip(frame["year"].astype(int), frame["source"].astype(str), strict=True))
    out = pd.DataFrame({"year": rows["year"].astype(int)})
    for col in NUMERIC_COLUMNS:
        out[col] = rows[col].astype("float64").round(4)
    out["flag"] = rows["flag"].map(lambda f: "" if is_missing(f) or not f else str(f))
    out["placeholder"] = rows["placeholder"].astype(bool)
    out["source"] = out["year"].map(lambda y: sources.get(int(y), ""))
    return out.reset_index(drop=True)


def placeholder_mark(placeholder: bool, lang: str) -> str:
    """Return the text marking a row as illustrative (or sourced)."""
    return t("tfpui.mark.placeholder" if placeholder else "tfpui.mark.sourced", lang)


def flag_text(flag: str | None, lang: str) -> str:
    """Return a flag code in words (empty for no flag)."""
    return t(f"tfp.flag.{flag}", lang) if flag else ""


def display_table(result: TfpResult, frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Return the yearly table for the panel: headers in ``lang``, placeholders marked ⚠."""
    rows = year_results(result, frame)
    out = pd.DataFrame(
        {
            t("tfpui.col.year", lang): rows["year"].astype(str),
            t("tfpui.col.data", lang): [placeholder_mark(p, lang) for p in rows["placeholder"]],
        }
    )
    for col in NUMERIC_COLUMNS:
        digits = 4 if col == "capital_share" else 2
        out[t(f"tfpui.col.{col}", lang)] = rows[col].round(digits)
    out[t("tfpui.col.flag", lang)] = [flag_text(f, lang) for f in rows["flag"]]
    out[t("tfpui.col.source", lang)] = rows["source"]
    return out


def _years_text(years: Iterable[int]) -> str:
    return ", ".join(str(y) for y in years)


def phase_results(result: TfpResult) -> pd.DataFrame:
    """Return one row per plan phase with :data:`PHASE_COLUMNS` (codes, numbers in percent)."""
    rows = []
    for p in result.phases:
        rows.append(
            {
                "phase": p.phase,
                "gdp_growth": p.gdp_growth,
                "capital_contribution": p.capital_contribution,
                "labour_contribution": p.labour_contribution,
                "tfp_growth": p.tfp_growth,
                "tfp_share": p.tfp_share,
                "band_min": p.band_min,
                "band_max": p.band_max,
                "years_used": _years_text(p.years_used),
                "missing_years": _years_text(p.missing_years),
                "flag": p.flag or "",
                "placeholder": bool(p.placeholder),
            }
        )
    out = pd.DataFrame(rows, columns=list(PHASE_COLUMNS))
    for col in ("gdp_growth", "capital_contribution", "labour_contribution", "tfp_growth"):
        out[col] = out[col].astype("float64").round(4)
    for col in ("tfp_share", "band_min", "band_max"):
        out[col] = out[col].astype("float64").round(4)
    return out


def with_band(result: TfpResult, bands: dict[str, tuple[float | None, float | None]]) -> TfpResult:
    """Return ``result`` with each phase's band set from ``bands`` (as by :func:`tfp.compute`).

    ``bands`` is :func:`pqtrack.tfp.model.sensitivity_band` of the same frame, which does not depend
    on the chosen b_K and δ, so a caller can compute it once; the band is widened to include
    the phase's central estimate, as :func:`pqtrack.tfp.model.compute` does.
    """
    phases = []
    for p in result.phases:
        lo, hi = bands.get(p.phase, (None, None))
        if p.tfp_share is not None:
            lo = p.tfp_share if lo is None else min(lo, p.tfp_share)
            hi = p.tfp_share if hi is None else max(hi, p.tfp_share)
        phases.append(replace(p, band_min=lo, band_max=hi))
    return replace(result, phases=phases)


def headline_phase(result: TfpResult, code: str) -> tuple[PhaseResult, PhaseResult | None]:
    """Return the phase ``code`` and, when it has no share, the latest phase that has one."""
    chosen = result.phase(code)
    if chosen.tfp_share is not None:
        return chosen, None
    fallback = [p for p in result.phases if p.tfp_share is not None and p.phase != code]
    return chosen, (fallback[-1] if fallback else None)


def benchmark_source(b: Benchmark, lang: str) -> str:
    """Return a national line's source in ``lang`` (the package's text if no translation)."""
    key = "tfpui.bench.src_" + b.period.replace("-", "_")
    try:
        return t(key, lang)
    except KeyError:
        return b.source


def benchmark_value(b: Benchmark, lang: str) -> str:
    """Return a national line's value with its relation, e.g. ``≈45 %`` or ``>55%``."""
    rel = "" if b.relation == "=" else b.relation
    return rel + numbers.percent(b.value, lang, 2, trim=True)


def benchmark_table(
    lang: str, benchmarks: tuple[Benchmark, ...] = NATIONAL_BENCHMARKS
) -> pd.DataFrame:
    """Return the national comparison lines with their sources, headers in ``lang``."""
    return pd.DataFrame(
        {
            t("tfpui.bench.period", lang): [dash(b.period) for b in benchmarks],
            t("tfpui.bench.kind", lang): [t(f"tfpui.bench.{b.kind}", lang) for b in benchmarks],
            t("tfpui.bench.value", lang): [benchmark_value(b, lang) for b in benchmarks],
            t("tfpui.bench.source", lang): [benchmark_source(b, lang) for b in benchmarks],
        }
    )


def problems_table(problems: list[MacroProblem], lang: str) -> pd.DataFrame:
    """Return a macro file's problems: row, column, value and the reason in ``lang``."""
    return pd.DataFrame(
        {
            t("problems.row", lang): [p.row for p in problems],
            t("problems.column", lang): [p.column or "" for p in problems],
            t("problems.value", lang): [p.value if p.value is not None else "" for p in problems],
            t("problems.reason", lang): [p.message(lang) for p in problems],
        }
    )


def csv_bytes(result: TfpResult, frame: pd.DataFrame) -> bytes:
    """Return the yearly results as CSV: UTF-8 with BOM, CRLF, ``.`` decimals, code headers."""
    out = year_results(result, frame)
    out["source"] = neutralise(out["source"])
    text = out.to_csv(index=False, lineterminator="\r\n", float_format="%.4f")
    return BOM + text.encode("utf-8")


def parameter_rows(result: TfpResult, lang: str, source_note: str) -> list[tuple[str, str]]:
    """Return the (item, value) lines that describe how the results were obtained."""
    if result.capital_share is None:
        default = numbers.decimal(DEFAULT_CAPITAL_SHARE, lang, 4, trim=True)
        share = t("tfpui.param.capital_share_file", lang, default=default)
    else:
        share = numbers.decimal(result.capital_share, lang, 4)
    method = (
        "tfpui.param.method_pim"
        if result.capital.method == METHOD_PIM
        else "tfpui.param.method_stock"
    )
    near_zero = numbers.decimal(NEAR_ZERO_GROWTH_PP, lang, 2, trim=True)
    rows = [
        (t("tfpui.param.source", lang), source_note),
        (t("tfpui.param.capital_share", lang), share),
        (t("tfpui.param.depreciation", lang), numbers.decimal(result.depreciation, lang, 3)),
        (t("tfpui.param.capital_method", lang), t(method, lang)),
        (t("tfpui.param.near_zero", lang), near_zero),
        (t("tfpui.param.growth", lang), t("tfpui.growth_note", lang, threshold=near_zero)),
        (t("tfpui.param.disclaimer", lang), t("tfp.disclaimer", lang)),
    ]
    for w in result.warnings:
        rows.append(("⚠", t(f"tfp.warning.{w}", lang)))
    for b in NATIONAL_BENCHMARKS:
        rows.append(
            (
                t("tfpui.param.benchmark", lang, period=dash(b.period)),
                f"{benchmark_value(b, lang)} — {benchmark_source(b, lang)}",
            )
        )
    return rows


def xlsx_bytes(result: TfpResult, frame: pd.DataFrame, lang: str, source_note: str = "") -> bytes:
    """Return the results as XLSX: yearly sheet (placeholder rows shaded), phases, parameters."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(
        buf,
        {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False},
    )
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
    excel = numbers.excel_formats(lang)
    num = wb.add_format({"num_format": excel["dec2"]})
    num4 = wb.add_format({"num_format": excel["dec4"]})
    shade = {"bg_color": "#FFF2CC"}
    num_ph = wb.add_format({"num_format": excel["dec2"], **shade})
    num4_ph = wb.add_format({"num_format": excel["dec4"], **shade})
    text_ph = wb.add_format(shade)
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})

    years = year_results(result, frame)
    ws = wb.add_worksheet(t("tfpui.sheet.years", lang))
    cols = ["year", "data", *NUMERIC_COLUMNS, "flag", "source"]
    for c, name in enumerate(cols):
        ws.write_string(0, c, t(f"tfpui.col.{name}", lang), head)
    ws.set_row(0, 45)
    ws.set_column(0, 0, 8)
    ws.set_column(1, 1, 14)
    ws.set_column(2, len(NUMERIC_COLUMNS) + 1, 13)
    ws.set_column(len(cols) - 2, len(cols) - 2, 28)
    ws.set_column(len(cols) - 1, len(cols) - 1, 80)
    for r, rec in enumerate(years.itertuples(index=False), start=1):
        ph = bool(rec.placeholder)
        ws.write_number(r, 0, int(rec.year), text_ph if ph else None)
        ws.write_string(r, 1, placeholder_mark(ph, lang), text_ph if ph else None)
        for c, name in enumerate(NUMERIC_COLUMNS, start=2):
            value = getattr(rec, name)
            four = name == "capital_share"
            fmt = (num4_ph if ph else num4) if four else (num_ph if ph else num)
            if is_missing(value):
                ws.write_blank(r, c, None, fmt)
            else:
                ws.write_number(r, c, float(value), fmt)
        ws.write_string(r, len(cols) - 2, flag_text(rec.flag, lang), text_ph if ph else None)
        ws.write_string(r, len(cols) - 1, str(rec.source), text_ph if ph else None)
    ws.freeze_panes(1, 1)

    phases = phase_results(result)
    wp = wb.add_worksheet(t("tfpui.sheet.phases", lang))
    pcols = [
        ("phase", "tfpui.col.phase"),
        ("gdp_growth", "tfpui.col.gdp_growth"),
        ("capital_contribution", "tfpui.col.capital_contribution"),
        ("labour_contribution", "tfpui.col.labour_contribution"),
        ("tfp_growth", "tfpui.col.tfp_growth"),
        ("tfp_share", "tfpui.col.tfp_share"),
        ("band_min", "tfpui.col.band_min"),
        ("band_max", "tfpui.col.band_max"),
        ("years_used", "tfpui.col.years_used"),
        ("missing_years", "tfpui.col.missing_years"),
        ("flag", "tfpui.col.flag"),
        ("placeholder", "tfpui.col.data"),
    ]
    for c, (_, key) in enumerate(pcols):
        wp.write_string(0, c, t(key, lang), head)
    wp.set_row(0, 45)
    wp.set_column(0, len(pcols) - 1, 14)
    for r, rec in enumerate(phases.to_dict("records"), start=1):
        ph = bool(rec["placeholder"])
        for c, (name, _) in enumerate(pcols):
            value = rec[name]
            if name == "phase":
                wp.write_string(r, c, dash(str(value)), text_ph if ph else None)
            elif name == "flag":
                wp.write_string(r, c, flag_text(value or None, lang), text_ph if ph else None)
            elif name == "placeholder":
                wp.write_string(r, c, placeholder_mark(ph, lang), text_ph if ph else None)
            elif name in ("years_used", "missing_years"):
                wp.write_string(r, c, str(value), text_ph if ph else None)
            elif is_missing(value):
                wp.write_blank(r, c, None, num_ph if ph else num)
            else:
                wp.write_number(r, c, float(value), num_ph if ph else num)

    wq = wb.add_worksheet(t("tfpui.sheet.parameters", lang))
    wq.write_string(0, 0, t("tfpui.col.item", lang), head)
    wq.write_string(0, 1, t("tfpui.col.value", lang), head)
    wq.set_column(0, 0, 36)
    wq.set_column(1, 1, 100)
    for r, (item, value) in enumerate(parameter_rows(result, lang, source_note), start=1):
        wq.write_string(r, 0, item, wrap)
        wq.write_string(r, 1, value, wrap)
    wb.close()
    return buf.getvalue()
