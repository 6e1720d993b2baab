"""Targets vs actuals: percent, pace, status and the run-rate still needed.

The status rule. A target met is ``achieved``; after its phase an unmet one is
``not_achieved``; before the phase, ``not_started``. In between it is judged against what is
due by the day: for a ``pro_rata`` target, the target × the share of the phase elapsed; for a
target due once (``phase_end`` in the plan file, e.g. the TFP computation) nothing is due
before its due year (``not_yet_due``), and in that year the target × the share of the year
elapsed. At or above what is due: ``on_track``; at or above 70 % of it: ``at_risk``; below:
``behind``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, timedelta

from pqtrack.domain import plan

AT_RISK_SHARE = 0.7
STATUSES = (
    "achieved",
    "on_track",
    "at_risk",
    "behind",
    "not_yet_due",
    "not_achieved",
    "not_started",
)


@dataclass(frozen=True)
class Progress:
    """One indicator's standing in one phase as of a date."""

    indicator: str
    phase: str
    target: int
    actual: int
    percent: float
    expected: float
    status: str
    needed_per_year: float | None
    remaining: int
    turns: int = 0
    beneficiaries: int = 0
    funding_vnd: int = 0
    due_year: int | None = None

    def as_dict(self) -> dict:
        """Return the progress as a plain dict (JSON-ready)."""
        return asdict(self)


def elapsed_share(phase: plan.Phase, as_of: date) -> float:
    """Return the share of the phase's days elapsed by the end of ``as_of`` (0..1)."""
    if as_of < phase.start:
        return 0.0
    if as_of >= phase.end:
        return 1.0
    total = (phase.end - phase.start).days + 1
    return ((as_of - phase.start).days + 1) / total


def due_share(target: plan.Target, as_of: date) -> float:
    """Return the share of ``target`` due by the end of ``as_of`` (0..1), per its ``due`` kind."""
    ph = plan.phase(target.phase)
    year = plan.due_year(target)
    if year is None:
        return elapsed_share(ph, as_of)
    return elapsed_share(plan.Phase(ph.code, date(year, 1, 1), ph.end), as_of)


def years_remaining(phase: plan.Phase, as_of: date) -> float:
    """Return the years left in the phase after ``as_of``."""
    if as_of >= phase.end:
        return 0.0
    start = max(as_of, phase.start - timedelta(days=1))
    return (phase.end - start).days / 365.25


def status_for(
    actual: float,
    target: float,
    expected: float,
    phase: plan.Phase,
    as_of: date,
    due_year: int | None = None,
) -> str:
    """Return the status (see the module's rule); ``due_year`` for a target due once."""
    if actual >= target:
        return "achieved"
    if as_of > phase.end:
        return "not_achieved"
    if as_of < phase.start:
        return "not_started"
    if due_year is not None and as_of.year < due_year:
        return "not_yet_due"
    if actual >= expected:
        return "on_track"
    if actual >= AT_RISK_SHARE * expected:
        return "at_risk"
    return "behind"


def _whole(value: object) -> int:
    """Return ``value`` as an int, with missing values (None, NaN, NA) as 0."""
    try:
        return 0 if value is None or value != value else int(value)
    except TypeError:
        return 0


def compute(
    phase_code: str,
    as_of: date,
    actuals: dict[str, dict],
) -> list[Progress]:
    """Return the progress of every indicator of the phase from per-indicator actual figures."""
    ph = plan.phase(phase_code)
    left = years_remaining(ph, as_of)
    out = []
    for tgt in plan.targets(phase_code):
        figures = actuals.get(tgt.indicator, {})
        actual = _whole(figures.get("actual"))
        expected = tgt.target * due_share(tgt, as_of)
        due_year = plan.due_year(tgt)
        remaining = max(tgt.target - actual, 0)
        needed = None if left <= 0 else remaining / left
        out.append(
            Progress(
                indicator=tgt.indicator,
                phase=phase_code,
                target=tgt.target,
                actual=actual,
                percent=round(100.0 * actual / tgt.target, 1) if tgt.target else 0.0,
                expected=round(expected, 2),
                status=status_for(actual, tgt.target, expected, ph, as_of, due_year),
                needed_per_year=None if needed is None else round(needed, 2),
                remaining=remaining,
                turns=_whole(figures.get("turns")),
                beneficiaries=_whole(figures.get("beneficiaries")),
                funding_vnd=_whole(figures.get("funding_vnd")),
                due_year=due_year,
            )
        )
    return out


def summary_counts(rows: list[Progress]) -> dict[str, int]:
    """Return how many indicators are in each status."""
    counts = {s: 0 for s in STATUSES}
    for row in rows:
        counts[row.status] += 1
    return counts
