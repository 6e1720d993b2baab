"""A damaged store file: the app's own message (no server path), the CLI's, never a traceback."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pqtrack.service.sample import seed_if_new
from pqtrack.store import Store, StoreError
from tests.app.support import app
from tests.unit.test_cli import cli


@pytest.fixture(scope="module")
def sample_bytes(tmp_path_factory) -> bytes:
    """The bytes of a closed store holding the shipped sample."""
    path = tmp_path_factory.mktemp("whole") / "store.duckdb"
    store = Store(path)
    seed_if_new(store)
    store.close()
    return path.read_bytes()


def _damaged(kind: str, sample: bytes, folder: Path) -> Path:
    path = folder / "hong.duckdb"
    if kind == "garbage":
        path.write_bytes(os.urandom(64 * 1024))
    elif kind == "cut-short":  # the header is read, the blocks it names are not there
        path.write_bytes(sample[:400_000])
    else:  # "cut-to-header": too short for DuckDB's own header
        path.write_bytes(sample[:4096])
    return path


KINDS = ["garbage", "cut-short", "cut-to-header"]


def _page_text(at) -> str:
    parts = []
    for kind in ("error", "warning", "info", "markdown", "title", "caption", "text", "exception"):
        parts.extend(
            str(getattr(e, "value", "")) + str(getattr(e, "message", "")) for e in getattr(at, kind)
        )
    return "\n".join(parts)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_app_says_the_store_cannot_be_read_without_naming_its_path(
    kind, lang, sample_bytes, tmp_path, monkeypatch
):
    path = _damaged(kind, sample_bytes, tmp_path)
    monkeypatch.setenv("PQTRACK_DB", str(path))
    at = app(lang=lang)
    assert not at.exception
    text = _page_text(at)
    word = "kho dữ liệu" if lang == "vi" else "data store"
    assert any(word in e.value for e in at.error), text
    for leak in (str(tmp_path), path.name, "duckdb", "Traceback"):
        assert leak not in text


@pytest.mark.parametrize("kind", KINDS)
def test_the_store_names_damage_as_its_own_error(kind, sample_bytes, tmp_path):
    path = _damaged(kind, sample_bytes, tmp_path)
    with pytest.raises(StoreError) as err:
        store = Store(path, keep_open=False)
        for table in ("audit", "batches", "names", "records"):
            store.query_df(f"SELECT * FROM {table}")  # noqa: S608 - fixed names
    assert err.value.code in ("store.cannot_open", "store.corrupt")


@pytest.mark.parametrize("kind", KINDS)
def test_the_cli_prints_a_message_not_a_traceback(kind, sample_bytes, tmp_path):
    path = _damaged(kind, sample_bytes, tmp_path)
    for args in (["batches"], ["export", "--out", str(tmp_path / "x.csv")]):
        r = cli(*args, "--db", str(path))
        assert r.returncode == 1, r.stderr
        assert "Traceback" not in r.stderr
        assert "store" in r.stderr and str(path) in r.stderr  # the admin is told which file


def test_a_busy_store_is_named_without_its_path_on_a_page(use_known, monkeypatch):
    from pqtrack.store import StoreBusy

    def busy(self, kind="records"):
        raise StoreBusy("store.busy", path=str(self.path))

    monkeypatch.setattr(Store, "batches", busy)
    at = app("upload", lang="en")
    assert not at.exception
    assert any("Another process is holding the data store" in w.value for w in at.warning)
    assert str(use_known) not in _page_text(at) and "duckdb" not in _page_text(at)
