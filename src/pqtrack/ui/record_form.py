"""One record in a form on the records page: add or correct it, checked, previewed, confirmed.

The form makes a one-row file (``service.form.record_csv``) that goes through the upload's
checks and store step, so its rules, messages, batch, history and rollback are the upload's.
Widgets keep their values under ``rf_*`` keys; the last check is kept as ``rf_preview`` and
dropped as soon as a field changes, so what is confirmed is always what was previewed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import streamlit as st

from pqtrack.service import display as fmt
from pqtrack.service import filters, form, uploads
from pqtrack.service.batches import StoreError
from pqtrack.ui import clock, session
from pqtrack.ui.cache import beneficiary_choices, data_changed, distinct
from pqtrack.ui.errors import store_message
from pqtrack.ui.language import lang, tr

if TYPE_CHECKING:
    from pqtrack.store import Store

# Widget key of each record field (the record id is typed, or the loaded record's).
FIELD_KEYS: dict[str, str] = {
    "indicator": "rf_indicator",
    "date": "rf_date",
    "quantity": "rf_quantity",
    "participants": "rf_participants",
    "beneficiary_name": "rf_beneficiary",
    "beneficiary_type": "rf_type",
    "tax_code": "rf_tax",
    "locality": "rf_locality",
    "sector": "rf_sector",
    "standard": "rf_standard",
    "funding_vnd": "rf_funding",
    "note": "rf_note",
}
_STATE = ("rf_record_id", "rf_loaded", "rf_new_id", "rf_preview", "rf_find")
_NUMBERS = ("quantity", "participants", "funding_vnd")


def _clear() -> None:
    """Forget the form's values and its preview (after storing, or on a change of mode)."""
    for key in (*FIELD_KEYS.values(), *_STATE):
        st.session_state.pop(key, None)


def _whole(value: object) -> object:
    """Return a stored number as the number box holds it (whole numbers as int)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _load(store: Store, record_id: str) -> None:
    """Put a record's current values into the form, or say there is none to correct."""
    fields = form.current_fields(store, record_id)
    if fields is None:
        st.session_state.pop("rf_loaded", None)
        st.error(tr("ui.form.not_current", record_id=fmt.md_escape(record_id)))
        return
    _clear()
    for name, key in FIELD_KEYS.items():
        value = fields.get(name)
        st.session_state[key] = _whole(value) if name in _NUMBERS else value
    st.session_state["rf_loaded"] = record_id


def _options(values: list, current: object) -> list:
    """Return ``values`` with the field's current value kept among them."""
    return values if current is None or current in values else [current, *values]


def _beneficiary_label(choice: tuple) -> str:
    name, tax_code = choice[0], choice[1]
    return f"{name} · {tax_code}" if tax_code else str(name)


def _picked(found: dict[str, tuple]) -> None:
    """Fill the tax code and type of a beneficiary picked from those on record."""
    choice = found.get(st.session_state.get("rf_beneficiary"))
    if choice is not None:
        st.session_state["rf_tax"] = choice[1] or ""
        if choice[2]:
            st.session_state["rf_type"] = choice[2]


def _known_or_new(label: str, known: list[str], key: str) -> None:
    """Render a choice among the values on record that also takes a new one typed."""
    st.selectbox(
        label,
        _options(known, st.session_state.get(key)),
        index=None,
        accept_new_options=True,
        placeholder=tr("ui.form.pick_or_type"),
        key=key,
    )


def _fields(lang_: str) -> dict[str, object]:
    """Render the record's fields; return what they hold (the beneficiary as a name)."""
    state = st.session_state
    label = {name: tr(f"ui.rec.{name}") for name in FIELD_KEYS}
    indicators = filters.indicators()
    c1, c2 = st.columns(2)
    c1.selectbox(label["indicator"], _options(indicators, state.get("rf_indicator")),
                 index=None, format_func=lambda c: filters.indicator_label(c, lang_),
                 placeholder=tr("ui.form.pick"), key="rf_indicator")  # fmt: skip
    low, high = form.date_bounds()
    c2.date_input(label["date"], value=None, min_value=low, max_value=high,
                  format="DD/MM/YYYY", key="rf_date")  # fmt: skip
    c1, c2 = st.columns(2)
    c1.number_input(label["quantity"], value=None, step=1, key="rf_quantity")
    c2.number_input(label["participants"], value=None, step=1, key="rf_participants")

    typed = st.text_input(tr("ui.form.find"), key="rf_find", max_chars=100,
                          help=tr("ui.form.find_help"))  # fmt: skip
    found = {_beneficiary_label(c): c for c in beneficiary_choices(typed or "")}
    st.selectbox(tr("ui.form.beneficiary"),
                 _options(list(found), state.get("rf_beneficiary")), index=None,
                 accept_new_options=True, placeholder=tr("ui.form.pick_or_type"),
                 key="rf_beneficiary", on_change=_picked, args=(found,))  # fmt: skip
    c1, c2 = st.columns(2)
    c1.selectbox(label["beneficiary_type"], filters.type_codes(), index=None,
                 format_func=lambda c: filters.type_label(c, lang_),
                 placeholder=tr("ui.form.pick"), key="rf_type")  # fmt: skip
    c2.text_input(label["tax_code"], key="rf_tax", max_chars=20)
    c1, c2 = st.columns(2)
    with c1:
        _known_or_new(label["locality"], distinct("locality"), "rf_locality")
    with c2:
        _known_or_new(label["sector"], distinct("sector"), "rf_sector")
    c1, c2 = st.columns(2)
    with c1:
        _known_or_new(label["standard"], distinct("standard"), "rf_standard")
    c2.number_input(label["funding_vnd"], value=None, step=1_000_000, key="rf_funding")
    st.text_input(label["note"], key="rf_note", max_chars=500)

    values = {name: state.get(key) for name, key in FIELD_KEYS.items()}
    picked = found.get(values["beneficiary_name"])
    if picked is not None:
        values["beneficiary_name"] = picked[0]
    return values


