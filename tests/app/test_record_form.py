"""The records page's editing: one record in a form, voiding, a record's history."""

from __future__ import annotations

from datetime import date

import pytest

from pqtrack.ingest import pipeline as ingest
from pqtrack.service import versions
from pqtrack.store import accounts
from tests.app.support import app, change_role_while_drawing, csv_bytes, open_store

EDITING = ("rf_check", "rf_confirm", "rf_load", "vo_start", "vo_yes")


@pytest.fixture
def store(empty_db):
    """A store of its own holding the seven known rows (one batch)."""
    store = open_store(empty_db)
    report = ingest.process(store, csv_bytes(), "known.csv", user="test")
    assert report.stored
    return store


def _batches(store) -> list[tuple]:
    return store.query_rows("SELECT batch_id, file_name, row_count FROM batches ORDER BY 1")


def _fill(at, **values):
    """Set the form's widgets (``rf_<name>``) and run once."""
    for name, value in values.items():
        widget = at.get("date_input") if name == "date" else None
        key = f"rf_{name}"
        for kind in ("selectbox", "text_input", "number_input", "date_input"):
            found = [w for w in at.get(kind) if w.key == key]
            if found:
                widget = found[0]
                break
        else:
            raise KeyError(key)
        widget.set_value(value)
    return at.run()


def _table(at, column: str):
    """Return the first table shown with ``column`` (AppTest tables carry no key)."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def _texts(at) -> str:
    """Return the page's notes as read (typed text in them is markdown-escaped: unescaped)."""
    notes = [e.value for kind in ("error", "success", "info", "warning") for e in at.get(kind)]
    return "\n".join(notes).replace("\\", "")


def test_a_viewer_sees_the_history_but_no_form_or_void(store):
    at = app("records")
    assert not at.exception
    assert not [b for b in at.button if b.key in EDITING]
    assert not [w for w in at.text_input if w.key in ("rf_record_id", "vo_id", "vo_reason")]
    at.text_input(key="hi_id").input("T-02").run()
    history = _table(at, "Phiên bản")
    assert list(history["Thao tác"]) == ["thêm mới"]
    assert history["Tên đơn vị"].iloc[0] == "Công ty TNHH Gạo Ngon"
    at.text_input(key="hi_id").input("KHONG-CO").run()
    assert "Không có bản ghi mã KHONG-CO" in _texts(at)


def test_an_editor_adds_a_record_as_a_one_row_batch(store):
    at = app("records", role="editor")
    before = _batches(store)
    # an existing beneficiary picked from those on record brings its tax code and type
    at.text_input(key="rf_find").input("gao ngon").run()
    label = "Công ty TNHH Gạo Ngon · 2200123456"
    assert label in at.selectbox(key="rf_beneficiary").options
    _fill(at, beneficiary=label)
    assert at.text_input(key="rf_tax").value == "2200123456"
    assert at.selectbox(key="rf_type").value == "enterprise"
    _fill(at, record_id="F-01", indicator="product_standard", date=date(2026, 3, 2),
          quantity=2, locality="Thành phố Sóc Trăng", standard="TCCS", funding=5_000_000)  # fmt: skip
    at.button(key="rf_check").click().run()
    assert not at.exception
    assert "Dòng hợp lệ" in _texts(at)
    shown = dict(_table(at, "Giá trị").itertuples(index=False))  # what will be stored
    assert shown["Mã bản ghi"] == "F-01" and shown["Số lượng"] == "2"
    assert shown["Tên đơn vị"] == "Công ty TNHH Gạo Ngon" and shown["Loại hình"] == "doanh nghiệp"
    assert shown["Kinh phí hỗ trợ"] == "5.000.000" and "Ghi chú" not in shown
    assert _batches(store) == before  # nothing stored before confirming
    at.button(key="rf_confirm").click().run()
    assert not at.exception
    new = [b for b in _batches(store) if b not in before]
    assert len(new) == 1 and new[0][2] == 1 and new[0][1].startswith("bieu-mau_F-01_")
    assert f"Đã lưu đợt #{new[0][0]}" in _texts(at)
    [row] = versions.record_history(store, "F-01")
    assert (row["action"], row["beneficiary_name"], row["tax_code"], row["quantity"]) == (
        "added", "Công ty TNHH Gạo Ngon", "2200123456", 2,
    )  # fmt: skip
    assert at.text_input(key="rf_record_id").value == ""  # the form starts afresh


def test_a_new_beneficiary_name_and_no_record_id_are_accepted(store):
    at = app("overview", role="editor")
    # a name typed as a new option (AppTest's selectbox cannot type one; the browser test does)
    at.session_state["rf_beneficiary"] = "HTX Mới Lập"
    at.switch_page("pages/records.py").run()
    _fill(at, indicator="workshop", date=date(2025, 1, 9), quantity=1, type="cooperative")
    assert at.selectbox(key="rf_beneficiary").value == "HTX Mới Lập"
    at.button(key="rf_check").click().run()
    at.button(key="rf_confirm").click().run()
    assert not at.exception
    [(record_id, name)] = store.query_rows(
        "SELECT r.record_id, n.name FROM records r JOIN names n USING (name_id) "
        "WHERE n.name = 'HTX Mới Lập'"
    )
    assert record_id.startswith("BM-") and record_id in _texts(at)


