"""Files saved by Excel in the ways officials do: encodings, delimiters, headers, padding."""

from __future__ import annotations

import codecs
import unicodedata

import pytest

from pqtrack.ingest import pipeline as ingest
from tests.support import TODAY, csv_text, to_cp1258

VI_HEADER = ["Ngày", "Chỉ tiêu", "Tên đơn vị", "Loại hình", "Địa bàn", "Ghi chú"]
ROWS = [
    ["15/03/2023", "product_standard", "Công ty TNHH Thủy sản Mỹ Thạnh", "doanh nghiệp",
     "Huyện Mỹ Tú", "Sản phẩm tôm khô, đạt TCCS"],
    ["02/04/2024", "management_system", "Hợp tác xã Nông nghiệp Hưng Lợi", "hợp tác xã",
     "Thị xã Vĩnh Châu", "Áp dụng VietGAP; hành tím"],
]  # fmt: skip
NAMES = {r[2] for r in ROWS}


def stored_names(store) -> set[str]:
    return {
        r[0] for r in store.query_rows("SELECT n.name FROM records r JOIN names n USING (name_id)")
    }


def run(store, data: bytes):
    rep = ingest.process(store, data, "excel.csv", user="t", today=TODAY)
    assert rep.ok, rep.messages("en")
    return rep


def test_utf8_with_bom(store):
    rep = run(store, codecs.BOM_UTF8 + csv_text(VI_HEADER, ROWS).encode("utf-8"))
    assert rep.encoding == "UTF-8 (BOM)" and stored_names(store) == NAMES


def test_utf8_without_bom(store):
    run(store, csv_text(VI_HEADER, ROWS).encode("utf-8"))
    assert stored_names(store) == NAMES


def test_utf16_unicode_text_tab_separated(store):
    data = csv_text(VI_HEADER, ROWS, delimiter="\t").encode("utf-16")
    rep = run(store, data)
    assert rep.delimiter == "\t" and rep.encoding == "UTF-16"
    assert stored_names(store) == NAMES


def test_windows_1258_with_combining_tones_is_stored_nfc(store):
    data = to_cp1258(csv_text(VI_HEADER, ROWS))
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    rep = run(store, data)
    assert rep.encoding == "Windows-1258"
    names = stored_names(store)
    assert names == NAMES
    assert all(unicodedata.is_normalized("NFC", n) for n in names)
    notes = {r[0] for r in store.query_rows("SELECT note FROM records")}
    assert "Áp dụng VietGAP; hành tím" in notes


def test_semicolon_delimiter(store):
    rep = run(store, csv_text(VI_HEADER, ROWS, delimiter=";").encode("utf-8"))
    assert rep.delimiter == ";"
    assert stored_names(store) == NAMES


def test_headers_without_diacritics_any_case_and_spaces(store):
    header = [" NGAY ", "chi tieu", "Ten Don Vi", "loai hinh", "DIA BAN", "ghi chu"]
    rep = run(store, csv_text(header, ROWS).encode("utf-8"))
    assert [name for _, name in rep.columns] == [
        "date", "indicator", "beneficiary_name", "beneficiary_type", "locality", "note"
    ]  # fmt: skip


def test_columns_in_any_order(store):
    order = [3, 0, 5, 1, 2, 4]
    header = [VI_HEADER[i] for i in order]
    rows = [[r[i] for i in order] for r in ROWS]
    run(store, csv_text(header, rows).encode("utf-8"))
    assert stored_names(store) == NAMES


def test_padded_cells_are_trimmed(store):
    rows = [[f"  {c}  " for c in r] for r in ROWS]
    run(store, csv_text(VI_HEADER, rows).encode("utf-8"))
    assert stored_names(store) == NAMES
    assert store.scalar("SELECT min(date) FROM records").isoformat() == "2023-03-15"


def test_nfd_text_is_stored_nfc(store):
    text = unicodedata.normalize("NFD", csv_text(VI_HEADER, ROWS))
    run(store, text.encode("utf-8"))
    assert stored_names(store) == NAMES


def test_title_rows_above_header_keep_spreadsheet_row_numbers(store):
    text = "BÁO CÁO HOẠT ĐỘNG NĂM 2023,,,,,\r\n,,,,,\r\n" + csv_text(
        VI_HEADER, [ROWS[0], ["31/02/2023", *ROWS[1][1:]]]
    )
    rep = ingest.process(store, text.encode("utf-8"), "x.csv", today=TODAY)
    assert rep.header_row == 3
    assert list(rep.stage.problems["row"]) == [5]


def test_quoted_line_breaks_inside_cells(store):
    rows = [[*ROWS[0][:5], "dòng một\ndòng hai"], ROWS[1]]
    run(store, csv_text(VI_HEADER, rows).encode("utf-8"))
    assert store.scalar("SELECT count(*) FROM records") == 2
    assert store.scalar("SELECT note FROM records WHERE row_number = 2") == "dòng một\ndòng hai"


def test_undecodable_file_refused_with_save_as_advice(store):
    data = bytes(range(128, 256)) * 40
    rep = ingest.process(store, data, "x.csv", today=TODAY)
    assert not rep.ok and rep.file_problems[0].code in ("decode.unsure", "decode.binary")
    assert "CSV UTF-8" in rep.file_problems[0].message("vi")


def test_xlsx_uploaded_by_mistake_is_refused(store):
    data = b"PK\x03\x04\x14\x00\x06\x00" + bytes(200)
    rep = ingest.process(store, data, "x.xlsx", today=TODAY)
    assert rep.file_problems and rep.file_problems[0].code == "decode.binary"
