"""The one Streamlit-aware module: cached store and aggregates, language, shared widgets."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pandas as pd
import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from pqtrack import i18n
from pqtrack.domain import plan
from pqtrack.domain.filters import RecordFilter
from pqtrack.domain.schema import BENEFICIARY_TYPES
from pqtrack.figures import queries
from pqtrack.paths import default_db_path
from pqtrack.presentation import numbers
from pqtrack.presentation.views import indicator_label, type_label
from pqtrack.service import progress
from pqtrack.service.sample import seed_if_new
from pqtrack.store import Store, StoreError
from pqtrack.ui import urlstate

LANG_KEY = "lang"
PHASE_KEY = "phase"
LANG_NAMES = {"vi": "Tiếng Việt", "en": "English"}


# -- language --------------------------------------------------------------------------------


FRAME_KEY = "_pq_app_frame"


def use_navigation() -> None:
    """Declare that app.py navigates with st.navigation, so pages/ is never run on its own.

    With a ``pages/`` folder present, Streamlit starts in its older multipage mode: the
    first run after a server start wraps app.py in a navigation of its own (and a
    deep-linked page runs without app.py's sidebar). Leaving that mode and rerunning at
    once means the first visitor's widgets are the same ones every later run builds.
    """
    started_in_folder_mode = bool(PagesManager.uses_pages_directory)
    PagesManager.uses_pages_directory = False
    st.session_state[FRAME_KEY] = True
    if started_in_folder_mode:
        st.rerun()


def _ensure_app_frame() -> None:
    if not st.session_state.get(FRAME_KEY):
        PagesManager.uses_pages_directory = False
        st.rerun()  # the page keeps its url_path, so the rerun lands on it via app.py


def lang() -> str:
    """Return the language chosen in this session (Vietnamese by default)."""
    _ensure_app_frame()
    value = st.session_state.get(LANG_KEY, i18n.DEFAULT_LANG)
    return value if value in i18n.LANGS else i18n.DEFAULT_LANG


def tr(key: str, **params: object) -> str:
    """Return the message ``key`` in the session's language."""
    return i18n.t(key, lang(), **params)


def language_switch() -> str:
    """Render the language switch (kept in ``?lang=``) and return the language."""
    url_init(LANG_KEY, lambda raw: raw[0] if raw[0] in i18n.LANGS else None)
    st.sidebar.radio(
        "Ngôn ngữ / Language",
        i18n.LANGS,
        format_func=LANG_NAMES.__getitem__,
        key=LANG_KEY,
        horizontal=True,
    )
    url_write(LANG_KEY, lang(), i18n.DEFAULT_LANG)
    return lang()


# -- query parameters: filters in the URL, by code (not by label) so links work in any language --


def url_init(key: str, parse: Callable[[list[str]], object]) -> None:
    """Seed widget ``key`` from the URL on first sight (``parse`` returns None to ignore)."""
    if key in st.session_state:
        return
    raw = st.query_params.get_all(key)
    if raw:
        value = parse(raw)
        if value is not None:
            st.session_state[key] = value


def url_write(key: str, value: object, default: object = None) -> None:
    """Reflect a widget's value in the URL (removed when empty or the default)."""
    text = urlstate.encode(value, default)
    if text is None:
        if key in st.query_params:
            del st.query_params[key]
    else:
        st.query_params[key] = text


# -- today, store, caches -------------------------------------------------------------------


def today() -> date:
    """Return today's date (one place, so tests can pin it)."""
    return date.today()


def db_path() -> str:
    """Return the store path (``PQTRACK_DB`` or the default)."""
    return str(default_db_path())


@st.cache_resource(show_spinner=False)
def _open_store(path: str) -> Store:
    # The dashboard holds the file only while it runs a query or a write, so a scheduled
    # `pqtrack ingest` / `export` / `report` can use the same store while it serves.
    store = Store(Path(path), keep_open=False, summary_in_background=True)
    seed_if_new(store)
    return store


def get_store() -> Store:
    """Return the process-wide store for the configured path (seeded with the sample if new)."""
    return _open_store(db_path())


@st.cache_data(show_spinner=False, max_entries=64)
def _progress(path: str, version: int, phase_code: str, as_of: date) -> list:
    return progress.phase_progress(_open_store(path), phase_code, as_of)


@st.cache_data(show_spinner=False, max_entries=64)
def _cumulative(path: str, version: int, phase_code: str, as_of: date) -> pd.DataFrame:
    return progress.cumulative_series(_open_store(path), phase_code, as_of)


@st.cache_data(show_spinner=False, max_entries=128)
def _breakdown(path: str, version: int, dimension: str, flt: RecordFilter) -> pd.DataFrame:
    return queries.breakdown(_open_store(path), dimension, flt)


@st.cache_data(show_spinner=False, max_entries=64)
def _totals(path: str, version: int, flt: RecordFilter) -> dict:
    return queries.beneficiary_totals(_open_store(path), flt)


@st.cache_data(show_spinner=False, max_entries=32)
def _distinct(path: str, version: int, column: str) -> list[str]:
    return queries.distinct_values(_open_store(path), column)


# The store's data version as read in this script run: the caches' key. Opening the store
# file for it took ~40 ms at 1M records, and a page asked up to seven times a run.
_RUN_VERSION = "_pq_data_version"
# The logged-in account as read from the store in this script run (see ui.session).
RUN_ACCOUNT = "_pq_run_account"


def start_run() -> None:
    """Forget what the previous script run read: data version, account (app.py calls it first)."""
    st.session_state.pop(_RUN_VERSION, None)
    st.session_state.pop(RUN_ACCOUNT, None)


def data_version() -> int:
    """Return the store's data version, read once per script run (and after each write)."""
    if _RUN_VERSION not in st.session_state:
        st.session_state[_RUN_VERSION] = get_store().data_version()
    return st.session_state[_RUN_VERSION]


def note_data_version(version: int) -> None:
    """Keep a data version read at the start of this run with other data (one file open)."""
    st.session_state.setdefault(_RUN_VERSION, version)


def phase_progress(phase_code: str) -> list:
    """Return every indicator's progress in the phase as of today (cached per data version)."""
    return _progress(db_path(), data_version(), phase_code, today())


def cumulative(phase_code: str) -> pd.DataFrame:
    """Return the cumulative series of the phase up to today (cached)."""
    return _cumulative(db_path(), data_version(), phase_code, today())


def breakdown(dimension: str, flt: RecordFilter) -> pd.DataFrame:
    """Return a breakdown by ``dimension`` for ``flt`` (cached)."""
    return _breakdown(db_path(), data_version(), dimension, flt)


def totals(flt: RecordFilter) -> dict:
    """Return the beneficiary totals for ``flt`` (cached)."""
    return _totals(db_path(), data_version(), flt)


def distinct(column: str) -> list[str]:
    """Return the distinct values of a text column (cached)."""
    return _distinct(db_path(), data_version(), column)


def data_changed() -> None:
    """Drop cached aggregates after a batch was stored or rolled back."""
    st.session_state.pop(_RUN_VERSION, None)
    for fn in (_progress, _cumulative, _breakdown, _totals, _distinct):
        fn.clear()


# -- shared widgets ---------------------------------------------------------------------------


def phase_selector() -> str:
    """Render the phase selector (bound to ``?phase=``; defaults to today's phase)."""
    codes = list(plan.PHASE_CODES)
    default = plan.phase_for(today()).code
    url_init(PHASE_KEY, lambda raw: raw[0] if raw[0] in codes else None)
    if PHASE_KEY not in st.session_state:
        st.session_state[PHASE_KEY] = default
    st.sidebar.selectbox(
        tr("ui.sidebar.phase"),
        codes,
        format_func=lambda c: plan.phase(c).label,
        key=PHASE_KEY,
    )
    url_write(PHASE_KEY, current_phase(), default)
    return current_phase()


def current_phase() -> str:
    """Return the phase chosen in the sidebar."""
    value = st.session_state.get(PHASE_KEY)
    return value if value in plan.PHASE_CODES else plan.phase_for(today()).code


def sample_banner() -> None:
    """Warn that the figures include the invented sample batch, while it is stored."""
    if get_store().has_sample():
        st.warning(tr("ui.sample.banner"), icon="⚠️")


def multiselect_codes(
    container: object, key: str, label: str, options: list[str], fmt: Callable[[str], str]
) -> list[str]:
    """Render a multiselect whose chosen codes are kept in the URL under ``key``."""
    url_init(key, urlstate.codes_parser(options))
    picked = container.multiselect(
        label, options, format_func=fmt, key=key, placeholder=tr("ui.filter.all")
    )
    url_write(key, picked)
    return picked


def record_filter(phase_code: str, prefix: str = "f") -> RecordFilter:
    """Render the record filters (each kept in a query parameter) and return the filter."""
    ph = plan.phase(phase_code)
    lg = lang()
    c1, c2, c3 = st.columns(3)
    dkey = f"{prefix}_dates"
    url_init(dkey, urlstate.parse_dates)
    if dkey in st.session_state:
        window = c1.date_input(
            tr("ui.filter.dates"), min_value=ph.start, max_value=ph.end,
            format=numbers.DATE_MOMENT, key=dkey,
        )  # fmt: skip
    else:
        window = c1.date_input(
            tr("ui.filter.dates"), value=(), min_value=ph.start, max_value=ph.end,
            format=numbers.DATE_MOMENT, key=dkey,
        )  # fmt: skip
    url_write(dkey, list(window))
    inds = multiselect_codes(
        c2, f"{prefix}_ind", tr("ui.filter.indicator"), plan.indicators(),
        lambda c: indicator_label(c, lg),
    )  # fmt: skip
    types = multiselect_codes(
        c3, f"{prefix}_type", tr("ui.filter.type"), list(BENEFICIARY_TYPES),
        lambda c: type_label(c, lg),
    )  # fmt: skip
    c4, c5, c6 = st.columns(3)
    locs = multiselect_codes(
        c4, f"{prefix}_loc", tr("ui.filter.locality"), distinct("locality"), str
    )
    sectors = multiselect_codes(
        c5, f"{prefix}_sector", tr("ui.filter.sector"), distinct("sector"), str
    )
    qkey = f"{prefix}_q"
    url_init(qkey, lambda raw: raw[0][:200])
    search = c6.text_input(
        tr("ui.filter.search"), key=qkey, max_chars=200, placeholder=tr("ui.filter.search_hint")
    )
    url_write(qkey, search.strip())
    start = window[0] if len(window) >= 1 else None
    end = window[1] if len(window) >= 2 else None
    return RecordFilter(
        phase=phase_code,
        date_from=start,
        date_to=end,
        indicators=tuple(inds),
        beneficiary_types=tuple(types),
        localities=tuple(locs),
        sectors=tuple(sectors),
        search=search or "",
    )


def column_config(lang_: str) -> dict:
    """Return the records table's column formats and headers."""
    cc = st.column_config
    label = {c: i18n.t(f"ui.rec.{c}", lang_) for c in queries.LIST_COLUMNS}
    config: dict = {c: cc.Column(label[c]) for c in queries.LIST_COLUMNS}
    config["date"] = cc.DateColumn(label["date"], format=numbers.DATE_MOMENT)
    for name in RECORD_KINDS:
        config[name] = cc.NumberColumn(label[name])  # written by numbers.styled (see styled)
    return config


# How the number columns of each table are written (``numbers`` kinds), by column name.
RECORD_KINDS: dict[str, str] = {
    "funding_vnd": "money",
    "quantity": "int",
    "participants": "int",
    "batch_id": "code",
}
BATCH_KINDS: dict[str, str] = {"batch_id": "code", "row_count": "int"}


def styled(df: pd.DataFrame, kinds: dict[str, str] | None = None) -> object:
    """Return a table whose numbers are written in the user's language (values stay typed)."""
    return numbers.styled(df, kinds or {}, lang())


def run_page(page: object) -> None:
    """Run the chosen page; store errors become messages, anything else a friendly note.

    The full error goes to the server log. ``PQTRACK_RAISE_ERRORS=1`` (tests) lets it through.
    """
    try:
        page.run()
    except StoreError as exc:
        st.warning(store_message(exc), icon="⏳")
    except Exception:
        if os.environ.get("PQTRACK_RAISE_ERRORS") == "1":
            raise
        logging.getLogger("pqtrack").exception("page failed")
        st.error(tr("ui.error.friendly"), icon="⚠️")


# Store errors whose catalog text names a server path, and the app's words for them.
_PATH_FREE = {
    "store.cannot_open": "ui.error.store_unavailable",
    "store.corrupt": "ui.error.store_unavailable",
    "store.busy": "ui.error.store_busy",
    "store.original_missing": "ui.error.original_missing",
}


def store_message(exc: StoreError) -> str:
    """Return a store error in the session's language, never naming a server path."""
    params = {k: v for k, v in exc.params.items() if k != "path"}
    return tr(_PATH_FREE.get(exc.code, exc.code), **params)


def require_store() -> None:
    """Stop the run with the app's own message when the store cannot be opened or read.

    The error (with the file's path) goes to the server log; the page names no path.
    """
    try:
        data_version()
    except StoreError as exc:
        logging.getLogger("pqtrack").error(
            "store unavailable (%s): %s", exc.code, exc.__cause__ or exc.params
        )
        st.error(store_message(exc), icon="⚠️")
        st.stop()


def step_reporter(status: object) -> Callable[[str], None]:
    """Return an ``on_step`` callback that names each ingest step in a ``st.status`` box."""

    def report(step: str) -> None:
        status.update(label=tr(f"ui.step.{step}"))
        status.write(tr(f"ui.step.{step}"))

    return report


def empty_state(key: str = "ui.common.empty_store") -> None:
    """Show a friendly message where there is nothing to show yet."""
    st.info(tr(key), icon="ℹ️")


def batch_column_config(lang_: str) -> dict:
    """Return the batch history table's column formats and headers."""
    cc = st.column_config
    names = ("batch_id", "file_name", "user_name", "created_at", "row_count", "status", "is_sample")
    config: dict = {c: cc.Column(i18n.t(f"ui.batch.{c}", lang_)) for c in names}
    config["batch_id"] = cc.NumberColumn(i18n.t("ui.batch.batch_id", lang_), format="#%d")
    config["created_at"] = cc.DatetimeColumn(
        i18n.t("ui.batch.created_at", lang_), format=numbers.DATETIME_MOMENT
    )
    config["row_count"] = cc.NumberColumn(i18n.t("ui.batch.row_count", lang_))
    config["is_sample"] = cc.CheckboxColumn(i18n.t("ui.batch.is_sample", lang_))
    return config


def breakdown_kinds(lang_: str) -> dict[str, str]:
    """Return how the breakdown tables' numbers are written (headers as ``breakdown_table``)."""
    heads = {
        i18n.t(f"ui.measure.{m}", lang_): "int" for m in ("turns", "quantity", "beneficiaries")
    }
    return {**heads, i18n.t("ui.measure.funding_vnd", lang_): "money"}


def problem_column_config(lang_: str) -> dict:
    """Return column widths for the upload problem list (the reason gets the room)."""
    cc = st.column_config
    return {
        i18n.t("problems.row", lang_): cc.NumberColumn(width="small", format="%d"),
        i18n.t("problems.column", lang_): cc.TextColumn(width="medium"),
        i18n.t("problems.value", lang_): cc.TextColumn(width="small"),
        i18n.t("problems.reason", lang_): cc.TextColumn(width="large"),
    }
