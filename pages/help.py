"""Hướng dẫn / Help: the plan's targets, how to fill the template, what each indicator counts."""

import streamlit as st

from pqtrack import ui
from pqtrack.service import guide

lang = ui.lang()

st.title(ui.tr("ui.help.title"))
st.markdown(ui.tr("ui.help.intro"))

st.header(ui.tr("ui.help.targets"))
st.table(guide.targets_table(lang), hide_index=True, border="horizontal")
st.caption(ui.tr("ui.help.at_least"))

st.header(ui.tr("ui.help.status_title"))
st.markdown(ui.tr("ui.help.status_text"))
due_once = guide.due_once(lang)
if due_once:
    st.markdown(ui.tr("ui.help.due_text", indicators="; ".join(due_once)))

st.header(ui.tr("ui.help.turns_title"))
st.markdown(ui.tr("ui.help.turns_text"))

st.header(ui.tr("ui.help.year.title"))
for part in ("corrections", "form", "void", "history", "sent", "locks"):
    st.markdown(ui.tr(f"ui.help.year.{part}"))

st.header(ui.tr("ui.help.template_title"))
st.markdown(ui.tr("ui.help.template_text"))
st.table(guide.data_dictionary(lang), hide_index=True, border="horizontal")

st.header(ui.tr("ui.help.sample_title"))
st.markdown(ui.tr("ui.help.sample_text"))
