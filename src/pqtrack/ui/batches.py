"""Shared batch controls: pick an active batch, roll it back after a confirmation."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from pqtrack import i18n
from pqtrack.store import Store, StoreError
from pqtrack.ui import data_changed, lang, session, tr


def rollback_controls(store: Store, batches: pd.DataFrame, prefix: str, msg: str) -> None:
    """Render rollback of an active batch (editors only), confirmed before it happens.

    ``prefix`` keys the widgets (``<prefix>_pick``, ``_start``, ``_yes``, ``_no``) and the
    session entries ``<prefix>_pending`` and ``<prefix>_done`` (batch id, rows removed);
    ``msg`` is the catalog prefix of the texts (``rollback_pick``, ``rollback``,
    ``rollback_confirm_text``, ``rollback_confirm``, ``cancel``).
    """
    active = [int(b) for b in batches.loc[batches["status"] == "active", "batch_id"]]
    if not active or not session.can("rollback"):
        return
    names = dict(zip(batches["batch_id"], batches["file_name"], strict=True))
    target = st.selectbox(
        tr(f"{msg}.rollback_pick"),
        active,
        format_func=lambda b: f"#{b} · {names[b]}",
        key=f"{prefix}_pick",
    )
    if st.button(tr(f"{msg}.rollback"), key=f"{prefix}_start"):
        st.session_state[f"{prefix}_pending"] = target
    pending = st.session_state.get(f"{prefix}_pending")
    if pending not in active:
        return
    st.warning(i18n.t(f"{msg}.rollback_confirm_text", lang(), batch_id=pending, batch=pending))
    yes_col, no_col = st.columns(2)
    yes = yes_col.button(tr(f"{msg}.rollback_confirm"), type="primary", key=f"{prefix}_yes")
    if yes and session.allowed("rollback"):
        try:
            removed = store.rollback(int(pending), session.user_name())
        except StoreError as exc:
            st.error(tr(exc.code, **exc.params))
        else:
            data_changed()
            st.session_state.pop(f"{prefix}_pending", None)
            st.session_state[f"{prefix}_done"] = (pending, removed)
            st.rerun()
    if no_col.button(tr(f"{msg}.cancel"), key=f"{prefix}_no"):
        st.session_state.pop(f"{prefix}_pending", None)
        st.rerun()
