"""Plotly figures for the TFP panel: yearly contributions and the phase share vs national lines."""

from __future__ import annotations

import math

import plotly.graph_objects as go

from pqtrack.i18n import t
from pqtrack.presentation import numbers
from pqtrack.presentation.charts import title_spec, wrap_title
from pqtrack.tfp.model import NATIONAL_BENCHMARKS, Benchmark, TfpResult

COLORS: dict[str, str] = {
    "capital": "#4C78A8",
    "labour": "#F58518",
    "tfp": "#54A24B",
    "gdp": "#222222",
    "province": "#54A24B",
    "national_actual": "#6F4E7C",
    "national_target": "#B6443F",
}
PLACEHOLDER_PATTERN = "/"


def _dash(code: str) -> str:
    """Return a period code ``2021-2025`` as shown to users (``2021–2025``)."""
    return code.replace("-", "–")


def _title(text: str) -> dict:
    """Return a title wrapped to fit a phone, hung from the top so no line rises out of view."""
    return title_spec(wrap_title(text))


def _val(x: object) -> float | None:
    if x is None:
        return None
    f = float(x)  # type: ignore[arg-type]
    return None if math.isnan(f) else f


def contributions_figure(result: TfpResult, lang: str = "vi") -> go.Figure:
    """Return stacked bars of capital, labour and TFP contributions per year with GRDP growth.

    Years computed from placeholder rows get hatched bars and an ``illustrative`` mark; years
    whose TFP share is flagged (growth near zero, data missing) get an annotation.
    """
    rows = result.year_rows()
    years = [str(int(y)) for y in rows["year"]]
    patterns = [PLACEHOLDER_PATTERN if p else "" for p in rows["placeholder"]]
    fig = go.Figure()
    for key, column in (
        ("capital", "capital_contribution"),
        ("labour", "labour_contribution"),
        ("tfp", "tfp_growth"),
    ):
        fig.add_trace(
            go.Bar(
                name=t(f"tfp.series.{key}", lang),
                x=years,
                y=[_val(v) for v in rows[column]],
                marker={"color": COLORS[key], "pattern": {"shape": patterns}},
                hovertemplate="%{x}: "
                + numbers.hover_number("y", 2)
                + "<extra>%{fullData.name}</extra>",
            )
        )
    fig.add_trace(
        go.Scatter(
            name=t("tfp.series.gdp", lang),
            x=years,
            y=[_val(v) for v in rows["gdp_growth"]],
            mode="lines+markers",
            line={"color": COLORS["gdp"]},
            marker={"size": 9, "symbol": "diamond"},
            hovertemplate="%{x}: "
            + numbers.hover_percent("y", lang, 2)
            + "<extra>%{fullData.name}</extra>",
        )
    )
    # On a category axis plotly.js may read an annotation's x "2022" as the category *index*
    # 2022 and stretch the axis to reach it: marks are placed by index (0 = first year).
    for index, (flag, placeholder, gdp) in enumerate(
        zip(rows["flag"], rows["placeholder"], rows["gdp_growth"], strict=True)
    ):
        if placeholder:
            fig.add_annotation(
                x=index,
                y=1.0,
                yref="paper",
                yanchor="bottom",
                text=t("tfp.placeholder_label", lang),
                showarrow=False,
                font={"size": 11, "color": "#666666"},
            )
        if flag:
            fig.add_annotation(
                x=index,
                y=_val(gdp) or 0.0,
                text=t(f"tfp.chart.contributions.flag.{flag}", lang),
                showarrow=True,
                arrowhead=2,
                ax=0,
                ay=-45,
                font={"size": 11},
                bgcolor="rgba(255,255,255,0.8)",
            )
    if any(rows["placeholder"]):
        fig.add_annotation(
            x=0,
            y=-0.18,
            xref="paper",
            yref="paper",
            xanchor="left",
            text=t("tfp.chart.contributions.placeholder_note", lang),
            showarrow=False,
            font={"size": 11},
        )
    fig.update_layout(
        title=_title(t("tfp.chart.contributions.title", lang)),
        barmode="relative",
        xaxis={"title": {"text": t("tfp.chart.contributions.xaxis", lang)}, "type": "category"},
        yaxis={"title": {"text": t("tfp.chart.contributions.yaxis", lang)}, "zeroline": True},
        legend={"orientation": "h", "y": -0.25},
        margin={"t": 110, "b": 120},
    )
    fig.update_layout(separators=numbers.separators(lang))
    return fig


