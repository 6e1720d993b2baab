"""Đối tượng thụ hưởng / Beneficiaries: who was helped, where, in which sector and standard."""

import streamlit as st

from pqtrack import ui
from pqtrack.domain import plan
from pqtrack.domain.filters import RecordFilter
from pqtrack.presentation import charts, numbers, views

lang = ui.lang()
phase_code = ui.current_phase()
ph = plan.phase(phase_code)

st.title(ui.tr("ui.ben.title", phase=ph.label))
ui.sample_banner()
st.caption(ui.tr("ui.ben.turns_note"))

inds = ui.multiselect_codes(
    st,
    "ben_ind",
    ui.tr("ui.filter.indicator"),
    plan.indicators(),
    lambda c: views.indicator_label(c, lang),
)
measure = st.segmented_control(
    ui.tr("ui.ben.measure"),
    ["turns", "quantity", "beneficiaries", "funding_vnd"],
    default="turns",
    required=True,
    format_func=lambda m: ui.tr(f"ui.measure.{m}"),
    key="ben_measure",
)
flt = RecordFilter(phase=phase_code, indicators=tuple(inds))

tot = ui.totals(flt)
m1, m2, m3, m4 = st.columns([1, 1, 1, 2])  # the amount in đồng needs the room
m1.metric(ui.tr("ui.measure.turns"), numbers.integer(tot["turns"], lang))
m2.metric(ui.tr("ui.measure.quantity"), numbers.integer(tot["quantity"], lang))
m3.metric(ui.tr("ui.measure.beneficiaries"), numbers.integer(tot["beneficiaries"], lang))
m4.metric(ui.tr("ui.measure.funding_vnd"), numbers.money(tot["funding_vnd"], lang))

if tot["turns"] == 0:
    ui.empty_state("ui.records.none")
else:
    by_type = ui.breakdown("beneficiary_type", flt)
    title = ui.tr("ui.ben.by_type", measure=ui.tr(f"ui.measure.{measure}"), phase=ph.label)
    st.plotly_chart(charts.stacked_by_type(by_type, measure, lang, title), key="ben_type")
    with st.expander(ui.tr("ui.ben.type_table")):
        st.dataframe(
            ui.styled(
                views.breakdown_table(by_type, "beneficiary_type", lang), ui.breakdown_kinds(lang)
            ),
            hide_index=True,
        )

    tabs = st.tabs([ui.tr(f"ui.dim.{d}") for d in views.BREAKDOWN_DIMENSIONS])
    for tab, dim in zip(tabs, views.BREAKDOWN_DIMENSIONS, strict=True):
        with tab:
            if dim in ("district", "commune"):
                st.caption(ui.tr(f"ui.ben.note_{dim}"))
            df = ui.breakdown(dim, flt)
            title = ui.tr(
                "ui.ben.by_dim",
                measure=ui.tr(f"ui.measure.{measure}"),
                dim=ui.tr(f"ui.dim.{dim}").lower(),
            )
            st.plotly_chart(charts.bar_breakdown(df, dim, measure, lang, title), key=f"ben_{dim}")
            st.dataframe(
                ui.styled(views.breakdown_table(df, dim, lang), ui.breakdown_kinds(lang)),
                hide_index=True,
                key=f"bt_{dim}",
            )
