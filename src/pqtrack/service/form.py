"""One record entered in a form: the same file, rules and batch as an upload of one row."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from datetime import date

from pqtrack.domain.schema import COLUMN_NAMES
from pqtrack.figures import people
from pqtrack.store import Store
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
