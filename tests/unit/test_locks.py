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
