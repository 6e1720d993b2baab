"""The phase report workbook (pqtrack.report.build): sheets, figures, charts, text, sample flag."""

from __future__ import annotations

import io
from datetime import date, datetime

import openpyxl
import pytest

from pqtrack.cli import main as cli
from pqtrack.domain import plan
from pqtrack.domain.filters import RecordFilter
from pqtrack.figures import queries
from pqtrack.i18n import t
from pqtrack.ingest import pipeline as ingest
from pqtrack.report import build as report
from pqtrack.service import sample
from pqtrack.service.progress import phase_progress
from tests.support import TODAY

PHASE = "2021-2025"
AS_OF = date(2025, 10, 1)
HEADER = (
    "record_id,date,indicator,quantity,beneficiary_name,beneficiary_type,tax_code,locality,"
    "sector,standard,funding_vnd,participants,note"
)
ROWS = [
    "R1,2021-03-10,workshop,1,,,,Huyện Kế Sách,,,10.000.000,50,",
    "R2,2022-05-01,product_standard,2,Hợp tác xã Thủy sản Đại Ngãi,hợp tác xã,2200123456,"
    "Huyện Long Phú,thủy sản,TCCS,20000000,,",
    "R3,15/08/2022,product_standard,1,HTX Thủy sản Đại Ngãi,hợp tác xã,2200123456,"
    "Huyện Long Phú,thủy sản,TCVN,15000000,,",
    "R4,2023-02-01,management_system,1,Công ty TNHH Lúa gạo Hồ Quang Trí,doanh nghiệp,"
    "2200654321,TP Sóc Trăng,lúa gạo,ISO 9001,30000000,,",
    "R5,2023-06-01,management_system,1,Hộ kinh doanh Bánh pía Tân Huê Viên,hộ kinh doanh,,"
    "Huyện Mỹ Xuyên,thực phẩm,HACCP,25000000,,",
    "R6,2024-04-01,expert_trained,3,,,,,,,9000000,,",
    "R7,2025-09-10,management_system,1,Công ty TNHH Lúa gạo Hồ Quang Trí,doanh nghiệp,"
    "2200654321,Phường Phú Lợi,lúa gạo,VietGAP,40000000,,",
    # After the as-of date, and in the next phase: both left out of the report.
    "R8,2025-11-20,award_participation,1,Công ty TNHH Lúa gạo Hồ Quang Trí,doanh nghiệp,"
    "2200654321,Phường Phú Lợi,,GTCLQG,0,,",
    "R9,2026-03-01,workshop,1,,,,Phường Phú Lợi,,,5000000,40,",
    # A name a spreadsheet could run as a formula must stay text.
    'R10,2024-05-05,award_participation,1,"=1+2 Cơ sở Ấn",other,,Huyện Kế Sách,,GTCLQG,,,',
]
SHEETS = (
    "cover",
    "indicators",
    "by_type",
    "by_locality",
    "by_standard",
    "by_year",
    "turns",
    "funding",
    "beneficiaries",
    "tfp",
)


@pytest.fixture
def filled(store):
    data = ("\ufeff" + HEADER + "\n" + "\n".join(ROWS) + "\n").encode("utf-8")
    rep = ingest.process(store, data, "bao-cao-quy-3.csv", user="Trần Thị Bích", today=TODAY)
    assert rep.stored, rep.messages("en")
    return store


def _build(store, lang="vi", user="Nguyễn Văn Ấn", phase=PHASE, as_of=AS_OF):
    buf = io.BytesIO()
    report.build_report(store, phase, as_of, lang, user, out=buf)
    buf.seek(0)
    return openpyxl.load_workbook(buf)


def _sheet(wb, key, lang="vi"):
    return wb[t(f"report.sheet.{key}", lang)]


def _texts(ws):
    return [v for row in ws.iter_rows(values_only=True) for v in row if isinstance(v, str)]


def _col(ws, header):
    for row in ws.iter_rows():
        for cell in row:
            if cell.value == header:
                return cell.column - 1
    raise AssertionError(f"no header {header!r} in {ws.title}")


