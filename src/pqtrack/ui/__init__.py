"""The dashboard's Streamlit glue, split by concern; this facade keeps the names pages use.

``navigation`` (the app frame), ``language``, ``urls`` (with ``urlstate``), ``clock``,
``cache`` (the store and every cached figure, keyed by data version), ``errors``,
``filters`` (phase, multiselects, record filters), ``tables`` (column configs, styled numbers),
``notices`` (banners, empty states, ingest steps); ``session`` and ``batches`` sit on top.
"""

from __future__ import annotations

from pqtrack.ui.cache import (
    RUN_ACCOUNT,
    breakdown,
    cumulative,
    data_changed,
    data_version,
    db_path,
    distinct,
    get_store,
    map_values,
    note_data_version,
    phase_progress,
    start_run,
    totals,
)
from pqtrack.ui.errors import require_store, run_page, store_message
from pqtrack.ui.filters import (
    PHASE_KEY,
    current_phase,
    multiselect_codes,
    phase_selector,
    record_filter,
)
from pqtrack.ui.language import LANG_KEY, LANG_NAMES, lang, language_switch, tr
from pqtrack.ui.navigation import FRAME_KEY, use_navigation
from pqtrack.ui.notices import empty_state, sample_banner, step_reporter
from pqtrack.ui.tables import (
    BATCH_KINDS,
    RECORD_KINDS,
    batch_column_config,
    breakdown_kinds,
    column_config,
    problem_column_config,
    styled,
)
from pqtrack.ui.urls import url_init, url_write

__all__ = [
    "BATCH_KINDS",
    "FRAME_KEY",
    "LANG_KEY",
    "LANG_NAMES",
    "PHASE_KEY",
    "RECORD_KINDS",
    "RUN_ACCOUNT",
    "batch_column_config",
    "breakdown",
    "breakdown_kinds",
    "column_config",
    "cumulative",
    "current_phase",
    "data_changed",
    "data_version",
    "db_path",
    "distinct",
    "empty_state",
    "get_store",
    "lang",
    "language_switch",
    "map_values",
    "multiselect_codes",
    "note_data_version",
    "phase_progress",
    "phase_selector",
    "problem_column_config",
    "record_filter",
    "require_store",
    "run_page",
    "sample_banner",
    "start_run",
    "step_reporter",
    "store_message",
    "styled",
    "totals",
    "tr",
    "url_init",
    "url_write",
    "use_navigation",
]
