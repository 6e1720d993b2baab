"""AppTest: the reporting year on the pages: correction previews, reports sent, drift, locks."""

from __future__ import annotations

import io

import openpyxl

from pqtrack.ingest import pipeline as ingest
from pqtrack.service import locks, sent
from pqtrack.store import accounts as store_accounts
from tests.app.support import ROWS, app, change_role_while_drawing, csv_bytes, fetch, open_store

# T-02 corrected (quantity 3 → 4, a note) and a new record T-08.
FIX = [
    "T-02,20/05/2023,product_standard,4,Công ty TNHH Gạo Ngon,doanh nghiệp,2200123456,"
    "huyện Mỹ Xuyên,lúa gạo,TCCS,30000000",
    "T-08,06/06/2026,workshop,1,,,,,,,12.000.000",
]


def seeded(db) -> object:
    store = open_store(db)
    first = ingest.process(store, csv_bytes(ROWS[:3]), "dau.csv", user="test")
    assert first.stored, first.messages("en")
    return store


def quantity(store, record_id: str) -> int:
    return store.query_rows("SELECT quantity FROM records WHERE record_id = ?", [record_id])[0][0]


def send_fix(at, name: str = "sua.csv") -> None:
    at.file_uploader[0].set_value((name, csv_bytes(FIX), "text/csv")).run()
    assert not at.exception, [e.message for e in at.exception]


def changes_of(at):
    """Return the preview's corrections table (its column "Field" / "Trường")."""
    return next(d.value for d in at.dataframe if {"Trường", "Field"} & set(d.value.columns))


def messages(items) -> list[str]:
    return [e.value for e in items]


# -- corrections on the upload page ----------------------------------------------------------


def test_without_the_box_a_stored_id_is_refused_as_before(empty_db):
    store = seeded(empty_db)
    at = app("upload", role="editor")
    send_fix(at)
    problems = next(d.value for d in at.dataframe if "Lý do" in d.value.columns)
    assert problems["Dòng"].tolist() == [2]
    assert not [b for b in at.button if b.key == "up_confirm"]
    assert len(store.batches()) == 1