def _row_where(ws, col, value):
    for row in ws.iter_rows():
        if row[col].value == value:
            return [c.value for c in row]
    raise AssertionError(f"{value!r} not found in {ws.title}")


def test_every_sheet_present_in_order(filled):
    wb = _build(filled)
    assert wb.sheetnames == [t(f"report.sheet.{k}", "vi") for k in SHEETS]


def test_indicator_table_matches_queries_and_hand_figures(filled):
    wb = _build(filled)
    ws = _sheet(wb, "indicators")
    expected = {p.indicator: p for p in phase_progress(filled, PHASE, AS_OF)}
    q = queries.actuals(filled, date(2021, 1, 1), AS_OF).set_index("indicator")
    for tg in plan.targets(PHASE):
        row = _row_where(ws, 1, tg.label_vi)
        p = expected[tg.indicator]
        actual = int(q.loc[tg.indicator, "actual"]) if tg.indicator in q.index else 0
        assert row[3] == tg.target
        assert row[4] == actual == p.actual
        assert row[5] == pytest.approx(actual / tg.target)
        assert row[6] == t(f"status.{p.status}", "vi")
        assert row[7] == pytest.approx(p.expected)
        assert row[8] == p.remaining
        assert isinstance(row[10], str) and row[10]
    # Hand-computed: R8 is after the as-of date, R9 in the next phase.
    ms = _row_where(ws, 1, plan.target_for("management_system", PHASE).label_vi)
    assert ms[4] == 3 and ms[5] == pytest.approx(3 / 40)
    share = 1735 / 1826  # days elapsed to 01/10/2025 inclusive / days in the phase
    assert ms[7] == pytest.approx(round(40 * share, 2))
    assert ms[6] == "Chậm tiến độ"
    assert "cần" in ms[10] and "lượt/năm" in ms[10]
    ps = _row_where(ws, 1, plan.target_for("product_standard", PHASE).label_vi)
    assert ps[4] == 3
    aw = _row_where(ws, 1, plan.target_for("award_participation", PHASE).label_vi)
    assert aw[4] == 1  # R10 only
    # Formats: percent and frozen header.
    pct_cell = next(c for c in ws["F"] if isinstance(c.value, float))
    assert pct_cell.number_format == "0.0 %"  # Vietnamese: a space before %
    assert ws.freeze_panes == "C5"


def test_charts_present(filled):
    wb = _build(filled)
    assert len(_sheet(wb, "indicators")._charts) == 2
    assert len(_sheet(wb, "by_type")._charts) == 1


def test_turns_beneficiaries_and_funding_totals(filled):
    wb = _build(filled)
    totals = queries.beneficiary_totals(filled, RecordFilter(phase=PHASE, date_to=AS_OF))
    assert totals == {"turns": 8, "quantity": 11, "beneficiaries": 4, "funding_vnd": 149_000_000}
    turns = _sheet(wb, "turns")
    total = _row_where(turns, 0, "Tổng cộng")
    assert total[2] == 8 and total[4] == 4 and total[6] == 149_000_000
    ms = _row_where(turns, 0, t("report.ind.management_system", "vi"))
    assert ms[2:5] == [3, 3, 2]  # 3 turns, 3 quantity, 2 distinct (same tax code twice)
    ps = _row_where(turns, 0, t("report.ind.product_standard", "vi"))
    assert ps[2:5] == [2, 3, 1]
    funding = _sheet(wb, "funding")
    assert _sheet(wb, "funding")["A3"].value == "Chỉ tiêu"
    fund_total = _row_where(funding, 0, "Tổng cộng")
    assert fund_total[1:6] == [10_000_000, 35_000_000, 55_000_000, 9_000_000, 40_000_000]
    assert fund_total[6] == 149_000_000
    cell = next(c for c in funding["G"] if c.value == 149_000_000)
    assert cell.number_format == '#,##0 "đ"'
    # The English report names the currency; its counts group the same way (Excel draws the
    # grouping mark of the reader's system).
    en = _build(filled, lang="en")
    en_funding = en[t("report.sheet.funding", "en")]
    assert next(c for c in en_funding["G"] if c.value == 149_000_000).number_format == (
        '#,##0 "VND"'
    )
    en_ind = en[t("report.sheet.indicators", "en")]
    assert next(c for c in en_ind["F"] if isinstance(c.value, float)).number_format == "0.0%"


