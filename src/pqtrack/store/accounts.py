"""Accounts and login failures in the store (hashes only; hashing itself lives in auth)."""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from pqtrack.store.core import Store, StoreError


def get_user(store: Store, name: str) -> dict | None:
    """Return the account ``name`` (with its hash), or None."""
    df = store.query_df("SELECT * FROM users WHERE user_name = ?", [name])
    return None if df.empty else df.iloc[0].to_dict()


def list_users(store: Store) -> pd.DataFrame:
    """Return every account without its hash."""
    return store.query_df(
        "SELECT user_name, role, active, created_at, updated_at FROM users ORDER BY user_name"
    )


def add_user(store: Store, name: str, role: str, password_hash: str, by: str | None) -> None:
    """Create an account; refuse a name already taken."""
    with store.write_lock, store.cursor() as cur:
        cur.execute("BEGIN TRANSACTION")
        try:
            if cur.execute("SELECT 1 FROM users WHERE user_name = ?", [name]).fetchone():
                raise StoreError("auth.user_exists", name=name)
            cur.execute(
                "INSERT INTO users VALUES (?, ?, ?, TRUE, current_localtimestamp(), "
                "current_localtimestamp())",
                [name, role, password_hash],
            )
            store._audit(cur, by, "user_add", None, {"user": name, "role": role})
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise


def update_user(
    store: Store,
    name: str,
    by: str | None,
    *,
    active: bool | None = None,
    password_hash: str | None = None,
    role: str | None = None,
) -> None:
    """Change an account's active flag, password hash or role, and log who did it."""
    with store.write_lock, store.cursor() as cur:
        cur.execute("BEGIN TRANSACTION")
        try:
            if not cur.execute("SELECT 1 FROM users WHERE user_name = ?", [name]).fetchone():
                raise StoreError("auth.no_user", name=name)
            changes = {}
            if active is not None:
                cur.execute("UPDATE users SET active = ? WHERE user_name = ?", [active, name])
                changes["active"] = active
            if password_hash is not None:
                cur.execute(
                    "UPDATE users SET password_hash = ? WHERE user_name = ?", [password_hash, name]
                )
                cur.execute("DELETE FROM login_failures WHERE user_key = ?", [name.lower()])
                changes["password"] = "reset"
            if role is not None:
                cur.execute("UPDATE users SET role = ? WHERE user_name = ?", [role, name])
                changes["role"] = role
            cur.execute(
                "UPDATE users SET updated_at = current_localtimestamp() WHERE user_name = ?",
                [name],
            )
            store._audit(cur, by, "user_change", None, {"user": name, **changes})
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise


def failures(store: Store, user_key: str) -> tuple[int, datetime | None, datetime | None]:
    """Return (failures, last failure, locked until) for a typed user name."""
    rows = store.query_rows(
        "SELECT failures, last_failure, locked_until FROM login_failures WHERE user_key = ?",
        [user_key],
    )
    return rows[0] if rows else (0, None, None)


def record_failure(
    store: Store, user_key: str, count: int, at: datetime, locked_until: datetime | None
) -> None:
    """Store a failed login for a typed user name and log it."""
    with store.write_lock, store.cursor() as cur:
        cur.execute("BEGIN TRANSACTION")
        try:
            cur.execute(
                "INSERT OR REPLACE INTO login_failures VALUES (?, ?, ?, ?)",
                [user_key, count, at, locked_until],
            )
            store._audit(
                cur,
                user_key,
                "login_failed",
                None,
                {"failures": count, "locked": locked_until is not None},
            )
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise


def clear_failures(store: Store, user_key: str) -> None:
    """Forget the failed logins of a typed user name after a successful login."""
    with store.write_lock, store.cursor() as cur:
        cur.execute("DELETE FROM login_failures WHERE user_key = ?", [user_key])
