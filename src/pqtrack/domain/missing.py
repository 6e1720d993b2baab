"""What a missing value is, and how every page, report, CLI line and message writes one."""

from __future__ import annotations

import math

import pandas as pd

MISSING = "—"  # how a missing value is written


def is_missing(value: object) -> bool:
    """Return whether ``value`` is missing (None, NA, NaT or NaN), shown as :data:`MISSING`."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    try:
        return math.isnan(value)  # type: ignore[arg-type]
    except TypeError:
        return False
