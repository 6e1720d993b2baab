"""Today's date for the dashboard, in one place so tests can pin it (patch ``clock.today``)."""

from __future__ import annotations

from datetime import date


def today() -> date:
    """Return today's date."""
    return date.today()
