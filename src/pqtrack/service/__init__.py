"""What the pages and the CLI ask for, composed from store queries and domain rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from pqtrack.domain import plan, progress
from pqtrack.figures import queries
from pqtrack.store import Store
from pqtrack.tfp import macro


@dataclass(frozen=True)
class CurrentMacro:
    """The macro data every TFP figure uses, and where it came from."""

    frame: pd.DataFrame
    file_name: str
    batch: dict | None = None  # the uploaded batch (id, file, when, who); None: the shipped file
    problems: tuple[macro.MacroProblem, ...] = ()  # the shipped file's, if it fails its checks


def current_macro(store: Store | None) -> CurrentMacro:
    """Return the current macro data: the store's newest active macro batch, else the shipped file.

    The TFP page, the report's TFP sheet and ``pqtrack tfp`` all ask here, so they agree.
    """
    stored = store.active_macro() if store is not None else None
    if stored is not None:
        batches = store.batches(kind="macro")
        batch = batches[batches["status"] == "active"].iloc[0].to_dict()
        frame = stored.astype({"year": "int64", "placeholder": "bool"})
        return CurrentMacro(frame, str(batch["file_name"]), batch)
    shipped = macro.load_default()
    return CurrentMacro(
        shipped.frame, macro.default_macro_file().name, None, tuple(shipped.problems)
    )


def phase_progress(store: Store, phase_code: str, as_of: date) -> list[progress.Progress]:
    """Return every indicator's progress in a phase as of a date."""
    ph = plan.phase(phase_code)
    end = min(as_of, ph.end)
    df = queries.actuals(store, ph.start, end)
    figures = {row["indicator"]: row for row in df.to_dict("records")}
    return progress.compute(phase_code, as_of, figures)


def cumulative_series(store: Store, phase_code: str, as_of: date) -> pd.DataFrame:
    """Return the cumulative actual per indicator and day within the phase up to ``as_of``."""
    ph = plan.phase(phase_code)
    return queries.cumulative(store, ph.start, min(as_of, ph.end))
