"""Who is using the dashboard: local editor login (or OIDC), roles, and what they may do."""

from __future__ import annotations

import logging
import os

import streamlit as st

from pqtrack import auth, i18n
from pqtrack.store import Store

USER_KEY = "_pq_user"
log = logging.getLogger("pqtrack")


def _lang() -> str:
    value = st.session_state.get("lang", i18n.DEFAULT_LANG)
    return value if value in i18n.LANGS else i18n.DEFAULT_LANG


def login_required() -> bool:
    """Return whether viewing needs a login too (``PQTRACK_REQUIRE_LOGIN=1``)."""
    return os.environ.get("PQTRACK_REQUIRE_LOGIN", "0").strip().lower() in ("1", "true", "yes")


def _oidc_user() -> dict | None:
    """Return the identity-provider user mapped to a role, when ``[auth]`` is configured."""
    try:
        if not st.user.is_logged_in:
            return None
        roles = st.secrets.get("pqtrack", {}).get("roles", {})
    except Exception:  # no [auth] or no secrets file: local accounts only
        return None
    email = str(st.user.get("email") or "")
    role = roles.get(email.lower())
    return {"name": email, "role": role} if role in auth.ROLES else None


def current_user() -> dict | None:
    """Return ``{"name", "role"}`` of the logged-in user, or None for an anonymous viewer."""
    return st.session_state.get(USER_KEY) or _oidc_user()


def user_name() -> str | None:
    """Return the logged-in user's name (recorded in batches and the audit log)."""
    user = current_user()
    return user["name"] if user else None


def can(action: str) -> bool:
    """Return whether the current user may do ``action`` (see ``auth.PERMISSIONS``)."""
    user = current_user()
    return auth.can(user["role"] if user else None, action)


def require(action: str) -> bool:
    """Return ``can(action)``; when not allowed, say that an editor login is needed."""
    if can(action):
        return True
    st.info(i18n.t("ui.auth.need_editor", _lang()), icon="🔒")
    return False


def login_box(store: Store) -> None:
    """Render the sidebar login form, or who is logged in with a log-out button."""
    lang = _lang()
    user = current_user()
    box = st.sidebar.container(border=True)
    if user:
        box.markdown(
            i18n.t("ui.auth.logged_in", lang, role=i18n.t(f"ui.auth.role.{user['role']}", lang))
        )
        box.text(user["name"])  # typed text: shown as text, never as markdown or HTML
        if USER_KEY in st.session_state and box.button(
            i18n.t("ui.auth.logout", lang), key="auth_logout"
        ):
            del st.session_state[USER_KEY]
            st.rerun()
        return
    with box.form("auth_login", clear_on_submit=True, border=False):
        st.markdown(i18n.t("ui.auth.title", lang))
        name = st.text_input(i18n.t("ui.auth.user", lang), key="auth_user", max_chars=64)
        password = st.text_input(
            i18n.t("ui.auth.password", lang), type="password", key="auth_password"
        )
        submitted = st.form_submit_button(i18n.t("ui.auth.login", lang))
    if submitted:
        result = auth.login(store, name, password)
        if result.ok:
            st.session_state[USER_KEY] = {"name": result.user, "role": result.role}
            st.rerun()
        log.info("failed dashboard login for a typed user name")
        box.error(i18n.t(result.reason or "auth.invalid", lang, seconds=result.wait_seconds))
