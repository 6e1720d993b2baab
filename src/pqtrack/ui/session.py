"""Who is using the dashboard: local editor login (or OIDC), roles, and what they may do.

The session keeps only who is logged in (name, login time, last activity and the account's
change stamp as read at login), never the role: the account (active, role) is read from the
store on every script run and again right before each change. An account disabled or
changed since the login, or a session idle longer than ``PQTRACK_IDLE_MINUTES``, is logged
out with a message.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import streamlit as st

from pqtrack import i18n
from pqtrack.service import accounts, auth
from pqtrack.ui import RUN_ACCOUNT, get_store, note_data_version

if TYPE_CHECKING:
    from pqtrack.store import Store

USER_KEY = "_pq_user"
NOTICE_KEY = "_pq_auth_notice"
IDLE_DEFAULT = 30
log = logging.getLogger("pqtrack")


def _lang() -> str:
    value = st.session_state.get("lang", i18n.DEFAULT_LANG)
    return value if value in i18n.LANGS else i18n.DEFAULT_LANG


def _now() -> datetime:
    """Return the time now (one place, so tests can move it)."""
    return datetime.now()


def login_required() -> bool:
    """Return whether viewing needs a login too (``PQTRACK_REQUIRE_LOGIN=1``)."""
    return os.environ.get("PQTRACK_REQUIRE_LOGIN", "0").strip().lower() in ("1", "true", "yes")


def idle_minutes() -> int:
    """Return the idle minutes after which a login is needed again (``PQTRACK_IDLE_MINUTES``)."""
    raw = os.environ.get("PQTRACK_IDLE_MINUTES", "").strip()
    try:
        value = int(raw)
    except ValueError:
        return IDLE_DEFAULT
    return value if value > 0 else IDLE_DEFAULT


def client_address() -> str | None:
    """Return the client's network address as Streamlit sees it (None when unknown/local)."""
    try:
        address = st.context.ip_address
    except Exception:  # no script run context (bare mode)
        return None
    return address if isinstance(address, str) and address else None  # (AppTest: a mock)


def login_entry(name: str, changed_at: datetime | None, now: datetime) -> dict:
    """Return what the session keeps about a login: who, since when, last seen; no role."""
    return {"name": name, "since": now, "seen": now, "account_at": changed_at}


# -- OIDC ---------------------------------------------------------------------------------


def oidc_role(user: Mapping, roles: Mapping) -> str | None:
    """Return the role of an identity-provider user, or None.

    The e-mail must be listed in ``roles`` (case-insensitive) and verified by the provider
    (the ``email_verified`` claim true; a few providers send the text "true").
    """
    verified = user.get("email_verified")
    if not (verified is True or (isinstance(verified, str) and verified.lower() == "true")):
        return None
    email = str(user.get("email") or "").strip().lower()
    if not email:
        return None
    by_email = {str(k).strip().lower(): v for k, v in roles.items()}
    role = by_email.get(email)
    return role if role in auth.ROLES else None


def _oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file: local accounts only
        return False


def _oidc_user() -> dict | None:
    """Return the identity-provider user mapped to a role, when ``[auth]`` is configured."""
    try:
        if not st.user.is_logged_in:
            return None
        roles = st.secrets.get("pqtrack", {}).get("roles", {})
        claims = st.user.to_dict()
    except Exception:  # no [auth] or no secrets file: local accounts only
        return None
    role = oidc_role(claims, roles)
    return {"name": str(claims.get("email")), "role": role, "oidc": True} if role else None


# -- local logins -------------------------------------------------------------------------


def _end(store: Store, entry: Mapping, reason: str) -> None:
    """Log the session out (``reason``: logout, idle, changed, disabled) and say why."""
    st.session_state.pop(USER_KEY, None)
    st.session_state.pop(RUN_ACCOUNT, None)
    if reason != "logout":
        st.session_state[NOTICE_KEY] = f"ui.auth.ended_{reason}"
    try:
        accounts.record_event(
            store,
            str(entry.get("name")),
            "logout",
            {"client": client_address() or "", "reason": reason},
        )
    except Exception:  # the log-out itself must not fail on a busy store
        log.exception("could not record a log-out")


def _local_user(store: Store, first: bool) -> dict | None:
    """Return the logged-in local account as read from the store now, or None.

    ``first``: the run's first look, which also keeps the data version read with it.
    """
    entry = st.session_state.get(USER_KEY)
    if not isinstance(entry, dict):
        return None
    if not {"name", "since", "seen", "account_at"} <= entry.keys():
        st.session_state.pop(USER_KEY, None)  # not a login this version made
        return None
    now = _now()
    if now - entry["seen"] > timedelta(minutes=idle_minutes()):
        _end(store, entry, "idle")
        return None
    account, version = accounts.account_and_version(store, entry["name"])
    if first:
        note_data_version(version)
    if account is None or not account["active"]:
        _end(store, entry, "disabled")
        return None
    if account["updated_at"] != entry["account_at"] or account["role"] not in auth.ROLES:
        _end(store, entry, "changed")
        return None
    entry["seen"] = now
    return {"name": account["user_name"], "role": account["role"]}