def test_a_correction_file_is_previewed_old_to_new_then_stored(empty_db):
    store = seeded(empty_db)
    at = app("upload", role="editor")
    at.checkbox(key="up_correct").check().run()
    send_fix(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Bản ghi mới"] == "1" and metrics["Bản ghi được sửa"] == "1"
    assert any("1 dòng thêm bản ghi mới, 1 dòng sửa" in s.value for s in at.success)
    changes = changes_of(at)
    assert changes.values.tolist() == [[2, "T-02", "Số lượng", "3", "4"]]
    assert len(store.batches()) == 1  # the preview stores nothing
    at.button(key="up_confirm").click().run()
    assert not at.exception
    assert any("Đã lưu đợt" in s.value for s in at.success)
    assert quantity(store, "T-02") == 4 and quantity(store, "T-08") == 1
    last = int(store.batches()["batch_id"].max())
    assert store.batch(last)["change"] == "correct"


def test_a_record_corrected_by_someone_else_since_the_preview_is_refused(empty_db):
    store = seeded(empty_db)
    at = app("upload", role="editor", lang="en")
    at.checkbox(key="up_correct").check().run()
    send_fix(at)
    assert changes_of(at).values.tolist()[0][3:] == ["3", "4"]
    # another official corrects T-02 in the meantime (the CLI on the same store)
    other = ingest.process(
        store, csv_bytes([FIX[0].replace(",4,", ",9,")]), "khac.csv", user="other", correct=True
    )
    assert other.stored
    at.button(key="up_confirm").click().run()
    assert not at.exception
    errors = " ".join(messages(at.error))
    assert f"The record changed \\(batch \\#{other.batch_id}\\) after your preview" in errors
    assert quantity(store, "T-02") == 9  # nothing of the late file was stored
    assert store.query_rows("SELECT count(*) FROM records WHERE record_id = 'T-08'")[0][0] == 0
    at.run()  # the next look previews the file against the store as it is now
    assert changes_of(at).values.tolist()[0][3:] == ["9", "4"]


def test_the_corrections_table_shows_typed_values_as_text(empty_db):
    store = seeded(empty_db)
    at = app("upload", role="editor", lang="en")
    at.checkbox(key="up_correct").check().run()
    hostile = FIX[0].rsplit(",", 1)[0] + ",30000000"
    hostile = hostile.replace("Công ty TNHH Gạo Ngon", "**<b>Gạo</b>**")
    at.file_uploader[0].set_value(("x.csv", csv_bytes([hostile]), "text/csv")).run()
    changes = changes_of(at)
    assert "**<b>Gạo</b>**" in changes.iloc[:, 4].tolist()  # a table cell, never markdown
    assert len(store.batches()) == 1


# -- reports sent and drift -------------------------------------------------------------------


def test_only_editors_register_the_report_and_it_is_registered(empty_db, downloads):
    store = seeded(empty_db)
    viewer = app(phase="2021-2025")
    assert not [b for b in viewer.button if b.key == "ov_register"]
    at = app(phase="2021-2025", role="editor")
    at.button(key="ov_register").click().run()
    assert not at.exception
    found = sent.sent_reports(store, "2021-2025")
    assert len(found) == 1 and found[0].user == "test-editor"
    number = found[0].report_id
    assert any(f"#{number}" in s.value for s in at.success)
    name = sent.sent_file_name(found[0])
    wb = openpyxl.load_workbook(io.BytesIO(fetch(downloads[name])))
    assert len(wb.sheetnames) >= 9
    # nothing moved yet: the overview says so
    assert any(f"#{number}" in c.value and "chưa thay đổi" in c.value for c in at.caption)


def test_the_overview_says_what_moved_since_the_report_and_names_the_batch(empty_db, monkeypatch):
    store = seeded(empty_db)
    looked: list[int] = []  # the costly look at each batch since, only when asked for
    real_drift = sent.drift
    monkeypatch.setattr(sent, "drift", lambda st, rid: looked.append(rid) or real_drift(st, rid))
    report = sent.register_report(store, "2021-2025", _day(), "vi", "an", io.BytesIO())
    fix = ingest.process(store, csv_bytes(FIX[:1]), "sua.csv", user="b", correct=True)
    assert fix.stored
    at = app(phase="2021-2025", lang="en")
    assert not at.exception
    notice = next(w.value for w in at.warning if f"report #{report.report_id}" in w.value)
    assert notice.endswith("reported 3, now 4 \\(\\+1\\)")  # at once, from the figures
    assert looked == []
    at.button(key="ov_drift_find").click().run()  # the batches, when asked for
    notice = next(w.value for w in at.warning if f"report #{report.report_id}" in w.value)
    assert notice.endswith("reported 3, now 4 \\(\\+1\\); batches \\#" + str(fix.batch_id))
    assert looked == [report.report_id]
    batches = next(d.value for d in at.dataframe if "file_name" in d.value.columns)
    assert batches[["batch_id", "file_name"]].values.tolist() == [[fix.batch_id, "sua.csv"]]


def _day():
    from tests.support import TODAY

    return TODAY


# -- phase locks --------------------------------------------------------------------------------


def lock_button(at, label: str):
    return next(b for b in at.button if b.label == label)


def test_an_admin_locks_and_unlocks_a_phase_with_a_reason(empty_db):
    store = open_store(empty_db)
    at = app("audit", role="admin", lang="en")
    assert any("No phase is locked" in c.value for c in at.caption)
    at.selectbox(key="lock_phase").set_value("2021-2025")
    lock_button(at, "Lock the phase").click().run()
    assert any("Give a reason" in e.value for e in at.error)
    assert locks.locked_phases(store) == {}
    at.text_input(key="lock_reason").input("final report sent")
    lock_button(at, "Lock the phase").click().run()
    assert not at.exception
    assert locks.locked_phases(store)["2021-2025"].locked_by == "test-admin"
    assert any("Phase 2021" in s.value and "is locked" in s.value for s in at.success)
    assert any("final report sent" in i.value for i in at.info)
    log = next(d.value for d in at.dataframe if "Phase locked" in d.value.to_string())
    assert "final report sent" in log.to_string()  # the audit log names the reason
    at.text_input(key="lock_reason").input("a late correction")
    lock_button(at, "Unlock the phase").click().run()
    assert locks.locked_phases(store) == {}
    actions = [r[0] for r in store.query_rows("SELECT action FROM audit ORDER BY audit_id")]
    assert actions[-2:] == ["lock_phase", "unlock_phase"]


def test_an_editor_cannot_lock_and_an_admin_demoted_meanwhile_is_refused(empty_db, monkeypatch):
    store = open_store(empty_db)
    editor = app("audit", role="editor")
    assert not [b for b in editor.button if b.label == "Khoá giai đoạn"]
    at = app("audit", role="admin")
    at.text_input(key="lock_reason").input("done")
    change_role_while_drawing(monkeypatch, store, "ui.year.unlock", "test-admin", "editor")
    lock_button(at, "Khoá giai đoạn").click().run()
    assert locks.locked_phases(store) == {}
    assert store_accounts.get_user(store, "test-admin")["role"] == "editor"


def test_an_upload_into_a_locked_phase_shows_the_lock(empty_db):
    store = open_store(empty_db)
    locks.lock_phase(store, "2021-2025", "boss", "final <b>report</b> sent")
    at = app("upload", role="editor")
    # everyone sees the lock above the uploader, the reason shown as typed
    assert any("final \\<b\\>report\\</b\\> sent" in i.value for i in at.info)
    at.file_uploader[0].set_value(("cu.csv", csv_bytes(ROWS[:2]), "text/csv")).run()
    problems = next(d.value for d in at.dataframe if "Lý do" in d.value.columns)
    assert problems["Dòng"].tolist() == [2, 3]
    assert all("2021-2025" in r and "đã khoá" in r for r in problems["Lý do"])
    assert store.batches().empty
    overview = app(phase="2021-2025")
    assert any("Giai đoạn đã khoá" in m.value for m in overview.markdown)


def test_a_sent_report_is_downloaded_again_exactly_as_sent(empty_db, downloads):
    store = seeded(empty_db)
    first = io.BytesIO()
    report = sent.register_report(store, "2021-2025", _day(), "vi", "an", first)
    assert ingest.process(store, csv_bytes(FIX[:1]), "sua.csv", user="b", correct=True).stored
    at = app(phase="2021-2025")  # a viewer too may fetch what was sent
    assert not at.exception
    assert at.selectbox(key="ov_sent_pick").value == report.report_id
    again = fetch(downloads[sent.sent_file_name(report)])

    def actuals(data: bytes) -> list:
        ws = openpyxl.load_workbook(io.BytesIO(data), data_only=True).worksheets[1]
        return [r[4] for r in ws.iter_rows(min_row=5, values_only=True) if r[1]]

    assert actuals(again) == actuals(first.getvalue())
    now = io.BytesIO()
    sent.reissue_report(store, report.report_id, now)  # the same path, straight
    assert actuals(now.getvalue()) == actuals(first.getvalue())
