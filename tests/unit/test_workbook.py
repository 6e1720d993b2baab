"""XLSX uploads become the CSV the record checks read."""

from __future__ import annotations

import io
import random
import string
import zipfile
from datetime import datetime

import openpyxl
import pytest
from openpyxl.styles import PatternFill

from pqtrack.ingest import pipeline as ingest
from pqtrack.ingest import workbook
from tests import xlsx_craft
from tests.support import TODAY


def make_xlsx(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def test_dates_numbers_and_text_survive():
    data = make_xlsx(
        [
            ["Ngày", "Chỉ tiêu", "Số lượng", "Tên đơn vị", "Loại hình", "Kinh phí hỗ trợ"],
            [
                datetime(2024, 3, 15),
                "product_standard",
                2.0,
                "Hợp tác xã Hưng Lợi",
                "HTX",
                15000000,
            ],
            ["16/03/2024", "workshop", None, None, None, None],
        ]
    )
    assert workbook.is_xlsx(data, "bao-cao.XLSX")
    text = workbook.xlsx_to_csv(data).decode("utf-8-sig").splitlines()
    assert text[1] == "2024-03-15,product_standard,2,Hợp tác xã Hưng Lợi,HTX,15000000"
    assert text[2] == "16/03/2024,workshop"


def test_converted_workbook_passes_the_record_checks(store):
    data = make_xlsx(
        [
            ["Ngày", "Chỉ tiêu", "Tên đơn vị", "Loại hình"],
            [datetime(2024, 3, 15), "product_standard", "Công ty A", "doanh nghiệp"],
            [datetime(2024, 4, 1), "management_system", "HTX B", "hợp tác xã"],
        ]
    )
    report = ingest.process(store, workbook.xlsx_to_csv(data), "a.xlsx.csv", today=TODAY)
    assert report.stored and report.rows_read == 2


def test_a_csv_is_not_taken_for_a_workbook_and_a_broken_one_is_refused():
    assert not workbook.is_xlsx(b"Ngay,Chi tieu\r\n", "x.xlsx")
    with pytest.raises(workbook.WorkbookError):
        workbook.xlsx_to_csv(b"PK\x03\x04 not really a zip")


# -- hostile workbooks: refused with a message, before they are unpacked or while streamed ----


def refusal(data: bytes) -> workbook.WorkbookError:
    with pytest.raises(workbook.WorkbookError) as caught:
        workbook.xlsx_to_csv(data)
    return caught.value


@pytest.mark.parametrize("shared", [False, True], ids=["inline-cell", "shared-string"])
def test_a_one_cell_bomb_is_refused_by_its_compression_ratio(shared):
    data = xlsx_craft.one_cell_bomb(20 * xlsx_craft.MIB, shared=shared)
    assert len(data) < 40_000
    err = refusal(data)
    assert err.problem.code == "workbook.ratio"
    part = xlsx_craft.STRINGS if shared else xlsx_craft.SHEET
    assert err.problem.params["part"] == part
    assert f'Part "{part}"' in err.message("en") and "limit 100 times" in err.message("en")
    assert "giới hạn 100 lần" in err.message("vi")


def test_more_shared_strings_than_the_sheets_could_use_are_refused_while_read():
    # 300,000 tiny strings at an ordinary compression ratio, one cell using them: openpyxl
    # would load every string (at 5 million: ~60 s and ~900 MiB) before a row is read
    data = xlsx_craft.many_strings_workbook(300_000)
    err = refusal(data)
    assert err.problem.code == "workbook.too_many_strings"
    limit = err.problem.params["limit"]
    assert limit < 20_000 and limit < err.problem.params["count"] < 300_000  # stopped early
    assert f"more than {limit:,} shared text strings" in err.message("en")
    assert "chuỗi chữ dùng chung" in err.message("vi")


def test_shared_strings_the_sheet_does_use_are_read():
    data = xlsx_craft.many_strings_workbook(30_000, sheet_cells=30_000)
    text = workbook.xlsx_to_csv(data).decode("utf-8-sig").split("\r\n")
    assert text[0] == "0" and text[29_999] == "29999"


def test_shared_strings_are_capped_whatever_the_sheets_size(monkeypatch):
    monkeypatch.setattr(workbook, "MAX_SHARED_STRINGS", 1_000)
    err = refusal(xlsx_craft.many_strings_workbook(5_000, sheet_cells=5_000))
    assert err.problem.code == "workbook.too_many_strings"
    assert err.problem.params["limit"] == 1_000 and err.problem.params["count"] > 1_000


def test_declared_sizes_over_the_total_are_refused_before_reading():
    data = xlsx_craft.declare_size(xlsx_craft.ordinary(), "docProps/app.xml", 600 << 20)
    err = refusal(data)
    assert err.problem.code == "workbook.too_large"
    assert "takes 601 MiB, over the limit of 512 MiB" in err.message("en")


def test_an_archive_of_too_many_parts_is_refused_before_reading():
    extra = {f"xl/media/pad{i}.bin": b"" for i in range(1_000)}
    err = refusal(xlsx_craft.replace_parts(extra))
    assert err.problem.code == "workbook.too_many_parts"
    assert "holds 1,010 parts inside, over the limit of 1,000" in err.message("en")


def test_a_table_that_understates_a_part_unpacks_no_more_than_it_says():
    bomb = xlsx_craft.one_cell_bomb(20 * xlsx_craft.MIB)
    err = refusal(xlsx_craft.declare_size(bomb, xlsx_craft.SHEET, 1000))
    assert err.problem.code == "workbook.unreadable"
    assert "could not be read" in err.message("en")


def random_text(size: int) -> list[bytes]:
    """Letters that do not compress much (so the ratio check lets them through)."""
    rng = random.Random(24)
    piece = "".join(rng.choices(string.ascii_letters, k=64 * 1024)).encode()
    return list(xlsx_craft.repeated(piece, size))


def test_text_longer_than_any_cell_is_refused_while_read_even_at_an_ordinary_ratio():
    rows = '<row r="1"><c r="A1" t="inlineStr"><is><t>SPLIT</t></is></c></row>'
    before, after = xlsx_craft.sheet_xml(rows).split(b"SPLIT")
    data = xlsx_craft.replace_parts(
        {xlsx_craft.SHEET: [before, *random_text(3 * xlsx_craft.MIB), after]}
    )
    err = refusal(data)
    assert err.problem.code == "workbook.text_too_long"
    assert "32,767" in err.message("en") and "32.767" in err.message("vi")


@pytest.mark.parametrize(
    "part",
    [
        b'<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">]>'
        + xlsx_craft.sheet_xml('<row r="1"><c r="A1" t="inlineStr"><is><t>&a;</t></is></c></row>'),
        xlsx_craft.sheet_xml(
            '<row r="1"><c r="A1" t="inlineStr"><is><t><![CDATA[<x>]]></t></is></c></row>'
        ),
        xlsx_craft.sheet_xml('<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>')
        .decode()
        .encode("utf-16"),
    ],
    ids=["dtd", "cdata", "utf-16"],
)
def test_xml_that_excel_never_writes_is_refused(part):
    err = refusal(xlsx_craft.replace_parts({xlsx_craft.SHEET: part}))
    assert err.problem.code == "workbook.not_excel_xml"
    assert xlsx_craft.SHEET in err.message("en")


def test_a_row_beyond_excels_last_row_is_refused_naming_it():
    rows = (
        '<row r="1"><c r="A1" t="inlineStr"><is><t>Ngày</t></is></c></row>'
        '<row r="1048577"><c r="A1048577" t="inlineStr"><is><t>late</t></is></c></row>'
    )
    err = refusal(xlsx_craft.replace_parts({xlsx_craft.SHEET: xlsx_craft.sheet_xml(rows)}))
    assert err.problem.code == "workbook.too_many_rows"
    assert err.message("en").startswith("Row 1,048,577: ")
    assert err.message("vi").startswith("Dòng 1.048.577: ")


def test_a_value_beyond_the_column_cap_is_refused_naming_row_column_and_value():
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Ngày", "Chỉ tiêu"])
    sheet.append(["15/03/2023", "workshop"])
    sheet.cell(row=3, column=300, value="số điện thoại 0912 345 678")
    buf = io.BytesIO()
    book.save(buf)
    err = refusal(buf.getvalue())
    assert err.problem.code == "workbook.too_many_columns"
    assert err.message("en") == (
        'Row 3, column KN, value "số điện thoại 0912 345 678": at most 256 columns are read; '
        "delete the extra columns on the right."
    )


def test_formatted_blank_cells_far_right_and_a_huge_dimension_are_not_padded(monkeypatch):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Ngày", "Chỉ tiêu"])
    sheet.append(["15/03/2023", "workshop"])
    sheet.cell(row=2, column=5000).fill = PatternFill("solid", fgColor="FFFF00")  # blank
    sheet.cell(row=1000, column=1, value="16/03/2023")
    buf = io.BytesIO()
    book.save(buf)
    part = zipfile.ZipFile(buf).read(xlsx_craft.SHEET)
    assert b'<dimension ref="A1:GJH1000"' in part
    huge = xlsx_craft.replace_parts(
        {xlsx_craft.SHEET: part.replace(b"A1:GJH1000", b"A1:XFD1048576")}, base=buf.getvalue()
    )
    seen = []
    real = workbook._cell
    monkeypatch.setattr(workbook, "_cell", lambda v: seen.append(v) or real(v))
    lines = workbook.xlsx_to_csv(huge).decode("utf-8-sig").splitlines()
    assert lines[:2] == ["Ngày,Chỉ tiêu", "15/03/2023,workshop"]
    assert lines[2:999] == [""] * 997 and lines[999:] == ["16/03/2023"]
    # not 16,384 columns for every row up to the dimension's last: the cells there are
    assert len(seen) < 1_000


def test_a_cell_over_excels_length_limit_is_refused_naming_row_and_column():
    note = "Ghi chú rất dài " + "x" * 40_000
    rows = (
        '<row r="1"><c r="A1" t="inlineStr"><is><t>Ngày</t></is></c></row>'
        f'<row r="2"><c r="C2" t="inlineStr"><is><t>{note}</t></is></c></row>'
    )
    err = refusal(xlsx_craft.replace_parts({xlsx_craft.SHEET: xlsx_craft.sheet_xml(rows)}))
    assert err.problem.code == "workbook.cell_too_long"
    assert err.message("en") == (
        'Row 2, column C, value "Ghi chú rất dài xxxxxxxxxxxxxxxxxxxxxxxx…": '
        "the cell is 40,016 characters long, over Excel's limit of 32,767."
    )


def test_a_sheet_whose_csv_outgrows_the_cap_is_refused_naming_the_row(monkeypatch):
    # one long shared string in every cell: a few bytes of XML each, 30,000 characters of CSV
    long = "x" * 30_000
    data = xlsx_craft.ordinary([[long] * 10 for _ in range(20)])
    monkeypatch.setattr(workbook, "MAX_CSV_BYTES", 2 << 20)
    err = refusal(data)
    assert err.problem.code == "workbook.csv_too_large"
    assert err.message("en") == "Row 7: the sheet's data already exceed 2 MiB. Split the file."


def test_a_csv_passes_through_and_a_workbook_keeps_itself_as_the_original():
    assert workbook.record_file(b"a,b\r\n", "x.csv") == workbook.RecordFile(b"a,b\r\n", "x.csv")
    sent = xlsx_craft.ordinary()
    rec = workbook.record_file(sent, "bao-cao.xlsx")
    assert rec.name == "bao-cao.xlsx.csv" and rec.original == ("bao-cao.xlsx", sent)
    assert rec.data == workbook.xlsx_to_csv(sent)
