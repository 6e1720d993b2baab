"""The reporting year on the pages: correction previews, reports sent and drift, phase locks.

Typed text (lock reasons, user names, file names) is escaped before any markdown element
shows it, or shown in a table.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import streamlit as st

from pqtrack.service import batches as batch_service
from pqtrack.service import display as fmt
from pqtrack.service import filters, locks, sent, uploads
from pqtrack.service.sent import StoreError
from pqtrack.ui import cache, session
from pqtrack.ui.errors import store_message
from pqtrack.ui.language import lang, tr
from pqtrack.ui.tables import BATCH_KINDS, batch_column_config, styled

if TYPE_CHECKING:
    from pqtrack.service.uploads import IngestReport
    from pqtrack.store import Store

UPLOAD_PAGE = "pages/upload.py"


def _who(name: str | None) -> str:
    return fmt.md_escape(name) if name else fmt.MISSING


def _lock_text(lock: locks.Lock) -> str:
    return tr(
        "ui.year.lock_line",
        phase=filters.phase_label(lock.phase),
        at=fmt.moment(lock.locked_at, lang()),
        by=_who(lock.locked_by),
        reason=fmt.md_escape(lock.reason),
    )


# -- locks ----------------------------------------------------------------------------------


def locks_notice(store: Store) -> None:
    """Show which phases are locked, by whom and why (or that none is)."""
    found = locks.locked_phases(store)
    if not found:
        st.caption(tr("ui.year.no_locks"))
        return
    for lock in found.values():
        st.info(_lock_text(lock), icon=":material/lock:")


def phase_lock_badge(store: Store, phase_code: str) -> None:
    """Show a small "Phase locked" badge, with who locked it and why, when it is locked."""
    lock = locks.locked_phases(store).get(phase_code)
    if lock is None:
        return
    st.badge(tr("ui.year.locked_badge"), icon=":material/lock:", color="orange")
    st.caption(_lock_text(lock))


def lock_controls(store: Store) -> None:
    """Render locking and unlocking a phase with a required reason (admins only)."""
    done = st.session_state.pop("lock_done", None)
    if done:
        st.success(tr(done[0], phase=filters.phase_label(done[1])))
    if not session.can("lock_phase"):
        return
    st.subheader(tr("ui.year.lock_section"))
    st.caption(tr("ui.year.lock_help"))
    found = locks.locked_phases(store)
    phases = filters.phase_codes()
    with st.form("lock_form", border=True):
        phase = st.selectbox(
            tr("ui.year.lock_pick"),
            phases,
            format_func=lambda c: filters.phase_label(c) + (" 🔒" if c in found else ""),
            key="lock_phase",
        )
        reason = st.text_input(tr("ui.year.lock_reason"), max_chars=500, key="lock_reason")
        c1, c2 = st.columns(2)
        do_lock = c1.form_submit_button(tr("ui.year.lock"), type="primary")
        do_unlock = c2.form_submit_button(tr("ui.year.unlock"))
    if not (do_lock or do_unlock) or not session.allowed("lock_phase"):
        return
    try:
        if do_lock:
            locks.lock_phase(store, phase, session.user_name(), reason)
        else:
            locks.unlock_phase(store, phase, session.user_name(), reason)
    except StoreError as exc:
        st.error(store_message(exc))
        return
    key = "ui.year.locked_done" if do_lock else "ui.year.unlocked_done"
    st.session_state["lock_done"] = (key, phase)
    st.rerun()


# -- corrections ----------------------------------------------------------------------------


def correction_preview(report: IngestReport) -> None:
    """Show a valid correction file's counts and each correction, old → new, field by field."""
    new, corrected = uploads.correction_counts(report)
    m1, m2 = st.columns(2)
    m1.metric(tr("ui.year.new_rows"), fmt.integer(new, lang()))
    m2.metric(tr("ui.year.corrected_rows"), fmt.integer(corrected, lang()))
    st.success(
        tr(
            "ui.year.ready",
            new=fmt.integer(new, lang()),
            corrected=fmt.integer(corrected, lang()),
        )
    )
    if not corrected:
        return
    st.markdown(f"**{tr('ui.year.changes_title')}**")
    table = uploads.corrections_table(report, lang())
    if table.empty:
        st.info(tr("ui.year.no_changes"))
        return
    # Typed values are table cells (never markdown); the row number takes little room so
    # old and new values stay in view on a phone.
    small = st.column_config.NumberColumn(tr("year.col.row"), width="small", format="%d")
    st.dataframe(table, hide_index=True, key="up_changes", column_config={table.columns[0]: small})
    if uploads.corrections_cut(report):
        st.caption(
            tr(
                "ui.year.changes_cut",
                limit=fmt.integer(len(table), lang()),
                rows=fmt.integer(corrected, lang()),
            )
        )


