"""Hướng dẫn / Help: the plan's targets, how to fill the template, what each indicator counts."""

import pandas as pd
import streamlit as st

from pqtrack import ui
from pqtrack.domain import plan
from pqtrack.presentation import views

lang = ui.lang()

st.title(ui.tr("ui.help.title"))
st.markdown(ui.tr("ui.help.intro"))

st.header(ui.tr("ui.help.targets"))
rows = []
for code in plan.indicators():
    first, second = (plan.target_for(code, p) for p in plan.PHASE_CODES)
    rows.append(
        {
            ui.tr("ui.col.indicator"): first.label(lang),
            ui.tr("ui.col.unit"): first.unit(lang),
            plan.phase(plan.PHASE_CODES[0]).label: first.target,
            plan.phase(plan.PHASE_CODES[1]).label: second.target,
            ui.tr("ui.help.counts"): ui.tr(f"ui.help.count.{code}"),
        }
    )
st.table(pd.DataFrame(rows), hide_index=True, border="horizontal")
st.caption(ui.tr("ui.help.at_least"))

st.header(ui.tr("ui.help.status_title"))
st.markdown(ui.tr("ui.help.status_text"))
due_once = [tg.label(lang) for tg in plan.targets(plan.PHASE_CODES[-1]) if tg.due == "phase_end"]
if due_once:
    st.markdown(ui.tr("ui.help.due_text", indicators="; ".join(due_once)))

st.header(ui.tr("ui.help.turns_title"))
st.markdown(ui.tr("ui.help.turns_text"))

st.header(ui.tr("ui.help.template_title"))
st.markdown(ui.tr("ui.help.template_text"))
st.table(views.data_dictionary(lang), hide_index=True, border="horizontal")

st.header(ui.tr("ui.help.sample_title"))
st.markdown(ui.tr("ui.help.sample_text"))
