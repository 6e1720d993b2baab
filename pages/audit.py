"""Nhật ký thay đổi / Audit log: every change and failed login, for editors."""

import streamlit as st

from pqtrack import ui
from pqtrack.service import accounts
from pqtrack.service import display as fmt
from pqtrack.ui import session
from pqtrack.ui import year as year_ui

st.title(ui.tr("ui.audit.title"))
st.caption(ui.tr("ui.audit.caption"))
if session.require("audit_view", fresh=True):
    table = accounts.audit_table(ui.get_store(), ui.lang())
    st.dataframe(table, hide_index=True, key="audit_table")
    st.download_button(
        ui.tr("ui.audit.download"),
        fmt.csv_download(table),
        file_name="nhat-ky-thay-doi.csv",
        mime="text/csv",
        key="audit_csv",
        on_click="ignore",
    )
    st.subheader(ui.tr("ui.year.locks_title"))
    year_ui.locks_notice(ui.get_store())
    year_ui.lock_controls(ui.get_store())
