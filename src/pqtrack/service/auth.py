"""Accounts, roles and logins: argon2 hashes, growing delays and a lock after failures."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from pqtrack.store import Store, StoreError, accounts

ROLES: tuple[str, ...] = ("viewer", "editor", "admin")
_RANK = {role: i for i, role in enumerate(ROLES)}
# What each action needs at least.
PERMISSIONS: dict[str, str] = {
    "view": "viewer",
    "download": "viewer",
    "upload": "editor",
    "rollback": "editor",
    "void": "editor",
    "download_original": "editor",
    "purge_original": "admin",
    "macro_upload": "editor",
    "audit_view": "editor",
    "manage_users": "admin",
    "register_report": "editor",
    "lock_phase": "admin",
}
# A typed name from one client address: delays of 1, 2, 4 … s after each failure, locked
# for LOCK_FOR once LOCK_AFTER attempts in a row failed.
LOCK_AFTER = 5
LOCK_FOR = timedelta(minutes=15)
# One client address across every typed name: locked for LOCK_FOR after this many attempts
# not known good (a success takes one off), counted again after CLIENT_WINDOW without one.
CLIENT_LOCK_AFTER = 20
CLIENT_WINDOW = timedelta(minutes=15)
MIN_PASSWORD = 10

_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Return a hash to check unknown names against, so they take as long as real ones."""
    return _hasher.hash("not-a-real-password-used-for-equal-timing")


def hash_password(password: str) -> str:
    """Return the argon2id hash of ``password``."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Return whether ``password`` matches ``password_hash``."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def can(role: str | None, action: str) -> bool:
    """Return whether ``role`` (None = not logged in, a viewer) may do ``action``."""
    needed = PERMISSIONS[action]
    return _RANK.get(role or "viewer", -1) >= _RANK[needed]


def delay_after(failures: int) -> timedelta:
    """Return how long a user name must wait after ``failures`` consecutive failures."""
    if failures <= 0:
        return timedelta(0)
    return timedelta(seconds=min(2 ** (failures - 1), 30))


@dataclass(frozen=True)
class LoginResult:
    """The outcome of one login attempt; ``reason`` is a message key when refused."""

    ok: bool
    user: str | None = None
    role: str | None = None
    reason: str | None = None
    wait_seconds: int = 0
    changed_at: datetime | None = None  # the account's last change, as read at login


def check_password_rules(password: str) -> str | None:
    """Return a message key when ``password`` is too weak, else None."""
    if len(password) < MIN_PASSWORD:
        return "auth.password_short"
    return None


def _throttled(
    attempts: int, previous: datetime | None, locked_until: datetime | None, now: datetime
) -> LoginResult | None:
    """Return the refusal for the ``attempts``-th attempt (counted already), or None."""
    if attempts > LOCK_AFTER:
        wait = _seconds((locked_until or now + LOCK_FOR) - now)
        return LoginResult(False, reason="auth.locked", wait_seconds=wait)
    if attempts > 1 and previous is not None and now < previous + delay_after(attempts - 1):
        wait = _seconds(previous + delay_after(attempts - 1) - now)
        return LoginResult(False, reason="auth.wait", wait_seconds=wait)
    return None


def _seconds(span: timedelta) -> int:
    return max(math.ceil(span.total_seconds()), 1)


def login(
    store: Store,
    name: str,
    password: str,
    now: datetime | None = None,
    client: str | None = None,
) -> LoginResult:
    """Check a login, throttled per typed name and client address (see ``LOCK_AFTER``).

    The attempt is counted first, in one statement, and only then is the password checked:
    parallel guesses each get their own count. Delays and the lock apply to one typed name
    from one address (``client``; None when unknown, e.g. on localhost: all unknown
    addresses then share one count per name); a looser limit, ``CLIENT_LOCK_AFTER``
    attempts across all names, applies to each known address.
    """
    now = now or datetime.now()
    key = name.strip().lower()
    where = client or ""
    refusal = None
    if client:
        seen, until = accounts.count_client_attempt(
            store, client, now, CLIENT_LOCK_AFTER, now + LOCK_FOR, CLIENT_WINDOW
        )
        if seen > CLIENT_LOCK_AFTER and until is not None:
            refusal = LoginResult(
                False, reason="auth.client_locked", wait_seconds=_seconds(until - now)
            )
    attempts, previous, locked_until = accounts.count_attempt(
        store, key, where, now, LOCK_AFTER, now + LOCK_FOR
    )
    refusal = refusal or _throttled(attempts, previous, locked_until, now)
    if refusal is None:
        account = accounts.get_user(store, name.strip())
        valid = verify_password(account["password_hash"] if account else _dummy_hash(), password)
        if account is not None and valid and account["active"]:
            accounts.record_login(store, account["user_name"], key, where)
            return LoginResult(
                True,
                user=account["user_name"],
                role=account["role"],
                changed_at=account["updated_at"],
            )
        refusal = LoginResult(False, reason="auth.invalid")
    detail = {"failures": attempts, "locked": attempts >= LOCK_AFTER}
    accounts.record_failure(store, key, where, now, detail)
    return refusal


def unlock(store: Store, name: str, by: str | None, client: str | None = None) -> int:
    """Lift the failed-login delays and locks of a typed name (every address); return rows."""
    return accounts.unlock(store, name.strip().lower(), by, client)


def add_user(store: Store, name: str, role: str, password: str, by: str | None) -> None:
    """Create an account with a hashed password."""
    if role not in ROLES:
        raise StoreError("auth.bad_role", role=role)
    name = name.strip()
    if not name or len(name) > 64:
        raise StoreError("auth.bad_name", name=name)
    problem = check_password_rules(password)
    if problem:
        raise StoreError(problem, min=MIN_PASSWORD)
    accounts.add_user(store, name, role, hash_password(password), by)


def reset_password(store: Store, name: str, password: str, by: str | None) -> None:
    """Replace an account's password (and lift its failure count)."""
    problem = check_password_rules(password)
    if problem:
        raise StoreError(problem, min=MIN_PASSWORD)
    accounts.update_user(store, name, by, password_hash=hash_password(password))


def disable_user(store: Store, name: str, by: str | None) -> None:
    """Disable an account so it can no longer log in."""
    accounts.update_user(store, name, by, active=False)
