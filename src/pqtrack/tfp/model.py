"""TFP growth accounting (``shared/spec/tfp.md``): G_A = G_Y − b_K·G_K − (1 − b_K)·G_L.

All growth rates are simple year-on-year percent changes (percentage points when added up).
This is an accounting decomposition of growth, not a measure of what the support program
caused.

Conventions:

- Capital share b_K, per year: the explicit ``capital_share`` argument, else that year's
  ``capital_share`` cell of the file, else :data:`DEFAULT_CAPITAL_SHARE`.
- Capital: the ``capital_stock`` column when it has at least one value; otherwise the perpetual
  inventory method on ``investment`` (:func:`perpetual_inventory`).
- A year's TFP share G_A / G_Y is left out (``None``, with a flag) when |G_Y| is below
  :data:`NEAR_ZERO_GROWTH_PP` or an input is missing.
- A phase uses the *average* of the yearly growth rates over the years of the phase that have
  all inputs; phase share = avg G_A / avg G_Y. Missing years are listed, never interpolated.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from pqtrack.domain.plan import PHASES
from pqtrack.tfp.capital import (
    DEFAULT_DEPRECIATION,
    METHOD_PIM,
    CapitalSeries,
    capital_series,
    full_years,
    growth_pct,
)

# Đồng Tháp 2021 study (a comparable Mekong province), as cited in shared/spec/tfp.md.
DEFAULT_CAPITAL_SHARE = 0.3524
# |G_Y| below this many percentage points makes G_A / G_Y meaningless (2021: +1.18 %).
NEAR_ZERO_GROWTH_PP = 1.5
CAPITAL_SHARE_GRID: tuple[float, ...] = (0.25, 0.30, 0.35, 0.40, 0.45, 0.50)
DEPRECIATION_GRID: tuple[float, ...] = (0.03, 0.04, 0.05, 0.06, 0.07)

# Flags (message key ``tfp.flag.<flag>``).
FLAG_BASE_YEAR = "base_year"
FLAG_MISSING = "missing_input"
FLAG_NEAR_ZERO = "near_zero_growth"
FLAG_NO_DATA = "no_data"


@dataclass(frozen=True)
class Benchmark:
    """A national TFP-contribution figure or target used as a comparison line (percent)."""

    period: str
    value: float
    kind: str  # "actual" or "target"
    relation: str  # "=", "≈" or ">"
    source: str


NATIONAL_BENCHMARKS: tuple[Benchmark, ...] = (
    Benchmark("2011-2015", 33.58, "actual", "=", "national figure as cited in spec/tfp.md"),
    Benchmark("2016-2020", 45.0, "actual", "≈", "national figure as cited in spec/tfp.md"),
    Benchmark("2021-2025", 45.0, "target", "≈", "13th Party Congress"),
    Benchmark("2026-2030", 55.0, "target", ">", "Resolution 57-NQ/TW (2024), by 2030"),
)


@dataclass(frozen=True)
class PhaseResult:
    """A plan phase's average growth rates (percent) and TFP share of growth."""

    phase: str
    years_used: list[int]
    missing_years: list[int]
    gdp_growth: float | None
    capital_growth: float | None
    labour_growth: float | None
    capital_contribution: float | None
    labour_contribution: float | None
    tfp_growth: float | None
    tfp_share: float | None
    flag: str | None
    placeholder: bool
    band_min: float | None = None
    band_max: float | None = None


@dataclass
class TfpResult:
    """Yearly decomposition (``years``), phases, the parameters used and capital warnings.

    ``years`` has one row per year from the first to the last year of the file (gaps
    included, with NaN), columns: ``year, grdp, capital, labour, capital_share,
    capital_share_source, gdp_growth, capital_growth, labour_growth, capital_contribution,
    labour_contribution, tfp_growth, tfp_share, flag, placeholder`` (growth in percent).
    """

    years: pd.DataFrame
    phases: list[PhaseResult]
    capital: CapitalSeries
    capital_share: float | None
    depreciation: float
    warnings: list[str] = field(default_factory=list)

    def phase(self, code: str) -> PhaseResult:
        """Return the result of phase ``code`` (e.g. ``2021-2025``)."""
        for p in self.phases:
            if p.phase == code:
                return p
        raise KeyError(code)

    def year_rows(self) -> pd.DataFrame:
        """Return the yearly rows without the first (base) year of the series."""
        return self.years.iloc[1:].reset_index(drop=True)

    def to_json_dict(self) -> dict[str, object]:
        """Return ``{"years": [...], "phases": [...], "parameters": {...}}`` ready for JSON."""
        years = [
            {
                "year": int(r.year),
                "gdp_growth": _num(r.gdp_growth),
                "capital_growth": _num(r.capital_growth),
                "labour_growth": _num(r.labour_growth),
                "capital_contribution": _num(r.capital_contribution),
                "labour_contribution": _num(r.labour_contribution),
                "tfp_growth": _num(r.tfp_growth),
                "tfp_share": _num(r.tfp_share),
                "capital_share": _num(r.capital_share),
                "flag": r.flag,
                "placeholder": bool(r.placeholder),
            }
            for r in self.year_rows().itertuples(index=False)
        ]
        phases = [
            {
                "phase": p.phase,
                "tfp_share": _num(p.tfp_share),
                "years_used": p.years_used,
                "missing_years": p.missing_years,
                "band_min": _num(p.band_min),
                "band_max": _num(p.band_max),
                "gdp_growth": _num(p.gdp_growth),
                "tfp_growth": _num(p.tfp_growth),
                "flag": p.flag,
                "placeholder": p.placeholder,
            }
            for p in self.phases
        ]
        parameters = {
            "capital_share": self.capital_share,
            "default_capital_share": DEFAULT_CAPITAL_SHARE,
            "depreciation": self.depreciation,
            "capital_method": self.capital.method,
            "pim_initial_stock": _num(self.capital.initial_stock),
            "pim_investment_growth": _num(self.capital.investment_growth),
            "pim_growth_years": list(self.capital.growth_years),
            "near_zero_growth_pp": NEAR_ZERO_GROWTH_PP,
            "warnings": list(self.warnings),
        }
        return {"years": years, "phases": phases, "parameters": parameters}


