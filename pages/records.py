"""Dữ liệu / Records: filter, browse, download the filtered rows; add, correct, void, history."""

import streamlit as st

from pqtrack import ui
from pqtrack.service import filters, records
from pqtrack.ui import record_form, record_versions, session

lang = ui.lang()
phase_code = ui.current_phase()
store = ui.get_store()

st.title(ui.tr("ui.records.title", phase=filters.phase_label(phase_code)))
ui.sample_banner()
flt = ui.record_filter(phase_code, prefix="rec")
total = records.count(store, flt)
st.markdown(records.count_text(total, lang))

if total == 0:
    ui.empty_state("ui.records.none")
else:
    pages = records.page_count(total)
    page = int(st.session_state.get("rec_page") or 1)
    if not 1 <= page <= pages:
        page = st.session_state["rec_page"] = 1
    table = records.page(store, flt, page, lang)
    st.dataframe(
        ui.styled(table.frame, table.kinds),
        hide_index=True,
        column_config=ui.column_config(lang),
        key="rec_table",
        placeholder=records.MISSING,
    )
    c1, c2 = st.columns([3, 2])
    with c1:
        st.pagination(pages, key="rec_page")
    c2.caption(records.showing_text(page, total, lang))

st.subheader(ui.tr("ui.records.download"))
st.caption(records.download_hint(total, lang))
d1, d2 = st.columns(2)
d1.download_button(
    ui.tr("ui.records.csv"),
    data=session.guarded("download", lambda: records.csv_bytes(store, flt)),
    file_name=records.file_name(phase_code, "csv"),
    mime=records.CSV_MIME,
    key="rec_dl_csv",
    on_click="ignore",
    icon=":material/download:",
)
d2.download_button(
    ui.tr("ui.records.xlsx"),
    data=session.guarded("download", lambda: records.xlsx_bytes(store, flt, lang)),
    file_name=records.file_name(phase_code, "xlsx"),
    mime=records.XLSX_MIME,
    key="rec_dl_xlsx",
    on_click="ignore",
    icon=":material/table_view:",
)

record_form.form_section(store)
record_versions.void_section(store)
record_versions.history_section(store)
