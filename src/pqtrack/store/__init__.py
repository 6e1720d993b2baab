"""The only package that talks to DuckDB."""

from pqtrack.store.core import Store, StoreBusy, StoreError

__all__ = ["Store", "StoreBusy", "StoreError"]
