"""Record versions: nothing is overwritten, so any past state can be produced and explained.

``records`` holds each record's current version; ``record_past`` every other version ever
stored. A version belongs to the batch that stored it; a record's versions stack up in batch
order, and a version is current while its batch is active and no later active batch holds a
version of the same record. A void is a one-row batch whose row marks the record voided.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from typing import Any

from pqtrack.store.core import Store, StoreError
from pqtrack.store.errors import reason_text
from pqtrack.store.migrations import TAX_CODE_SQL
from pqtrack.text import nfc

# Every version of every record (current and past), for reads that need them all.
ALL_VERSIONS = "(SELECT * FROM records UNION ALL SELECT * FROM record_past)"
VOID_ACTION = "void"
# The records as they stood at the moment bound as ``$at``: of the batches stored by then and
# not rolled back by then, each record's latest version, unless that is a void.
AT_MOMENT = (
    "(SELECT * EXCLUDE (change, k) FROM (SELECT v.*, b.change, row_number() OVER "
    f"(PARTITION BY v.record_id ORDER BY v.batch_id DESC) AS k FROM {ALL_VERSIONS} v "
    "JOIN batches b USING (batch_id) WHERE b.created_at <= $at AND (b.rolled_back_at IS NULL "
    f"OR b.rolled_back_at > $at)) WHERE k = 1 AND change <> '{VOID_ACTION}')"
)


def later_batch(cur: Any, batch_id: int) -> int | None:
    """Return the first active batch after ``batch_id`` holding a version of one of its records."""
    row = cur.execute(
        f"SELECT min(v.batch_id) FROM {ALL_VERSIONS} v JOIN batches b USING (batch_id) "
        "WHERE b.status = 'active' AND v.batch_id > $b AND v.record_id IN "
        f"(SELECT record_id FROM {ALL_VERSIONS} WHERE batch_id = $b)",
        {"b": batch_id},
    ).fetchone()
    return None if row[0] is None else int(row[0])


def retire_batch(cur: Any, batch_id: int) -> int:
    """Move a batch's current versions to the past and bring back what they replaced.

    Called inside the rollback's transaction, once no later batch builds on this one; refused
    (nothing moved) when the batch's versions or those brought back are dated in a locked
    phase. Return how many of the batch's versions left the current records.
    """
    from pqtrack.store import locks

    # The version each of the batch's records had before it: the latest in an active batch.
    cur.execute(
        "CREATE OR REPLACE TEMP TABLE restore AS SELECT p.record_id, max(p.batch_id) AS batch_id "
        "FROM record_past p JOIN batches b USING (batch_id) WHERE b.status = 'active' "
        "AND p.batch_id < $b AND p.record_id IN "
        f"(SELECT record_id FROM {ALL_VERSIONS} WHERE batch_id = $b) GROUP BY p.record_id",
        {"b": batch_id},
    )
    try:
        locks.refuse_locked_batch(cur, batch_id)
        cur.execute(  # a record voided before stays voided: its void is what comes back
            "DELETE FROM restore WHERE batch_id IN (SELECT batch_id FROM batches WHERE change = ?)",
            [VOID_ACTION],
        )
        moved = cur.execute(
            "INSERT INTO record_past SELECT * FROM records WHERE batch_id = ?", [batch_id]
        ).fetchone()[0]
        cur.execute("DELETE FROM records WHERE batch_id = ?", [batch_id])
        cur.execute(
            "INSERT INTO records SELECT p.* FROM record_past p "
            "JOIN restore USING (record_id, batch_id)"
        )
        cur.execute(
            "DELETE FROM record_past p USING restore r "
            "WHERE p.record_id = r.record_id AND p.batch_id = r.batch_id"
        )
    finally:
        cur.execute("DROP TABLE IF EXISTS restore")
    return int(moved)


def void(store: Store, record_id: str, user: str | None, reason: str | None) -> int:
    """Void the current version of ``record_id`` with a reason; return the void's batch id."""
    from pqtrack.store import locks

    text = reason_text(reason, "store.void")
    record_id = nfc(record_id)  # as the ingest stores ids: NFC, trimmed
    with store.write_lock, store.transaction() as cur:
        row = cur.execute("SELECT date FROM records WHERE record_id = ?", [record_id]).fetchone()
        if row is None:
            voided = cur.execute(
                "SELECT count(*) FROM record_past p JOIN batches b USING (batch_id) "
                "WHERE p.record_id = ? AND b.status = 'active' AND b.change = ?",
                [record_id, VOID_ACTION],
            ).fetchone()[0]
            raise StoreError(
                "store.void.already" if voided else "store.void.no_record", record_id=record_id
            )
        locks.refuse_locked_void(cur, record_id, row[0])
        digest = hashlib.sha256(
            json.dumps(["void", record_id, datetime.now().isoformat()]).encode()
        ).hexdigest()
        batch_id = int(cur.execute("SELECT nextval('batch_seq')").fetchone()[0])
        cur.execute(
            "INSERT INTO batches (batch_id, kind, file_name, content_hash, user_name, "
            "created_at, row_count, status, change, reason) VALUES "
            "(?, 'records', NULL, ?, ?, current_localtimestamp(), 1, 'active', ?, ?)",
            [batch_id, digest, user, VOID_ACTION, text],
        )
        cur.execute(
            "INSERT INTO record_past SELECT * FROM records WHERE record_id = ?", [record_id]
        )
        cur.execute(
            "INSERT INTO record_past SELECT * REPLACE (CAST(? AS INTEGER) AS batch_id, "
            "1 AS row_number) FROM records WHERE record_id = ?",
            [batch_id, record_id],
        )
        cur.execute("DELETE FROM records WHERE record_id = ?", [record_id])
        store.audit(cur, user, VOID_ACTION, batch_id, {"record_id": record_id, "reason": text})
    store.records_changed()
    return batch_id


