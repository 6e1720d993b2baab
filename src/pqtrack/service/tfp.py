"""The TFP estimate for the TFP page and ``pqtrack tfp``: results, charts, tables, downloads.

The input is the current macro data (:mod:`pqtrack.service.macro`); b_K and δ are the
user's; the sensitivity band does not depend on them, so a page can compute it once.
The tables and downloads (``pqtrack.tfp.export``, which loads the store and Excel writers)
are imported on first use: ``pqtrack tfp`` needs only the model.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from pqtrack.domain import plan
from pqtrack.tfp import capital, charts, model
from pqtrack.tfp.model import PhaseResult, TfpResult

DEFAULT_CAPITAL_SHARE = model.DEFAULT_CAPITAL_SHARE
DEFAULT_DEPRECIATION = capital.DEFAULT_DEPRECIATION
NEAR_ZERO_GROWTH_PP = model.NEAR_ZERO_GROWTH_PP
METHOD_PIM = capital.METHOD_PIM
METHOD_STOCK = capital.METHOD_STOCK


def sensitivity_band(frame: pd.DataFrame) -> dict[str, tuple[float | None, float | None]]:
    """Return each phase's TFP share range over the b_K × δ grid."""
    return model.sensitivity_band(frame)


def estimate(
    frame: pd.DataFrame,
    capital_share: float | None = None,
    depreciation: float = DEFAULT_DEPRECIATION,
    band: dict[str, tuple[float | None, float | None]] | None = None,
) -> TfpResult:
    """Return the TFP decomposition; with ``band`` (see :func:`sensitivity_band`) set on it.

    Without ``band`` the band is computed here. Raises ``ValueError`` for parameters out of
    range.
    """
    if band is None:
        return model.compute(frame, capital_share, depreciation)
    from pqtrack.tfp import export

    result = model.compute(frame, capital_share, depreciation, band=False)
    return export.with_band(result, band)


def headline_phase(result: TfpResult, code: str) -> tuple[PhaseResult, PhaseResult | None]:
    """Return the phase ``code`` and, when it has no share, the latest phase that has one."""
    from pqtrack.tfp import export

    return export.headline_phase(result, code)


def phase_label(code: str) -> str:
    """Return a plan phase's label."""
    return plan.phase(code).label


def phase_dash(code: str) -> str:
    """Return a phase code as written in headings (an en dash between the years)."""
    from pqtrack.tfp import export

    return export.dash(code)


def flag_text(flag: str | None, lang: str) -> str:
    """Return why a phase has no share, in words (empty when it has one)."""
    from pqtrack.tfp import export

    return export.flag_text(flag, lang)


def contributions_figure(result: TfpResult, lang: str) -> go.Figure:
    """Return the yearly growth contributions chart."""
    return charts.contributions_figure(result, lang)


def phase_share_figure(result: TfpResult, lang: str) -> go.Figure:
    """Return the phase TFP share chart with its bands and the national lines."""
    return charts.phase_share_figure(result, lang)


def benchmark_table(lang: str) -> pd.DataFrame:
    """Return the national comparison lines with their sources."""
    from pqtrack.tfp import export

    return export.benchmark_table(lang)


def display_table(result: TfpResult, frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Return the yearly results as the page shows them."""
    from pqtrack.tfp import export

    return export.display_table(result, frame, lang)


def csv_bytes(result: TfpResult, frame: pd.DataFrame) -> bytes:
    """Return the yearly results as CSV (UTF-8 with BOM)."""
    from pqtrack.tfp import export

    return export.csv_bytes(result, frame)


def xlsx_bytes(result: TfpResult, frame: pd.DataFrame, lang: str, source_note: str) -> bytes:
    """Return the results as an XLSX workbook (years, phases, parameters)."""
    from pqtrack.tfp import export

    return export.xlsx_bytes(result, frame, lang, source_note)


def xlsx_mime() -> str:
    """Return the download type of the XLSX results."""
    from pqtrack.tfp import export

    return export.XLSX_MIME
