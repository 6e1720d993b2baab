"""Accounts: argon2 hashing, role checks, throttling and locking, audit entries."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from pqtrack import auth
from pqtrack.store import StoreError, accounts

PW = "đúng-mật-khẩu-123"
T0 = datetime(2026, 11, 27, 9, 0, 0)


@pytest.fixture
def users(store):
    auth.add_user(store, "an", "editor", PW, by="admin")
    return store


def test_hash_is_argon2id_and_verifies():
    h = auth.hash_password(PW)
    assert h.startswith("$argon2id$") and PW not in h
    assert auth.verify_password(h, PW)
    assert not auth.verify_password(h, PW + "x")
    assert not auth.verify_password("not a hash", PW)


def test_password_is_never_stored_or_logged(users):
    row = accounts.get_user(users, "an")
    assert row["password_hash"] != PW
    everything = str(users.query_rows("SELECT * FROM audit")) + str(
        users.query_rows("SELECT * FROM users")
    )
    assert PW not in everything


@pytest.mark.parametrize(
    ("role", "action", "allowed"),
    [
        (None, "view", True),
        (None, "download", True),
        (None, "upload", False),
        ("viewer", "rollback", False),
        ("editor", "upload", True),
        ("editor", "rollback", True),
        ("editor", "manage_users", False),
        ("admin", "manage_users", True),
    ],
)
def test_role_checks(role, action, allowed):
    assert auth.can(role, action) is allowed


def test_good_login(users):
    r = auth.login(users, "an", PW, now=T0)
    assert (r.ok, r.user, r.role) == (True, "an", "editor")


def test_wrong_password_and_unknown_user_get_the_same_message(users):
    wrong = auth.login(users, "an", "sai", now=T0)
    unknown = auth.login(users, "khong-co", "sai", now=T0)
    assert wrong.reason == unknown.reason == "auth.invalid"
    assert not wrong.ok and not unknown.ok


def test_growing_delay_then_lock_after_five_failures(users):
    now = T0
    waits = []
    for _ in range(5):
        assert auth.login(users, "an", "sai", now=now).reason == "auth.invalid"
        early = auth.login(users, "an", PW, now=now)  # even the right password must wait
        assert not early.ok
        waits.append(early.wait_seconds)
        now += auth.delay_after(len(waits)) + timedelta(seconds=1)
    assert waits[:4] == sorted(waits[:4]) and waits[0] < waits[3]
    locked = auth.login(users, "an", PW, now=now)
    assert locked.reason == "auth.locked" and locked.wait_seconds > 60
    later = auth.login(users, "an", PW, now=now + auth.LOCK_FOR + timedelta(seconds=1))
    assert later.ok


def test_unknown_names_are_throttled_too(users):
    now = T0
    for i in range(5):
        auth.login(users, "ghost", "x", now=now + timedelta(minutes=i))
    assert auth.login(users, "ghost", "x", now=now + timedelta(minutes=5)).reason == "auth.locked"


def test_success_clears_failures(users):
    auth.login(users, "an", "sai", now=T0)
    assert auth.login(users, "an", PW, now=T0 + timedelta(seconds=5)).ok
    assert accounts.failures(users, "an")[0] == 0


def test_disabled_account_cannot_log_in(users):
    auth.disable_user(users, "an", by="admin")
    assert auth.login(users, "an", PW, now=T0).reason == "auth.invalid"


def test_reset_password_and_weak_password_refused(users):
    with pytest.raises(StoreError) as exc:
        auth.reset_password(users, "an", "ngan", by="admin")
    assert exc.value.code == "auth.password_short"
    auth.reset_password(users, "an", "mat-khau-moi-456", by="admin")
    assert auth.login(users, "an", "mat-khau-moi-456", now=T0).ok


def test_duplicate_and_bad_role_refused(users):
    with pytest.raises(StoreError):
        auth.add_user(users, "an", "editor", PW, by="admin")
    with pytest.raises(StoreError):
        auth.add_user(users, "binh", "boss", PW, by="admin")


def test_audit_records_user_changes_and_failed_logins(users):
    auth.login(users, "an", "sai", now=T0)
    auth.disable_user(users, "an", by="admin")
    log = users.audit_log()
    assert list(log["action"]) == ["user_change", "login_failed", "user_add"]
    assert list(log["user_name"]) == ["admin", "an", "admin"]
