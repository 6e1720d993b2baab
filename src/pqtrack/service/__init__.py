"""What the pages and the CLI ask for, composed from store queries and domain rules."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

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
