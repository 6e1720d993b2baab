"""AppTest of the TFP page: both languages, placeholders marked, b_K moves the headline,
macro upload refused with every problem listed / stored as a batch, rollback after confirming."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import date

import openpyxl
import pytest

from pqtrack.i18n import t
from pqtrack.ingest import pipeline as ingest
from pqtrack.presentation import numbers
from pqtrack.report import build as report
from pqtrack.store import Store
from pqtrack.tfp import macro
from pqtrack.tfp.macro import default_macro_file
from tests.app.support import app, fetch, open_store

TITLES = {
    "vi": "Đóng góp của năng suất các nhân tố tổng hợp (TFP)",
    "en": "Contribution of total factor productivity (TFP)",
}
HEADER = "year,grdp,capital_stock,labour,source"
GOOD = "\n".join(
    [
        HEADER,
        "2020,100000,300000,700,Niên giám thống kê 2021",
        "2021,101200,315000,702,Niên giám thống kê 2022",
        "2022,109000,331000,705,Niên giám thống kê 2023",
        "2023,115300,348000,707,Niên giám thống kê 2024",
        "2024,123500,366000,710,Niên giám thống kê 2025",
    ]
).encode("utf-8")
BAD = "\n".join(
    [
        HEADER,
        "2020,100000,300000,700,ok",
        "2021,abc,315000,702,ok",
        "20x2,109000,331000,705,ok",
        "2023,115300,-5,707,ok",
    ]
).encode("utf-8")


def headline(at) -> str:
    return at.metric[0].value


def table_of(at, column: str):
    """Return the first table shown with a column named ``column``."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_renders_in_both_languages_with_placeholders_marked(empty_db, lang):
    at = app("tfp", lang=lang, phase="2021-2025")
    assert not at.exception, [e.message for e in at.exception]
    assert at.title[0].value.startswith(TITLES[lang])
    mark = "minh họa" if lang == "vi" else "illustrative"
    # the disclaimer, the source, the placeholder warning, the growth definition
    assert any("không đo tác động" in i.value or "not a measure" in i.value for i in at.info)
    assert any(default_macro_file().name in m.value.replace("\\", "") for m in at.markdown)
    assert any(mark in w.value for w in at.warning)
    growth = "phần trăm tăng đơn giản" if lang == "vi" else "simple year-on-year percent growth"
    assert any(growth in c.value for c in at.caption)
    # headline for 2021-2025 with a band; the yearly table marks every placeholder row
    assert headline(at).endswith("%")
    assert "–" in at.metric[1].value
    data_col = "Số liệu" if lang == "vi" else "Data"
    table = table_of(at, data_col)
    assert len(table) == 5
    assert all(str(v).startswith("⚠") and mark in str(v) for v in table[data_col])
    badges = [m.value for m in at.markdown if m.value.startswith(":orange-badge[")]
    assert badges and mark in badges[0]  # the headline says it is computed from placeholders


def test_changing_capital_share_changes_the_headline(empty_db):
    at = app("tfp", lang="en", phase="2021-2025")
    before = headline(at)
    at.slider[0].set_value(0.45).run()
    assert not at.exception
    after = headline(at)
    assert after != before
    # more weight on capital (which grows faster than labour here) leaves less to TFP
    assert float(after.rstrip("%")) < float(before.rstrip("%"))
    at.slider[1].set_value(0.07).run()
    assert not at.exception


def test_downloads_offer_csv_with_bom_and_xlsx(empty_db, downloads):
    app("tfp", lang="en", phase="2021-2025")
    raw = fetch(downloads["tfp-results.csv"])
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw[3:].decode("utf-8"))))
    assert [r["year"] for r in rows] == ["2021", "2022", "2023", "2024", "2025"]
    assert rows[0]["flag"] == "near_zero_growth" and rows[0]["tfp_share"] == ""
    wb = openpyxl.load_workbook(io.BytesIO(fetch(downloads["tfp-results.xlsx"])))
    assert wb.sheetnames == ["Years", "Phases", "Parameters"]


