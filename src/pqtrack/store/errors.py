"""The store's failures, each with a message key users can read."""

from __future__ import annotations

from typing import Any


class StoreError(Exception):
    """A store failure with a message key users can read."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


class StoreBusy(StoreError):
    """Another process holds the store file for writing."""
