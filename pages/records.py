"""Dữ liệu / Records: filter, browse a page at a time, download exactly the filtered rows."""

import math

import streamlit as st

from pqtrack import ui
from pqtrack.domain import plan
from pqtrack.figures import queries
from pqtrack.presentation import numbers, views
from pqtrack.report import export
from pqtrack.ui import session

PAGE_SIZE = 50

lang = ui.lang()
phase_code = ui.current_phase()
store = ui.get_store()

st.title(ui.tr("ui.records.title", phase=plan.phase(phase_code).label))
ui.sample_banner()
flt = ui.record_filter(phase_code, prefix="rec")
total = queries.count_records(store, flt)
st.markdown(ui.tr("ui.records.count", count=numbers.integer(total, lang)))

if total == 0:
    ui.empty_state("ui.records.none")
else:
    pages = max(1, math.ceil(total / PAGE_SIZE))
    page = int(st.session_state.get("rec_page") or 1)
    if not 1 <= page <= pages:
        page = st.session_state["rec_page"] = 1
    page_df = queries.list_records(store, flt, PAGE_SIZE, (page - 1) * PAGE_SIZE)
    st.dataframe(
        ui.styled(views.label_records(page_df, lang), ui.RECORD_KINDS),
        hide_index=True,
        column_config=ui.column_config(lang),
        key="rec_table",
        placeholder=numbers.MISSING,
    )
    c1, c2 = st.columns([3, 2])
    with c1:
        st.pagination(pages, key="rec_page")
    c2.caption(
        ui.tr(
            "ui.records.showing",
            first=numbers.integer((page - 1) * PAGE_SIZE + 1, lang),
            last=numbers.integer(min(page * PAGE_SIZE, total), lang),
            total=numbers.integer(total, lang),
        )
    )

st.subheader(ui.tr("ui.records.download"))
st.caption(ui.tr("ui.records.download_hint", count=numbers.integer(total, lang)))
d1, d2 = st.columns(2)
d1.download_button(
    ui.tr("ui.records.csv"),
    data=session.guarded("download", lambda: export.csv_bytes(store, flt)),
    file_name=f"du-lieu_{phase_code}.csv",
    mime="text/csv",
    key="rec_dl_csv",
    on_click="ignore",
    icon=":material/download:",
)
d2.download_button(
    ui.tr("ui.records.xlsx"),
    data=session.guarded("download", lambda: export.xlsx_bytes(store, flt, lang)),
    file_name=f"du-lieu_{phase_code}.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    key="rec_dl_xlsx",
    on_click="ignore",
    icon=":material/table_view:",
)