def phase_share_figure(
    result: TfpResult,
    lang: str = "vi",
    benchmarks: tuple[Benchmark, ...] = NATIONAL_BENCHMARKS,
) -> go.Figure:
    """Return the province's TFP share per phase (with its sensitivity band) and national lines.

    The x axis holds the benchmark periods and the plan phases in time order; the national
    actual figures and targets are dashed lines with markers; flagged or incomplete phases
    are annotated.
    """
    periods = sorted({b.period for b in benchmarks} | {p.phase for p in result.phases})
    labels = {code: _dash(code) for code in periods}
    phases = result.phases
    shares = [_val(p.tfp_share) for p in phases]
    plus = [
        None if s is None or p.band_max is None else max(p.band_max - s, 0.0)
        for p, s in zip(phases, shares, strict=True)
    ]
    minus = [
        None if s is None or p.band_min is None else max(s - p.band_min, 0.0)
        for p, s in zip(phases, shares, strict=True)
    ]
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            name=t("tfp.series.province", lang),
            x=[labels[p.phase] for p in phases],
            y=shares,
            marker={
                "color": COLORS["province"],
                "pattern": {
                    "shape": [PLACEHOLDER_PATTERN if p.placeholder else "" for p in phases]
                },
            },
            error_y={"type": "data", "symmetric": False, "array": plus, "arrayminus": minus},
            customdata=[[_val(p.band_min), _val(p.band_max)] for p in phases],
            hovertemplate=(
                "%{x}: "
                + numbers.hover_percent("y", lang)
                + "<br>"
                + t("tfp.chart.share.band", lang)
                + ": "
                + numbers.hover_percent("customdata[0]", lang)
                + " – "
                + numbers.hover_percent("customdata[1]", lang)
                + "<extra>%{fullData.name}</extra>"
            ),
        )
    )
    for kind in ("actual", "target"):
        marks = [b for b in benchmarks if b.kind == kind]
        if not marks:
            continue
        fig.add_trace(
            go.Scatter(
                name=t(f"tfp.series.national_{kind}", lang),
                x=[labels[b.period] for b in marks],
                y=[b.value for b in marks],
                mode="lines+markers+text",
                text=[
                    ("" if b.relation == "=" else b.relation)
                    + numbers.percent(b.value, lang, 2, trim=True)
                    for b in marks
                ],
                textposition="top center",
                customdata=[b.source for b in marks],
                line={"color": COLORS[f"national_{kind}"], "dash": "dash"},
                marker={"size": 10},
                hovertemplate="%{x}: %{text}<br>%{customdata}<extra>%{fullData.name}</extra>",
            )
        )
    order = [labels[c] for c in periods]  # the axis's categories; marks go by index
    for p, s in zip(phases, shares, strict=True):
        notes: list[str] = []
        if p.flag:
            notes.append("⚠ " + t(f"tfp.flag.{p.flag}", lang))
        elif p.missing_years:
            years = ", ".join(str(y) for y in p.missing_years)
            notes.append(t("tfp.chart.share.missing_years", lang, years=years))
        if p.placeholder:
            notes.append(t("tfp.placeholder_label", lang))
        if notes:
            fig.add_annotation(
                x=order.index(labels[p.phase]),
                y=(p.band_max if p.band_max is not None else s) or 0.0,
                yanchor="bottom",
                yshift=6,
                text="<br>".join(notes),
                showarrow=False,
                font={"size": 11},
            )
    fig.update_layout(
        title=_title(t("tfp.chart.share.title", lang)),
        xaxis={
            "title": {"text": t("tfp.chart.share.xaxis", lang)},
            "type": "category",
            "categoryorder": "array",
            "categoryarray": order,
        },
        yaxis={"title": {"text": t("tfp.chart.share.yaxis", lang)}, "rangemode": "tozero"},
        legend={"orientation": "h", "y": -0.2},
        separators=numbers.separators(lang),
    )
    return fig
