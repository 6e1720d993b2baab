"""Reports sent upward: registered with the moment their figures were read, kept for good."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pqtrack.store.core import Store, StoreError

REGISTER_ACTION = "register_report"


@dataclass(frozen=True)
class SentReport:
    """A registered report: its phase, as-of date, the moment read, who, when, its figures."""

    report_id: int
    phase: str
    as_of: date
    stored_at: datetime
    user: str | None
    registered_at: datetime
    lang: str
    figures: dict[str, float]

    def to_json_dict(self) -> dict[str, Any]:
        """Return the report as JSON-ready values (ISO dates and timestamps)."""
        return {
            "id": self.report_id,
            "phase": self.phase,
            "as_of": self.as_of.isoformat(),
            "stored_at": self.stored_at.isoformat(),
            "user": self.user,
            "registered_at": self.registered_at.isoformat(timespec="seconds"),
            "lang": self.lang,
            "figures": self.figures,
        }


_COLUMNS = "report_id, phase, as_of, stored_at, user_name, registered_at, lang, figures"


def _row(row: tuple) -> SentReport:
    *head, text = row
    try:
        figures = json.loads(text)
    except ValueError:
        figures = None
    # Written here as indicator code → a number: anything else was changed outside the app.
    if not isinstance(figures, dict) or not all(
        isinstance(v, (int, float)) and not isinstance(v, bool) for v in figures.values()
    ):
        raise StoreError("store.sent.damaged", report_id=head[0])
    return SentReport(*head, figures=figures)


def register(
    cur: Any,
    store: Store,
    *,
    phase: str,
    as_of: date,
    stored_at: datetime,
    user: str | None,
    lang: str,
    figures: dict[str, float],
) -> SentReport:
    """Record a report as sent, on ``cur`` inside the caller's transaction (audited)."""
    row = cur.execute(
        "INSERT INTO reports_sent VALUES (nextval('report_seq'), ?, ?, ?, ?, "
        f"current_localtimestamp(), ?, ?) RETURNING {_COLUMNS}",
        [phase, as_of, stored_at, user, lang, json.dumps(figures, sort_keys=True)],
    ).fetchone()
    report = _row(row)
    store.audit(
        cur, user, REGISTER_ACTION, None,
        {"report_id": report.report_id, "phase": phase, "as_of": as_of.isoformat()},
    )  # fmt: skip
    return report


def reports(store: Store, phase: str | None = None) -> list[SentReport]:
    """Return the registered reports (of ``phase``, or all), oldest first."""
    rows = store.query_rows(
        f"SELECT {_COLUMNS} FROM reports_sent WHERE $phase IS NULL OR phase = $phase "
        "ORDER BY report_id",
        {"phase": phase},
    )
    return [_row(r) for r in rows]


def report(store: Store, report_id: int) -> SentReport:
    """Return one registered report; StoreError when there is none with that id."""
    rows = store.query_rows(f"SELECT {_COLUMNS} FROM reports_sent WHERE report_id = ?", [report_id])
    if not rows:
        raise StoreError("store.sent.none", report_id=report_id)
    return _row(rows[0])


def events_since(store: Store, at: datetime) -> list[tuple[datetime, int]]:
    """Return (moment, batch id) of every records batch stored or rolled back after ``at``."""
    rows = store.query_rows(
        "SELECT created_at, batch_id FROM batches WHERE kind = 'records' AND created_at > $at "
        "UNION ALL SELECT rolled_back_at, batch_id FROM batches WHERE kind = 'records' "
        "AND rolled_back_at > $at ORDER BY 1, 2",
        {"at": at},
    )
    return [(r[0], int(r[1])) for r in rows]