def versions(store: Store, record_id: str) -> list[dict]:
    """Return every stored version of ``record_id`` with its batch, oldest first."""
    record_id = nfc(record_id)  # as the ingest stores ids: NFC, trimmed
    with store.cursor() as cur:
        rel = cur.execute(
            f"SELECT v.*, n.name AS beneficiary_name, {TAX_CODE_SQL} AS tax_code, "
            "k.created_at, k.user_name, k.status, k.change, k.reason, k.rolled_back_at, "
            f"k.rolled_back_by FROM {ALL_VERSIONS} v JOIN batches k USING (batch_id) "
            "LEFT JOIN names n ON n.name_id = v.name_id "
            "LEFT JOIN beneficiaries b ON b.beneficiary_id = v.beneficiary_id "
            "WHERE v.record_id = ? ORDER BY v.batch_id",
            [record_id],
        )
        names = [d[0] for d in rel.description]
        return [dict(zip(names, row, strict=True)) for row in rel.fetchall()]


FIELDS = (
    "record_id", "date", "indicator", "quantity", "beneficiary_name", "beneficiary_type",
    "tax_code", "locality", "sector", "standard", "funding_vnd", "participants", "note",
)  # fmt: skip


def _fields(version: dict) -> dict:
    out = {}
    for name in FIELDS:
        value = version.get(name)
        if value is None or (isinstance(value, float) and value != value):
            out[name] = None
        elif isinstance(value, (date, datetime)):
            out[name] = value.strftime("%Y-%m-%d")
        elif hasattr(value, "item"):
            out[name] = value.item()
        else:
            out[name] = value
    return out


def history(store: Store, record_id: str) -> list[dict]:
    """Return the record's history, oldest first: each version stored, voided or restored."""
    stored = versions(store, record_id)
    events: list[tuple[Any, int, str, dict]] = []
    for v in stored:
        events.append((v["created_at"], 0, "stored", v))
        if v["status"] == "rolled_back":
            events.append((v["rolled_back_at"], 1, "rollback", v))
    events.sort(key=lambda e: (e[0], e[1], e[3]["batch_id"]))
    stack: list[dict] = []
    out: list[dict] = []
    for at, _, kind, v in events:
        if kind == "stored":
            if v["change"] == VOID_ACTION:
                action = "voided"
            elif stack and stack[-1]["change"] != VOID_ACTION:
                action = "corrected"
            else:
                action = "corrected" if stack else "added"
            stack.append(v)
            shown, batch, user, reason = v, v["batch_id"], v["user_name"], v["reason"]
        else:
            stack = [x for x in stack if x["batch_id"] != v["batch_id"]]
            if stack:
                action = "voided" if stack[-1]["change"] == VOID_ACTION else "restored"
                shown = stack[-1]
            else:
                action, shown = "rolled_back", v
            batch, user, reason = v["batch_id"], v["rolled_back_by"], None
        out.append(
            {
                "version": len(out) + 1,
                "action": action,
                "batch_id": int(batch),
                "at": at.isoformat(timespec="seconds"),
                "user": user,
                "reason": reason,
                **_fields(shown),
            }
        )
    return out
