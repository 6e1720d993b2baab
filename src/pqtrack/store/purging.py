"""Purging the original file of a rolled-back batch: the bytes go, its hash and the audit stay.

An original may hold columns the ingest ignored (an ID-card number, a phone number): once its
batch is rolled back, an admin can delete the file. The batch keeps its row and hash (a later
upload of the same bytes is still recognised); the purge is an audit event, which is also how
a download learns that the file was purged rather than lost.
"""

from __future__ import annotations

from datetime import datetime

from pqtrack.store import originals
from pqtrack.store.core import Store, StoreError

PURGE_ACTION = "purge_original"


def purge_original(store: Store, batch_id: int, user: str | None) -> str:
    """Delete the original of rolled-back batch ``batch_id`` (audited); return its file name.

    Refused for an active batch, a batch already purged, and a file that an active batch
    also sent (its bytes are that batch's original too).
    """
    with store.transaction() as cur:
        row = cur.execute(
            "SELECT status, content_hash, file_name FROM batches WHERE batch_id = ?",
            [batch_id],
        ).fetchone()
        if row is None:
            raise StoreError("store.no_batch", batch_id=batch_id)
        status, digest, name = row
        if status != "rolled_back":
            raise StoreError("store.purge_active", batch_id=batch_id)
        if cur.execute(
            "SELECT 1 FROM audit WHERE action = ? AND batch_id = ?", [PURGE_ACTION, batch_id]
        ).fetchone():
            raise StoreError("store.already_purged", batch_id=batch_id)
        other = cur.execute(
            "SELECT min(batch_id) FROM batches WHERE content_hash = ? AND status = 'active'",
            [digest],
        ).fetchone()[0]
        if other is not None:
            raise StoreError("store.purge_shared", batch_id=batch_id, other=int(other))
        # Macro files keep their bytes inside the store; record files beside it.
        cur.execute("UPDATE files SET content = NULL WHERE content_hash = ?", [digest])
        store.audit(cur, user, PURGE_ACTION, batch_id, {"file_name": name, "content_hash": digest})
        # The file goes just before COMMIT: a failed delete leaves nothing purged.
        originals.remove(store.originals_folder, digest)
    return str(name)


def purged(store: Store) -> dict[int, tuple[str | None, datetime]]:
    """Return the batches whose original was purged: batch id → (by whom, when)."""
    rows = store.query_rows(
        "SELECT batch_id, user_name, happened_at FROM audit WHERE action = ? ORDER BY audit_id",
        [PURGE_ACTION],
    )
    return {int(b): (user, at) for b, user, at in rows}
