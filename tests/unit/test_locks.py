"""Phase locks: lock and unlock with a reason, audited; refusals name the phase."""

from __future__ import annotations

import pytest

from pqtrack.i18n import t
from pqtrack.store import Store, StoreError, locks


@pytest.fixture()
def store(tmp_path):
    s = Store(tmp_path / "s.duckdb")
    yield s
    s.close()


def test_a_phase_is_locked_and_unlocked_with_its_reason_in_the_audit_log(store):
    lock = locks.lock(store, "2021-2025", "admin", "  Final report sent\n 15/01/2026 ")
    assert lock.reason == "Final report sent 15/01/2026"
    assert set(locks.locks(store)) == {"2021-2025"}
    locks.unlock(store, "2021-2025", "admin", "A district's late correction")
    assert locks.locks(store) == {}
    log = store.audit_log()
    assert list(log["action"][:2]) == [locks.UNLOCK_ACTION, locks.LOCK_ACTION]
    assert "late correction" in log["detail"].iloc[0]


@pytest.mark.parametrize(
    ("act", "phase", "reason", "code"),
    [
        ("lock", "2021-2025", "  ", "store.lock.no_reason"),
        ("lock", "2021-2025", "x" * 501, "store.lock.long_reason"),
        ("lock", "2019-2020", "sent", "store.lock.no_phase"),
        ("unlock", "2021-2025", "sent", "store.lock.not_locked"),
    ],
)
def test_refusals_name_what_is_wrong(store, act, phase, reason, code):
    with pytest.raises(StoreError) as err:
        getattr(locks, act)(store, phase, "admin", reason)
    assert err.value.code == code
    for lang in ("vi", "en"):
        assert t(code, lang, **err.value.params)  # every parameter is in the message
    assert locks.locks(store) == {}


def test_a_locked_phase_cannot_be_locked_twice(store):
    locks.lock(store, "2026-2030", "admin", "sent")
    with pytest.raises(StoreError) as err:
        locks.lock(store, "2026-2030", "other", "again")
    assert err.value.code == "store.lock.already"
    assert locks.locks(store)["2026-2030"].locked_by == "admin"


def _ingest(store, text: str):
    from datetime import date

    from pqtrack.ingest import pipeline

    report = pipeline.process(store, text.encode(), "f.csv", user="an", today=date(2028, 1, 1))
    assert report.stored, report
    return report


def test_a_batch_with_a_record_in_a_locked_phase_is_not_rolled_back(store):
    head = "record_id,date,indicator,beneficiary_name,beneficiary_type\r\n"
    old = _ingest(store, head + "A1,15/03/2023,product_standard,A,HTX\r\n"
                  "A2,15/03/2026,product_standard,B,HTX\r\n")  # fmt: skip
    new = _ingest(store, head + "B1,15/03/2027,product_standard,C,HTX\r\n")
    locks.lock(store, "2021-2025", "admin", "Final report sent")
    with pytest.raises(StoreError) as err:
        store.rollback(old.batch_id, "an")
    assert err.value.code == "store.lock.rollback"
    assert err.value.params == {"batch_id": old.batch_id, "rows": 1, "first": 2,
                                "phase": "2021-2025", "reason": "Final report sent"}  # fmt: skip
    assert "locked" in t(err.value.code, "en", **err.value.params)
    assert store.batch(old.batch_id)["status"] == "active"
    assert store.scalar("SELECT count(*) FROM records") == 3
    assert store.rollback(new.batch_id, "an") == 1  # nothing in the locked phase
    locks.unlock(store, "2021-2025", "admin", "A correction is due")
    assert store.rollback(old.batch_id, "an") == 2
