"""Where support went: values per 2025 ward/commune or former district, for the map page."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from pqtrack.domain import localities
from pqtrack.domain.filters import RecordFilter
from pqtrack.figures import queries
from pqtrack.i18n import t
from pqtrack.presentation import map_chart, map_view, numbers
from pqtrack.service.tables import Table
from pqtrack.store import Store

LEVELS: tuple[str, ...] = map_view.LEVELS
METRICS: tuple[str, ...] = map_view.METRICS
PLOTLY_CONFIG: dict = map_chart.PLOTLY_CONFIG


def map_values(store: Store, level: str, flt: RecordFilter) -> tuple[pd.DataFrame, dict]:
    """Return the measures per unit of ``level`` and the rest (unmatched, no locality)."""
    return queries.map_values(store, level, flt)


def default_level(phase_code: str) -> str:
    """Return the level a phase's records name (former districts before the reorganisation)."""
    return map_view.default_level(phase_code)


def level_label(level: str, lang: str) -> str:
    """Return the level switch's label in ``lang``."""
    return map_view.level_label(level, lang)


def metric_label(metric: str, lang: str) -> str:
    """Return a map metric's name with its unit in ``lang``."""
    return map_view.metric_label(metric, lang)


@dataclass(frozen=True)
class MapView:
    """What the map page shows for one selection, every text in the user's language."""

    empty: bool  # no record at all in the selection
    coverage: str  # "reached of total" units
    missing_count: str
    missing_list: str | None  # the units without support, when there are some
    figure: go.Figure
    attribution: str
    notes: list[str]
    table: Table


def map_view_of(
    units: pd.DataFrame, rest: dict, level: str, metric: str, phase_code: str, lang: str
) -> MapView:
    """Return the map, coverage, notes and table for ``map_values`` output and a metric."""
    reached, missing = map_view.coverage(units, level)
    label = metric_label(metric, lang)
    total = len(reached) + len(missing)
    return MapView(
        empty=map_view.is_empty(units, rest),
        coverage=t("mapui.coverage_value", lang, reached=len(reached), total=total),
        missing_count=numbers.integer(len(missing), lang),
        missing_list=t("mapui.missing_list", lang, units=", ".join(missing)) if missing else None,
        figure=map_chart.choropleth(map_view.values(units, metric), level, label, lang),
        attribution=localities.attribution(lang),
        notes=map_view.notes(rest, level, phase_code, metric, lang),
        table=Table(
            map_view.table(units, rest, level, metric, lang),
            {label: map_view.number_kind(metric)},
        ),
    )
