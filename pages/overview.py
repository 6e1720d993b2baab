"""Tổng quan / Overview: every target of the selected phase, with pacing."""

import streamlit as st

from pqtrack import ui
from pqtrack.service import filters, overview, progress, reports
from pqtrack.ui import clock, session
from pqtrack.ui import year as year_ui

lang = ui.lang()
phase_code = ui.current_phase()
as_of = clock.today()

st.title(ui.tr("ui.overview.title", phase=filters.phase_label(phase_code)))
ui.sample_banner()
year_ui.phase_lock_badge(ui.get_store(), phase_code)
who = session.user_name()  # read now: the workbook is made on the click, outside this run
st.download_button(
    ui.tr("ui.report.download"),
    data=session.guarded(
        "download",
        lambda: reports.report_bytes(ui.get_store(), phase_code, as_of, lang, who),
    ),
    file_name=reports.file_name(phase_code, as_of, lang),
    mime=overview.XLSX_MIME,
    help=ui.tr("ui.report.help"),
    icon=":material/description:",
    key="ov_report",
    on_click="ignore",
)
year_ui.register_controls(ui.get_store(), phase_code, as_of)
year_ui.drift_notice(ui.get_store(), phase_code)
year_ui.sent_reports_list(ui.get_store(), phase_code)
rows = ui.phase_progress(phase_code)
if ui.get_store().is_new():
    ui.empty_state()

st.subheader(progress.summary(rows, phase_code, as_of, lang))
st.markdown(ui.tr("ui.overview.legend"))

for i, card in enumerate(progress.cards(rows, phase_code, as_of, lang)):
    if i % 3 == 0:
        cols = st.columns(3)
    with cols[i % 3].container(border=True, key=f"card_{card.indicator}"):
        st.markdown(f"**{card.title}**")
        st.metric(
            card.metric_label, card.value, delta=card.delta, delta_color="off", delta_arrow="off"
        )
        st.badge(card.badge, color=card.badge_color)
        if card.expected is not None:
            st.caption(card.expected)
        st.caption(card.needed)

st.plotly_chart(overview.target_chart(rows, phase_code, lang), key="tva")

st.subheader(ui.tr("ui.overview.cumulative"))
series = ui.cumulative(phase_code)
choice = st.selectbox(
    ui.tr("ui.overview.pick_indicator"),
    filters.indicators(),
    format_func=lambda c: filters.indicator_label(c, lang),
    key="ov_indicator",
)
st.plotly_chart(overview.cumulative_chart(series, choice, phase_code, as_of, lang), key="cum")

with st.expander(ui.tr("ui.overview.table")):
    table = progress.progress_table(rows, lang)
    st.dataframe(ui.styled(table.frame, table.kinds), hide_index=True)
