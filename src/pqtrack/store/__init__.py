"""The only package that talks to DuckDB."""

from pqtrack.store.core import StageResult, Store, StoreBusy, StoreError

__all__ = ["StageResult", "Store", "StoreBusy", "StoreError"]
