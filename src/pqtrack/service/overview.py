"""The overview page's charts (figures: ``service.progress``; report: ``service.reports``)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import plotly.graph_objects as go

from pqtrack.domain import plan
from pqtrack.domain.progress import Progress
from pqtrack.presentation import charts
from pqtrack.service.records import XLSX_MIME

__all__ = ["XLSX_MIME", "cumulative_chart", "target_chart"]


def target_chart(rows: list[Progress], phase_code: str, lang: str) -> go.Figure:
    """Return the chart of every indicator's actual against its target."""
    return charts.target_vs_actual(rows, lang, plan.phase(phase_code).label)


def cumulative_chart(
    series: pd.DataFrame, indicator: str, phase_code: str, as_of: date, lang: str
) -> go.Figure:
    """Return one indicator's cumulative actual with its target and pace lines."""
    return charts.cumulative_line(series, indicator, phase_code, as_of, lang)
