"""The store's failures, each with a message key users can read."""

from __future__ import annotations

from typing import Any

from pqtrack.text import shows_something


class StoreError(Exception):
    """A store failure with a message key users can read."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


class StoreBusy(StoreError):
    """Another process holds the store file for writing."""


REASON_MAX = 500


def reason_text(reason: str | None, code: str) -> str:
    """Return a reason with its spaces folded; StoreError ``code``.no_reason / .long_reason."""
    text = " ".join((reason or "").split())
    if not shows_something(text):  # blank, or only invisible marks and controls
        raise StoreError(f"{code}.no_reason")
    if len(text) > REASON_MAX:
        raise StoreError(f"{code}.long_reason", limit=REASON_MAX)
    return text
