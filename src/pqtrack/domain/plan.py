"""The plan: indicators, phases and their targets, read from ``data/plan``.

``plan-targets.csv`` has one row per indicator and phase. Its ``due`` column says when a
target falls due: ``pro_rata`` (step by step: by any day, the share of the phase elapsed is
due) or ``phase_end`` (due once, in the phase's last year, e.g. the TFP computation, which
needs the whole phase's figures). See :mod:`pqtrack.domain.progress` for the status rule.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from pqtrack.paths import data_dir


@dataclass(frozen=True)
class Phase:
    """A plan phase with its first and last day."""

    code: str
    start: date
    end: date

    def contains(self, day: date) -> bool:
        """Return whether ``day`` falls inside the phase."""
        return self.start <= day <= self.end

    @property
    def label(self) -> str:
        """Return the phase as shown to users, e.g. ``2021–2025``."""
        return f"{self.start.year}–{self.end.year}"


@dataclass(frozen=True)
class Target:
    """One indicator's target in one phase."""

    indicator: str
    phase: str
    target: int
    comparison: str
    unit_en: str
    unit_vi: str
    label_en: str
    label_vi: str
    due: str = "pro_rata"

    def label(self, lang: str) -> str:
        """Return the indicator's label in ``lang`` (``vi`` or ``en``)."""
        return self.label_vi if lang == "vi" else self.label_en

    def unit(self, lang: str) -> str:
        """Return the indicator's unit in ``lang``."""
        return self.unit_vi if lang == "vi" else self.unit_en


DUE_KINDS: tuple[str, ...] = ("pro_rata", "phase_end")

PHASES: tuple[Phase, ...] = (
    Phase("2021-2025", date(2021, 1, 1), date(2025, 12, 31)),
    Phase("2026-2030", date(2026, 1, 1), date(2030, 12, 31)),
)
PHASE_CODES: tuple[str, ...] = tuple(p.code for p in PHASES)


def phase(code: str) -> Phase:
    """Return the phase with ``code`` (``2021-2025`` or ``2026-2030``)."""
    for p in PHASES:
        if p.code == code:
            return p
    raise KeyError(code)


def phase_for(day: date) -> Phase:
    """Return the phase containing ``day``, or the nearest one outside the plan period."""
    for p in PHASES:
        if p.contains(day):
            return p
    return PHASES[0] if day < PHASES[0].start else PHASES[-1]


def plan_file() -> Path:
    """Return the path of the targets table."""
    return data_dir() / "plan" / "plan-targets.csv"


def due_year(target: Target) -> int | None:
    """Return the year a target due once falls due (its phase's last year), else None."""
    return phase(target.phase).end.year if target.due == "phase_end" else None


@cache
def _load(path: Path) -> tuple[Target, ...]:
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    for line, r in enumerate(rows, start=2):
        if r.get("due") not in DUE_KINDS:
            raise ValueError(
                f"{path.name} row {line}, column due: {r.get('due')!r} not in {DUE_KINDS}"
            )
    return tuple(
        Target(
            indicator=r["indicator"],
            phase=r["phase"],
            target=int(r["target"]),
            comparison=r["comparison"],
            unit_en=r["unit_en"],
            unit_vi=r["unit_vi"],
            label_en=r["label_en"],
            label_vi=r["label_vi"],
            due=r["due"],
        )
        for r in rows
    )


def targets(phase_code: str | None = None) -> list[Target]:
    """Return the plan's targets, optionally for one phase, in plan order."""
    rows = _load(plan_file())
    return [t for t in rows if phase_code is None or t.phase == phase_code]


def indicators() -> list[str]:
    """Return the indicator codes in plan order."""
    seen: dict[str, None] = {}
    for t in targets():
        seen.setdefault(t.indicator, None)
    return list(seen)


def target_for(indicator: str, phase_code: str) -> Target:
    """Return the target of ``indicator`` in ``phase_code``."""
    for t in targets(phase_code):
        if t.indicator == indicator:
            return t
    raise KeyError((indicator, phase_code))