def test_an_editor_corrects_a_record_after_seeing_old_and_new(store):
    at = app("records", role="editor")
    at.segmented_control(key="rf_mode").set_value("correct").run()
    assert not [b for b in at.button if b.key == "rf_check"]  # nothing to check before loading
    at.text_input(key="rf_load_id").input("T-02")
    at.button(key="rf_load").click().run()
    assert at.number_input(key="rf_quantity").value == 3
    assert at.selectbox(key="rf_indicator").value == "product_standard"
    assert at.date_input(key="rf_date").value == date(2023, 5, 20)
    _fill(at, quantity=4)
    at.button(key="rf_check").click().run()
    changes = _table(at, "Giá trị cũ")
    assert changes.to_dict("records") == [
        {"Trường": "Số lượng", "Giá trị cũ": "3", "Giá trị mới": "4"},
    ]  # fmt: skip
    at.button(key="rf_confirm").click().run()
    assert not at.exception
    history = versions.record_history(store, "T-02")
    assert [(h["version"], h["action"], h["quantity"]) for h in history] == [
        (1, "added", 3), (2, "corrected", 4),
    ]  # fmt: skip
    assert store.query_rows("SELECT row_count FROM batches ORDER BY batch_id DESC LIMIT 1") == [
        (1,)
    ]


def test_loading_a_record_that_is_not_counted_says_so(store):
    at = app("records", role="editor")
    at.segmented_control(key="rf_mode").set_value("correct").run()
    at.text_input(key="rf_load_id").input("T-99")
    at.button(key="rf_load").click().run()
    assert "Không có bản ghi mã T-99 đang được tính" in _texts(at)
    assert not [b for b in at.button if b.key == "rf_check"]


@pytest.mark.parametrize("lang, says", [("vi", "Ngày (date), giá trị"), ("en", "date, value")])
def test_a_future_date_is_refused_by_the_rule_naming_field_and_value(store, lang, says):
    at = app("records", role="editor", lang=lang)
    before = _batches(store)
    _fill(at, record_id="F-09", indicator="workshop", date=date(2030, 6, 1), quantity=1)
    at.button(key="rf_check").click().run()
    assert not at.exception
    # the upload's own words for the same line: one problem, the date
    [(_, column, value, reason)] = upload_problems(store, lang)
    assert (column, value) == ("Ngày (date)" if lang == "vi" else "date", "01/06/2030")
    notes = [e.value.replace("\\", "") for e in at.error]
    assert f'{says} "01/06/2030": {reason}' in notes
    assert not [b for b in at.button if b.key == "rf_confirm"]
    assert _batches(store) == before


def upload_problems(store, lang: str) -> list[tuple]:
    """The problems an upload of the same line gets (the same rules, the same words)."""
    from pqtrack.service import form

    data = form.record_csv({"record_id": "F-09", "date": date(2030, 6, 1),
                            "indicator": "workshop", "quantity": 1})  # fmt: skip
    return list(ingest.check(store, data, "same.csv").problems_table(lang).itertuples(index=False))


def test_a_correction_confirmed_after_demotion_is_refused(store, monkeypatch):
    at = app("records", role="editor")
    _fill(at, record_id="F-05", indicator="workshop", date=date(2026, 2, 2), quantity=1)
    at.button(key="rf_check").click().run()
    before = _batches(store)
    change_role_while_drawing(monkeypatch, store, "ui.form.ready_new", "test-editor", "viewer")
    at.button(key="rf_confirm").click().run()
    assert not at.exception
    assert _batches(store) == before
    assert any("Không thực hiện" in e.value for e in at.error)


def test_a_void_needs_a_reason_and_then_shows_in_the_history(store):
    at = app("records", role="editor")
    at.text_input(key="vo_id").input("T-03")
    at.button(key="vo_start").click().run()
    at.button(key="vo_yes").click().run()
    assert "Cần ghi lý do huỷ bản ghi." in _texts(at)
    assert [h["action"] for h in versions.record_history(store, "T-03")] == ["added"]
    at.text_input(key="vo_reason").input("Nhập trùng với T-04")
    at.button(key="vo_yes").click().run()
    assert not at.exception
    assert "Đã huỷ bản ghi T-03" in _texts(at)
    history = _table(at, "Phiên bản")  # the voided record's history is shown
    assert list(history["Thao tác"]) == ["thêm mới", "huỷ"]
    assert history["Lý do"].iloc[1] == "Nhập trùng với T-04"
    # voiding it again is refused in the user's language
    at.text_input(key="vo_id").input("T-03")
    at.text_input(key="vo_reason").input("lần nữa")
    at.button(key="vo_start").click().run()
    at.button(key="vo_yes").click().run()
    assert "Bản ghi T-03 đã bị huỷ từ trước." in _texts(at)


def test_a_void_confirmed_after_demotion_is_refused(store, monkeypatch):
    at = app("records", role="editor", lang="en")
    at.text_input(key="vo_id").input("T-03")
    at.text_input(key="vo_reason").input("duplicate")
    at.button(key="vo_start").click().run()
    change_role_while_drawing(monkeypatch, store, "ui.void.confirm_text", "test-editor", "viewer")
    at.button(key="vo_yes").click().run()
    assert not at.exception
    assert [h["action"] for h in versions.record_history(store, "T-03")] == ["added"]
    assert accounts.get_user(store, "test-editor")["role"] == "viewer"
