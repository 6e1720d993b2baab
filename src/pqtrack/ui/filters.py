"""Shared filter widgets: the phase selector, multiselects of codes, the record filters."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from pqtrack.domain.filters import RecordFilter
from pqtrack.presentation import numbers
from pqtrack.service import filters
from pqtrack.ui import clock, urlstate
from pqtrack.ui.cache import distinct
from pqtrack.ui.language import lang, tr
from pqtrack.ui.urls import url_init, url_write

PHASE_KEY = "phase"


def phase_selector() -> str:
    """Render the phase selector (bound to ``?phase=``; defaults to today's phase)."""
    codes = filters.phase_codes()
    default = filters.phase_of(clock.today())
    url_init(PHASE_KEY, lambda raw: raw[0] if raw[0] in codes else None)
    if PHASE_KEY not in st.session_state:
        st.session_state[PHASE_KEY] = default
    st.sidebar.selectbox(
        tr("ui.sidebar.phase"),
        codes,
        format_func=filters.phase_label,
        key=PHASE_KEY,
    )
    url_write(PHASE_KEY, current_phase(), default)
    return current_phase()


def current_phase() -> str:
    """Return the phase chosen in the sidebar."""
    value = st.session_state.get(PHASE_KEY)
    return value if value in filters.phase_codes() else filters.phase_of(clock.today())


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
    start, end = filters.phase_window(phase_code)
    lg = lang()
    c1, c2, c3 = st.columns(3)
    dkey = f"{prefix}_dates"
    url_init(dkey, urlstate.parse_dates)
    if dkey in st.session_state:
        window = c1.date_input(
            tr("ui.filter.dates"), min_value=start, max_value=end,
            format=numbers.DATE_MOMENT, key=dkey,
        )  # fmt: skip
    else:
        window = c1.date_input(
            tr("ui.filter.dates"), value=(), min_value=start, max_value=end,
            format=numbers.DATE_MOMENT, key=dkey,
        )  # fmt: skip
    url_write(dkey, list(window))
    inds = multiselect_codes(
        c2, f"{prefix}_ind", tr("ui.filter.indicator"), filters.indicators(),
        lambda c: filters.indicator_label(c, lg),
    )  # fmt: skip
    types = multiselect_codes(
        c3, f"{prefix}_type", tr("ui.filter.type"), filters.type_codes(),
        lambda c: filters.type_label(c, lg),
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
    return filters.record_filter(
        phase_code,
        date_from=window[0] if len(window) >= 1 else None,
        date_to=window[1] if len(window) >= 2 else None,
        indicators=tuple(inds),
        beneficiary_types=tuple(types),
        localities=tuple(locs),
        sectors=tuple(sectors),
        search=search or "",
    )
