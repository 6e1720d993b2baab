"""The one Streamlit-aware module: cached store and aggregates, language, shared widgets."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import streamlit as st

from pqtrack import i18n, plan, service
from pqtrack.filters import RecordFilter
from pqtrack.paths import default_db_path
from pqtrack.schema import BENEFICIARY_TYPES
from pqtrack.store import Store, queries
from pqtrack.views import indicator_label, type_label

LANG_KEY = "lang"
PHASE_KEY = "phase"
LANG_NAMES = {"vi": "Tiếng Việt", "en": "English"}


# -- language --------------------------------------------------------------------------------


def lang() -> str:
    """Return the language chosen in this session (Vietnamese by default)."""
    value = st.session_state.get(LANG_KEY, i18n.DEFAULT_LANG)
    return value if value in i18n.LANGS else i18n.DEFAULT_LANG


def tr(key: str, **params: object) -> str:
    """Return the message ``key`` in the session's language."""
    return i18n.t(key, lang(), **params)


def language_switch() -> str:
    """Render the language switch (bound to ``?lang=``) and return the language."""
    st.sidebar.radio(
        "Ngôn ngữ / Language",
        i18n.LANGS,
        format_func=LANG_NAMES.__getitem__,
        key=LANG_KEY,
        horizontal=True,
        bind="query-params",
    )
    return lang()


# -- today, store, caches -------------------------------------------------------------------


def today() -> date:
    """Return today's date (one place, so tests can pin it)."""
    return date.today()


def db_path() -> str:
    """Return the store path (``PQTRACK_DB`` or the default)."""
    return str(default_db_path())


@st.cache_resource(show_spinner=False)
def _open_store(path: str) -> Store:
    store = Store(Path(path), keep_open=True)
    try:
        from pqtrack.sample import seed_if_new
    except ImportError:  # pragma: no cover - before the sample module existed
        return store
    seed_if_new(store)
    return store


def get_store() -> Store:
    """Return the process-wide store for the configured path (seeded with the sample if new)."""
    return _open_store(db_path())


@st.cache_data(show_spinner=False, max_entries=64)
def _progress(path: str, version: int, phase_code: str, as_of: date) -> list:
    return service.phase_progress(_open_store(path), phase_code, as_of)


@st.cache_data(show_spinner=False, max_entries=64)
def _cumulative(path: str, version: int, phase_code: str, as_of: date) -> pd.DataFrame:
    return service.cumulative_series(_open_store(path), phase_code, as_of)


@st.cache_data(show_spinner=False, max_entries=128)
def _breakdown(path: str, version: int, dimension: str, flt: RecordFilter) -> pd.DataFrame:
    return queries.breakdown(_open_store(path), dimension, flt)


@st.cache_data(show_spinner=False, max_entries=64)
def _totals(path: str, version: int, flt: RecordFilter) -> dict:
    return queries.beneficiary_totals(_open_store(path), flt)


@st.cache_data(show_spinner=False, max_entries=32)
def _distinct(path: str, version: int, column: str) -> list[str]:
    return queries.distinct_values(_open_store(path), column)


def _version() -> int:
    return get_store().data_version()


def phase_progress(phase_code: str) -> list:
    """Return every indicator's progress in the phase as of today (cached per data version)."""
    return _progress(db_path(), _version(), phase_code, today())


def cumulative(phase_code: str) -> pd.DataFrame:
    """Return the cumulative series of the phase up to today (cached)."""
    return _cumulative(db_path(), _version(), phase_code, today())


def breakdown(dimension: str, flt: RecordFilter) -> pd.DataFrame:
    """Return a breakdown by ``dimension`` for ``flt`` (cached)."""
    return _breakdown(db_path(), _version(), dimension, flt)


def totals(flt: RecordFilter) -> dict:
    """Return the beneficiary totals for ``flt`` (cached)."""
    return _totals(db_path(), _version(), flt)


def distinct(column: str) -> list[str]:
    """Return the distinct values of a text column (cached)."""
    return _distinct(db_path(), _version(), column)


def data_changed() -> None:
    """Drop cached aggregates after a batch was stored or rolled back."""
    for fn in (_progress, _cumulative, _breakdown, _totals, _distinct):
        fn.clear()


# -- shared widgets ---------------------------------------------------------------------------


def phase_selector() -> str:
    """Render the phase selector (bound to ``?phase=``; defaults to today's phase)."""
    codes = list(plan.PHASE_CODES)
    default = plan.phase_for(today()).code
    st.sidebar.selectbox(
        tr("ui.sidebar.phase"),
        codes,
        index=codes.index(default),
        format_func=lambda c: plan.phase(c).label,
        key=PHASE_KEY,
        bind="query-params",
    )
    return current_phase()


def current_phase() -> str:
    """Return the phase chosen in the sidebar."""
    value = st.session_state.get(PHASE_KEY)
    return value if value in plan.PHASE_CODES else plan.phase_for(today()).code


def sample_banner() -> None:
    """Warn that the figures include the invented sample batch, while it is stored."""
    if get_store().has_sample():
        st.warning(tr("ui.sample.banner"), icon="⚠️")


def record_filter(phase_code: str, prefix: str = "f") -> RecordFilter:
    """Render the record filters (each bound to a query parameter) and return the filter."""
    ph = plan.phase(phase_code)
    lg = lang()
    c1, c2, c3 = st.columns(3)
    window = c1.date_input(
        tr("ui.filter.dates"),
        value=(),
        min_value=ph.start,
        max_value=ph.end,
        format="DD/MM/YYYY",
        key=f"{prefix}_dates",
        bind="query-params",
    )
    inds = c2.multiselect(
        tr("ui.filter.indicator"),
        plan.indicators(),
        format_func=lambda c: indicator_label(c, lg),
        key=f"{prefix}_ind",
        bind="query-params",
        placeholder=tr("ui.filter.all"),
    )
    types = c3.multiselect(
        tr("ui.filter.type"),
        list(BENEFICIARY_TYPES),
        format_func=lambda c: type_label(c, lg),
        key=f"{prefix}_type",
        bind="query-params",
        placeholder=tr("ui.filter.all"),
    )
    c4, c5, c6 = st.columns(3)
    locs = c4.multiselect(
        tr("ui.filter.locality"),
        distinct("locality"),
        key=f"{prefix}_loc",
        bind="query-params",
        placeholder=tr("ui.filter.all"),
    )
    sectors = c5.multiselect(
        tr("ui.filter.sector"),
        distinct("sector"),
        key=f"{prefix}_sector",
        bind="query-params",
        placeholder=tr("ui.filter.all"),
    )
    search = c6.text_input(
        tr("ui.filter.search"),
        key=f"{prefix}_q",
        bind="query-params",
        placeholder=tr("ui.filter.search_hint"),
    )
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
    config["date"] = cc.DateColumn(label["date"], format="DD/MM/YYYY")
    config["funding_vnd"] = cc.NumberColumn(label["funding_vnd"], format="%,d đ")
    config["quantity"] = cc.NumberColumn(label["quantity"], format="%,d")
    config["participants"] = cc.NumberColumn(label["participants"], format="%,d")
    config["batch_id"] = cc.NumberColumn(label["batch_id"], format="%d")
    return config


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
        i18n.t("ui.batch.created_at", lang_), format="DD/MM/YYYY HH:mm"
    )
    config["row_count"] = cc.NumberColumn(i18n.t("ui.batch.row_count", lang_), format="%,d")
    config["is_sample"] = cc.CheckboxColumn(i18n.t("ui.batch.is_sample", lang_))
    return config
