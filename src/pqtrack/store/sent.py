"""Reports sent upward: registered with the moment their figures were read, kept for good."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pqtrack.store import versions
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


# Each records batch stored or rolled back after $at, in order, with the moment before it.
_EVENTS = (
    "SELECT batch_id, m, coalesce(lag(m) OVER (ORDER BY m, batch_id), $at) AS prev FROM ("
    "SELECT created_at AS m, batch_id FROM batches WHERE kind = 'records' AND created_at > $at "
    "UNION ALL SELECT rolled_back_at, batch_id FROM batches WHERE kind = 'records' "
    "AND rolled_back_at > $at)"
)


def moved_by(store: Store, at: datetime, first: date, last: date) -> dict[int, dict[str, int]]:
    """Return per batch stored or rolled back after ``at`` its net change of each indicator's
    actual (records dated ``first`` to ``last``); a change that cancels out is left out.

    Each event changes only the records its batch holds: they alone are read as they stood
    just after it and just before (one query, whatever the number of events).
    """
    rows = store.query_rows(
        f"WITH ev AS ({_EVENTS}), touched AS (SELECT DISTINCT e.batch_id AS event, e.m, "
        f"e.prev, v.record_id FROM ev e JOIN {versions.ALL_VERSIONS} v USING (batch_id)), "
        "sides AS (SELECT event, m, record_id, 1 AS sign FROM touched UNION ALL "
        "SELECT event, prev, record_id, -1 FROM touched), "
        "stood AS (SELECT s.event, s.sign, v.indicator, v.quantity, v.date, b.change, "
        "row_number() OVER (PARTITION BY s.event, s.m, s.sign, s.record_id "
        "ORDER BY v.batch_id DESC) AS k "
        f"FROM sides s JOIN {versions.ALL_VERSIONS} v USING (record_id) "
        "JOIN batches b ON b.batch_id = v.batch_id WHERE b.created_at <= s.m "
        "AND (b.rolled_back_at IS NULL OR b.rolled_back_at > s.m)) "
        "SELECT event, indicator, CAST(sum(sign * quantity) AS BIGINT) FROM stood "
        "WHERE k = 1 AND change <> $void AND date BETWEEN $first AND $last "
        "GROUP BY ALL HAVING sum(sign * quantity) <> 0",
        {"at": at, "first": first, "last": last, "void": versions.VOID_ACTION},
    )
    out: dict[int, dict[str, int]] = {}
    for event, indicator, delta in rows:
        out.setdefault(int(event), {})[indicator] = int(delta)
    return out
