"""Filters in the URL: values kept by code (not by label), so a link works in either language."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date


def codes_parser(allowed: list[str]) -> Callable[[list[str]], list[str] | None]:
    """Return a parser keeping only allowed codes from repeated query values (None if none)."""

    def parse(raw: list[str]) -> list[str] | None:
        picked = list(dict.fromkeys(v for v in raw if v in allowed))
        return picked or None

    return parse


def parse_dates(raw: list[str]) -> tuple[date, ...] | None:
    """Return up to two ISO dates from query values, or None if any is malformed."""
    try:
        return tuple(date.fromisoformat(v) for v in raw[:2])
    except ValueError:
        return None


def encode(value: object, default: object = None) -> str | list[str] | None:
    """Return a value as query text (lists repeat, dates ISO), or None to drop the parameter."""
    empty = value is None or value == "" or (isinstance(value, list | tuple) and not value)
    if empty or value == default:
        return None
    if isinstance(value, list | tuple):
        return [v.isoformat() if isinstance(v, date) else str(v) for v in value]
    return value.isoformat() if isinstance(value, date) else str(value)