def _num(value: object, digits: int = 4) -> float | None:
    if value is None:
        return None
    x = float(value)  # type: ignore[arg-type]
    return None if math.isnan(x) else round(x, digits)


def _check_params(capital_share: float | None, depreciation: float) -> None:
    if capital_share is not None and not 0.0 < capital_share < 1.0:
        raise ValueError(f"capital share must be in (0, 1), got {capital_share}")
    if not 0.0 <= depreciation < 1.0:
        raise ValueError(f"depreciation must be in [0, 1), got {depreciation}")


def year_table(
    frame: pd.DataFrame,
    capital_share: float | None = None,
    depreciation: float = DEFAULT_DEPRECIATION,
    capital_method: str = "auto",
) -> tuple[pd.DataFrame, CapitalSeries]:
    """Return the yearly decomposition table (see :class:`TfpResult`) and the capital series."""
    _check_params(capital_share, depreciation)
    full = full_years(frame)
    capital = capital_series(frame, depreciation, capital_method)
    out = pd.DataFrame(index=full.index)
    out["grdp"] = full["grdp"].astype("float64")
    out["capital"] = capital.values.reindex(full.index)
    out["labour"] = full["labour"].astype("float64")
    file_share = (
        full["capital_share"].astype("float64")
        if "capital_share" in full
        else pd.Series(np.nan, index=full.index)
    )
    if capital_share is not None:
        out["capital_share"] = capital_share
        out["capital_share_source"] = "argument"
    else:
        out["capital_share"] = file_share.fillna(DEFAULT_CAPITAL_SHARE)
        out["capital_share_source"] = np.where(file_share.notna(), "file", "default")
    out["gdp_growth"] = growth_pct(out["grdp"])
    out["capital_growth"] = growth_pct(out["capital"])
    out["labour_growth"] = growth_pct(out["labour"])
    b = out["capital_share"]
    out["capital_contribution"] = b * out["capital_growth"]
    out["labour_contribution"] = (1.0 - b) * out["labour_growth"]
    out["tfp_growth"] = out["gdp_growth"] - out["capital_contribution"] - out["labour_contribution"]
    missing = out[["gdp_growth", "capital_growth", "labour_growth"]].isna().any(axis=1)
    near_zero = ~missing & (out["gdp_growth"].abs() < NEAR_ZERO_GROWTH_PP)
    share = 100.0 * out["tfp_growth"] / out["gdp_growth"]
    out["tfp_share"] = share.where(~missing & ~near_zero)
    flags: list[str | None] = []
    for pos, (is_missing, is_near) in enumerate(zip(missing, near_zero, strict=True)):
        if pos == 0:
            flags.append(FLAG_BASE_YEAR)
        elif is_missing:
            flags.append(FLAG_MISSING)
        elif is_near:
            flags.append(FLAG_NEAR_ZERO)
        else:
            flags.append(None)
    out["flag"] = pd.Series(flags, index=out.index, dtype="object")
    marked = full["placeholder"].astype("bool")
    if capital.method == METHOD_PIM:
        # Every earlier investment figure feeds K_t.
        placeholder = marked.cummax()
    else:
        placeholder = marked | marked.shift(1, fill_value=False)
    out["placeholder"] = placeholder.astype("bool")
    return out.reset_index(), capital


def _empty_phase(code: str, missing: list[int]) -> PhaseResult:
    return PhaseResult(
        phase=code,
        years_used=[],
        missing_years=missing,
        gdp_growth=None,
        capital_growth=None,
        labour_growth=None,
        capital_contribution=None,
        labour_contribution=None,
        tfp_growth=None,
        tfp_share=None,
        flag=FLAG_NO_DATA,
        placeholder=False,
    )


