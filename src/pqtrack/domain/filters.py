"""The record filter shared by the records page, exports, breakdowns and the CLI."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from pqtrack.domain.plan import phase as get_phase


@dataclass(frozen=True)
class RecordFilter:
    """Which records to show: every field narrows the set; empty means no narrowing."""

    phase: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    indicators: tuple[str, ...] = field(default_factory=tuple)
    beneficiary_types: tuple[str, ...] = field(default_factory=tuple)
    localities: tuple[str, ...] = field(default_factory=tuple)
    sectors: tuple[str, ...] = field(default_factory=tuple)
    search: str = ""
    batch_id: int | None = None

    def window(self) -> tuple[date | None, date | None]:
        """Return the effective date window (the phase intersected with from/to)."""
        start, end = self.date_from, self.date_to
        if self.phase:
            p = get_phase(self.phase)
            start = max(start, p.start) if start else p.start
            end = min(end, p.end) if end else p.end
        return start, end

    def with_(self, **changes: object) -> RecordFilter:
        """Return a copy with ``changes`` applied."""
        return replace(self, **changes)
