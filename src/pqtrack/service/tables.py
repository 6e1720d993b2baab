"""A table ready to show: its frame and how each number column is written."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd


@dataclass(frozen=True)
class Table:
    """A frame with headers in the user's language and the ``numbers`` kind of its columns."""

    frame: pd.DataFrame
    kinds: dict[str, str] = field(default_factory=dict)
