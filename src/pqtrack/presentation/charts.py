"""Plotly figures for the dashboard: plain data in, a titled figure out (no Streamlit)."""

from __future__ import annotations

import textwrap
from datetime import date, timedelta

import pandas as pd
import plotly.graph_objects as go

from pqtrack.domain import plan
from pqtrack.domain.progress import Progress
from pqtrack.domain.schema import BENEFICIARY_TYPES
from pqtrack.i18n import t
from pqtrack.presentation import numbers
from pqtrack.presentation.views import (
    STATUS_COLORS,
    TYPE_COLORS,
    indicator_label,
    plot_text,
    status_label,
    type_label,
)

FONT = "Source Sans Pro, Segoe UI, Arial, sans-serif"
# Plotly never wraps a title: longer ones are cut on a phone (about 44 characters fit at
# 390 px), so titles are broken into lines of at most this many characters; an axis title
# is centred on the plot area, which long category labels narrow.
TITLE_WIDTH = 44
AXIS_TITLE_WIDTH = 30


def wrap_title(text: str, width: int = TITLE_WIDTH) -> str:
    """Return ``text`` broken into Plotly lines (``<br>``) of at most ``width`` characters."""
    return "<br>".join(textwrap.wrap(text, width, break_long_words=False)) if text else text


# Plotly's toolbar sits in a chart's top right corner, shown at once on a touch screen:
# titles stand on the plot area and push the top margin, so the toolbar never covers one.
TOOLBAR_PX = 36  # the toolbar's height and a little air


def title_spec(text: str) -> dict:
    """Return a chart title standing on the plot area, below Plotly's toolbar."""
    return {
        "text": text,
        "automargin": True,
        "x": 0,
        "xanchor": "left",
        "yref": "paper",
        "y": 1,
        "yanchor": "bottom",
        "pad": {"b": 16},
    }


def _layout(fig: go.Figure, title: str, height: int = 420) -> go.Figure:
    for axis in (fig.layout.xaxis, fig.layout.yaxis):
        if axis.title.text:
            axis.title.text = wrap_title(axis.title.text, AXIS_TITLE_WIDTH)
    fig.update_layout(
        title={**title_spec(wrap_title(title)), "font": {"size": 16}},
        height=height,
        margin={"l": 10, "r": 20, "t": 90, "b": 50},
        font={"family": FONT},
        # under the chart, from the bottom edge: a legend that wraps on a phone grows the
        # margin instead of running over the title
        legend={
            "orientation": "h",
            "yref": "container",
            "yanchor": "bottom",
            "y": 0,
            "x": 0,
            "traceorder": "normal",
        },
    )
    return fig


def _separators(fig: go.Figure, lang: str) -> go.Figure:
    """Set the language's decimal and grouping marks for every number Plotly writes."""
    fig.update_layout(separators=numbers.separators(lang))
    return fig


def _whole_axis(axis: dict) -> dict:
    """Return axis settings that write whole numbers in full, grouped (no ``k``/``M``)."""
    return {**axis, "tickformat": ",~r", "hoverformat": ",.0f"}


