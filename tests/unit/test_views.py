"""Formatting helpers for the pages: numbers, dates, summaries, tables."""

from __future__ import annotations

from datetime import date

import pandas as pd

from pqtrack.domain import progress
from pqtrack.presentation import views

AS_OF = date(2026, 11, 27)


def test_the_old_number_formatters_are_gone():
    # One home for the rule: pqtrack.presentation.numbers (tests/unit/test_numbers.py).
    assert not [name for name in dir(views) if name.startswith("fmt_")]


def test_summary_sentence_counts_statuses_of_an_ongoing_phase():
    rows = progress.compute(
        "2026-2030", AS_OF, {"workshop": {"actual": 4}, "product_standard": {"actual": 17}}
    )
    text = views.summary_sentence(rows, "2026-2030", AS_OF, "vi")
    assert text.startswith("Giai đoạn 2026–2030, đến ngày 27/11/2026: 1/9 chỉ tiêu đã đạt")
    en = views.summary_sentence(rows, "2026-2030", AS_OF, "en")
    assert "1 of 9 targets achieved" in en


def test_summary_sentence_of_a_finished_phase_is_achieved_or_not():
    rows = progress.compute("2021-2025", AS_OF, {"workshop": {"actual": 4}})
    assert views.summary_sentence(rows, "2021-2025", AS_OF, "en") == (
        "Phase 2021–2025 is over: 1 of 9 targets achieved, 8 not achieved."
    )


def test_needed_text_gives_the_run_rate_per_remaining_year():
    (row,) = [r for r in progress.compute("2026-2030", AS_OF, {}) if r.indicator == "workshop"]
    assert views.needed_text(row, "vi").startswith("Cần thêm 4 đợt: khoảng 1,0 đợt/năm")
    finished = progress.compute("2021-2025", AS_OF, {})[0]
    assert "Còn thiếu 4 đợt" in views.needed_text(finished, "vi")


def test_type_labels_in_both_languages():
    assert views.type_label("cooperative", "vi") == "hợp tác xã"
    assert views.type_label("household_business", "en") == "household business"
    assert views.type_label(None, "vi") == "(không rõ)"


def test_md_escape_neutralises_markdown_and_html():
    text = views.md_escape("<b>x</b> **y** [z](http://e)")
    assert "<" not in text.replace("\\<", "") and "**" not in text.replace("\\*", "")


def test_breakdown_table_words_and_whole_numbers():
    df = pd.DataFrame(
        {
            "indicator": ["workshop"],
            "year": [2024.0],
            "turns": [2],
            "quantity": [2.0],
            "beneficiaries": [0],
            "funding_vnd": [None],
        }
    )
    out = views.breakdown_table(df, "year", "vi")
    assert list(out.columns)[:2] == ["Chỉ tiêu", "Năm"]
    assert out.iloc[0]["Năm"] == "2024"
    assert out.iloc[0]["Kinh phí hỗ trợ (đồng)"] == 0


def test_data_dictionary_lists_every_template_column():
    from pqtrack.domain.schema import COLUMNS

    dd = views.data_dictionary("vi")
    assert list(dd["Mã cột"]) == [c.name for c in COLUMNS]
    assert views.data_dictionary_csv("en").startswith(b"\xef\xbb\xbf")


def test_csv_download_neutralises_formula_cells():
    import pandas as pd

    from pqtrack.presentation import views

    df = pd.DataFrame({"Giá trị": ["=1+1", "@SUM(A1)", "bình thường"], "Dòng": [2, 3, 4]})
    text = views.csv_download(df).decode("utf-8-sig")
    assert "'=1+1" in text and "'@SUM(A1)" in text and ",bình thường" not in text
    assert "bình thường,4" in text


def test_pacing_text_and_summary_agree_on_a_target_due_once():
    rows = progress.compute("2026-2030", AS_OF, {})
    tfp_row = next(r for r in rows if r.indicator == "tfp_assessment")
    assert tfp_row.status == "not_yet_due"
    assert views.needed_text(tfp_row, "vi") == (
        "Chỉ tiêu thực hiện một lần mỗi giai đoạn, đến hạn năm 2030: còn 1 lần."
    )
    assert views.needed_text(tfp_row, "en") == "Due once per phase, in 2030: 1 assessments to do."
    assert "1 chưa đến hạn" in views.summary_sentence(rows, "2026-2030", AS_OF, "vi")
    assert "1 not yet due" in views.summary_sentence(rows, "2026-2030", AS_OF, "en")
    assert views.status_label("not_yet_due", "vi") == "Chưa đến hạn"
