"""A phase's progress from the store: actuals per indicator judged by the domain's rules."""

from __future__ import annotations

from datetime import date

from pqtrack.domain import plan, progress
from pqtrack.figures import queries
from pqtrack.store import Store


def phase_progress(store: Store, phase_code: str, as_of: date) -> list[progress.Progress]:
    """Return every indicator's progress in a phase as of a date."""
    ph = plan.phase(phase_code)
    end = min(as_of, ph.end)
    df = queries.actuals(store, ph.start, end)
    figures = {row["indicator"]: row for row in df.to_dict("records")}
    return progress.compute(phase_code, as_of, figures)