def _show_problems(report: object, lang_: str) -> None:
    """Show a checked line's problems with the upload's messages, one note each.

    The upload's table (row, column, value, reason) needs a wide screen and its row is
    always 2 here; a note per problem wraps on a phone and keeps column, value and reason.
    """
    for problem in report.file_problems:
        st.error(fmt.md_escape(problem.message(lang_)))
    for warning in report.warnings:
        st.warning(fmt.md_escape(warning.message(lang_)))
    problems = report.problems_table(lang_)
    if problems.empty:
        return
    st.error(tr("ui.form.refused", count=fmt.integer(report.problem_count, lang_)))
    for _row, column, value, reason in problems.itertuples(index=False):
        line = tr("ui.form.problem", column=column, value=value or fmt.MISSING, reason=reason)
        st.error(fmt.md_escape(line), icon="✏️")


def _preview(store: Store, preview: dict, lang_: str) -> None:
    """Show what the checked line will store and, when clean, the confirm button."""
    report = preview["report"]
    if not report.ok:
        _show_problems(report, lang_)
        return
    for warning in report.warnings:
        st.warning(fmt.md_escape(warning.message(lang_)))
    if preview["correct"]:
        changes = form.changes_table(report, lang_)
        if changes.empty:
            st.info(tr("ui.form.no_change"))
            return
        st.success(tr("ui.form.ready_correct", record_id=fmt.md_escape(preview["record_id"])))
        st.dataframe(changes, hide_index=True, key="rf_changes")
    else:
        st.success(tr("ui.form.ready_new"))
        st.dataframe(form.fields_table(preview["fields"], lang_), hide_index=True)
    if st.button(tr("ui.form.confirm"), type="primary", key="rf_confirm") and session.allowed(
        "upload"
    ):
        try:
            result = uploads.store_upload(
                store, preview["upload"], session.user_name(), correct=preview["correct"],
                expected=report.stage.versions or None,
            )  # fmt: skip
        except StoreError as exc:
            st.error(store_message(exc))
            return
        if result.stored:
            data_changed()
            _clear()
            st.session_state["rf_done"] = (result.batch_id, preview["record_id"])
            st.rerun()
        for line in result.messages(lang_)[:50]:
            st.error(fmt.md_escape(line))


def form_section(store: Store) -> None:
    """Render "add or correct one record" for editors and admins (nothing for viewers)."""
    if not session.can("upload"):
        return
    lang_ = lang()
    st.subheader(tr("ui.form.title"))
    done = st.session_state.pop("rf_done", None)
    if done:
        st.success(tr("ui.form.stored", batch_id=done[0], record_id=fmt.md_escape(done[1])))
    st.caption(tr("ui.form.intro"))
    mode = st.segmented_control(
        tr("ui.form.mode"), ["new", "correct"], default="new", required=True,
        format_func=lambda m: tr(f"ui.form.mode_{m}"), key="rf_mode", on_change=_clear,
    )  # fmt: skip
    correct = mode == "correct"
    if correct:
        c1, c2 = st.columns([3, 2], vertical_alignment="bottom")
        typed = c1.text_input(tr("ui.form.load_id"), key="rf_load_id", max_chars=64)
        if c2.button(tr("ui.form.load"), key="rf_load") and typed.strip():
            _load(store, typed.strip())
        record_id = st.session_state.get("rf_loaded")
        if record_id is None:
            st.info(tr("ui.form.load_first"))
            return
        st.info(tr("ui.form.loaded", record_id=fmt.md_escape(record_id)))
    else:
        typed = st.text_input(tr("ui.form.record_id"), key="rf_record_id", max_chars=64)
        record_id = typed.strip() or st.session_state.setdefault(
            "rf_new_id", form.new_record_id(clock.today())
        )
    values = form.clean_fields({**_fields(lang_), "record_id": record_id})
    data = form.record_csv(values)
    preview = st.session_state.get("rf_preview")
    if preview is not None and (preview["data"], preview["correct"]) != (data, correct):
        preview = st.session_state["rf_preview"] = None  # a field changed since the check
    if st.button(tr("ui.form.check"), key="rf_check"):
        name = form.form_file_name(record_id, clock.today())
        # lang by keyword: the SQL guard matches calls by name and takes this for store.summary.read
        upload = uploads.read(data, name, lang=lang_)
        with st.spinner(tr("ui.form.checking")):
            report = uploads.check(store, upload, correct=correct)
        preview = {"data": data, "correct": correct, "record_id": record_id,
                   "fields": values, "upload": upload, "report": report}  # fmt: skip
        st.session_state["rf_preview"] = preview
    if preview is not None:
        _preview(store, preview, lang_)
