"""The app frame: app.py navigates with st.navigation, so no page runs without its sidebar."""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

FRAME_KEY = "_pq_app_frame"


def use_navigation() -> None:
    """Declare that app.py navigates with st.navigation, so pages/ is never run on its own.

    With a ``pages/`` folder present, Streamlit starts in its older multipage mode: the
    first run after a server start wraps app.py in a navigation of its own (and a
    deep-linked page runs without app.py's sidebar). Leaving that mode and rerunning at
    once means the first visitor's widgets are the same ones every later run builds.
    """
    started_in_folder_mode = bool(PagesManager.uses_pages_directory)
    PagesManager.uses_pages_directory = False
    st.session_state[FRAME_KEY] = True
    if started_in_folder_mode:
        st.rerun()


def ensure_app_frame() -> None:
    """Rerun through app.py when a page runs outside the app frame (a deep link, folder mode)."""
    if not st.session_state.get(FRAME_KEY):
        PagesManager.uses_pages_directory = False
        st.rerun()  # the page keeps its url_path, so the rerun lands on it via app.py
