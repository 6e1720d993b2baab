"""One record entered in a form: the same file, rules and batch as an upload of one row."""

from __future__ import annotations

import csv
import io
import secrets
from collections.abc import Mapping
from datetime import date

import pandas as pd

from pqtrack.domain.schema import COLUMN_NAMES, DATE_MAX, DATE_MIN
from pqtrack.figures import people
from pqtrack.i18n import t
from pqtrack.ingest.pipeline import IngestReport
from pqtrack.presentation import year
from pqtrack.store import Store, versions
from pqtrack.text import formula_like


def record_csv(fields: Mapping[str, object]) -> bytes:
    """Return a one-row record file (canonical headers, UTF-8) holding the form's fields."""
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\r\n")
    out.writerow(COLUMN_NAMES)
    row = []
    for name in COLUMN_NAMES:
        value = fields.get(name)
        if value is None:
            row.append("")
        elif isinstance(value, date):
            row.append(f"{value:%d/%m/%Y}")
        else:  # kept as the batch's original: safe to open in Excel; ingest takes the ' off
            text = str(value)
            row.append("'" + text if formula_like(text) else text)
    out.writerow(row)
    return buf.getvalue().encode("utf-8")


def form_file_name(record_id: str | None, today: date) -> str:
    """Return the name the one-row file is stored under (shown in the batch history)."""
    stem = "".join(c if c.isalnum() or c in "-_" else "_" for c in (record_id or "moi"))[:40]
    return f"bieu-mau_{stem}_{today:%Y-%m-%d}.csv"


def beneficiary_choices(store: Store, typed: str) -> list[tuple]:
    """Return beneficiaries on record whose name or tax code matches what was typed."""
    return people.beneficiary_choices(store, typed)


def current_fields(store: Store, record_id: str) -> dict | None:
    """Return the record's current fields (a date as a date), or None if none is current.

    None when no record has that id, or its last version was voided or rolled back.
    """
    past = versions.history(store, record_id)
    if not past or past[-1]["action"] in ("voided", "rolled_back"):
        return None
    fields = {name: past[-1].get(name) for name in COLUMN_NAMES}
    if isinstance(fields["date"], str):
        fields["date"] = date.fromisoformat(fields["date"])
    return fields


def clean_fields(raw: Mapping[str, object]) -> dict[str, object]:
    """Return the form's values as fields: text trimmed, blanks None, whole numbers int."""
    out: dict[str, object] = {}
    for name in COLUMN_NAMES:
        value = raw.get(name)
        if isinstance(value, str):
            value = value.strip() or None
        elif isinstance(value, float) and value.is_integer():
            value = int(value)
        out[name] = value
    return out


def new_record_id(today: date) -> str:
    """Return a fresh id for a record entered without one (``BM-<day>-<random>``)."""
    return f"BM-{today:%Y%m%d}-{secrets.token_hex(3)}"


def date_bounds() -> tuple[date, date]:
    """Return the first and last day a record may be dated (the contract's range)."""
    return DATE_MIN, DATE_MAX


def changes_table(report: IngestReport, lang: str) -> pd.DataFrame:
    """Return a checked one-record correction's changes: field, old value, new value.

    The row and record id of a file's corrections are left out: the form holds one record,
    named above the table, and three columns fit on a phone.
    """
    changes = report.stage.changes if report.stage is not None else None
    rows = [] if changes is None else changes.to_dict("records")
    table = year.corrections_table(rows, lang)
    return table.drop(columns=[t("year.col.row", lang), t("year.col.record_id", lang)])


def fields_table(fields: Mapping[str, object], lang: str) -> pd.DataFrame:
    """Return the record to be added as field → value, its empty fields left out."""
    rows = [
        {"field": year.field_label(name, lang), "value": year.value_text(name, value, lang)}
        for name, value in fields.items()
        if value is not None and value != ""
    ]
    frame = pd.DataFrame(rows, columns=["field", "value"])
    return frame.rename(columns={c: t(f"year.col.{c}", lang) for c in frame.columns})
