"""Widgets kept in the URL: filters by code (not by label), so links work in either language."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from pqtrack.ui import urlstate


def url_init(key: str, parse: Callable[[list[str]], object]) -> None:
    """Seed widget ``key`` from the URL on first sight (``parse`` returns None to ignore)."""
    if key in st.session_state:
        return
    raw = st.query_params.get_all(key)
    if raw:
        value = parse(raw)
        if value is not None:
            st.session_state[key] = value


def url_write(key: str, value: object, default: object = None) -> None:
    """Reflect a widget's value in the URL (removed when empty or the default)."""
    text = urlstate.encode(value, default)
    if text is None:
        if key in st.query_params:
            del st.query_params[key]
    else:
        st.query_params[key] = text
