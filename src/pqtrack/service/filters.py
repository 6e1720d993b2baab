"""What the filters and selectors offer: phases, indicators, types, distinct values, the filter."""

from __future__ import annotations

from datetime import date

from pqtrack.domain import plan
from pqtrack.domain.filters import RecordFilter
from pqtrack.domain.schema import BENEFICIARY_TYPES
from pqtrack.figures import queries
from pqtrack.presentation import views
from pqtrack.store import Store


def phase_codes() -> list[str]:
    """Return the plan's phase codes, in order."""
    return list(plan.PHASE_CODES)


def phase_label(phase_code: str) -> str:
    """Return a phase's label (its years)."""
    return plan.phase(phase_code).label


def phase_window(phase_code: str) -> tuple[date, date]:
    """Return a phase's first and last day."""
    ph = plan.phase(phase_code)
    return ph.start, ph.end


def phase_of(day: date) -> str:
    """Return the code of the phase holding ``day``."""
    return plan.phase_for(day).code


def indicators() -> list[str]:
    """Return the plan's indicator codes, in order."""
    return plan.indicators()


def indicator_label(code: str, lang: str) -> str:
    """Return an indicator's short label in ``lang``."""
    return views.indicator_label(code, lang)


def type_codes() -> list[str]:
    """Return the beneficiary type codes, in order."""
    return list(BENEFICIARY_TYPES)


def type_label(code: str, lang: str) -> str:
    """Return a beneficiary type in words in ``lang``."""
    return views.type_label(code, lang)


def distinct_values(store: Store, column: str) -> list[str]:
    """Return the distinct values of a record text column (localities, sectors) for a filter."""
    return queries.distinct_values(store, column)


def record_filter(
    phase_code: str,
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    indicators: tuple[str, ...] = (),
    beneficiary_types: tuple[str, ...] = (),
    localities: tuple[str, ...] = (),
    sectors: tuple[str, ...] = (),
    search: str = "",
) -> RecordFilter:
    """Return the filter of a phase's records narrowed by the given choices."""
    return RecordFilter(
        phase=phase_code,
        date_from=date_from,
        date_to=date_to,
        indicators=tuple(indicators),
        beneficiary_types=tuple(beneficiary_types),
        localities=tuple(localities),
        sectors=tuple(sectors),
        search=search,
    )