def _phase_results(years: pd.DataFrame) -> list[PhaseResult]:
    results: list[PhaseResult] = []
    by_year = years.set_index("year")
    for ph in PHASES:
        span = list(range(ph.start.year, ph.end.year + 1))
        rows = by_year.reindex(span)
        usable = rows["tfp_growth"].notna()
        used = [int(y) for y in rows.index[usable]]
        missing = [int(y) for y in rows.index[~usable]]
        if not used:
            results.append(_empty_phase(ph.code, missing))
            continue
        sel = rows.loc[used]
        avg = {
            c: float(sel[c].mean())
            for c in (
                "gdp_growth",
                "capital_growth",
                "labour_growth",
                "capital_contribution",
                "labour_contribution",
                "tfp_growth",
            )
        }
        if abs(avg["gdp_growth"]) < NEAR_ZERO_GROWTH_PP:
            share, flag = None, FLAG_NEAR_ZERO
        else:
            share, flag = 100.0 * avg["tfp_growth"] / avg["gdp_growth"], None
        results.append(
            PhaseResult(
                phase=ph.code,
                years_used=used,
                missing_years=missing,
                gdp_growth=avg["gdp_growth"],
                capital_growth=avg["capital_growth"],
                labour_growth=avg["labour_growth"],
                capital_contribution=avg["capital_contribution"],
                labour_contribution=avg["labour_contribution"],
                tfp_growth=avg["tfp_growth"],
                tfp_share=share,
                flag=flag,
                placeholder=bool(sel["placeholder"].any()),
            )
        )
    return results


def sensitivity(
    frame: pd.DataFrame,
    capital_shares: Iterable[float] = CAPITAL_SHARE_GRID,
    depreciations: Iterable[float] = DEPRECIATION_GRID,
    capital_method: str = "auto",
) -> pd.DataFrame:
    """Return the phase TFP shares over a grid: columns ``phase, capital_share, depreciation,
    tfp_share`` (the grid's capital share overrides the file's)."""
    rows: list[dict[str, object]] = []
    shares = list(capital_shares)
    for delta in depreciations:
        for b in shares:
            years, _ = year_table(frame, b, delta, capital_method)
            for p in _phase_results(years):
                rows.append(
                    {
                        "phase": p.phase,
                        "capital_share": b,
                        "depreciation": delta,
                        "tfp_share": np.nan if p.tfp_share is None else p.tfp_share,
                    }
                )
    return pd.DataFrame(rows, columns=["phase", "capital_share", "depreciation", "tfp_share"])


def sensitivity_band(
    frame: pd.DataFrame,
    capital_shares: Iterable[float] = CAPITAL_SHARE_GRID,
    depreciations: Iterable[float] = DEPRECIATION_GRID,
    capital_method: str = "auto",
) -> dict[str, tuple[float | None, float | None]]:
    """Return ``{phase: (min, max)}`` of the phase TFP share over the grid (None if never set)."""
    grid = sensitivity(frame, capital_shares, depreciations, capital_method)
    band: dict[str, tuple[float | None, float | None]] = {}
    for ph in PHASES:
        values = grid.loc[grid["phase"] == ph.code, "tfp_share"].dropna()
        band[ph.code] = (
            (float(values.min()), float(values.max())) if not values.empty else (None, None)
        )
    return band


def compute(
    frame: pd.DataFrame,
    capital_share: float | None = None,
    depreciation: float = DEFAULT_DEPRECIATION,
    *,
    band: bool = True,
    capital_shares: Sequence[float] = CAPITAL_SHARE_GRID,
    depreciations: Sequence[float] = DEPRECIATION_GRID,
    capital_method: str = "auto",
) -> TfpResult:
    """Return the TFP decomposition of a macro frame by year and by plan phase.

    ``frame`` is :attr:`pqtrack.tfp.macro.MacroData.frame`. ``capital_share`` (explicit b_K)
    overrides the file's column; ``depreciation`` is δ for the perpetual inventory method.
    With ``band`` each phase gets ``band_min``/``band_max``: the range of its share over the
    grid ``capital_shares`` × ``depreciations``, widened to include the central estimate.
    Raises ``ValueError`` for parameters out of range (b_K in (0, 1), δ in [0, 1)).
    """
    years, capital = year_table(frame, capital_share, depreciation, capital_method)
    phases = _phase_results(years)
    if band and not frame.empty:
        bands = sensitivity_band(frame, capital_shares, depreciations, capital_method)
        widened: list[PhaseResult] = []
        for p in phases:
            lo, hi = bands.get(p.phase, (None, None))
            if p.tfp_share is not None:
                lo = p.tfp_share if lo is None else min(lo, p.tfp_share)
                hi = p.tfp_share if hi is None else max(hi, p.tfp_share)
            widened.append(replace(p, band_min=lo, band_max=hi))
        phases = widened
    return TfpResult(
        years=years,
        phases=phases,
        capital=capital,
        capital_share=capital_share,
        depreciation=depreciation,
        warnings=list(capital.warnings),
    )
