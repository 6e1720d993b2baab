"""Errors on a page: store errors as the app's own words (never a server path), the rest logged."""

from __future__ import annotations

import logging
import os

import streamlit as st

from pqtrack.store import StoreError
from pqtrack.ui.cache import data_version
from pqtrack.ui.language import tr

# Store errors whose catalog text names a server path, and the app's words for them.
_PATH_FREE = {
    "store.cannot_open": "ui.error.store_unavailable",
    "store.corrupt": "ui.error.store_unavailable",
    "store.busy": "ui.error.store_busy",
    "store.original_missing": "ui.error.original_missing",
}


def store_message(exc: StoreError) -> str:
    """Return a store error in the session's language, never naming a server path."""
    params = {k: v for k, v in exc.params.items() if k != "path"}
    return tr(_PATH_FREE.get(exc.code, exc.code), **params)


def require_store() -> None:
    """Stop the run with the app's own message when the store cannot be opened or read.

    The error (with the file's path) goes to the server log; the page names no path.
    """
    try:
        data_version()
    except StoreError as exc:
        logging.getLogger("pqtrack").error(
            "store unavailable (%s): %s", exc.code, exc.__cause__ or exc.params
        )
        st.error(store_message(exc), icon="⚠️")
        st.stop()


def run_page(page: object) -> None:
    """Run the chosen page; store errors become messages, anything else a friendly note.

    The full error goes to the server log. ``PQTRACK_RAISE_ERRORS=1`` (tests) lets it through.
    """
    try:
        page.run()
    except StoreError as exc:
        st.warning(store_message(exc), icon="⏳")
    except Exception:
        if os.environ.get("PQTRACK_RAISE_ERRORS") == "1":
            raise
        logging.getLogger("pqtrack").exception("page failed")
        st.error(tr("ui.error.friendly"), icon="⚠️")
