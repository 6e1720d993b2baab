"""AppTest: every page in both languages, on the sample and on an empty store; the key flows."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from streamlit.runtime.pages_manager import PagesManager

from pqtrack.domain.filters import RecordFilter
from pqtrack.figures import listing
from pqtrack.ingest import pipeline as ingest
from pqtrack.store import Store
from tests.app.support import PAGES, ROWS, app, csv_bytes, fetch, open_store

_REAL_PAGES_INIT = PagesManager.__init__

TITLES = {
    "vi": {
        "overview": "Tổng quan thực hiện chỉ tiêu",
        "beneficiaries": "Đối tượng thụ hưởng",
        "records": "Dữ liệu hoạt động",
        "upload": "Tải lên dữ liệu",
        "help": "Hướng dẫn sử dụng",
    },
    "en": {
        "overview": "Targets overview",
        "beneficiaries": "Beneficiaries",
        "records": "Activity records",
        "upload": "Upload records",
        "help": "Help",
    },
}


def metric_values(at) -> list[str]:
    return [m.value for m in at.metric]


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("kind", ["sample", "empty"])
def test_every_page_renders_in_both_languages(kind, lang, request):
    request.getfixturevalue("use_sample" if kind == "sample" else "empty_db")
    at = app(lang=lang)
    for page in PAGES:
        if page != "overview":
            at.switch_page(f"pages/{page}.py").run()
        assert not at.exception, (page, [e.message for e in at.exception])
        assert at.title[0].value.startswith(TITLES[lang][page]), (page, at.title[0].value)
        banner = [w.value for w in at.warning if "minh họa" in w.value or "sample" in w.value]
        if page != "help":
            assert bool(banner) == (kind == "sample"), page


def test_empty_store_shows_a_friendly_state(empty_db):
    at = app()
    assert not at.exception
    assert any("Chưa có dữ liệu" in i.value for i in at.info)
    at.switch_page("pages/records.py").run()
    assert any("Không có dòng nào" in i.value for i in at.info)


def test_overview_cards_follow_pacing_on_known_rows(use_known):
    at = app()  # today 27/11/2026: phase 2026-2030 by default
    assert at.selectbox(key="phase").value == "2026-2030"
    values = metric_values(at)
    # plan order: workshop, training_course, product_standard, management_system, ...
    assert values[:4] == ["0 / 4", "0 / 6", "5 / 95", "3 / 50"]
    assert "Giai đoạn 2026–2030" in at.subheader[0].value
    badges = [m.value for m in at.markdown if m.value.startswith(":") and "-badge[" in m.value]
    # 27/11/2026 is 18.1 % of the phase: workshop 0 of 4 (pace 0.72) is behind;
    # management_system 3 of 50 (pace 9.06, 70 % of it 6.3) is behind too.
    assert len(badges) == 9
    assert badges[0] == ":red-badge[Chậm tiến độ]"
    assert badges[3] == ":red-badge[Chậm tiến độ]"
    # The TFP computation is due once, in 2030: not yet due in the phase's first year.
    assert badges[8] == ":gray-badge[Chưa đến hạn]"
    assert "1 chưa đến hạn" in at.subheader[0].value
    assert any("đến hạn năm 2030" in c.value for c in at.caption)


def test_changing_the_phase_changes_the_figures(use_known):
    at = app()
    before = metric_values(at)
    at.selectbox(key="phase").set_value("2021-2025").run()
    assert not at.exception
    after = metric_values(at)
    assert after != before
    assert after[:4] == ["1 / 4", "0 / 4", "3 / 75", "1 / 40"]
    assert "2021–2025" in at.title[0].value
    assert "đã kết thúc" in at.subheader[0].value  # finished phase: achieved / not achieved
    assert at.query_params.get("phase") == "2021-2025"  # the view is shareable by link


def test_records_filter_count_and_downloads_offer_the_filtered_rows(use_known, downloads):
    at = app("records", rec_type="cooperative")
    assert not at.exception
    assert at.multiselect(key="rec_type").value == ["cooperative"]
    assert "**2**" in at.markdown[0].value or any("**2**" in m.value for m in at.markdown)
    table = at.dataframe[0].value
    assert len(table) == 2
    raw = fetch(downloads["du-lieu_2026-2030.csv"]).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(raw)))
    assert sorted(r["record_id"] for r in rows) == ["T-04", "T-06"]
    assert {r["beneficiary_type"] for r in rows} == {"cooperative"}
    book = openpyxl.load_workbook(io.BytesIO(fetch(downloads["du-lieu_2026-2030.xlsx"])))
    sheet = book.worksheets[0]
    ids = [c.value for c in sheet["A"][1:] if c.value]
    assert sorted(ids) == ["T-04", "T-06"]


def test_records_search_and_pagination_never_load_everything(use_sample):
    at = app("records", phase="2021-2025")
    total = listing.count_records(open_store(use_sample), RecordFilter(phase="2021-2025"))
    assert total > 50
    assert len(at.dataframe[0].value) == 50
    at.text_input(key="rec_q").input("hợp tác xã").run()
    expected = listing.count_records(
        open_store(use_sample), RecordFilter(phase="2021-2025", search="hợp tác xã")
    )
    assert len(at.dataframe[0].value) == min(expected, 50)


def test_upload_preview_then_confirm_stores_exactly_the_rows(empty_db):
    at = app("upload", role="editor")
    data = csv_bytes(ROWS[:4])
    at.file_uploader[0].set_value(("moi.csv", data, "text/csv")).run()
    assert not at.exception
    assert metric_values(at) == ["4", "0"]  # numbers only: words do not fit a metric
    assert any("UTF-8 (BOM)" in c.value and "dấu phẩy (,)" in c.value for c in at.caption)
    store = open_store(empty_db)
    assert store.batches().empty  # preview stores nothing
    at.button(key="up_confirm").click().run()
    assert not at.exception
    assert any("Đã lưu đợt" in s.value for s in at.success)
    batches = store.batches()
    assert len(batches) == 1 and int(batches["row_count"][0]) == 4
    stored = listing.list_records(store, RecordFilter(), 100)
    assert sorted(stored["record_id"]) == ["T-01", "T-02", "T-03", "T-04"]
    at.switch_page("pages/overview.py").run()
    assert metric_values(at)[3] == "2 / 50"  # the figures moved


def test_a_bad_file_lists_its_problems_and_stores_nothing(empty_db, downloads):
    bad = [*ROWS[:2], "T-09,31/02/2024,workshop,1,,,,,,,", "T-10,01/01/2024,nonsense,1,,,,,,,"]
    at = app("upload", role="editor")
    at.file_uploader[0].set_value(("sai.csv", csv_bytes(bad), "text/csv")).run()
    assert not at.exception
    assert any("không được lưu" in e.value for e in at.error)
    problems = next(d.value for d in at.dataframe if "Lý do" in d.value.columns)
    assert sorted(problems["Dòng"].tolist()) == [4, 5]
    assert not [b for b in at.button if b.key == "up_confirm"]
    listed = fetch(downloads["loi_sai.csv.csv"]).decode("utf-8-sig")
    assert "31/02/2024" in listed and "nonsense" in listed
    assert open_store(empty_db).batches().empty


def test_rollback_after_confirmation_removes_the_batch(empty_db, downloads):
    at = app("upload", role="editor")
    at.file_uploader[0].set_value(("lo.csv", csv_bytes(ROWS[3:6]), "text/csv")).run()
    at.button(key="up_confirm").click().run()
    store = open_store(empty_db)
    assert listing.count_records(store, RecordFilter()) == 3
    assert fetch(downloads["lo.csv"]) == csv_bytes(ROWS[3:6])  # the original file is offered
    at.button(key="rb_start").click().run()
    assert listing.count_records(store, RecordFilter()) == 3  # not before confirming
    at.button(key="rb_yes").click().run()
    assert not at.exception
    assert listing.count_records(store, RecordFilter()) == 0
    assert store.batches()["status"].tolist() == ["rolled_back"]
    assert any("Đã hoàn tác đợt" in s.value for s in at.success)


def test_template_and_dictionary_downloads(empty_db, downloads):
    at = app("upload", role="editor")
    assert not at.exception
    assert fetch(downloads["mau-nhap-lieu.csv"]).decode("utf-8-sig").startswith("Mã bản ghi,Ngày")
    assert "Ý nghĩa" in fetch(downloads["tu-dien-du-lieu.csv"]).decode("utf-8-sig")


def test_a_deep_link_runs_through_the_app_frame_without_the_test_patch(use_known, monkeypatch):
    """Regression: with pages/ present, a deep link into a fresh process ran the page alone.

    AppTest, like a new server process, starts in Streamlit's pages/-folder mode; the
    page must rerun through app.py so the sidebar, language and URL filters apply.
    """
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.testing.v1 import AppTest

    from tests.app.support import APP

    monkeypatch.setattr(PagesManager, "__init__", _REAL_PAGES_INIT)
    at = AppTest.from_file(APP, default_timeout=30)
    at.query_params.update({"lang": "en", "rec_type": "cooperative"})
    at.switch_page("pages/records.py").run()
    assert not at.exception
    assert at.title[0].value.startswith("Activity records")
    assert at.sidebar.radio(key="lang").value == "en"
    assert at.multiselect(key="rec_type").value == ["cooperative"]
    assert len(at.dataframe[0].value) == 2


def test_an_excel_workbook_upload_is_previewed_and_stored(empty_db):
    from .xlsx_helper import workbook_bytes

    at = app("upload", role="editor")
    sent = workbook_bytes()
    at.file_uploader[0].set_value(("bao-cao.xlsx", sent, "application/octet-stream"))
    at.run()
    assert not at.exception
    assert metric_values(at)[0] == "2"
    at.button(key="up_confirm").click().run()
    store = open_store(empty_db)
    batches = store.batches()
    assert batches["file_name"].tolist() == ["bao-cao.xlsx"]
    assert listing.count_records(store, RecordFilter()) == 2
    # nothing an official sent is lost: the batch keeps the workbook itself
    assert store.file_bytes(int(batches["batch_id"][0])) == ("bao-cao.xlsx", sent)


def test_a_workbook_bomb_upload_is_refused_with_its_message(empty_db):
    from tests import xlsx_craft

    at = app("upload", role="editor")
    bomb = xlsx_craft.one_cell_bomb(20 * xlsx_craft.MIB)
    at.file_uploader[0].set_value(("bao-cao.xlsx", bomb, "application/octet-stream")).run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and "giải nén ra lớn gấp" in errors[0], errors
    assert not at.metric  # no preview: nothing was converted or checked
    assert open_store(empty_db).batches().empty


def test_overview_offers_the_phase_report_workbook(use_known, downloads):
    at = app(phase="2026-2030")
    assert not at.exception
    name = next(n for n in downloads if str(n).startswith("bao-cao_2026-2030"))
    wb = openpyxl.load_workbook(io.BytesIO(fetch(downloads[name])))
    assert len(wb.sheetnames) >= 9


def test_a_run_reads_the_data_version_once_and_sees_a_write_from_outside(empty_db, monkeypatch):
    other = Store(empty_db, keep_open=False)  # another program on the same file (the CLI)
    batch = ingest.process(other, csv_bytes(), "cli.csv", user="cli").batch_id
    reads: list[int] = []
    real = Store.data_version

    def counted(self) -> int:
        reads.append(1)
        return real(self)

    monkeypatch.setattr(Store, "data_version", counted)
    at = app("beneficiaries")
    assert metric_values(at)[0] != "0"
    reads.clear()
    at.run()  # the totals and every breakdown share one reading
    assert not at.exception
    assert len(reads) == 1
    other.rollback(batch, "cli")
    at.run()  # the next run sees it
    assert metric_values(at)[0] == "0"


def test_the_report_names_the_logged_in_user_who_downloads_it(use_known, downloads):
    # The workbook is made on the click, outside the page run (no session there).
    app(phase="2026-2030", role="editor")
    name = next(n for n in downloads if str(n).startswith("bao-cao_2026-2030"))
    wb = openpyxl.load_workbook(io.BytesIO(fetch(downloads[name])))
    cells = [c for row in wb.worksheets[0].iter_rows(values_only=True) for c in row]
    assert cells[cells.index("Người lập") + 1] == "test-editor"
