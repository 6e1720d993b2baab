"""The records themselves: count, a page at a time with words for codes, and the exports."""

from __future__ import annotations

import math
from typing import BinaryIO

from pqtrack.domain.filters import RecordFilter
from pqtrack.figures import listing
from pqtrack.i18n import t
from pqtrack.presentation import numbers, views
from pqtrack.report import export
from pqtrack.service.tables import Table
from pqtrack.store import Store

PAGE_SIZE = 50
LIST_COLUMNS: tuple[str, ...] = tuple(listing.LIST_COLUMNS)
MISSING = numbers.MISSING  # what an empty cell shows
CSV_MIME = "text/csv"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# How the number columns of the records table are written (``numbers`` kinds), by column name.
RECORD_KINDS: dict[str, str] = {
    "funding_vnd": "money",
    "quantity": "int",
    "participants": "int",
    "batch_id": "code",
}


def count(store: Store, flt: RecordFilter) -> int:
    """Return how many records match ``flt``."""
    return listing.count_records(store, flt)


def page_count(total: int, size: int = PAGE_SIZE) -> int:
    """Return how many pages of ``size`` rows hold ``total`` records (at least one)."""
    return max(1, math.ceil(total / size))


def page(store: Store, flt: RecordFilter, number: int, lang: str, size: int = PAGE_SIZE) -> Table:
    """Return page ``number`` (from 1) of the matching records, newest first, codes in words."""
    df = listing.list_records(store, flt, size, (number - 1) * size)
    return Table(views.label_records(df, lang), RECORD_KINDS)


def count_text(total: int, lang: str) -> str:
    """Return the sentence naming how many records match."""
    return t("ui.records.count", lang, count=numbers.integer(total, lang))


def showing_text(number: int, total: int, lang: str, size: int = PAGE_SIZE) -> str:
    """Return which rows page ``number`` shows out of ``total``."""
    return t(
        "ui.records.showing",
        lang,
        first=numbers.integer((number - 1) * size + 1, lang),
        last=numbers.integer(min(number * size, total), lang),
        total=numbers.integer(total, lang),
    )


def download_hint(total: int, lang: str) -> str:
    """Return the note that a download holds exactly the ``total`` filtered rows."""
    return t("ui.records.download_hint", lang, count=numbers.integer(total, lang))


def file_name(phase_code: str, fmt: str) -> str:
    """Return the download's file name for a phase and format (``csv`` or ``xlsx``)."""
    return f"du-lieu_{phase_code}.{fmt}"


def csv_bytes(store: Store, flt: RecordFilter) -> bytes:
    """Return the records matching ``flt`` as CSV bytes (UTF-8 with BOM)."""
    return export.csv_bytes(store, flt)


def xlsx_bytes(store: Store, flt: RecordFilter, lang: str) -> bytes:
    """Return the records matching ``flt`` as XLSX bytes, headed in ``lang``."""
    return export.xlsx_bytes(store, flt, lang)


def write_export(store: Store, flt: RecordFilter, fh: BinaryIO, fmt: str, lang: str) -> int:
    """Write the records matching ``flt`` to ``fh`` as ``csv`` or ``xlsx``; return rows written."""
    chunks = listing.iter_records(store, flt)
    return export.write_xlsx(chunks, fh, lang) if fmt == "xlsx" else export.write_csv(chunks, fh)
