"""Viewers browse; only editors change data; a wrong password is refused; text stays text."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from pqtrack import ui
from pqtrack.ingest import pipeline as ingest
from pqtrack.service import auth
from pqtrack.store import accounts
from pqtrack.ui import session
from pqtrack.ui.session import USER_KEY
from tests.app.support import app, change_role_while_drawing, csv_bytes, fetch, open_store
from tests.app.test_tfp_page import GOOD as GOOD_MACRO

PW = "mat-khau-bien-tap-1"


def _uploaders(at) -> int:
    return len(at.get("file_uploader"))


def test_viewer_sees_no_upload_or_rollback_controls(use_known):
    at = app("upload")
    assert not at.exception
    assert _uploaders(at) == 0
    assert not [b for b in at.button if b.key in ("rb_start", "rb_yes", "up_confirm")]
    assert any("biên tập viên" in i.value for i in at.info)
    tfp = app("tfp", phase="2021-2025")
    assert _uploaders(tfp) == 0 and not [b for b in tfp.button if b.key == "tfp_rb_start"]


def test_editor_gets_the_controls(use_known):
    at = app("upload", role="editor")
    assert _uploaders(at) == 1
    assert [b for b in at.button if b.key == "rb_start"]


def _log_in(at, name: str = "an", password: str = PW):
    at.sidebar.text_input(key="auth_user").input(name)
    at.sidebar.text_input(key="auth_password").input(password)
    [b for b in at.sidebar.button if b.label in ("Đăng nhập", "Log in")][0].click().run()
    return at


def test_login_form_logs_in_and_wrong_password_is_refused(empty_db, monkeypatch):
    store = open_store(empty_db)
    auth.add_user(store, "an", "editor", PW, by="test")
    at = _log_in(app("upload"), password="sai-mat-khau")
    assert USER_KEY not in at.session_state
    assert any("không đúng" in e.value for e in at.sidebar.error)
    assert store.audit_log()["action"].iloc[0] == "login_failed"
    # the growing delay applies: let it pass
    later = datetime.now() + timedelta(seconds=2)
    monkeypatch.setattr(session, "_now", lambda: later)
    _log_in(at)
    entry = at.session_state[USER_KEY]
    assert entry["name"] == "an" and "role" not in entry  # who, never the role
    assert _uploaders(at) == 1
    assert store.audit_log()["action"].iloc[0] == "login"


def _editor_with_a_batch(store) -> int:
    auth.add_user(store, "an", "editor", PW, by="test")
    report = ingest.process(store, csv_bytes(), "a.csv", user="an")
    assert report.stored
    return report.batch_id


def _has_editor_controls(at) -> bool:
    return _uploaders(at) > 0 or any(b.key in ("rb_start", "rb_yes") for b in at.button)


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (lambda s: auth.disable_user(s, "an", by="admin"), "bị khoá"),
        (lambda s: accounts.update_user(s, "an", "admin", role="viewer"), "thay đổi"),
    ],
    ids=["disabled", "demoted"],
)
def test_a_disabled_or_demoted_editor_is_logged_out_on_the_next_run(empty_db, change, says):
    store = open_store(empty_db)
    _editor_with_a_batch(store)
    at = _log_in(app("upload"))
    assert _has_editor_controls(at)
    change(store)
    at.run()
    assert not at.exception
    assert USER_KEY not in at.session_state
    assert not _has_editor_controls(at)
    assert any(says in w.value for w in at.sidebar.warning)
    with pytest.raises(Exception):  # noqa: B017 - the audit page is no longer registered
        at.switch_page("pages/audit.py").run()


def test_a_rollback_confirmed_after_demotion_is_refused(empty_db):
    store = open_store(empty_db)
    batch = _editor_with_a_batch(store)
    at = _log_in(app("upload"))
    at.button(key="rb_start").click().run()
    yes = at.button(key="rb_yes")
    accounts.update_user(store, "an", "admin", role="viewer")
    yes.click().run()
    assert not at.exception
    assert store.batch(batch)["status"] == "active"


def test_a_demotion_during_the_run_is_caught_right_before_the_rollback(empty_db, monkeypatch):
    store = open_store(empty_db)
    batch = _editor_with_a_batch(store)
    at = _log_in(app("upload"))
    at.button(key="rb_start").click().run()
    change_role_while_drawing(monkeypatch, store, "ui.upload.rollback_confirm_text", "an", "viewer")
    at.button(key="rb_yes").click().run()
    assert not at.exception
    assert store.batch(batch)["status"] == "active"
    assert any("Không thực hiện" in e.value for e in at.error)


@pytest.mark.parametrize("setting, limit", [(None, 30), ("90", 90)])
def test_an_idle_session_needs_a_new_login(empty_db, monkeypatch, setting, limit):
    if setting is not None:  # PQTRACK_IDLE_MINUTES sets another limit
        monkeypatch.setenv("PQTRACK_IDLE_MINUTES", setting)
    store = open_store(empty_db)
    _editor_with_a_batch(store)
    at = _log_in(app("upload"))
    start = datetime.now()
    monkeypatch.setattr(session, "_now", lambda: start + timedelta(minutes=limit - 1))
    at.run()
    assert _has_editor_controls(at)  # activity within the limit keeps the login
    monkeypatch.setattr(session, "_now", lambda: start + timedelta(minutes=2 * limit))
    at.run()
    assert USER_KEY not in at.session_state and not _has_editor_controls(at)
    assert any(f"{limit} phút" in w.value for w in at.sidebar.warning)
    assert store.audit_log()["action"].iloc[0] == "logout"


def test_log_out_is_audited(empty_db):
    store = open_store(empty_db)
    _editor_with_a_batch(store)
    at = _log_in(app("upload"))
    at.sidebar.button(key="auth_logout").click().run()
    assert USER_KEY not in at.session_state and not _has_editor_controls(at)
    assert store.audit_log()["action"].iloc[0] == "logout"


@pytest.mark.parametrize("role", [None, "editor"])
def test_audit_page_only_for_editors(use_known, role):
    at = app(role=role)
    if role is None:
        with pytest.raises(Exception):  # noqa: B017 - the page is not registered for viewers
            at.switch_page("pages/audit.py").run()
    else:
        at.switch_page("pages/audit.py").run()
        assert not at.exception
        assert len(at.dataframe) == 1


def test_uploaded_script_name_shows_as_text(empty_db):
    store = open_store(empty_db)
    evil = "<script>alert(1)</script>"
    rows = [f"X-1,15/03/2023,product_standard,1,{evil},doanh nghiệp,,,,,"]
    assert ingest.process(store, csv_bytes(rows), "x.csv", user=evil).stored
    at = app("records", role="editor", phase="2021-2025")
    assert not at.exception
    table = at.dataframe[0].value
    assert evil in set(table.astype(str).to_numpy().ravel())
    html = [m for m in at.markdown if "<script>" in m.value]
    assert all(not m.proto.allow_html for m in html)
    at = app("upload", role="editor")
    assert not at.exception


def test_a_failing_page_shows_a_friendly_message_not_the_error(use_known, monkeypatch, caplog):
    from pqtrack import ui

    monkeypatch.delenv("PQTRACK_RAISE_ERRORS")

    def boom(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(ui, "phase_progress", boom)
    at = app()
    assert not at.exception
    assert any("Đã xảy ra lỗi" in e.value for e in at.error)
    assert not any("secret internals" in e.value for e in at.error)
    assert "secret internals" in caplog.text


def test_store_busy_is_a_message(use_known, monkeypatch):
    from pqtrack import ui
    from pqtrack.store import StoreBusy

    def busy(*args, **kwargs):
        raise StoreBusy("store.busy", path="x.duckdb")

    monkeypatch.setattr(ui, "phase_progress", busy)
    at = app()
    assert not at.exception
    assert any("tiến trình khác" in w.value for w in at.warning)


@pytest.mark.parametrize(
    ("page", "label", "upload", "stored"),
    [
        (
            "upload",
            "ui.upload.confirm",
            ("moi.csv", csv_bytes(), "text/csv"),
            lambda s: s.batches(),
        ),
        (
            "tfp",
            "tfpui.upload.confirm",
            ("yearbook.csv", GOOD_MACRO, "text/csv"),
            lambda s: s.batches(kind="macro"),
        ),
    ],
    ids=["records", "macro"],
)
def test_an_upload_confirmed_after_a_demotion_during_the_run_is_refused(
    empty_db, monkeypatch, page, label, upload, stored
):
    store = open_store(empty_db)
    at = app(page, role="editor")
    at.file_uploader[0].set_value(upload).run()
    change_role_while_drawing(monkeypatch, store, label, "test-editor", "viewer")
    at.button(key=f"{'up' if page == 'upload' else 'tfp'}_confirm").click().run()
    assert not at.exception
    assert stored(store).empty
    assert any("Không thực hiện" in e.value for e in at.error)


def test_the_audit_log_is_refused_after_a_demotion_during_the_run(use_known, monkeypatch):
    at = app(role="editor")
    store = open_store(use_known)
    change_role_while_drawing(monkeypatch, store, "ui.audit.title", "test-editor", "viewer")
    try:
        at.switch_page("pages/audit.py").run()
    finally:
        accounts.update_user(store, "test-editor", "admin", role="editor")  # a shared store
    assert not at.exception
    assert len(at.dataframe) == 0
    assert any("biên tập viên" in i.value for i in at.info)


def test_an_uploaded_file_name_shows_as_typed_in_the_checking_box(empty_db, monkeypatch):
    # The box's label is Markdown: a file name must not turn into bold text or a link.
    monkeypatch.setattr(ui, "step_reporter", lambda status: lambda step: None)  # keep the label
    at = app("upload", role="editor")
    name = "**gras** [x](http://evil.example).csv"
    at.file_uploader[0].set_value((name, csv_bytes(), "text/csv")).run()
    assert not at.exception
    label = at.get("status")[0].label
    assert "**gras**" not in label and "](http" not in label
    assert label.replace("\\", "").endswith(f"{name}…")


@pytest.mark.parametrize(
    ("page", "name"),
    [("records", "du-lieu_2026-2030.csv"), ("records", "du-lieu_2026-2030.xlsx")],
)
def test_with_login_required_a_download_drawn_before_the_account_was_disabled_is_refused(
    empty_db, downloads, monkeypatch, page, name
):
    # The bytes are made on the click, outside any page run: the run that would log the
    # disabled account out never comes, so the download itself asks again.
    monkeypatch.setenv("PQTRACK_REQUIRE_LOGIN", "1")
    store = open_store(empty_db)
    assert ingest.process(store, csv_bytes(), "a.csv", user="an").stored
    at = app(page, role="viewer", phase="2026-2030")
    assert not at.exception
    offered = downloads[name]
    assert fetch(offered)  # while the account is active
    accounts.update_user(store, "test-viewer", "admin", active=False)
    with pytest.raises(PermissionError):
        fetch(offered)
