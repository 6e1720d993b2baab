"""Shared batch controls: roll back an active batch, download or purge a batch's original."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
import streamlit as st

from pqtrack import i18n
from pqtrack.service import batches as service
from pqtrack.service import display as fmt
from pqtrack.ui import data_changed, lang, session, tr

if TYPE_CHECKING:
    from pqtrack.store import Store


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
            removed = service.rollback(store, int(pending), session.user_name())
        except service.StoreError as exc:
            st.error(tr(exc.code, **exc.params))
        else:
            data_changed()
            st.session_state.pop(f"{prefix}_pending", None)
            st.session_state[f"{prefix}_done"] = (pending, removed)
            st.rerun()
    if no_col.button(tr(f"{msg}.cancel"), key=f"{prefix}_no"):
        st.session_state.pop(f"{prefix}_pending", None)
        st.rerun()


def _when(at: object) -> str:
    return f"{at:%d/%m/%Y %H:%M}"


def original_controls(store: Store, batches: pd.DataFrame) -> None:
    """Render the original files: download (editors and admins), purge after rollback (admins).

    An original may hold columns the ingest ignored (ID-card or phone numbers), so nobody
    below an editor is offered one. A purged original is named as such instead of offered.
    """
    if not session.can("download_original"):
        st.info(tr("ui.upload.original_locked"), icon="🔒")
        return
    names = dict(zip(batches["batch_id"], batches["file_name"], strict=True))
    gone = service.purged(store)

    def label(b: int) -> str:
        return f"#{b} · {names[b]}" + (f" · {tr('ui.upload.purged_tag')}" if b in gone else "")

    pick = st.selectbox(
        tr("ui.upload.original_pick"), list(names), format_func=label, key="up_orig"
    )
    if pick in gone:
        user, at = gone[pick]
        # typed text (the CLI takes any --user)
        who = fmt.md_escape(user) if user else fmt.MISSING
        st.info(tr("store.original_purged", batch_id=pick, user=who, at=_when(at)))
    else:
        st.download_button(
            tr("ui.upload.original"),
            data=session.guarded("download_original", lambda: service.original(store, pick)),
            file_name=names[pick],
            mime=service.mime_for(names[pick]),
            key="up_orig_dl",
            on_click="ignore",
        )
    rolled = batches.loc[batches["status"] == "rolled_back", "batch_id"]
    _purge_controls(store, [int(b) for b in rolled if int(b) not in gone], names)


def _purge_controls(store: Store, purgeable: list[int], names: dict) -> None:
    """Render purge of a rolled-back batch's original (admins only), confirmed first."""
    done = st.session_state.pop("purge_done", None)
    if done is not None:
        st.success(tr("ui.upload.purged", batch_id=done))
    if not purgeable or not session.can("purge_original"):
        return
    target = st.selectbox(
        tr("ui.upload.purge_pick"),
        purgeable,
        format_func=lambda b: f"#{b} · {names[b]}",
        key="purge_pick",
    )
    if st.button(tr("ui.upload.purge"), key="purge_start"):
        st.session_state["purge_pending"] = target
    pending = st.session_state.get("purge_pending")
    if pending not in purgeable:
        return
    st.warning(tr("ui.upload.purge_confirm_text", batch_id=pending))
    yes_col, no_col = st.columns(2)
    yes = yes_col.button(tr("ui.upload.purge_confirm"), type="primary", key="purge_yes")
    if yes and session.allowed("purge_original"):
        try:
            service.purge_original(store, int(pending), session.user_name())
        except service.StoreError as exc:
            st.error(tr(exc.code, **exc.params))
        else:
            st.session_state.pop("purge_pending", None)
            st.session_state["purge_done"] = pending
            st.rerun()
    if no_col.button(tr("ui.upload.cancel"), key="purge_no"):
        st.session_state.pop("purge_pending", None)
        st.rerun()
