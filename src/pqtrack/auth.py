"""Accounts, roles and logins: argon2 hashes, growing delays and a lock after failures."""

from __future__ import annotations

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
    "download_original": "editor",
    "purge_original": "admin",
    "macro_upload": "editor",
    "audit_view": "editor",
    "manage_users": "admin",
}
LOCK_AFTER = 5
LOCK_FOR = timedelta(minutes=15)
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


def check_password_rules(password: str) -> str | None:
    """Return a message key when ``password`` is too weak, else None."""
    if len(password) < MIN_PASSWORD:
        return "auth.password_short"
    return None


def login(store: Store, name: str, password: str, now: datetime | None = None) -> LoginResult:
    """Check a login; throttle by typed name whether or not the account exists."""
    now = now or datetime.now()
    key = name.strip().lower()
    count, last, locked_until = accounts.failures(store, key)
    if locked_until is not None and now < locked_until:
        wait = int((locked_until - now).total_seconds()) + 1
        return LoginResult(False, reason="auth.locked", wait_seconds=wait)
    if last is not None and count and now < last + delay_after(count):
        wait = int((last + delay_after(count) - now).total_seconds()) + 1
        return LoginResult(False, reason="auth.wait", wait_seconds=wait)
    account = accounts.get_user(store, name.strip())
    valid = verify_password(account["password_hash"] if account else _dummy_hash(), password)
    if account is not None and valid and account["active"]:
        if count:
            accounts.clear_failures(store, key)
        return LoginResult(True, user=account["user_name"], role=account["role"])
    if locked_until is not None and now >= locked_until:
        count = 0  # the lock has passed: start counting again
    count += 1
    lock = now + LOCK_FOR if count >= LOCK_AFTER else None
    accounts.record_failure(store, key, count, now, lock)
    return LoginResult(False, reason="auth.invalid")


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
