"""The session's language (Vietnamese by default, kept in ``?lang=``) and its messages."""

from __future__ import annotations

import streamlit as st

from pqtrack import i18n
from pqtrack.ui.navigation import ensure_app_frame
from pqtrack.ui.urls import url_init, url_write

LANG_KEY = "lang"
LANG_NAMES = {"vi": "Tiếng Việt", "en": "English"}


def lang() -> str:
    """Return the language chosen in this session (Vietnamese by default)."""
    ensure_app_frame()
    value = st.session_state.get(LANG_KEY, i18n.DEFAULT_LANG)
    return value if value in i18n.LANGS else i18n.DEFAULT_LANG


def tr(key: str, **params: object) -> str:
    """Return the message ``key`` in the session's language."""
    return i18n.t(key, lang(), **params)


def language_switch() -> str:
    """Render the language switch (kept in ``?lang=``) and return the language."""
    url_init(LANG_KEY, lambda raw: raw[0] if raw[0] in i18n.LANGS else None)
    st.sidebar.radio(
        tr("ui.lang_switch"),  # the same in both languages: it is how one finds the other
        i18n.LANGS,
        format_func=LANG_NAMES.__getitem__,
        key=LANG_KEY,
        horizontal=True,
    )
    url_write(LANG_KEY, lang(), i18n.DEFAULT_LANG)
    return lang()
