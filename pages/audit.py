"""Nhật ký thay đổi / Audit log: every change and failed login, for editors."""

import streamlit as st

from pqtrack import ui
from pqtrack.presentation import audit_view as auditview
from pqtrack.presentation import views
from pqtrack.ui import session

st.title(ui.tr("ui.audit.title"))
st.caption(ui.tr("ui.audit.caption"))
if session.require("audit_view", fresh=True):
    table = auditview.audit_table(ui.get_store().audit_log(), ui.lang())
    st.dataframe(table, hide_index=True, key="audit_table")
    st.download_button(
        ui.tr("ui.audit.download"),
        views.csv_download(table),
        file_name="nhat-ky-thay-doi.csv",
        mime="text/csv",
        key="audit_csv",
        on_click="ignore",
    )
