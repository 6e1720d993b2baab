"""Accounts and login attempts in the store (hashes only; hashing itself lives in auth)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pandas as pd

from pqtrack.store.core import Store, StoreError

# At most one failed-login row in the audit log per typed name and client this often.
AUDIT_EVERY = timedelta(minutes=1)


def get_user(store: Store, name: str) -> dict | None:
    """Return the account ``name`` (with its hash), or None."""
    df = store.query_df("SELECT * FROM users WHERE user_name = ?", [name])
    return None if df.empty else df.iloc[0].to_dict()


def get_user_and_version(store: Store, name: str) -> tuple[dict | None, int]:
    """Return the account ``name`` (or None) and the data version, over one connection."""
    with store.cursor() as cur:
        df = cur.execute("SELECT * FROM users WHERE user_name = ?", [name]).df()
        version = store.data_version(cur)
    return (None if df.empty else df.iloc[0].to_dict()), version


def list_users(store: Store) -> pd.DataFrame:
    """Return every account without its hash."""
    return store.query_df(
        "SELECT user_name, role, active, created_at, updated_at FROM users ORDER BY user_name"
    )


def add_user(store: Store, name: str, role: str, password_hash: str, by: str | None) -> None:
    """Create an account; refuse a name already taken."""
    with store.transaction() as cur:
        if cur.execute("SELECT 1 FROM users WHERE user_name = ?", [name]).fetchone():
            raise StoreError("auth.user_exists", name=name)
        cur.execute(
            "INSERT INTO users VALUES (?, ?, ?, TRUE, current_localtimestamp(), "
            "current_localtimestamp())",
            [name, role, password_hash],
        )
        store.audit(cur, by, "user_add", None, {"user": name, "role": role})


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
    with store.transaction() as cur:
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
            cur.execute("DELETE FROM login_attempts WHERE user_key = ?", [name.lower()])
            changes["password"] = "reset"
        if role is not None:
            cur.execute("UPDATE users SET role = ? WHERE user_name = ?", [role, name])
            changes["role"] = role
        cur.execute(
            "UPDATE users SET updated_at = current_localtimestamp() WHERE user_name = ?",
            [name],
        )
        store.audit(cur, by, "user_change", None, {"user": name, **changes})


def failures(
    store: Store, user_key: str, client: str = ""
) -> tuple[int, datetime | None, datetime | None]:
    """Return (attempts, last attempt, locked until) for a typed user name from ``client``."""
    rows = store.query_rows(
        "SELECT attempts, last_attempt, locked_until FROM login_attempts "
        "WHERE user_key = ? AND client = ?",
        [user_key, client],
    )
    return rows[0] if rows else (0, None, None)


def count_attempt(
    store: Store, user_key: str, client: str, now: datetime, lock_after: int, lock_until: datetime
) -> tuple[int, datetime | None, datetime | None]:
    """Count one login attempt in one statement; return (attempts, previous, locked until).

    The counter counts every attempt since the last success; a lock that has run out starts
    it again at 1. The attempt that brings it to ``lock_after`` sets ``locked_until`` (a
    success clears it), so attempts past ``lock_after`` are the ones made while locked.
    """
    with store.write_lock, store.cursor() as cur:
        row = cur.execute(
            "INSERT INTO login_attempts AS a (user_key, client, attempts, last_attempt, "
            "prev_attempt, locked_until) VALUES (?, ?, 1, ?, NULL, CASE WHEN ? <= 1 THEN ? END) "
            "ON CONFLICT (user_key, client) DO UPDATE SET "
            "attempts = CASE WHEN a.locked_until <= excluded.last_attempt THEN 1 "
            "ELSE a.attempts + 1 END, "
            "prev_attempt = CASE WHEN a.locked_until <= excluded.last_attempt THEN NULL "
            "ELSE a.last_attempt END, "
            "locked_until = CASE WHEN a.locked_until <= excluded.last_attempt THEN NULL "
            "WHEN a.locked_until IS NOT NULL THEN a.locked_until "
            "WHEN a.attempts + 1 >= ? THEN ? END, "
            "last_attempt = excluded.last_attempt "
            "RETURNING attempts, prev_attempt, locked_until",
            [user_key, client, now, lock_after, lock_until, lock_after, lock_until],
        ).fetchone()
    return int(row[0]), row[1], row[2]


def count_client_attempt(
    store: Store,
    client: str,
    now: datetime,
    lock_after: int,
    lock_until: datetime,
    window: timedelta,
) -> tuple[int, datetime | None]:
    """Count one attempt from ``client`` (any name) in a single statement.

    Return (attempts not known good, locked until). The count starts again after a lock
    has run out, or when the client made no attempt for ``window``.
    """
    fresh = (
        "(c.locked_until <= excluded.last_attempt "
        "OR (c.locked_until IS NULL AND c.last_attempt < ?))"
    )
    with store.write_lock, store.cursor() as cur:
        row = cur.execute(
            "INSERT INTO login_clients AS c VALUES (?, 1, ?, CASE WHEN ? <= 1 THEN ? END) "
            f"ON CONFLICT (client) DO UPDATE SET attempts = CASE WHEN {fresh} THEN 1 "
            "ELSE c.attempts + 1 END, "
            f"locked_until = CASE WHEN {fresh} THEN NULL "
            "WHEN c.locked_until IS NOT NULL THEN c.locked_until "
            "WHEN c.attempts + 1 >= ? THEN ? END, "
            "last_attempt = excluded.last_attempt "
            "RETURNING attempts, locked_until",
            [
                client,
                now,
                lock_after,
                lock_until,
                now - window,
                now - window,
                lock_after,
                lock_until,
            ],
        ).fetchone()
    return int(row[0]), row[1]


def record_failure(store: Store, user_key: str, client: str, now: datetime, detail: dict) -> None:
    """Log a refused login: one audit row per typed name and client a minute, with a count."""
    with store.transaction() as cur:
        row = cur.execute(
            "SELECT audit_id, audit_at, audit_count FROM login_attempts "
            "WHERE user_key = ? AND client = ?",
            [user_key, client],
        ).fetchone()
        audit_id, audit_at, count = row if row else (None, None, 0)
        if audit_id is not None and audit_at is not None and now - audit_at < AUDIT_EVERY:
            count += 1
            cur.execute(
                "UPDATE audit SET detail = ? WHERE audit_id = ?",
                [
                    json.dumps({"client": client, "attempts": count, **detail}, ensure_ascii=False),
                    audit_id,
                ],
            )
        else:
            count, audit_at = 1, now
            audit_id = store.audit(
                cur, user_key, "login_failed", None, {"client": client, "attempts": 1, **detail}
            )
        cur.execute(
            "UPDATE login_attempts SET audit_id = ?, audit_at = ?, audit_count = ? "
            "WHERE user_key = ? AND client = ?",
            [audit_id, audit_at, count, user_key, client],
        )


def record_login(store: Store, user: str, user_key: str, client: str) -> None:
    """Forget the attempts of a successful login (name and client) and log it."""
    with store.transaction() as cur:
        cur.execute(
            "DELETE FROM login_attempts WHERE user_key = ? AND client = ?", [user_key, client]
        )
        cur.execute(
            "UPDATE login_clients SET attempts = greatest(attempts - 1, 0) WHERE client = ?",
            [client],
        )
        store.audit(cur, user, "login", None, {"client": client})


def unlock(store: Store, user_key: str, by: str | None, client: str | None = None) -> int:
    """Lift the failed-login counts and locks of a typed name (and of ``client``); log it."""
    with store.transaction() as cur:
        cleared = cur.execute(
            "DELETE FROM login_attempts WHERE user_key = ?", [user_key]
        ).fetchone()[0]
        if client is not None:
            cleared += cur.execute(
                "DELETE FROM login_clients WHERE client = ?", [client]
            ).fetchone()[0]
        detail = {"user": user_key, "cleared": int(cleared)}
        if client is not None:
            detail["client"] = client
        store.audit(cur, by, "user_unlock", None, detail)
    return int(cleared)