def test_breakdowns_by_type_locality_standard_year(filled):
    wb = _build(filled)
    by_type = _sheet(wb, "by_type")
    ent = _row_where(by_type, 0, "Doanh nghiệp")
    assert ent[1:4] == [2, 1, 70_000_000]
    coop = _row_where(by_type, 0, "Hợp tác xã")
    assert coop[1:4] == [2, 1, 35_000_000]
    loc = _texts(_sheet(wb, "by_locality"))
    assert "Huyện Long Phú" in loc and "Phường Phú Lợi" in loc
    assert "Thành phố Sóc Trăng" in loc  # "TP Sóc Trăng" normalised to its former district
    std = _sheet(wb, "by_standard")
    tccs = _row_where(std, 0, "TCCS")
    assert tccs[_col(std, t("report.ind.product_standard", "vi"))] == 2
    year = _sheet(wb, "by_year")
    y2023 = _row_where(year, 0, 2023)
    assert y2023[_col(year, "Số lượt")] == 2
    assert y2023[_col(year, "Kinh phí hỗ trợ (đồng)")] == 55_000_000


def test_beneficiary_list_keeps_vietnamese_text_and_dates(filled):
    wb = _build(filled)
    ws = _sheet(wb, "beneficiaries")
    row = _row_where(ws, 1, "Hộ kinh doanh Bánh pía Tân Huê Viên")
    assert row[2] == "Hộ kinh doanh"
    assert row[4] == "Huyện Mỹ Xuyên"
    assert row[7] == t("report.ind.management_system", "vi") and row[8] == "HACCP"
    assert row[11] == datetime(2023, 6, 1)
    coop = _row_where(ws, 1, "Hợp tác xã Thủy sản Đại Ngãi")
    assert coop[3] == "2200123456"  # the tax code stays text
    date_cell = next(c for c in ws["L"] if isinstance(c.value, datetime))
    assert date_cell.number_format == "dd/mm/yyyy"
    names = [c.value for c in ws["B"]]
    assert names.count("Công ty TNHH Lúa gạo Hồ Quang Trí") == 2  # R8 is after the as-of date
    # Formula-looking user text is a string cell, not a formula.
    risky = next(c for c in ws["B"] if isinstance(c.value, str) and "Cơ sở Ấn" in c.value)
    assert risky.data_type == "s"


def test_cover_sources_and_no_sample_flag(filled):
    wb = _build(filled)
    texts = _texts(_sheet(wb, "cover"))
    assert t("report.cover.no_sample", "vi") in texts
    assert t("report.cover.sample_warning", "vi") not in texts
    assert "bao-cao-quy-3.csv" in texts
    assert "Nguyễn Văn Ấn" in texts and "Trần Thị Bích" in texts
    assert t("report.plan_name", "vi") in texts
    cover = _sheet(wb, "cover")
    assert _row_where(cover, 0, t("report.col.turns", "vi"))[1] == 8
    assert _row_where(cover, 0, t("report.col.beneficiaries", "vi"))[1] == 4
    assert _row_where(cover, 0, t("report.col.funding", "vi"))[1] == 149_000_000
    assert _row_where(cover, 0, t("report.cover.as_of", "vi"))[1] == datetime(2025, 10, 1)


def test_sample_data_flagged_on_cover(filled):
    path = sample.sample_path()
    rep = ingest.process(filled, path.read_bytes(), path.name, user="sample", is_sample=True)
    assert rep.stored
    wb = _build(filled)
    cover = _sheet(wb, "cover")
    texts = _texts(cover)
    assert t("report.cover.sample_warning", "vi") in texts
    assert t("report.cover.kind_sample", "vi") in texts
    assert t("report.cover.sample_header", "vi") in cover.oddHeader.center.text


