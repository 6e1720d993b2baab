"""Đối tượng thụ hưởng / Beneficiaries: who was helped, where, in which sector and standard."""

import streamlit as st

from pqtrack import ui
from pqtrack.service import beneficiaries, filters

lang = ui.lang()
phase_code = ui.current_phase()

st.title(ui.tr("ui.ben.title", phase=filters.phase_label(phase_code)))
ui.sample_banner()
st.caption(ui.tr("ui.ben.turns_note"))

inds = ui.multiselect_codes(
    st,
    "ben_ind",
    ui.tr("ui.filter.indicator"),
    filters.indicators(),
    lambda c: filters.indicator_label(c, lang),
)
measure = st.segmented_control(
    ui.tr("ui.ben.measure"),
    list(beneficiaries.MEASURES),
    default="turns",
    required=True,
    format_func=lambda m: beneficiaries.measure_label(m, lang),
    key="ben_measure",
)
flt = filters.record_filter(phase_code, indicators=tuple(inds))

tot = ui.totals(flt)
cols = st.columns([1, 1, 1, 2])  # the amount in đồng needs the room
for col, (label, value) in zip(cols, beneficiaries.metrics(tot, lang), strict=True):
    col.metric(label, value)

if tot["turns"] == 0:
    ui.empty_state("ui.records.none")
else:
    by_type = ui.breakdown("beneficiary_type", flt)
    st.plotly_chart(beneficiaries.type_chart(by_type, measure, phase_code, lang), key="ben_type")
    with st.expander(ui.tr("ui.ben.type_table")):
        table = beneficiaries.breakdown_table(by_type, "beneficiary_type", lang)
        st.dataframe(ui.styled(table.frame, table.kinds), hide_index=True)

    dims = beneficiaries.DIMENSIONS
    tabs = st.tabs([beneficiaries.dimension_label(d, lang) for d in dims])
    for tab, dim in zip(tabs, dims, strict=True):
        with tab:
            note = beneficiaries.dimension_note(dim, lang)
            if note:
                st.caption(note)
            df = ui.breakdown(dim, flt)
            st.plotly_chart(beneficiaries.dimension_chart(df, dim, measure, lang), key=f"ben_{dim}")
            table = beneficiaries.breakdown_table(df, dim, lang)
            st.dataframe(ui.styled(table.frame, table.kinds), hide_index=True, key=f"bt_{dim}")
