"""Who was helped: totals, breakdowns by dimension, their charts and tables."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from pqtrack.domain import plan
from pqtrack.domain.filters import RecordFilter
from pqtrack.figures import queries
from pqtrack.i18n import t
from pqtrack.presentation import charts, numbers, views
from pqtrack.service.tables import Table
from pqtrack.store import Store

MEASURES: tuple[str, ...] = ("turns", "quantity", "beneficiaries", "funding_vnd")
DIMENSIONS: tuple[str, ...] = views.BREAKDOWN_DIMENSIONS
NOTED_DIMENSIONS: tuple[str, ...] = ("district", "commune")  # a caveat under their tab


def totals(store: Store, flt: RecordFilter) -> dict:
    """Return the support turns, quantity, distinct beneficiaries and funding for ``flt``."""
    return queries.beneficiary_totals(store, flt)


def breakdown(store: Store, dimension: str, flt: RecordFilter) -> pd.DataFrame:
    """Return the measures per indicator and value of ``dimension`` for ``flt``."""
    return queries.breakdown(store, dimension, flt)


def measure_label(measure: str, lang: str) -> str:
    """Return a measure's name in ``lang``."""
    return t(f"ui.measure.{measure}", lang)


def dimension_label(dimension: str, lang: str) -> str:
    """Return a breakdown dimension's name in ``lang``."""
    return t(f"ui.dim.{dimension}", lang)


def dimension_note(dimension: str, lang: str) -> str | None:
    """Return the caveat shown under a dimension's tab, if it has one."""
    return t(f"ui.ben.note_{dimension}", lang) if dimension in NOTED_DIMENSIONS else None


def metrics(tot: dict, lang: str) -> list[tuple[str, str]]:
    """Return the totals (from :func:`totals`) as (label, written value) pairs, in order."""
    written = {
        m: numbers.money(tot[m], lang) if m == "funding_vnd" else numbers.integer(tot[m], lang)
        for m in MEASURES
    }
    return [(measure_label(m, lang), written[m]) for m in MEASURES]


def table_kinds(lang: str) -> dict[str, str]:
    """Return how the breakdown tables' numbers are written (headers as ``breakdown_table``)."""
    heads = {t(f"ui.measure.{m}", lang): "int" for m in ("turns", "quantity", "beneficiaries")}
    return {**heads, t("ui.measure.funding_vnd", lang): "money"}


def breakdown_table(df: pd.DataFrame, dimension: str, lang: str) -> Table:
    """Return a breakdown (from :func:`breakdown`) as a table with words for codes."""
    return Table(views.breakdown_table(df, dimension, lang), table_kinds(lang))


def type_chart(by_type: pd.DataFrame, measure: str, phase_code: str, lang: str) -> go.Figure:
    """Return the stacked chart of ``measure`` by beneficiary type for the phase."""
    phase = plan.phase(phase_code).label
    title = t("ui.ben.by_type", lang, measure=measure_label(measure, lang), phase=phase)
    return charts.stacked_by_type(by_type, measure, lang, title)


def dimension_chart(df: pd.DataFrame, dimension: str, measure: str, lang: str) -> go.Figure:
    """Return the bar chart of ``measure`` by ``dimension``."""
    title = t(
        "ui.ben.by_dim",
        lang,
        measure=measure_label(measure, lang),
        dim=dimension_label(dimension, lang).lower(),
    )
    return charts.bar_breakdown(df, dimension, measure, lang, title)
