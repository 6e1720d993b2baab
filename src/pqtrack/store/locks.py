"""Phase locks: once a phase's final report is sent, nothing may change its records.

An admin locks a phase with a reason; while it is locked, a new record, a correction, a void
or a rollback that touches a record dated in the phase is refused whole. Locking and
unlocking are audit events with their reasons; the table holds only the current locks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pqtrack.domain import plan
from pqtrack.store.core import Store, StoreError
from pqtrack.text import shows_something

LOCK_ACTION = "lock_phase"
UNLOCK_ACTION = "unlock_phase"
REASON_MAX = 500


@dataclass(frozen=True)
class Lock:
    """A locked phase: who locked it, when and why."""

    phase: str
    locked_at: datetime
    locked_by: str | None
    reason: str


def _reason(reason: str | None) -> str:
    text = " ".join((reason or "").split())
    if not shows_something(text):  # blank, or only invisible marks and controls
        raise StoreError("store.lock.no_reason")
    if len(text) > REASON_MAX:
        raise StoreError("store.lock.long_reason", limit=REASON_MAX)
    return text


def _phase(code: str) -> plan.Phase:
    if code not in plan.PHASE_CODES:
        raise StoreError("store.lock.no_phase", phase=code, phases=", ".join(plan.PHASE_CODES))
    return plan.phase(code)


def lock(store: Store, phase_code: str, user: str | None, reason: str | None) -> Lock:
    """Lock phase ``phase_code`` (audited); refused when it is locked already."""
    _phase(phase_code)
    text = _reason(reason)
    with store.transaction() as cur:
        row = cur.execute(
            "INSERT INTO phase_locks VALUES (?, current_localtimestamp(), ?, ?) "
            "ON CONFLICT DO NOTHING RETURNING locked_at",
            [phase_code, user, text],
        ).fetchone()
        if row is None:
            raise StoreError("store.lock.already", phase=phase_code)
        store.audit(cur, user, LOCK_ACTION, None, {"phase": phase_code, "reason": text})
    return Lock(phase_code, row[0], user, text)


def unlock(store: Store, phase_code: str, user: str | None, reason: str | None) -> None:
    """Unlock phase ``phase_code`` (audited); refused when it is not locked."""
    _phase(phase_code)
    text = _reason(reason)
    with store.transaction() as cur:
        gone = cur.execute(
            "DELETE FROM phase_locks WHERE phase = ? RETURNING phase", [phase_code]
        ).fetchall()
        if not gone:
            raise StoreError("store.lock.not_locked", phase=phase_code)
        store.audit(cur, user, UNLOCK_ACTION, None, {"phase": phase_code, "reason": text})


def locks(store: Store) -> dict[str, Lock]:
    """Return the locked phases: phase code → its lock."""
    rows = store.query_rows(
        "SELECT phase, locked_at, locked_by, reason FROM phase_locks ORDER BY phase"
    )
    return {r[0]: Lock(*r) for r in rows}


def locked_spans(cur: Any) -> list[tuple[str, date, date, str]]:
    """Return (phase, first day, last day, reason) of each locked phase, over ``cur``."""
    out = []
    for code, reason in cur.execute(
        "SELECT phase, reason FROM phase_locks ORDER BY phase"
    ).fetchall():
        ph = plan.phase(code)
        out.append((code, ph.start, ph.end, reason))
    return out


def refuse_locked_batch(cur: Any, batch_id: int) -> None:
    """Refuse (StoreError) a rollback touching a record dated in a locked phase.

    Its own versions count, and those it would bring back (the temporary ``restore`` table
    of :func:`pqtrack.store.versions.retire_batch`).
    """
    for code, first, last, reason in locked_spans(cur):
        rows, first_row = cur.execute(
            "SELECT count(*), min(row_number) FROM (SELECT row_number, date FROM records "
            "WHERE batch_id = $b UNION ALL SELECT row_number, date FROM record_past "
            "WHERE batch_id = $b UNION ALL SELECT p.row_number, p.date FROM record_past p "
            "JOIN restore USING (record_id, batch_id)) WHERE date BETWEEN $first AND $last",
            {"b": batch_id, "first": first, "last": last},
        ).fetchone()
        if rows:
            raise StoreError(
                "store.lock.rollback", batch_id=batch_id, rows=rows, first=first_row,
                phase=code, reason=reason,
            )  # fmt: skip


def refuse_locked_void(cur: Any, record_id: str, day: date) -> None:
    """Refuse (StoreError) voiding a record dated in a locked phase."""
    for code, first, last, reason in locked_spans(cur):
        if first <= day <= last:
            raise StoreError(
                "store.lock.void", record_id=record_id, date=f"{day:%d/%m/%Y}", phase=code,
                reason=reason,
            )  # fmt: skip
