"""Tải lên / Upload: template, preview before storing, confirm, batch history and rollback."""

import streamlit as st

from pqtrack import ui
from pqtrack.service import batches as batch_service
from pqtrack.service import display as fmt
from pqtrack.service import uploads
from pqtrack.ui import session
from pqtrack.ui import year as year_ui
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
        uploads.template_csv("vi"),
        file_name="mau-nhap-lieu.csv",
        mime="text/csv",
        key="up_tpl_vi",
        on_click="ignore",
    )
    t2.download_button(
        ui.tr("ui.upload.template_codes"),
        uploads.template_csv("codes"),
        file_name="template-codes.csv",
        mime="text/csv",
        key="up_tpl_codes",
        on_click="ignore",
    )
    t3.download_button(
        ui.tr("ui.upload.dictionary"),
        uploads.data_dictionary_csv(lang),
        file_name="tu-dien-du-lieu.csv" if lang == "vi" else "data-dictionary.csv",
        mime="text/csv",
        key="up_dict",
        on_click="ignore",
    )
    st.dataframe(uploads.data_dictionary(lang), hide_index=True)

# -- upload and preview ---------------------------------------------------------------------
st.subheader(ui.tr("ui.upload.step1"))
done = st.session_state.pop("up_done", None)
if done:
    st.success(ui.tr("ui.upload.stored", batch_id=done[0], rows=fmt.integer(done[1], lang)))
nonce = st.session_state.setdefault("up_nonce", 0)
upload = None
correct = False
year_ui.locks_notice(store)
if session.require("upload"):
    correct = st.checkbox(
        ui.tr("ui.year.correct_box"), help=ui.tr("ui.year.correct_help"), key="up_correct"
    )
    upload = st.file_uploader(
        ui.tr("ui.upload.file"), type=["csv", "txt", "tsv", "xlsx"], key=f"up_file_{nonce}"
    )
    st.caption(ui.tr("ui.uploader.hint"))  # Streamlit's own box text is English only

record = None  # the file as checked: a workbook's first sheet as CSV, the workbook kept
if upload is not None:
    # the same reading as ``pqtrack ingest``: same conversion, same caps
    record = uploads.read(upload.getvalue(), upload.name, lang)
    if record.refused is not None:
        st.error(fmt.md_escape(record.refused))
        upload = record = None
    elif record.original is not None:
        st.info(ui.tr("ui.upload.xlsx_converted"))

if upload is not None and record is not None:
    name = record.name
    ident = (*uploads.preview_key(store, record), correct)
    cached = st.session_state.get("up_report")
    # Confirming stores what the editor saw: a store changed since is not previewed again
    # on the click; the versions the preview saw are checked when storing.
    confirming = st.session_state.get("up_confirm") is True  # this run is the click's
    stale = cached is None or cached[0] != ident
    if stale and not (confirming and uploads.same_file(cached[0], ident)):
        with st.status(ui.tr("ui.upload.checking", name=fmt.md_escape(upload.name))) as status:
            report = uploads.check(store, record, on_step=ui.step_reporter(status), correct=correct)
            status.update(state="complete", expanded=False)
        st.session_state["up_report"] = (ident, report)
    else:
        report = cached[1]

    st.subheader(ui.tr("ui.upload.step2"))
    # Numbers are metrics; the file's encoding and delimiter are words, written as one line
    # (as metrics they were cut short: "dấu chấm p…").
    m1, m2 = st.columns(2)
    m1.metric(ui.tr("ui.upload.rows_read"), fmt.integer(report.rows_read, lang))
    m2.metric(ui.tr("ui.upload.problems"), fmt.integer(report.problem_count, lang))
    st.caption(
        ui.tr(
            "ui.upload.file_facts",
            encoding=report.encoding or fmt.MISSING,
            delimiter=uploads.delimiter_name(report.delimiter, lang),
        )
    )
    if report.columns:
        with st.expander(ui.tr("ui.upload.mapping")):
            st.dataframe(uploads.mapping_table(report, lang), hide_index=True)
    for problem in report.file_problems:
        st.error(fmt.md_escape(problem.message(lang)))
    for warning in report.warnings:
        st.warning(fmt.md_escape(warning.message(lang)))

    problems = report.problems_table(lang)
    if not problems.empty:
        st.error(ui.tr("ui.upload.refused", count=fmt.integer(report.problem_count, lang)))
        by = st.segmented_control(
            ui.tr("ui.upload.view"),
            ["all", "summary"],
            default="all",
            required=True,
            format_func=lambda v: ui.tr(f"ui.upload.view_{v}"),
            key="up_view",
        )
        table = problems if by == "all" else uploads.problems_by_column(problems, lang)
        st.dataframe(
            ui.styled(table, {ui.tr("problems.row"): "code"}),
            hide_index=True,
            key="up_problems",
            column_config=ui.problem_column_config(lang),
        )
        st.download_button(
            ui.tr("ui.upload.problems_csv"),
            fmt.csv_download(problems),
            file_name=f"loi_{name}.csv",
            mime="text/csv",
            key="up_problems_csv",
            on_click="ignore",
        )
    elif report.ok:
        if correct:
            year_ui.correction_preview(report)
        else:
            st.success(ui.tr("ui.upload.ready", rows=fmt.integer(report.rows_read, lang)))
        st.dataframe(
            ui.styled(
                uploads.summary_table(report, lang),
                {ui.tr("ui.col.funding_vnd"): "money"},
            ),
            hide_index=True,
        )
        confirm = st.button(ui.tr("ui.upload.confirm"), type="primary", key="up_confirm")
        if confirm and session.allowed("upload"):
            with st.status(ui.tr("ui.upload.storing")) as status:
                result = uploads.store_upload(
                    store, record, session.user_name(), on_step=ui.step_reporter(status),
                    correct=correct, expected=uploads.preview_versions(report) if correct else None,
                )  # fmt: skip
            if result.stored:
                ui.data_changed()
                st.session_state["up_done"] = (result.batch_id, result.rows_read)
                st.session_state["up_nonce"] = nonce + 1
                st.session_state.pop("up_report", None)
                st.rerun()
            for line in result.messages(lang)[:50]:
                st.error(fmt.md_escape(line))

# -- batch history ----------------------------------------------------------------------------
st.subheader(ui.tr("ui.upload.history"))
notice = st.session_state.pop("rb_done", None)
if notice:
    st.success(
        ui.tr("ui.upload.rolled_back", batch_id=notice[0], rows=fmt.integer(notice[1], lang))
    )
batches = batch_service.history(store)
if batches.empty:
    ui.empty_state("ui.upload.no_batches")
else:
    st.dataframe(
        ui.styled(batch_service.table(batches, lang), ui.BATCH_KINDS),
        hide_index=True,
        column_config=ui.batch_column_config(lang),
        key="up_batches",
    )
    h1, h2 = st.columns(2)
    with h1:
        original_controls(store, batches)
    with h2:
        rollback_controls(store, batches, "rb", "ui.upload")
