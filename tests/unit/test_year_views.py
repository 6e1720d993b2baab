"""Tables and sentences of the reporting year, in both languages."""

from __future__ import annotations

from types import SimpleNamespace

from pqtrack.presentation import year


def test_a_correction_is_shown_field_by_field_in_the_users_words():
    changes = [
        {"row": 2, "record_id": "A1", "field": "quantity", "old": 1200, "new": 1500},
        {"row": 2, "record_id": "A1", "field": "date", "old": "2023-03-15", "new": "2023-03-16"},
        {"row": 3, "record_id": "A2", "field": "note", "old": None, "new": "=cmd"},
    ]
    vi = year.corrections_table(changes, "vi")
    assert list(vi.columns) == ["Dòng", "Mã bản ghi", "Trường", "Giá trị cũ", "Giá trị mới"]
    assert vi.values.tolist() == [
        [2, "A1", "Số lượng", "1.200", "1.500"],
        [2, "A1", "Ngày", "15/03/2023", "16/03/2023"],
        [3, "A2", "Ghi chú", "—", "=cmd"],
    ]
    en = year.corrections_table(changes, "en")
    assert en.iloc[0].tolist() == [2, "A1", "Quantity", "1,200", "1,500"]
    assert year.field_label("funding_vnd", "en") == "Funding (đồng)"


def test_drift_lines_say_how_much_and_which_batches():
    moved = [SimpleNamespace(indicator="workshop", reported=3, now=1, batches=[7, 9])]
    assert year.drift_lines(moved, "en") == [
        "Workshops & conferences: reported 3, now 1 (−2); batches #7, #9"
    ]
    assert year.drift_lines(moved, "vi")[0].endswith("(−2); do đợt #7, #9")
