"""Bản đồ / Map: support per 2025 ward/commune or former district, with the unmatched bucket."""

import streamlit as st

from pqtrack import ui
from pqtrack.service import filters, places

lang = ui.lang()
phase_code = ui.current_phase()

st.title(ui.tr("mapui.title", phase=filters.phase_label(phase_code)))
ui.sample_banner()
st.caption(ui.tr("mapui.intro"))

c1, c2 = st.columns(2)
indicator = c1.selectbox(
    ui.tr("mapui.indicator"),
    filters.indicators(),
    index=None,
    format_func=lambda c: filters.indicator_label(c, lang),
    key="map_ind",
    placeholder=ui.tr("mapui.all_indicators"),
)
level = c2.segmented_control(
    ui.tr("mapui.level_label"),
    list(places.LEVELS),
    default=places.default_level(phase_code),
    required=True,
    format_func=lambda lv: places.level_label(lv, lang),
    key=f"map_level_{phase_code}",  # one switch per phase, so each starts at its own default
)
metric = st.segmented_control(
    ui.tr("mapui.metric_label"),
    list(places.METRICS),
    default="turns",
    required=True,
    format_func=lambda m: places.metric_label(m, lang),
    key="map_metric",
)

flt = filters.record_filter(phase_code, indicators=(indicator,) if indicator else ())
units, rest = ui.map_values(level, flt)
view = places.map_view_of(units, rest, level, metric, phase_code, lang)

if view.empty:
    st.info(ui.tr("mapui.empty"), icon="ℹ️")

m1, m2 = st.columns(2)
m1.metric(ui.tr("mapui.coverage"), view.coverage)
m2.metric(ui.tr("mapui.missing"), view.missing_count)

st.plotly_chart(view.figure, key="map_fig", config=places.PLOTLY_CONFIG)
st.caption(view.attribution)

for note in view.notes:
    st.caption(note)
if view.missing_list:
    st.caption(view.missing_list)

st.subheader(ui.tr("mapui.table"))
st.dataframe(ui.styled(view.table.frame, view.table.kinds), hide_index=True, key="map_table")
