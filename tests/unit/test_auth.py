"""Accounts: argon2 hashing, role checks, throttling and locking, audit entries."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import duckdb
import pytest

from pqtrack.cli import main as cli
from pqtrack.service import auth
from pqtrack.store import Store, StoreError, accounts, migrations
from pqtrack.ui.session import oidc_role

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
    for n in range(1, auth.LOCK_AFTER + 1):  # each attempt as soon as it is allowed
        assert auth.login(users, "an", "sai", now=now).reason == "auth.invalid"
        now += auth.delay_after(n)
    locked = auth.login(users, "an", PW, now=now)  # even the right password
    assert locked.reason == "auth.locked" and locked.wait_seconds > 60
    later = auth.login(users, "an", PW, now=now + auth.LOCK_FOR)
    assert later.ok


def test_an_early_attempt_waits_and_counts(users):
    assert auth.login(users, "an", "sai", now=T0).reason == "auth.invalid"
    early = auth.login(users, "an", PW, now=T0 + timedelta(seconds=0.5))
    assert (early.ok, early.reason, early.wait_seconds) == (False, "auth.wait", 1)
    again = auth.login(users, "an", PW, now=T0 + timedelta(seconds=0.5))
    assert again.reason == "auth.wait" and again.wait_seconds == 2  # the delay grows
    assert accounts.failures(users, "an")[0] == 3


def test_a_strangers_failures_from_one_address_do_not_lock_the_editor_out_elsewhere(users):
    stranger, editor = "203.0.113.7", "198.51.100.20"
    for i in range(auth.LOCK_AFTER + 3):
        auth.login(users, "an", "doan-bua", now=T0 + timedelta(minutes=i), client=stranger)
    later = T0 + timedelta(minutes=10)
    assert auth.login(users, "an", PW, now=later, client=stranger).reason == "auth.locked"
    assert auth.login(users, "an", PW, now=later, client=editor).ok


def test_one_address_is_limited_across_all_names(users, monkeypatch):
    # the limit is about counting, not hashing: a quick check keeps the 20 attempts fast
    monkeypatch.setattr(auth, "verify_password", lambda _hash, password: password == PW)
    client = "203.0.113.7"
    for i in range(auth.CLIENT_LOCK_AFTER):
        r = auth.login(users, f"ten-{i}", "x", now=T0 + timedelta(seconds=i), client=client)
        assert r.reason == "auth.invalid"
    late = T0 + timedelta(minutes=1)
    refused = auth.login(users, "an", PW, now=late, client=client)
    assert refused.reason == "auth.client_locked" and refused.wait_seconds > 60
    assert auth.login(users, "an", PW, now=late, client="198.51.100.20").ok
    # after the lock has run out the address may try again
    assert auth.login(users, "an", PW, now=late + auth.LOCK_FOR, client=client).ok


def test_a_failed_login_leaves_the_data_version_alone(users):
    ingest_version = users.data_version()
    auth.login(users, "an", "sai", now=T0)
    auth.login(users, "an", PW, now=T0 + timedelta(seconds=2))
    users.record_event("an", "logout", {"client": ""})
    auth.disable_user(users, "an", by="admin")
    assert users.data_version() == ingest_version


def test_failed_logins_are_logged_once_a_minute_per_name_and_address(users):
    client = "203.0.113.7"
    now = T0
    for n in range(1, 4):  # three failures within 4 s
        assert auth.login(users, "an", "sai", now=now, client=client).reason == "auth.invalid"
        now += auth.delay_after(n)
    auth.login(users, "an", "sai", now=now, client="198.51.100.20")  # another address
    log = users.audit_log()
    failed = log[log["action"] == "login_failed"]
    assert len(failed) == 2
    details = [json.loads(d) for d in failed["detail"]]
    assert {(d["client"], d["attempts"]) for d in details} == {(client, 3), ("198.51.100.20", 1)}
    auth.login(users, "an", "sai", now=now + timedelta(minutes=2), client=client)
    assert (users.audit_log()["action"] == "login_failed").sum() == 3


def test_successful_logins_are_logged_with_the_address(users):
    assert auth.login(users, "an", PW, now=T0, client="198.51.100.20").ok
    last = users.audit_log().iloc[0]
    assert (last["action"], last["user_name"]) == ("login", "an")
    assert json.loads(last["detail"]) == {"client": "198.51.100.20"}


def test_unlock_command_lifts_the_lock_and_is_audited(users, capsys):
    for i in range(auth.LOCK_AFTER):
        auth.login(users, "an", "sai", now=T0 + timedelta(minutes=i))
    assert auth.login(users, "an", PW, now=T0 + timedelta(minutes=6)).reason == "auth.locked"
    users.close()
    code = cli.main(["user", "unlock", "AN", "--db", str(users.path), "--user", "admin"])
    assert code == 0 and "AN" in capsys.readouterr().out
    assert auth.login(users, "an", PW, now=T0 + timedelta(minutes=6)).ok
    unlock = users.audit_log().iloc[1]  # before the login that followed
    assert (unlock["action"], unlock["user_name"]) == ("user_unlock", "admin")
    assert json.loads(unlock["detail"])["user"] == "an"


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


def test_a_store_of_version_9_upgrades_and_keeps_its_login_failures(tmp_path):
    path = tmp_path / "v9.duckdb"
    con = duckdb.connect(str(path))
    con.execute(migrations.META)
    for version in range(1, 10):
        for stmt in migrations.MIGRATIONS[version]:
            con.execute(stmt)
    con.execute("INSERT INTO meta VALUES ('schema_version', '9')")
    con.execute("INSERT INTO login_failures VALUES ('an', 3, ?, NULL)", [T0])
    con.close()
    store = Store(path)
    assert store.schema_version() == migrations.LATEST >= 10
    assert accounts.failures(store, "an") == (3, T0, None)
    tables = {r[0] for r in store.query_rows("SELECT table_name FROM information_schema.tables")}
    assert "login_failures" not in tables and {"login_attempts", "login_clients"} <= tables
    # the carried-over count goes on: two more failures lock the name
    auth.add_user(store, "an", "editor", PW, by="admin")
    for i in range(2):
        auth.login(store, "an", "sai", now=T0 + timedelta(minutes=1 + i))
    assert auth.login(store, "an", PW, now=T0 + timedelta(minutes=3)).reason == "auth.locked"
    store.close()


ROLES = {"Nguyen.Van.A@SocTrang.gov.vn": "editor", "b@soctrang.gov.vn": "boss"}


@pytest.mark.parametrize(
    ("claims", "role"),
    [
        ({"email": "nguyen.van.a@soctrang.gov.vn", "email_verified": True}, "editor"),
        ({"email": "NGUYEN.VAN.A@soctrang.gov.vn", "email_verified": "true"}, "editor"),
        ({"email": "nguyen.van.a@soctrang.gov.vn", "email_verified": False}, None),
        ({"email": "nguyen.van.a@soctrang.gov.vn", "email_verified": "false"}, None),
        ({"email": "nguyen.van.a@soctrang.gov.vn"}, None),  # no claim: not verified
        ({"email": "nguyen.van.a@soctrang.gov.vn", "email_verified": 1}, None),
        ({"email": "c@soctrang.gov.vn", "email_verified": True}, None),  # not listed
        ({"email": "b@soctrang.gov.vn", "email_verified": True}, None),  # not a role
        ({"email": "", "email_verified": True}, None),
        ({"is_logged_in": True, "email_verified": True}, None),
    ],
)
def test_an_identity_provider_user_needs_a_verified_listed_email(claims, role):
    assert oidc_role(claims, ROLES) == role
