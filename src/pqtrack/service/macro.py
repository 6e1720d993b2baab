"""Macro data for the TFP estimate: the current data, macro uploads, the template file.

Which macro data is current has one home, :func:`pqtrack.tfp.macro.current`; the page,
the report and ``pqtrack tfp`` all reach it (here, or from the report itself). Uploads
load the store's modules on first use: ``pqtrack tfp --macro FILE`` opens no store.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from pqtrack.i18n import t
from pqtrack.presentation import numbers
from pqtrack.tfp import macro
from pqtrack.tfp.macro import Current, MacroData

if TYPE_CHECKING:
    from pqtrack.store import Store


def current(store: Store | None) -> Current:
    """Return the current macro data: the newest active uploaded batch, else the shipped file."""
    return macro.current(store)


def source_note(data: Current, lang: str) -> tuple[str, str]:
    """Return where the current data came from, in words, and a short tag for widget keys."""
    batch = data.batch
    if batch is None:
        return t("tfpui.source.default", lang, file=data.file_name), "default"
    note = t(
        "tfpui.source.stored",
        lang,
        batch=int(batch["batch_id"]),
        file=data.file_name,
        when=numbers.day(batch["created_at"], lang),
        user=batch["user_name"] or numbers.MISSING,
    )
    return note, f"b{int(batch['batch_id'])}"


def placeholder_years(frame: pd.DataFrame) -> list[int]:
    """Return the years whose figures are placeholders, not cited data."""
    return [int(y) for y in frame.loc[frame["placeholder"], "year"]]


def read_file(path: Path) -> MacroData:
    """Return a macro file named on the command line, parsed and checked."""
    return macro.parse_macro_file(path)


def parse_upload(content: bytes) -> MacroData:
    """Return an uploaded macro file parsed and checked (every problem listed)."""
    return macro.parse_macro_bytes(content)


def problems_table(data: MacroData, lang: str) -> pd.DataFrame:
    """Return a macro file's problems: row, column, value and the reason in ``lang``."""
    from pqtrack.tfp import export

    return export.problems_table(data.problems, lang)


def same_upload(store: Store, content: bytes) -> dict | None:
    """Return the active macro batch that stored these very bytes already, if any."""
    from pqtrack.ingest.pipeline import content_hash

    return store.active_batch_with_hash(content_hash(content), kind="macro")


def store_upload(
    store: Store, data: MacroData, file_name: str, content: bytes, user: str | None
) -> int:
    """Store a checked macro file as one batch of kind ``macro``; return its id."""
    from pqtrack.ingest.pipeline import content_hash

    return store.store_macro(data.frame, file_name, content, content_hash(content), user)


def template_name() -> str:
    """Return the shipped macro file's name (the layout an upload follows)."""
    return macro.default_macro_file().name


def template_bytes() -> bytes:
    """Return the shipped macro file's bytes."""
    return macro.default_macro_file().read_bytes()