def empty_figure(message: str, title: str = "") -> go.Figure:
    """Return a blank figure carrying ``message`` in its middle."""
    fig = go.Figure()
    fig.add_annotation(text=message, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return _layout(fig, title, height=260)


def target_vs_actual(rows: list[Progress], lang: str, phase_label: str) -> go.Figure:
    """Return horizontal bars of each indicator's actual as % of target, with the pace marker."""
    labels = [indicator_label(r.indicator, lang) for r in rows]
    units = [plan.target_for(r.indicator, r.phase).unit(lang) for r in rows]
    expected_pct = [100.0 * r.expected / r.target if r.target else 0.0 for r in rows]
    hover = [
        t(
            "ui.chart.tva.hover",
            lang,
            label=lab,
            actual=numbers.integer(r.actual, lang),
            target=numbers.integer(r.target, lang),
            unit=u,
            percent=numbers.percent(r.percent, lang),
            status=status_label(r.status, lang),
        )
        for lab, r, u in zip(labels, rows, units, strict=True)
    ]
    fig = go.Figure()
    fig.add_bar(
        y=labels,
        x=[min(r.percent, 150.0) for r in rows],
        orientation="h",
        marker_color=[STATUS_COLORS[r.status] for r in rows],
        hovertext=hover,
        hoverinfo="text",
        name=t("ui.chart.tva.actual", lang),
        showlegend=False,
    )
    fig.add_scatter(
        y=labels,
        x=expected_pct,
        mode="markers",
        marker={"symbol": "line-ns", "size": 18, "line": {"width": 3, "color": "#111827"}},
        name=t("ui.chart.tva.pace", lang),
        hoverinfo="skip",
    )
    fig.add_scatter(
        y=labels,
        x=[min(max(r.percent, e), 150.0) + 2 for r, e in zip(rows, expected_pct, strict=True)],
        mode="text",
        # the status in words beside its colour: colour is never the only signal
        text=[
            f"{numbers.integer(r.actual, lang)}/{numbers.integer(r.target, lang)} {u}"
            f"<br><i>{status_label(r.status, lang)}</i>"
            for r, u in zip(rows, units, strict=True)
        ],
        textposition="middle right",
        showlegend=False,
        hoverinfo="skip",
        cliponaxis=False,
    )
    fig.add_vline(x=100, line_dash="dash", line_color="#374151")
    widest = max([min(r.percent, 150.0) for r in rows] + expected_pct + [100.0])
    fig.update_xaxes(
        title=t("ui.chart.tva.xaxis", lang),
        ticksuffix=numbers.percent_suffix(lang),
        range=[0, widest + 35],
        dtick=20,
    )
    fig.update_yaxes(autorange="reversed", automargin=True)
    _layout(fig, t("ui.chart.tva.title", lang, phase=phase_label), height=120 + 42 * len(rows))
    return _separators(fig, lang)


def cumulative_line(
    series: pd.DataFrame, indicator: str, phase_code: str, as_of: date, lang: str
) -> go.Figure:
    """Return the cumulative actual of one indicator with its target and pro-rata pace lines."""
    ph = plan.phase(phase_code)
    tgt = plan.target_for(indicator, phase_code)
    unit = tgt.unit(lang)
    data = series[series["indicator"] == indicator].sort_values("date")
    end = min(as_of, ph.end)
    xs = [ph.start - timedelta(days=0)]
    ys = [0.0]
    for d, v in zip(pd.to_datetime(data["date"]).dt.date, data["cumulative"], strict=True):
        xs.append(d)
        ys.append(float(v))
    if end >= ph.start:
        xs.append(end)
        ys.append(ys[-1])
    fig = go.Figure()
    fig.add_scatter(
        x=xs,
        y=ys,
        mode="lines",
        line_shape="hv",
        line={"width": 3, "color": "#2f80ed"},
        name=t("ui.chart.cum.actual", lang),
        hovertemplate=numbers.hover_day("x")
        + ": "
        + numbers.hover_number("y")
        + f" {unit}<extra></extra>",
    )
    fig.add_scatter(
        x=[ph.start, ph.end],
        y=[tgt.target, tgt.target],
        mode="lines",
        line={"dash": "dash", "color": "#1a7f37"},
        name=t("ui.chart.cum.target", lang, target=numbers.integer(tgt.target, lang)),
        hoverinfo="skip",
    )
    fig.add_scatter(
        x=[ph.start, ph.end],
        y=[0, tgt.target],
        mode="lines",
        line={"dash": "dot", "color": "#6b7280"},
        name=t("ui.chart.cum.pace", lang),
        hoverinfo="skip",
    )
    if ph.start <= as_of <= ph.end:
        fig.add_vline(x=pd.Timestamp(as_of).timestamp() * 1000, line_color="#d1d5db")
    fig.update_xaxes(
        title=t("ui.chart.cum.xaxis", lang),
        range=[ph.start, ph.end],
        tickformat="%Y",
        tick0=ph.start,
        dtick="M12",
    )
    fig.update_yaxes(
        **_whole_axis({"title": t("ui.chart.cum.yaxis", lang, unit=unit), "rangemode": "tozero"})
    )
    title = t(
        "ui.chart.cum.title",
        lang,
        label=indicator_label(indicator, lang),
        phase=ph.label,
        date=numbers.day(end, lang),
    )
    return _separators(_layout(fig, title, height=400), lang)


def stacked_by_type(df: pd.DataFrame, measure: str, lang: str, title: str) -> go.Figure:
    """Return stacked horizontal bars per indicator, one segment per beneficiary type."""
    if df.empty:
        return empty_figure(t("ui.common.no_data", lang), title)
    frame = df.copy()
    frame["beneficiary_type"] = frame["beneficiary_type"].where(
        frame["beneficiary_type"].notna(), "unknown"
    )
    order = [c for c in plan.indicators() if c in set(frame["indicator"])]
    fig = go.Figure()
    for code in (*BENEFICIARY_TYPES, "unknown"):
        part = frame[frame["beneficiary_type"] == code].set_index("indicator")
        if part.empty:
            continue
        values = [float(part[measure].get(i, 0) or 0) for i in order]
        fig.add_bar(
            y=[indicator_label(i, lang) for i in order],
            x=values,
            orientation="h",
            name=type_label(None if code == "unknown" else code, lang),
            marker_color=TYPE_COLORS[code],
            hovertemplate="%{y}: " + numbers.hover_number("x") + "<extra>%{fullData.name}</extra>",
        )
    fig.update_layout(barmode="stack")
    fig.update_yaxes(autorange="reversed", automargin=True)
    fig.update_xaxes(**_whole_axis({"title": t(f"ui.measure.{measure}", lang)}))
    return _separators(_layout(fig, title, height=140 + 40 * max(len(order), 1)), lang)


def bar_breakdown(
    df: pd.DataFrame, dimension: str, measure: str, lang: str, title: str, top: int = 20
) -> go.Figure:
    """Return a bar chart of ``measure`` summed by ``dimension`` (largest first, top N)."""
    if df.empty:
        return empty_figure(t("ui.common.no_data", lang), title)
    frame = df.copy()
    unknown = t("ui.common.unknown", lang)
    frame[dimension] = frame[dimension].map(lambda v: unknown if v is None or v != v else v)
    grouped = frame.groupby(dimension, dropna=False)[measure].sum().sort_values(ascending=False)
    if dimension == "year":
        grouped = grouped.sort_index()
        names = [str(int(v)) if v != unknown else v for v in grouped.index]
        fig = go.Figure(go.Bar(x=names, y=grouped.values, marker_color="#2f80ed"))
        fig.update_traces(hovertemplate="%{x}: " + numbers.hover_number("y") + "<extra></extra>")
        fig.update_xaxes(title=t("ui.dim.year", lang), type="category")
        fig.update_yaxes(**_whole_axis({"title": t(f"ui.measure.{measure}", lang)}))
        return _separators(_layout(fig, title, height=360), lang)
    grouped = grouped.head(top)
    names = [
        type_label(v, lang) if dimension == "beneficiary_type" else plot_text(v)
        for v in grouped.index
    ]
    fig = go.Figure(go.Bar(y=names, x=grouped.values, orientation="h", marker_color="#2f80ed"))
    fig.update_traces(hovertemplate="%{y}: " + numbers.hover_number("x") + "<extra></extra>")
    fig.update_yaxes(autorange="reversed", automargin=True, title=None)
    fig.update_xaxes(**_whole_axis({"title": t(f"ui.measure.{measure}", lang)}))
    return _separators(_layout(fig, title, height=140 + 30 * len(grouped)), lang)