def test_bad_macro_upload_lists_every_problem_and_stores_nothing(empty_db):
    at = app("tfp", role="editor", lang="en")
    at.file_uploader[0].set_value(("bad.csv", BAD, "text/csv")).run()
    assert not at.exception
    assert any("refused" in e.value and "3" in e.value for e in at.error)
    problems = table_of(at, "Reason")
    assert list(problems.iloc[:, 0]) == [3, 4, 5]
    assert list(problems.iloc[:, 1]) == ["grdp", "year", "capital_stock"]
    assert list(problems.iloc[:, 2]) == ["abc", "20x2", "-5"]
    assert not [b for b in at.button if b.key == "tfp_confirm"]
    store = open_store(empty_db)
    assert store.batches(kind="macro").empty
    assert store.active_macro() is None


def test_good_upload_stores_a_batch_and_rollback_removes_it(empty_db):
    at = app("tfp", role="editor", lang="en", phase="2021-2025")
    default_headline = headline(at)
    at.file_uploader[0].set_value(("yearbook.csv", GOOD, "text/csv")).run()
    assert not at.exception
    assert any("valid" in s.value for s in at.success)
    at.button(key="tfp_confirm").click().run()
    assert not at.exception
    store = open_store(empty_db)
    batches = store.batches(kind="macro")
    assert len(batches) == 1 and batches.iloc[0]["status"] == "active"
    batch_id = int(batches.iloc[0]["batch_id"])
    assert len(store.active_macro()) == 5
    assert any(f"#{batch_id}" in m.value for m in at.markdown)  # the source line names it
    assert not any("illustrative" in w.value for w in at.warning)
    assert headline(at) != default_headline
    assert table_of(at, "Data")["Data"].eq("sourced").all()

    at.button(key="tfp_rb_start").click().run()
    assert any(f"batch #{batch_id}?" in w.value for w in at.warning)
    assert store.active_macro() is not None  # nothing happens before confirming
    at.button(key="tfp_rb_yes").click().run()
    assert not at.exception
    assert store.active_macro() is None
    assert store.batches(kind="macro").iloc[0]["status"] == "rolled_back"
    assert any(f"#{batch_id}" in s.value for s in at.success)
    assert headline(at) == default_headline


def test_page_report_and_cli_give_the_same_tfp_share_after_an_upload(empty_db):
    """One rule decides the current macro data: the newest uploaded batch, else the shipped file."""
    shipped = json.loads(_cli_tfp(empty_db))  # no store file yet: shipped data
    data = macro.parse_macro_bytes(GOOD)
    store = Store(empty_db, keep_open=False)
    store.store_macro(data.frame, "yearbook.csv", GOOD, ingest.content_hash(GOOD), "an")

    cli_share = _phase_share(json.loads(_cli_tfp(empty_db)))
    assert cli_share is not None and cli_share != _phase_share(shipped)

    buf = io.BytesIO()
    report.build_report(store, "2021-2025", date(2025, 12, 31), "en", "an", out=buf)
    ws = openpyxl.load_workbook(io.BytesIO(buf.getvalue()))[t("report.sheet.tfp", "en")]
    label = t("report.tfp.share", "en")
    sheet_share = next(r[1] for r in ws.iter_rows(values_only=True) if r[0] == label)
    assert sheet_share * 100 == pytest.approx(cli_share)

    at = app("tfp", lang="en", phase="2021-2025")
    assert not at.exception
    assert headline(at) == numbers.percent(cli_share, "en")


def _cli_tfp(db) -> str:
    r = subprocess.run(
        [sys.executable, "-m", "pqtrack", "tfp", "--json", "--db", str(db)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    return r.stdout


def _phase_share(payload: dict) -> float | None:
    return next(p["tfp_share"] for p in payload["phases"] if p["phase"] == "2021-2025")
