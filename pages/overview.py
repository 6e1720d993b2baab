"""Tổng quan / Overview: every target of the selected phase, with pacing."""

import streamlit as st

from pqtrack import ui
from pqtrack.domain import plan
from pqtrack.presentation import charts, numbers, views
from pqtrack.report import build as report
from pqtrack.ui import session

lang = ui.lang()
phase_code = ui.current_phase()
ph = plan.phase(phase_code)
as_of = ui.today()

st.title(ui.tr("ui.overview.title", phase=ph.label))
ui.sample_banner()
who = session.user_name()  # read now: the workbook is made on the click, outside this run
st.download_button(
    ui.tr("ui.report.download"),
    data=session.guarded(
        "download", lambda: report.report_bytes(ui.get_store(), phase_code, as_of, lang, who)
    ),
    file_name=report.report_file_name(phase_code, as_of, lang),
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    help=ui.tr("ui.report.help"),
    icon=":material/description:",
    key="ov_report",
    on_click="ignore",
)
rows = ui.phase_progress(phase_code)
finished = views.phase_finished(phase_code, as_of)
if ui.get_store().is_new():
    ui.empty_state()

st.subheader(views.summary_sentence(rows, phase_code, as_of, lang))
st.markdown(ui.tr("ui.overview.legend"))

for i, row in enumerate(rows):
    if i % 3 == 0:
        cols = st.columns(3)
    unit = plan.target_for(row.indicator, phase_code).unit(lang)
    with cols[i % 3].container(border=True, key=f"card_{row.indicator}"):
        st.markdown(f"**{views.indicator_label(row.indicator, lang)}**")
        st.metric(
            ui.tr("ui.card.actual_of_target", unit=unit),
            f"{numbers.integer(row.actual, lang)} / {numbers.integer(row.target, lang)}",
            delta=numbers.percent(row.percent, lang),
            delta_color="off",
            delta_arrow="off",
        )
        st.badge(views.status_label(row.status, lang), color=views.STATUS_BADGES[row.status])
        if not finished and row.status != "not_yet_due":
            st.caption(
                ui.tr(
                    "ui.card.expected", expected=numbers.decimal(row.expected, lang, 1), unit=unit
                )
            )
        st.caption(views.needed_text(row, lang))

st.plotly_chart(charts.target_vs_actual(rows, lang, ph.label), key="tva")

st.subheader(ui.tr("ui.overview.cumulative"))
series = ui.cumulative(phase_code)
choice = st.selectbox(
    ui.tr("ui.overview.pick_indicator"),
    plan.indicators(),
    format_func=lambda c: views.indicator_label(c, lang),
    key="ov_indicator",
)
st.plotly_chart(charts.cumulative_line(series, choice, phase_code, as_of, lang), key="cum")

with st.expander(ui.tr("ui.overview.table")):
    st.dataframe(
        ui.styled(
            views.progress_table(rows, lang),
            {
                ui.tr("ui.col.percent"): "pct",
                ui.tr("ui.col.expected"): "dec",
                ui.tr("ui.col.funding_vnd"): "money",
            },
        ),
        hide_index=True,
    )
