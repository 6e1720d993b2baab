"""Accounts as the session, the audit page and ``pqtrack user`` read them; the audit log.

Log-ins, passwords and the account changes themselves are in :mod:`pqtrack.service.auth`.
"""

from __future__ import annotations

import pandas as pd

from pqtrack.presentation import audit_view
from pqtrack.store import Store, accounts


def account(store: Store, name: str) -> dict | None:
    """Return an account (name, role, active, last change), or None."""
    return accounts.get_user(store, name)


def account_and_version(store: Store, name: str) -> tuple[dict | None, int]:
    """Return an account and the store's data version, read together."""
    return accounts.get_user_and_version(store, name)


def users(store: Store) -> pd.DataFrame:
    """Return every account (never a password hash)."""
    return accounts.list_users(store)


def record_event(store: Store, user: str | None, action: str, detail: dict) -> None:
    """Append an event (a log-out) to the audit log."""
    store.record_event(user, action, detail)


def audit_table(store: Store, lang: str) -> pd.DataFrame:
    """Return the audit log, newest first, with readable actions and details."""
    return audit_view.audit_table(store.audit_log(), lang)
