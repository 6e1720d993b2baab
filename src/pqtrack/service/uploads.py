"""Record uploads, for the upload page and ``pqtrack ingest``: read, check, store, template.

A workbook is read as its first sheet converted to CSV and kept as the batch's original;
the page and the CLI read, check and store through the same calls, so they agree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from pqtrack.domain import schema
from pqtrack.ingest import corrections, pipeline, workbook
from pqtrack.ingest.pipeline import IngestReport
from pqtrack.presentation import views, year
from pqtrack.store import Store


@dataclass(frozen=True)
class Upload:
    """A file as the record checks read it, or why it was refused before any check."""

    data: bytes
    name: str
    original: tuple[str, bytes] | None = None  # the workbook itself, kept with the batch
    refused: str | None = None  # the reason in the caller's language (an unreadable workbook)


def read(data: bytes, name: str, lang: str) -> Upload:
    """Return the file to check: a workbook's first sheet as CSV (keeping it), else the file."""
    try:
        record = workbook.record_file(data, name)
    except workbook.WorkbookError as exc:
        return Upload(data, name, refused=exc.message(lang))
    return Upload(record.data, record.name, record.original)


def preview_key(store: Store, upload: Upload) -> tuple[str, str, int]:
    """Return what a preview depends on: the file's name and content and the store's data."""
    return upload.name, pipeline.content_hash(upload.data), store.data_version()


def check(
    store: Store,
    upload: Upload,
    on_step: Callable[[str], None] | None = None,
    *,
    correct: bool = False,
) -> IngestReport:
    """Check an upload without storing it (the preview); ``correct``: it corrects records."""
    return pipeline.check(
        store, upload.data, upload.name, on_step=on_step, original=upload.original,
        correct=correct,
    )  # fmt: skip


def store_upload(
    store: Store,
    upload: Upload,
    user: str | None,
    on_step: Callable[[str], None] | None = None,
    *,
    correct: bool = False,
    expected: dict[str, int] | None = None,
) -> IngestReport:
    """Check an upload and store it as one batch when it has no problem.

    ``correct``: rows with a stored record id correct it; ``expected``: the versions the
    preview showed (record id -> batch), refused if any changed since.
    """
    return pipeline.process(
        store, upload.data, upload.name, user=user, on_step=on_step, original=upload.original,
        correct=correct, expected=expected,
    )  # fmt: skip


def template_csv(headers: str = "vi") -> bytes:
    """Return the empty upload template (``vi`` headers, else the column codes)."""
    return schema.template_csv(headers)


def data_dictionary(lang: str) -> pd.DataFrame:
    """Return the template's columns with meaning and rules."""
    return views.data_dictionary(lang)


def data_dictionary_csv(lang: str) -> bytes:
    """Return the data dictionary as CSV (UTF-8 with BOM)."""
    return views.data_dictionary_csv(lang)


def delimiter_name(delimiter: str, lang: str) -> str:
    """Return a file's delimiter in words."""
    return views.delimiter_name(delimiter, lang)


def mapping_table(report: IngestReport, lang: str) -> pd.DataFrame:
    """Return how each header cell of the checked file was understood."""
    return views.mapping_table(report.columns, lang)


def problems_by_column(problems: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Return a problem table summarised by column and reason."""
    return views.problems_by_column(problems, lang)


def summary_table(report: IngestReport, lang: str) -> pd.DataFrame:
    """Return what a clean file will add, by indicator, with labels and units."""
    return views.upload_summary(report.stage.summary, lang)


def correction_counts(report: IngestReport) -> tuple[int, int]:
    """Return how many rows of a checked file are new records and how many correct one."""
    corrected = report.stage.corrections if report.stage else 0
    return report.rows_read - corrected, corrected


def corrections_table(report: IngestReport, lang: str) -> pd.DataFrame:
    """Return each correction of a checked file field by field: row, id, field, old → new."""
    changes = report.stage.changes if report.stage else None
    rows = [] if changes is None else changes.to_dict("records")
    return year.corrections_table(rows, lang)


def corrections_cut(report: IngestReport) -> bool:
    """Return whether the field changes listed stop at the preview's limit."""
    changes = report.stage.changes if report.stage else None
    return changes is not None and len(changes) >= corrections.CHANGES_LIMIT


def preview_versions(report: IngestReport) -> dict[str, int]:
    """Return the versions a preview saw (record id → batch), to check again when storing."""
    return dict(report.stage.versions or {}) if report.stage else {}


def same_file(seen: tuple, now: tuple) -> bool:
    """Return whether two preview keys (name, content, data version, …) differ only in data."""
    return seen[:2] == now[:2] and seen[3:] == now[3:]
