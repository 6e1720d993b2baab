"""Tables and sentences of the reporting year: corrections, a record's history, drift."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

import pandas as pd

from pqtrack.domain.schema import COLUMNS
from pqtrack.i18n import has, t
from pqtrack.presentation import numbers
from pqtrack.presentation.views import indicator_label, type_label

_HEADERS_VI = {c.name: c.header_vi for c in COLUMNS}
_NUMBER_FIELDS = ("quantity", "funding_vnd", "participants")


def field_label(name: str, lang: str) -> str:
    """Return a record field as users name it (the contract's header in Vietnamese)."""
    if lang == "vi":
        return _HEADERS_VI.get(name, name)
    key = f"year.field.{name}"
    return t(key, lang) if has(key) else name


def value_text(name: str, value: object, lang: str) -> str:
    """Return one field's value as the pages write it (codes in words, numbers grouped)."""
    if numbers.is_missing(value):
        return numbers.MISSING
    if name == "indicator":
        return indicator_label(str(value), lang)
    if name == "beneficiary_type":
        return type_label(value, lang)
    if name == "date":
        day = date.fromisoformat(value) if isinstance(value, str) else value
        return numbers.day(day, lang)
    if name in _NUMBER_FIELDS:
        return numbers.integer(value, lang)
    return str(value)


def corrections_table(changes: Iterable[dict], lang: str) -> pd.DataFrame:
    """Return each correction field by field: row, record id, field, old value → new value."""
    rows = [
        {
            "row": c["row"],
            "record_id": c["record_id"],
            "field": field_label(c["field"], lang),
            "old": value_text(c["field"], c["old"], lang),
            "new": value_text(c["field"], c["new"], lang),
        }
        for c in changes
    ]
    frame = pd.DataFrame(rows, columns=["row", "record_id", "field", "old", "new"])
    return frame.rename(columns={c: t(f"year.col.{c}", lang) for c in frame.columns})


HISTORY_FIELDS = ("date", "indicator", "quantity", "beneficiary_name", "beneficiary_type",
                  "tax_code", "locality", "standard", "funding_vnd", "note")  # fmt: skip


def history_table(rows: Iterable[dict], lang: str) -> pd.DataFrame:
    """Return a record's versions, oldest first, with actions in words."""
    out = []
    for r in rows:
        line = {
            t("year.col.version", lang): r["version"],
            t("year.col.action", lang): t(f"cli.year.action_{r['action']}", lang),
            t("year.col.at", lang): numbers.moment(datetime.fromisoformat(r["at"]), lang),
            t("year.col.batch", lang): f"#{r['batch_id']}",
            t("year.col.user", lang): r["user"] or numbers.MISSING,
            t("year.col.reason", lang): r["reason"] or "",
        }
        for name in HISTORY_FIELDS:
            line[field_label(name, lang)] = value_text(name, r.get(name), lang)
        out.append(line)
    return pd.DataFrame(out)


def drift_lines(moved: Iterable[object], lang: str, batches: bool = True) -> list[str]:
    """Return one line per indicator that moved: reported → now (change), and the batches.

    ``batches``: name the batches (False: they are not looked up yet).
    """
    lines = []
    key = "year.drift.line" if batches else "year.drift.line_short"
    for m in moved:
        change = m.now - m.reported
        sign = "+" if change > 0 else "−"
        lines.append(
            t(key, lang, indicator=indicator_label(m.indicator, lang),
              reported=numbers.integer(m.reported, lang), now=numbers.integer(m.now, lang),
              change=sign + numbers.integer(abs(change), lang),
              batches=", ".join(f"#{b}" for b in m.batches))
        )  # fmt: skip
    return lines
