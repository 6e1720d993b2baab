"""XLSX uploads become the CSV the record checks read."""

from __future__ import annotations

import io
from datetime import datetime

import openpyxl
import pytest

from pqtrack import ingest, workbook
from tests.conftest import TODAY


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
