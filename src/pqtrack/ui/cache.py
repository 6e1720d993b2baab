"""The process-wide store and the cached figures, keyed by the store's data version.

The one home of the dashboard's caches: each wrapper asks the service and keeps the answer
until the data changes (a batch stored or rolled back, here or from the command line).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import streamlit as st

from pqtrack.domain.filters import RecordFilter
from pqtrack.paths import default_db_path
from pqtrack.service import beneficiaries, filters, form, places, progress, sent
from pqtrack.service.sample import seed_if_new
from pqtrack.store import Store
from pqtrack.ui import clock

# The store's data version as read in this script run: the caches' key. Opening the store
# file for it took ~40 ms at 1M records, and a page asked up to seven times a run.
_RUN_VERSION = "_pq_data_version"
# The logged-in account as read from the store in this script run (see ui.session).
RUN_ACCOUNT = "_pq_run_account"


def db_path() -> str:
    """Return the store path (``PQTRACK_DB`` or the default)."""
    return str(default_db_path())


@st.cache_resource(show_spinner=False)
def open_store(path: str) -> Store:
    """Return the process-wide store for ``path``, seeded with the sample when new."""
    # The dashboard holds the file only while it runs a query or a write, so a scheduled
    # `pqtrack ingest` / `export` / `report` can use the same store while it serves.
    store = Store(Path(path), keep_open=False, summary_in_background=True)
    seed_if_new(store)
    return store


def get_store() -> Store:
    """Return the process-wide store for the configured path (seeded with the sample if new)."""
    return open_store(db_path())


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


@st.cache_data(show_spinner=False, max_entries=64)
def _progress(path: str, version: int, phase_code: str, as_of: date) -> list:
    return progress.phase_progress(open_store(path), phase_code, as_of)


@st.cache_data(show_spinner=False, max_entries=64)
def _cumulative(path: str, version: int, phase_code: str, as_of: date) -> pd.DataFrame:
    return progress.cumulative_series(open_store(path), phase_code, as_of)


@st.cache_data(show_spinner=False, max_entries=128)
def _breakdown(path: str, version: int, dimension: str, flt: RecordFilter) -> pd.DataFrame:
    return beneficiaries.breakdown(open_store(path), dimension, flt)


@st.cache_data(show_spinner=False, max_entries=64)
def _totals(path: str, version: int, flt: RecordFilter) -> dict:
    return beneficiaries.totals(open_store(path), flt)


@st.cache_data(show_spinner=False, max_entries=32)
def _distinct(path: str, version: int, column: str) -> list[str]:
    return filters.distinct_values(open_store(path), column)


@st.cache_data(show_spinner=False, max_entries=64)
def _beneficiary_choices(path: str, version: int, typed: str) -> list[tuple]:
    return form.beneficiary_choices(open_store(path), typed)


@st.cache_data(show_spinner=False, max_entries=64)
def _map_values(path: str, version: int, level: str, flt: RecordFilter) -> tuple:
    return places.map_values(open_store(path), level, flt)


@st.cache_data(show_spinner=False, max_entries=16)
def _drift(path: str, version: int, report_id: int) -> tuple:
    return sent.drift(open_store(path), report_id)


def phase_progress(phase_code: str, as_of: date | None = None) -> list:
    """Return every indicator's progress in the phase as of today, or ``as_of`` (cached)."""
    return _progress(db_path(), data_version(), phase_code, as_of or clock.today())


def cumulative(phase_code: str) -> pd.DataFrame:
    """Return the cumulative series of the phase up to today (cached)."""
    return _cumulative(db_path(), data_version(), phase_code, clock.today())


def breakdown(dimension: str, flt: RecordFilter) -> pd.DataFrame:
    """Return a breakdown by ``dimension`` for ``flt`` (cached)."""
    return _breakdown(db_path(), data_version(), dimension, flt)


def totals(flt: RecordFilter) -> dict:
    """Return the beneficiary totals for ``flt`` (cached)."""
    return _totals(db_path(), data_version(), flt)


def distinct(column: str) -> list[str]:
    """Return the distinct values of a text column (cached)."""
    return _distinct(db_path(), data_version(), column)


def beneficiary_choices(typed: str) -> list[tuple]:
    """Return beneficiaries on record matching a typed name or tax code (cached)."""
    return _beneficiary_choices(db_path(), data_version(), typed)


def map_values(level: str, flt: RecordFilter) -> tuple[pd.DataFrame, dict]:
    """Return the map's values per unit of ``level`` and the rest for ``flt`` (cached)."""
    return _map_values(db_path(), data_version(), level, flt)


def drift(report_id: int) -> tuple:
    """Return a sent report and what moved since (cached per data version and report)."""
    return _drift(db_path(), data_version(), report_id)


def data_changed() -> None:
    """Drop cached aggregates after a batch was stored or rolled back."""
    st.session_state.pop(_RUN_VERSION, None)
    for fn in (
        _progress,
        _cumulative,
        _breakdown,
        _totals,
        _distinct,
        _map_values,
        _drift,
        _beneficiary_choices,
    ):
        fn.clear()
