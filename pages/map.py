"""Bản đồ / Map: support per 2025 ward/commune or former district, with the unmatched bucket."""

import streamlit as st

from pqtrack import ui
from pqtrack.domain import localities, plan
from pqtrack.domain.filters import RecordFilter
from pqtrack.figures import queries
from pqtrack.presentation import map_chart as charts_map
from pqtrack.presentation import map_view as mapview
from pqtrack.presentation import numbers, views


@st.cache_data(show_spinner=False, max_entries=64)
def _map_values(path: str, version: int, level: str, flt: RecordFilter) -> tuple:
    return queries.map_values(ui.get_store(), level, flt)


lang = ui.lang()
phase_code = ui.current_phase()
ph = plan.phase(phase_code)

st.title(ui.tr("mapui.title", phase=ph.label))
ui.sample_banner()
st.caption(ui.tr("mapui.intro"))

c1, c2 = st.columns(2)
indicator = c1.selectbox(
    ui.tr("mapui.indicator"),
    plan.indicators(),
    index=None,
    format_func=lambda c: views.indicator_label(c, lang),
    key="map_ind",
    placeholder=ui.tr("mapui.all_indicators"),
)
level = c2.segmented_control(
    ui.tr("mapui.level_label"),
    list(mapview.LEVELS),
    default=mapview.default_level(phase_code),
    required=True,
    format_func=lambda lv: mapview.level_label(lv, lang),
    key=f"map_level_{phase_code}",  # one switch per phase, so each starts at its own default
)
metric = st.segmented_control(
    ui.tr("mapui.metric_label"),
    list(mapview.METRICS),
    default="turns",
    required=True,
    format_func=lambda m: mapview.metric_label(m, lang),
    key="map_metric",
)

flt = RecordFilter(phase=phase_code, indicators=(indicator,) if indicator else ())
units, rest = _map_values(ui.db_path(), ui.data_version(), level, flt)
label = mapview.metric_label(metric, lang)

if mapview.is_empty(units, rest):
    st.info(ui.tr("mapui.empty"), icon="ℹ️")

reached, missing = mapview.coverage(units, level)
m1, m2 = st.columns(2)
total = len(reached) + len(missing)
m1.metric(ui.tr("mapui.coverage"), ui.tr("mapui.coverage_value", reached=len(reached), total=total))
m2.metric(ui.tr("mapui.missing"), numbers.integer(len(missing), lang))

fig = charts_map.choropleth(mapview.values(units, metric), level, label, lang)
st.plotly_chart(fig, key="map_fig", config=charts_map.PLOTLY_CONFIG)
st.caption(localities.attribution(lang))

for note in mapview.notes(rest, level, phase_code, metric, lang):
    st.caption(note)
if missing:
    st.caption(ui.tr("mapui.missing_list", units=", ".join(missing)))

st.subheader(ui.tr("mapui.table"))
st.dataframe(
    ui.styled(
        mapview.table(units, rest, level, metric, lang), {label: mapview.number_kind(metric)}
    ),
    hide_index=True,
    key="map_table",
)