# -- reports sent ---------------------------------------------------------------------------


def register_controls(store: Store, phase_code: str, as_of: date) -> None:
    """Offer editors to register the page's report as sent, then its workbook to download."""
    if not session.can("register_report"):
        return
    if st.button(
        tr("ui.year.register"),
        help=tr("ui.year.register_help"),
        icon=":material/outgoing_mail:",
        key="ov_register",
    ) and session.allowed("register_report"):
        try:
            report, data = sent.register_report_bytes(
                store, phase_code, as_of, lang(), session.user_name()
            )
        except StoreError as exc:
            st.error(store_message(exc))
        else:
            st.session_state["ov_registered"] = (report, data)
    done = st.session_state.get("ov_registered")
    if done is None or done[0].phase != phase_code:
        return
    report, data = done
    st.success(
        tr(
            "ui.year.registered",
            id=report.report_id,
            phase=filters.phase_label(report.phase),
            as_of=fmt.day(report.as_of, lang()),
        )
    )
    st.download_button(
        tr("ui.year.registered_download", id=report.report_id),
        data,
        file_name=sent.sent_file_name(report),
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon=":material/download:",
        key="ov_registered_dl",
        on_click="ignore",
    )


def drift_notice(store: Store, phase_code: str) -> None:
    """Say when the figures of the phase's last registered report changed since, and why.

    The figures now come from the cached progress (fast); the batches behind each change
    cost a look at the store as it stood after each batch since, so they are looked up when
    asked for (then kept per data version and report).
    """
    report = sent.latest_report(store, phase_code)
    if report is None:
        return
    moved = sent.moved_since(report, cache.phase_progress(phase_code, report.as_of))
    params = {
        "id": report.report_id,
        "at": fmt.moment(report.registered_at, lang()),
        "by": _who(report.user),
    }
    if not moved:
        st.caption(tr("ui.year.sent_unchanged", **params))
        return
    asked = st.session_state.get("ov_drift_asked") == report.report_id
    if asked:
        with st.spinner(tr("ui.year.drift_finding")):
            moved = cache.drift(report.report_id)[1]
    lines = [fmt.md_escape(line) for line in sent.drift_lines(moved, lang(), batches=asked)]
    st.warning(
        "\n".join([tr("ui.year.drift_title", **params), "", *(f"- {ln}" for ln in lines)]),
        icon=":material/difference:",
    )
    if not asked:
        if st.button(tr("ui.year.drift_find"), icon=":material/search:", key="ov_drift_find"):
            st.session_state["ov_drift_asked"] = report.report_id
            st.rerun()
        return
    ids = sorted({b for m in moved for b in m.batches})
    with st.expander(tr("ui.year.drift_batches"), expanded=True):
        history = batch_service.history(store)
        shown = history[history["batch_id"].isin(ids)]
        st.dataframe(
            styled(batch_service.table(shown, lang()), BATCH_KINDS),
            hide_index=True,
            column_config=batch_column_config(lang()),
            key="ov_drift_batches",
        )
        st.page_link(UPLOAD_PAGE, label=tr("ui.year.drift_link"), icon=":material/history:")


def sent_reports_list(store: Store, phase_code: str) -> None:
    """List the phase's registered reports; any of them can be downloaded again as sent."""
    found = sent.sent_reports(store, phase_code)
    if not found:
        return
    with st.expander(tr("ui.year.sent_list", count=len(found))):
        by_id = {r.report_id: r for r in found}
        # Labels made in this run: the widget may format its options outside of it.
        labels = {
            i: tr("ui.year.sent_line", id=i, as_of=fmt.day(r.as_of, lang()),
                  at=fmt.moment(r.registered_at, lang()), by=_who(r.user))
            for i, r in by_id.items()
        }  # fmt: skip
        pick = st.selectbox(
            tr("ui.year.sent_pick"),
            sorted(by_id, reverse=True),
            format_func=labels.__getitem__,
            key="ov_sent_pick",
        )
        st.caption(tr("ui.year.sent_again_help"))
        st.download_button(
            tr("ui.year.sent_again", id=pick),
            data=session.guarded("download", lambda: sent.reissue_bytes(store, pick)),
            file_name=sent.sent_file_name(by_id[pick]),
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            icon=":material/history_edu:",
            key="ov_sent_again",
            on_click="ignore",
        )
