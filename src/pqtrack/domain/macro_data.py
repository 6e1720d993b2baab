"""The yearly macro data's columns: read from a macro file by the TFP job, kept by the store."""

from __future__ import annotations

# The columns a macro file gives (``year`` to ``source``).
MACRO_COLUMNS: tuple[str, ...] = (
    "year",
    "grdp",
    "capital_stock",
    "investment",
    "labour",
    "capital_share",
    "source",
)
# One year's row as parsed and as stored: the file's columns plus the placeholder flag.
FRAME_COLUMNS: tuple[str, ...] = (*MACRO_COLUMNS, "placeholder")
