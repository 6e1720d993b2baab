"""Fixtures for the AppTest suite: stores in temp files, a pinned today, captured downloads.

Helpers (the app run as a test, known records) live in ``tests.app.support``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.pages_manager import PagesManager

from pqtrack.ingest import pipeline as ingest
from pqtrack.store import Store
from pqtrack.ui import clock
from tests.app.support import csv_bytes
from tests.support import TODAY


@pytest.fixture(autouse=True)
def raise_errors(monkeypatch):
    """Let page errors reach AppTest (the app shows users a friendly note instead)."""
    monkeypatch.setenv("PQTRACK_RAISE_ERRORS", "1")


@pytest.fixture(autouse=True)
def pinned_today(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)


@pytest.fixture(autouse=True)
def navigation_only(monkeypatch):
    """Run app.py on every AppTest run, as the server does once st.navigation was called.

    AppTest resets ``PagesManager.uses_pages_directory`` before each run, and with a
    ``pages/`` folder present it would run a page script alone (Streamlit's older
    multipage mode) on reruns, without the app's sidebar.
    """
    real = PagesManager.__init__

    def init(self, *args, **kwargs):
        real(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init)


def _db(tmp_path_factory, name: str) -> Path:
    return tmp_path_factory.mktemp(name) / "store.duckdb"


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory) -> Path:
    """A store seeded with the shipped illustrative sample (as on first start)."""
    return _db(tmp_path_factory, "sample")


@pytest.fixture
def use_sample(sample_db, monkeypatch) -> Path:
    monkeypatch.setenv("PQTRACK_DB", str(sample_db))
    monkeypatch.delenv("PQTRACK_SEED_SAMPLE", raising=False)
    return sample_db


@pytest.fixture
def empty_db(tmp_path, monkeypatch) -> Path:
    """A new store with seeding turned off."""
    path = tmp_path / "empty.duckdb"
    monkeypatch.setenv("PQTRACK_DB", str(path))
    monkeypatch.setenv("PQTRACK_SEED_SAMPLE", "0")
    return path


@pytest.fixture(scope="session")
def known_db(tmp_path_factory) -> Path:
    """A store holding exactly the seven ``ROWS`` (read-only for the tests that use it)."""
    path = _db(tmp_path_factory, "known")
    store = Store(path)
    report = ingest.process(store, csv_bytes(), "known.csv", user="test")
    assert report.stored, report.messages("en")
    store.close()
    return path


@pytest.fixture
def use_known(known_db, monkeypatch) -> Path:
    monkeypatch.setenv("PQTRACK_DB", str(known_db))
    monkeypatch.setenv("PQTRACK_SEED_SAMPLE", "0")
    return known_db


@pytest.fixture
def downloads(monkeypatch) -> dict[str, Callable[[], bytes] | bytes]:
    """Capture what each download button offers: file name → bytes or deferred callable."""
    offered: dict[str, Callable[[], bytes] | bytes] = {}
    real_add, real_deferred = MediaFileManager.add, MediaFileManager.add_deferred

    def add(self, data, mimetype, coordinates, file_name=None, **kw):
        offered[file_name or coordinates] = data
        return real_add(self, data, mimetype, coordinates, file_name=file_name, **kw)

    def add_deferred(self, fn, mimetype, coordinates, file_name=None, **kw):
        offered[file_name or coordinates] = fn
        return real_deferred(self, fn, mimetype, coordinates, file_name=file_name, **kw)

    monkeypatch.setattr(MediaFileManager, "add", add)
    monkeypatch.setattr(MediaFileManager, "add_deferred", add_deferred)
    return offered
