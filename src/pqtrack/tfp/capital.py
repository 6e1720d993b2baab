"""The capital stock the TFP model needs: the file's stock, or the perpetual inventory
method on investment (``shared/spec/tfp.md``)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

DEFAULT_DEPRECIATION = 0.05
# g in K_0 = I_1 / (g + δ): mean of the first this-many yearly growth rates of investment.
PIM_GROWTH_YEARS = 3

# Warnings about the capital series (message key ``tfp.warning.<code>``).
W_NO_CAPITAL = "no_capital_data"
W_PIM_TOO_SHORT = "pim_too_short"
W_PIM_NONPOSITIVE = "pim_g_plus_delta_nonpositive"
W_PIM_GAP = "pim_investment_gap"

METHOD_STOCK = "stock"
METHOD_PIM = "pim"


@dataclass(frozen=True)
class CapitalSeries:
    """The capital stock by year and how it was obtained.

    ``initial_stock`` is K_0, the stock at the end of the year before ``start_year``;
    ``investment_growth`` is g (a fraction) and ``growth_years`` the years whose growth over
    the previous year was averaged into g. Both are ``None`` for the ``stock`` method.
    """

    values: pd.Series
    method: str
    start_year: int | None = None
    initial_stock: float | None = None
    investment_growth: float | None = None
    growth_years: tuple[int, ...] = ()
    warnings: tuple[str, ...] = ()


def growth_pct(series: pd.Series) -> pd.Series:
    """Return the year-on-year percent growth of a series indexed by consecutive years."""
    return 100.0 * (series / series.shift(1) - 1.0)


def perpetual_inventory(investment: pd.Series, depreciation: float) -> CapitalSeries:
    """Return capital by K_t = (1 − δ)·K_{t−1} + I_t, K_0 = I_1 / (g + δ).

    ``investment`` is indexed by consecutive years. The recursion starts at the first year
    with investment (year 1, I_1); K_0 is the stock at the end of the year before. g is the
    mean of the first :data:`PIM_GROWTH_YEARS` growth rates I_2/I_1 − 1, I_3/I_2 − 1,
    I_4/I_3 − 1 (fewer if the series is shorter; at least one is needed). The recursion
    stops at the first year without investment (later years are NaN, warning
    ``pim_investment_gap``). If g + δ ≤ 0 there is no meaningful K_0: all years are NaN with
    warning ``pim_g_plus_delta_nonpositive``.
    """
    values = pd.Series(np.nan, index=investment.index, dtype="float64")
    inv = investment.astype("float64")
    present = inv.dropna()
    if present.empty:
        return CapitalSeries(values, METHOD_PIM, warnings=(W_NO_CAPITAL,))
    start = int(present.index[0])
    run: list[tuple[int, float]] = []
    for year in inv.loc[start:].index:
        if math.isnan(inv.loc[year]):
            break
        run.append((int(year), float(inv.loc[year])))
    warnings: list[str] = []
    if len(run) < len(inv.loc[start:]) and inv.loc[start:].iloc[len(run) :].notna().any():
        warnings.append(W_PIM_GAP)
    rates: list[float] = []
    growth_years: list[int] = []
    for (_, prev), (year, cur) in zip(run, run[1:], strict=False):
        if len(rates) == PIM_GROWTH_YEARS or prev <= 0:
            break
        rates.append(cur / prev - 1.0)
        growth_years.append(year)
    if not rates:
        return CapitalSeries(values, METHOD_PIM, start, warnings=(*warnings, W_PIM_TOO_SHORT))
    g = sum(rates) / len(rates)
    if g + depreciation <= 0:
        return CapitalSeries(
            values,
            METHOD_PIM,
            start,
            investment_growth=g,
            growth_years=tuple(growth_years),
            warnings=(*warnings, W_PIM_NONPOSITIVE),
        )
    k0 = run[0][1] / (g + depreciation)
    k = k0
    for year, i in run:
        k = (1.0 - depreciation) * k + i
        values.loc[year] = k
    return CapitalSeries(values, METHOD_PIM, start, k0, g, tuple(growth_years), tuple(warnings))


def capital_series(
    frame: pd.DataFrame, depreciation: float = DEFAULT_DEPRECIATION, method: str = "auto"
) -> CapitalSeries:
    """Return the capital stock for the years of ``frame`` (indexed by consecutive years).

    ``method``: ``stock`` (the ``capital_stock`` column), ``pim`` (from ``investment``) or
    ``auto`` (``stock`` if that column has any value, else ``pim``).
    """
    filled = full_years(frame)
    stock = filled["capital_stock"] if "capital_stock" in filled else None
    if method == "auto":
        method = METHOD_STOCK if stock is not None and stock.notna().any() else METHOD_PIM
    if method == METHOD_STOCK:
        if stock is None or stock.notna().sum() == 0:
            empty = pd.Series(np.nan, index=filled.index, dtype="float64")
            return CapitalSeries(empty, METHOD_STOCK, warnings=(W_NO_CAPITAL,))
        return CapitalSeries(stock.astype("float64"), METHOD_STOCK)
    if method != METHOD_PIM:
        raise ValueError(f"unknown capital method {method!r}")
    if "investment" not in filled:
        empty = pd.Series(np.nan, index=filled.index, dtype="float64")
        return CapitalSeries(empty, METHOD_PIM, warnings=(W_NO_CAPITAL,))
    return perpetual_inventory(filled["investment"], depreciation)


def full_years(frame: pd.DataFrame) -> pd.DataFrame:
    """Return ``frame`` indexed by every year from its first to its last (gaps as NaN rows)."""
    if frame.empty:
        return frame.set_index("year")
    years = range(int(frame["year"].min()), int(frame["year"].max()) + 1)
    out = frame.set_index("year").reindex(years)
    out.index.name = "year"
    if "placeholder" in out:
        out["placeholder"] = out["placeholder"].astype("boolean").fillna(False).astype("bool")
    else:
        out["placeholder"] = False
    return out
