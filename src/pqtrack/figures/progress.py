"""A phase's progress: each indicator's actual figures against the plan, as of a date."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd

from pqtrack.domain import plan, progress
from pqtrack.figures import queries
from pqtrack.store import Store


def phase_progress(
    store: Store, phase_code: str, as_of: date, at: datetime | None = None
) -> list[progress.Progress]:
    """Return every indicator's progress in a phase as of a date (``at``: as stored then)."""
    ph = plan.phase(phase_code)
    end = min(as_of, ph.end)
    df = queries.actuals(store, ph.start, end, at)
    figures = {row["indicator"]: row for row in df.to_dict("records")}
    return progress.compute(phase_code, as_of, figures)


def cumulative_series(store: Store, phase_code: str, as_of: date) -> pd.DataFrame:
    """Return the cumulative actual per indicator and day within the phase up to ``as_of``."""
    ph = plan.phase(phase_code)
    return queries.cumulative(store, ph.start, min(as_of, ph.end))
