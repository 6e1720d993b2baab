"""Original files on the upload page: editors download them, admins purge rolled-back ones."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from pqtrack.ingest import pipeline as ingest
from pqtrack.store import accounts, purging
from pqtrack.ui import session
from tests.app.support import ROWS, app, change_role_while_drawing, csv_bytes, fetch, open_store


def _two_batches(path):
    """Store batch 1 (then roll it back) and batch 2 (active); return the store."""
    store = open_store(path)
    one = ingest.process(store, csv_bytes(ROWS[:2]), "cu.csv", user="an")
    two = ingest.process(store, csv_bytes(ROWS[2:4]), "moi.csv", user="an")
    assert (one.batch_id, two.batch_id) == (1, 2)
    store.rollback(1, "an")
    return store


@pytest.mark.parametrize("role", [None, "viewer"])
def test_no_original_is_offered_below_an_editor(empty_db, downloads, role):
    _two_batches(empty_db)
    at = app("upload", role=role)
    assert not at.exception
    assert not {"cu.csv", "moi.csv"} & set(downloads)
    assert not [s for s in at.selectbox if s.key == "up_orig"]
    assert any("CCCD" in i.value for i in at.info)


@pytest.mark.parametrize("role", ["editor", "admin"])
def test_editors_and_admins_download_originals(empty_db, downloads, role):
    _two_batches(empty_db)
    at = app("upload", role=role)
    assert fetch(downloads["moi.csv"]) == csv_bytes(ROWS[2:4])
    at.selectbox(key="up_orig").select(1).run()
    assert fetch(downloads["cu.csv"]) == csv_bytes(ROWS[:2])  # rolled back, still kept


def test_only_an_admin_is_offered_the_purge_of_a_rolled_back_batch(empty_db):
    _two_batches(empty_db)
    editor = app("upload", role="editor")
    assert not [b for b in editor.button if b.key == "purge_start"]
    admin = app("upload", role="admin")
    assert admin.selectbox(key="purge_pick").options == ["#1 · cu.csv"]  # never the active #2


def test_admin_purges_after_confirming_and_the_page_says_it_was_purged(empty_db, downloads):
    store = _two_batches(empty_db)
    kept = store.originals_folder / store.batch(1)["content_hash"]
    at = app("upload", role="admin")
    at.button(key="purge_start").click().run()
    assert kept.exists()  # not before confirming
    at.button(key="purge_yes").click().run()
    assert not at.exception
    assert not kept.exists()
    assert list(purging.purged(store)) == [1]
    assert any("Đã xoá tệp gốc của đợt #1" in s.value for s in at.success)
    downloads.clear()
    at.selectbox(key="up_orig").select(1).run()
    assert "cu.csv" not in downloads
    assert any("đã được test-admin xoá" in i.value.replace("\\", "") for i in at.info)
    assert not [b for b in at.button if b.key == "purge_start"]  # nothing left to purge


@pytest.mark.parametrize("change", [{"active": False}, {"role": "viewer"}], ids=["off", "demoted"])
def test_an_original_offered_before_the_account_changed_is_not_handed_out(
    empty_db, downloads, change
):
    # The button's bytes are made on the click, outside any page run: an editor disabled or
    # demoted while the page stays open must not get them by clicking the button drawn before.
    store = _two_batches(empty_db)
    app("upload", role="editor")
    offered = downloads["moi.csv"]
    accounts.update_user(store, "test-editor", "admin", **change)
    with pytest.raises(PermissionError):  # Streamlit answers the browser with an error
        fetch(offered)


def test_an_original_offered_to_an_idle_session_is_not_handed_out(empty_db, downloads, monkeypatch):
    _two_batches(empty_db)
    app("upload", role="editor")
    offered = downloads["moi.csv"]
    later = datetime.now() + timedelta(minutes=session.idle_minutes() + 1)
    monkeypatch.setattr(session, "_now", lambda: later)
    with pytest.raises(PermissionError):
        fetch(offered)


def test_a_demotion_during_the_run_is_caught_right_before_the_purge(empty_db, monkeypatch):
    store = _two_batches(empty_db)
    kept = store.originals_folder / store.batch(1)["content_hash"]
    at = app("upload", role="admin")
    at.button(key="purge_start").click().run()
    change_role_while_drawing(
        monkeypatch, store, "ui.upload.purge_confirm_text", "test-admin", "editor"
    )
    at.button(key="purge_yes").click().run()
    assert not at.exception
    assert kept.exists()
    assert not purging.purged(store)


def test_the_name_of_who_purged_shows_as_typed(empty_db):
    # ``pqtrack purge-original --user`` takes any text; the note under the picker is Markdown.
    store = _two_batches(empty_db)
    purging.purge_original(store, 1, "**Sếp** [x](http://evil.example)")
    at = app("upload", role="editor")
    at.selectbox(key="up_orig").select(1).run()
    note = next(i.value for i in at.info if "#1" in i.value)
    assert "**Sếp**" not in note and "](http" not in note
    assert "Sếp" in note
