"""Shaping for the map page (pure: no Streamlit, no SQL).

Turns ``queries.map_values`` output into what ``charts_map`` draws and the page shows:
the value per unit for one metric, the unit table with zeros and the unmatched row,
how many units were reached, and the notes under the map.
"""

from __future__ import annotations

import pandas as pd

from pqtrack.domain import localities, plan
from pqtrack.i18n import t
from pqtrack.presentation import map_chart as charts_map
from pqtrack.presentation import numbers

METRICS: tuple[str, ...] = ("turns", "beneficiaries", "funding_m")
LEVELS: tuple[str, ...] = localities.LEVELS
_SOURCE = {"turns": "turns", "beneficiaries": "beneficiaries", "funding_m": "funding_vnd"}
_SCALE = {"turns": 1, "beneficiaries": 1, "funding_m": 1_000_000}


def _check(metric: str, level: str | None = None) -> None:
    if metric not in METRICS:
        raise ValueError(f"unknown map metric {metric!r}; use one of {METRICS}")
    if level is not None and level not in LEVELS:
        raise ValueError(f"unknown map level {level!r}; use one of {LEVELS}")


def default_level(phase_code: str) -> str:
    """Return the level the phase's records name: former districts if it began before 1/7/2025."""
    return "district" if plan.phase(phase_code).start < localities.REORG_DATE else "commune"


def metric_label(metric: str, lang: str) -> str:
    """Return the metric's name with its unit in ``lang``."""
    _check(metric)
    return t(f"mapui.metric.{metric}", lang)


def level_label(level: str, lang: str) -> str:
    """Return the level switch label in ``lang``."""
    return t(f"mapui.level.{level}", lang)


def values(units: pd.DataFrame, metric: str) -> pd.DataFrame:
    """Return ``units`` (from ``map_values``) as columns ``unit``, ``value`` for ``metric``."""
    _check(metric)
    if units is None or units.empty:
        return pd.DataFrame({"unit": pd.Series(dtype=object), "value": pd.Series(dtype=float)})
    value = pd.to_numeric(units[_SOURCE[metric]]).fillna(0)
    value = value / _SCALE[metric] if _SCALE[metric] != 1 else value.astype("int64")
    return pd.DataFrame({"unit": units["unit"].to_numpy(), "value": value.to_numpy()})


def number_kind(metric: str) -> str:
    """Return the :mod:`pqtrack.presentation.numbers` kind of the metric's values."""
    _check(metric)
    return "dec" if metric == "funding_m" else "int"


def unmatched(rest: dict, metric: str) -> float:
    """Return the unmatched bucket of ``rest`` (from ``map_values``) for ``metric``."""
    _check(metric)
    raw = rest.get(_SOURCE[metric], 0) or 0
    return raw / _SCALE[metric] if _SCALE[metric] != 1 else int(raw)


def table(units: pd.DataFrame, rest: dict, level: str, metric: str, lang: str) -> pd.DataFrame:
    """Return every unit of ``level`` (zeros included) plus the unmatched row, headed in ``lang``.

    The value column is headed with the metric label; the "approximate" column is kept for
    former districts only (outlines rebuilt from the 2025 communes).
    """
    _check(metric, level)
    frame = charts_map.unit_table(values(units, metric), level, unmatched(rest, metric), lang)
    if level != "district":
        frame = frame.drop(columns=["approximate"])
    labels = charts_map.table_labels(lang) | {"value": metric_label(metric, lang)}
    return frame.rename(columns=labels)


def coverage(units: pd.DataFrame, level: str) -> tuple[list[str], list[str]]:
    """Return the full names of the units of ``level`` with support turns and of those without."""
    _check("turns", level)
    frame = charts_map.unit_table(values(units, "turns"), level, 0)
    known = frame.iloc[:-1]  # the last row is the unmatched bucket
    reached = known.loc[known["value"] > 0, "unit"].tolist()
    missing = known.loc[known["value"] <= 0, "unit"].tolist()
    return reached, missing


def is_empty(units: pd.DataFrame, rest: dict) -> bool:
    """Return whether no record at all falls in the selection."""
    placed = 0 if units is None or units.empty else int(units["turns"].sum())
    return placed + int(rest.get("turns", 0) or 0) + int(rest.get("no_locality", 0) or 0) == 0


def notes(rest: dict, level: str, phase_code: str, metric: str, lang: str) -> list[str]:
    """Return the notes shown under the map, in order: level caveat, unmatched, no locality."""
    _check(metric, level)
    out: list[str] = []
    if level == "district":
        out.append(t("mapui.level_note.district", lang))
    elif default_level(phase_code) == "district":
        out.append(t("mapui.level_note.commune_old", lang))
    if metric == "beneficiaries":
        out.append(t("mapui.distinct", lang))
    n_unmatched = int(rest.get("turns", 0) or 0)
    if n_unmatched:
        level_word = t(f"mapui.level_word.{level}", lang)
        out.append(
            t("mapui.unmatched", lang, n=numbers.integer(n_unmatched, lang), level=level_word)
        )
    n_none = int(rest.get("no_locality", 0) or 0)
    if n_none:
        out.append(t("mapui.no_locality", lang, n=numbers.integer(n_none, lang)))
    return out
