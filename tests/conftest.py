"""Shared fixtures: a fresh store per test (helpers live in ``tests.support``)."""

from __future__ import annotations

import pytest

from pqtrack.store import Store


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "test.duckdb")
    yield s
    s.close()