def _read_user(first: bool) -> dict | None:
    user = _local_user(get_store(), first) if USER_KEY in st.session_state else None
    return user or _oidc_user()


def current_user() -> dict | None:
    """Return ``{"name", "role"}`` of the logged-in user (read once a run), or None."""
    if RUN_ACCOUNT not in st.session_state:
        st.session_state[RUN_ACCOUNT] = _read_user(first=True)
    return st.session_state[RUN_ACCOUNT]


def _reread() -> None:
    """Read the account afresh (right before a change), not as cached for the run."""
    st.session_state[RUN_ACCOUNT] = _read_user(first=False)


def user_name() -> str | None:
    """Return the logged-in user's name (recorded in batches and the audit log)."""
    user = current_user()
    return user["name"] if user else None


def can(action: str) -> bool:
    """Return whether the current user may do ``action`` (as read at the start of this run)."""
    user = current_user()
    return auth.can(user["role"] if user else None, action)


def allowed(action: str) -> bool:
    """Return whether the user may do ``action`` now, reading the account afresh first.

    Call it right before a change: an account disabled, changed or demoted since the run
    began is refused (and logged out) with a message, and nothing is done.
    """
    _reread()
    if can(action):
        return True
    st.error(i18n.t("ui.auth.refused", _lang()), icon="🔒")
    return False


def later_check(action: str) -> Callable[[], bool]:
    """Return a check, run later outside the page run (a deferred download), of ``action``.

    The check reads the account again and the session's idle time as of the page run: the
    account disabled, changed or demoted since, or the page left idle too long, answers False.
    """
    if not login_required() and auth.can(None, action):
        return lambda: True  # open to anyone: nothing to ask
    user = current_user()
    entry = st.session_state.get(USER_KEY)
    if user is None:
        return lambda: False
    if user.get("oidc") or not isinstance(entry, dict):
        role = user["role"]
        return lambda: auth.can(role, action)
    store, name, account_at, seen = get_store(), entry["name"], entry["account_at"], entry["seen"]

    def check() -> bool:
        if _now() - seen > timedelta(minutes=idle_minutes()):
            return False
        account = accounts.account(store, name)
        return bool(
            account
            and account["active"]
            and account["updated_at"] == account_at
            and auth.can(account["role"], action)
        )

    return check


def guarded(action: str, make: Callable[[], bytes]) -> Callable[[], bytes]:
    """Return ``make`` wrapped for a deferred download: on the click, ``action`` is asked again.

    See :func:`later_check`; when refused, Streamlit answers the browser with an error.
    """
    still_allowed = later_check(action)

    def data() -> bytes:
        if not still_allowed():
            raise PermissionError(f"{action} is no longer allowed for this session")
        return make()

    return data


def require(action: str, fresh: bool = False) -> bool:
    """Return whether ``action`` is allowed (``fresh``: re-read the account); else say why."""
    if fresh:
        _reread()
    if can(action):
        return True
    st.info(i18n.t("ui.auth.need_editor", _lang()), icon="🔒")
    return False


# -- the sidebar box ------------------------------------------------------------------------


def login_box(store: Store) -> None:
    """Render the sidebar login form, or who is logged in with a log-out button."""
    lang = _lang()
    user = current_user()
    box = st.sidebar.container(border=True)
    notice = st.session_state.pop(NOTICE_KEY, None)
    if notice and not user:
        box.warning(i18n.t(notice, lang, minutes=idle_minutes()), icon="🔒")
    if user:
        box.markdown(
            i18n.t("ui.auth.logged_in", lang, role=i18n.t(f"ui.auth.role.{user['role']}", lang))
        )
        box.text(user["name"])  # typed text: shown as text, never as markdown or HTML
        if box.button(i18n.t("ui.auth.logout", lang), key="auth_logout"):
            if user.get("oidc"):
                accounts.record_event(
                    store, user["name"], "logout", {"client": client_address() or ""}
                )
                st.session_state.pop(RUN_ACCOUNT, None)
                st.logout()  # clears the identity cookie and reloads the app
                return
            _end(store, st.session_state.get(USER_KEY, {}), "logout")
            st.rerun()
        return
    with box.form("auth_login", clear_on_submit=True, border=False):
        st.markdown(i18n.t("ui.auth.title", lang))
        name = st.text_input(i18n.t("ui.auth.user", lang), key="auth_user", max_chars=64)
        password = st.text_input(
            i18n.t("ui.auth.password", lang), type="password", key="auth_password"
        )
        submitted = st.form_submit_button(i18n.t("ui.auth.login", lang))
    if _oidc_configured() and box.button(i18n.t("ui.auth.oidc_login", lang), key="auth_oidc"):
        st.login()
    if submitted:
        result = auth.login(store, name, password, now=_now(), client=client_address())
        if result.ok:
            st.session_state[USER_KEY] = login_entry(result.user, result.changed_at, _now())
            st.session_state.pop(RUN_ACCOUNT, None)
            st.rerun()
        log.info("failed dashboard login for a typed user name")
        box.error(i18n.t(result.reason or "auth.invalid", lang, seconds=result.wait_seconds))
