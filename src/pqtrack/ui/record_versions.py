"""A record's versions on the records page: void one (editors and admins), read its history."""

from __future__ import annotations

from typing import TYPE_CHECKING

import streamlit as st

from pqtrack.service import display as fmt
from pqtrack.service import versions
from pqtrack.service.batches import StoreError
from pqtrack.ui import session
from pqtrack.ui.cache import data_changed
from pqtrack.ui.errors import store_message
from pqtrack.ui.language import lang, tr

if TYPE_CHECKING:
    from pqtrack.store import Store


def void_section(store: Store) -> None:
    """Render voiding a record with a reason, confirmed first (nothing for viewers)."""
    if not session.can("void"):
        return
    st.subheader(tr("ui.void.title"))
    done = st.session_state.pop("vo_done", None)
    if done:
        st.success(tr("ui.void.done", record_id=fmt.md_escape(done[0]), batch_id=done[1]))
    st.caption(tr("ui.void.intro"))
    c1, c2 = st.columns([2, 3])
    record_id = c1.text_input(tr("ui.void.record_id"), key="vo_id", max_chars=64).strip()
    reason = c2.text_input(tr("ui.void.reason"), key="vo_reason", max_chars=500)
    if st.button(tr("ui.void.start"), key="vo_start"):
        if record_id:
            st.session_state["vo_pending"] = record_id
        else:
            st.error(tr("ui.void.need_id"))
    pending = st.session_state.get("vo_pending")
    if pending is None:
        return
    if pending != record_id:  # the id was changed since: ask again
        st.session_state.pop("vo_pending", None)
        return
    st.warning(tr("ui.void.confirm_text", record_id=fmt.md_escape(pending)))
    yes_col, no_col = st.columns(2)
    if yes_col.button(tr("ui.void.confirm"), type="primary", key="vo_yes") and session.allowed(
        "void"
    ):
        try:
            batch_id = versions.void_record(store, pending, session.user_name(), reason)
        except StoreError as exc:
            st.error(store_message(exc))
        else:
            data_changed()
            for key in ("vo_pending", "vo_id", "vo_reason"):
                st.session_state.pop(key, None)
            st.session_state["vo_done"] = (pending, batch_id)
            st.session_state["hi_id"] = pending  # its history shows the void
            st.rerun()
    if no_col.button(tr("ui.void.cancel"), key="vo_no"):
        st.session_state.pop("vo_pending", None)
        st.rerun()


def history_section(store: Store) -> None:
    """Render a record's history, oldest first, for anyone who can view the records."""
    st.subheader(tr("ui.history.title"))
    record_id = st.text_input(
        tr("ui.history.record_id"), key="hi_id", max_chars=64, placeholder=tr("ui.history.hint")
    ).strip()
    if not record_id:
        return
    table = versions.history_table(store, record_id, lang())
    if table is None:
        st.info(tr("cli.year.no_history", record_id=fmt.md_escape(record_id)))
        return
    st.dataframe(table, hide_index=True, key="hi_table")  # typed text stays text in a table
