"""Tải lên / Upload: template, preview before storing, confirm, batch history and rollback."""

import streamlit as st

from pqtrack import ui
from pqtrack.ingest import pipeline as ingest
from pqtrack.ingest import workbook
from pqtrack.presentation import numbers, views
from pqtrack.ui import session
from pqtrack.ui.batches import original_controls, rollback_controls

lang = ui.lang()
store = ui.get_store()

st.title(ui.tr("ui.upload.title"))
ui.sample_banner()

# -- the template ---------------------------------------------------------------------------
with st.expander(ui.tr("ui.upload.template_title"), expanded=False):
    st.markdown(ui.tr("ui.upload.template_help"))
    t1, t2, t3 = st.columns(3)
    t1.download_button(
        ui.tr("ui.upload.template_vi"),
        ingest.template_csv("vi"),
        file_name="mau-nhap-lieu.csv",
        mime="text/csv",
        key="up_tpl_vi",
        on_click="ignore",
    )
    t2.download_button(
        ui.tr("ui.upload.template_codes"),
        ingest.template_csv("codes"),
        file_name="template-codes.csv",
        mime="text/csv",
        key="up_tpl_codes",
        on_click="ignore",
    )
    t3.download_button(
        ui.tr("ui.upload.dictionary"),
        views.data_dictionary_csv(lang),
        file_name="tu-dien-du-lieu.csv" if lang == "vi" else "data-dictionary.csv",
        mime="text/csv",
        key="up_dict",
        on_click="ignore",
    )
    st.dataframe(views.data_dictionary(lang), hide_index=True)

# -- upload and preview ---------------------------------------------------------------------
st.subheader(ui.tr("ui.upload.step1"))
done = st.session_state.pop("up_done", None)
if done:
    st.success(ui.tr("ui.upload.stored", batch_id=done[0], rows=numbers.integer(done[1], lang)))
nonce = st.session_state.setdefault("up_nonce", 0)
upload = None
if session.require("upload"):
    upload = st.file_uploader(
        ui.tr("ui.upload.file"), type=["csv", "txt", "tsv", "xlsx"], key=f"up_file_{nonce}"
    )
    st.caption(ui.tr("ui.uploader.hint"))  # Streamlit's own box text is English only

data = upload.getvalue() if upload is not None else b""
name = upload.name if upload is not None else ""
original = None  # the workbook itself, kept with the batch when an .xlsx is converted
if upload is not None:
    try:  # the same reading as ``pqtrack ingest``: same conversion, same caps
        record = workbook.record_file(data, name)
        data, name, original = record.data, record.name, record.original
        if original is not None:
            st.info(ui.tr("ui.upload.xlsx_converted"))
    except workbook.WorkbookError as exc:
        st.error(views.md_escape(exc.message(lang)))
        upload = None

if upload is not None:
    ident = (name, ingest.content_hash(data), store.data_version())
    cached = st.session_state.get("up_report")
    if cached is None or cached[0] != ident:
        with st.status(ui.tr("ui.upload.checking", name=views.md_escape(upload.name))) as status:
            report = ingest.check(
                store, data, name, on_step=ui.step_reporter(status), original=original
            )
            status.update(state="complete", expanded=False)
        st.session_state["up_report"] = (ident, report)
    else:
        report = cached[1]

    st.subheader(ui.tr("ui.upload.step2"))
    # Numbers are metrics; the file's encoding and delimiter are words, written as one line
    # (as metrics they were cut short: "dấu chấm p…").
    m1, m2 = st.columns(2)
    m1.metric(ui.tr("ui.upload.rows_read"), numbers.integer(report.rows_read, lang))
    m2.metric(ui.tr("ui.upload.problems"), numbers.integer(report.problem_count, lang))
    st.caption(
        ui.tr(
            "ui.upload.file_facts",
            encoding=report.encoding or numbers.MISSING,
            delimiter=views.delimiter_name(report.delimiter, lang),
        )
    )
    if report.columns:
        with st.expander(ui.tr("ui.upload.mapping")):
            st.dataframe(views.mapping_table(report.columns, lang), hide_index=True)
    for problem in report.file_problems:
        st.error(views.md_escape(problem.message(lang)))
    for warning in report.warnings:
        st.warning(views.md_escape(warning.message(lang)))

    problems = report.problems_table(lang)
    if not problems.empty:
        st.error(ui.tr("ui.upload.refused", count=numbers.integer(report.problem_count, lang)))
        by = st.segmented_control(
            ui.tr("ui.upload.view"),
            ["all", "summary"],
            default="all",
            required=True,
            format_func=lambda v: ui.tr(f"ui.upload.view_{v}"),
            key="up_view",
        )
        table = problems if by == "all" else views.problems_by_column(problems, lang)
        st.dataframe(
            ui.styled(table, {ui.tr("problems.row"): "code"}),
            hide_index=True,
            key="up_problems",
            column_config=ui.problem_column_config(lang),
        )
        st.download_button(
            ui.tr("ui.upload.problems_csv"),
            views.csv_download(problems),
            file_name=f"loi_{name}.csv",
            mime="text/csv",
            key="up_problems_csv",
            on_click="ignore",
        )
    elif report.ok:
        st.success(ui.tr("ui.upload.ready", rows=numbers.integer(report.rows_read, lang)))
        st.dataframe(
            ui.styled(
                views.upload_summary(report.stage.summary, lang),
                {ui.tr("ui.col.funding_vnd"): "money"},
            ),
            hide_index=True,
        )
        confirm = st.button(ui.tr("ui.upload.confirm"), type="primary", key="up_confirm")
        if confirm and session.allowed("upload"):
            with st.status(ui.tr("ui.upload.storing")) as status:
                result = ingest.process(
                    store,
                    data,
                    name,
                    user=session.user_name(),
                    on_step=ui.step_reporter(status),
                    original=original,
                )
            if result.stored:
                ui.data_changed()
                st.session_state["up_done"] = (result.batch_id, result.rows_read)
                st.session_state["up_nonce"] = nonce + 1
                st.session_state.pop("up_report", None)
                st.rerun()
            for line in result.messages(lang)[:50]:
                st.error(views.md_escape(line))

# -- batch history ----------------------------------------------------------------------------
st.subheader(ui.tr("ui.upload.history"))
notice = st.session_state.pop("rb_done", None)
if notice:
    st.success(
        ui.tr("ui.upload.rolled_back", batch_id=notice[0], rows=numbers.integer(notice[1], lang))
    )
batches = store.batches()
if batches.empty:
    ui.empty_state("ui.upload.no_batches")
else:
    st.dataframe(
        ui.styled(views.batches_table(batches, lang), ui.BATCH_KINDS),
        hide_index=True,
        column_config=ui.batch_column_config(lang),
        key="up_batches",
    )
    h1, h2 = st.columns(2)
    with h1:
        original_controls(store, batches)
    with h2:
        rollback_controls(store, batches, "rb", "ui.upload")