def test_english_mode(filled):
    wb = _build(filled, lang="en", user=None)
    assert wb.sheetnames == [t(f"report.sheet.{k}", "en") for k in SHEETS]
    ws = _sheet(wb, "indicators", "en")
    row = _row_where(ws, 1, plan.target_for("management_system", PHASE).label_en)
    assert row[6] == "Behind"
    assert "a year needed" in row[10]
    benef = _row_where(_sheet(wb, "beneficiaries", "en"), 1, "Hộ kinh doanh Bánh pía Tân Huê Viên")
    assert benef[2] == "Household business"
    assert t("report.cover.unknown_user", "en") in _texts(_sheet(wb, "cover", "en"))


def test_tfp_sheet_flags_placeholders_or_says_why(filled):
    texts = _texts(_sheet(_build(filled), "tfp"))
    unavailable = [s for s in texts if s.startswith("Chưa tính được TFP")]
    if not unavailable:
        assert t("report.tfp.placeholder_warning", "vi") in texts
        assert t("report.tfp.disclaimer", "vi") in texts


def test_empty_store_and_next_phase(store):
    wb = _build(store, phase="2026-2030", as_of=date(2026, 6, 30))
    assert len(wb.sheetnames) == len(SHEETS)
    assert t("report.cover.no_batches", "vi") in _texts(_sheet(wb, "cover"))


def test_cli_writes_the_workbook(filled, tmp_path, capsys):
    out = tmp_path / "bao-cao.xlsx"
    code = cli.main(
        ["report", "--phase", PHASE, "--as-of", "01/10/2025", "--db", str(filled.path),
         "--out", str(out), "--user", "Lê Văn Tám", "--lang", "en"]
    )  # fmt: skip
    assert code == 0
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[0] == "Cover"
    assert "Lê Văn Tám" in _texts(wb["Cover"])
    assert str(out) in capsys.readouterr().out


@pytest.mark.slow
@pytest.mark.skipif(report.libreoffice() is None, reason="LibreOffice not installed")
def test_pdf_when_libreoffice_is_installed(filled, tmp_path):
    xlsx = tmp_path / "r.xlsx"
    report.build_report(filled, PHASE, AS_OF, out=xlsx)
    pdf = report.to_pdf(xlsx)
    assert pdf is not None and pdf.read_bytes().startswith(b"%PDF")


def test_tfp_uses_the_uploaded_macro_batch(filled):
    if not hasattr(filled, "store_macro"):
        pytest.skip("store has no macro batches")
    from pqtrack.tfp import macro

    content = (
        "year,grdp,capital_stock,labour,source\n"
        "2020,100,200,50,Niên giám thống kê\n"
        "2021,103,206,50.5,Niên giám thống kê\n"
        "2022,110,214,51,Niên giám thống kê\n"
        "2023,116,222,51.5,Niên giám thống kê\n"
    ).encode()
    data = macro.parse_macro_bytes(content)
    assert data.ok
    filled.store_macro(data.frame, "nien-giam.csv", content, ingest.content_hash(content), "A")
    texts = _texts(_sheet(_build(filled), "tfp"))
    assert any("nien-giam.csv" in s for s in texts)
    assert t("report.tfp.placeholder_warning", "vi") not in texts


def test_a_target_due_once_is_not_yet_due_in_the_report(store):
    wb = _build(store, phase="2026-2030", as_of=date(2026, 11, 27))
    row = _row_where(
        _sheet(wb, "indicators"), 1, plan.target_for("tfp_assessment", "2026-2030").label_vi
    )
    assert row[6] == "Chưa đến hạn"
    assert row[10].startswith(
        "Chưa đến hạn: chỉ tiêu thực hiện một lần mỗi giai đoạn, đến hạn năm 2030."
    )
    cover = [[c.value for c in r] for r in _sheet(wb, "cover").iter_rows()]
    assert ["    Chưa đến hạn", 1] in [r[:2] for r in cover]
