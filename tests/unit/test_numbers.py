"""The one way numbers, money, percentages and dates are written (pqtrack.presentation.numbers)."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest

from pqtrack.presentation import numbers


@pytest.mark.parametrize(
    ("lang", "whole", "amount", "share", "dec"),
    [
        ("vi", "1.234.567", "1.234.567 đ", "12,5 %", "1.234,5"),
        ("en", "1,234,567", "1,234,567 VND", "12.5%", "1,234.5"),
    ],
)
def test_each_language_writes_its_own_marks(lang, whole, amount, share, dec):
    assert numbers.integer(1234567, lang) == whole
    assert numbers.money(1234567, lang) == amount
    assert numbers.percent(12.5, lang) == share
    assert numbers.decimal(1234.5, lang) == dec


def test_dates_are_day_month_year_in_both_languages():
    for lang in ("vi", "en"):
        assert numbers.day(date(2026, 12, 6), lang) == "06/12/2026"
        assert numbers.day(pd.Timestamp("2021-12-31 23:59"), lang) == "31/12/2021"
        assert numbers.moment(datetime(2026, 12, 6, 9, 5), lang) == "06/12/2026 09:05"


def test_missing_values_are_a_dash():
    for value in (None, float("nan"), pd.NA, pd.NaT):
        assert numbers.integer(value, "vi") == "—"
        assert numbers.money(value, "en") == "—"
        assert numbers.percent(value, "vi") == "—"
        assert numbers.day(value, "vi") == "—"


def test_halves_round_away_from_zero_as_officials_expect():
    assert numbers.integer(2.5, "vi") == "3"
    assert numbers.integer(-2.5, "en") == "-3"
    assert numbers.percent(2.25, "vi") == "2,3 %"
    assert numbers.decimal(0.05, "en") == "0.1"
    assert numbers.money(1234567.5, "vi") == "1.234.568 đ"


def test_trim_drops_useless_zeros_only():
    assert numbers.decimal(12.0, "vi", trim=True) == "12"
    assert numbers.decimal(12.25, "vi", 2, trim=True) == "12,25"
    assert numbers.percent(45.0, "vi", 2, trim=True) == "45 %"
    assert numbers.percent(33.58, "en", 2, trim=True) == "33.58%"
    assert numbers.percent(12.0, "vi", 0) == "12 %"


def test_plotly_marks_and_hover_fields():
    assert numbers.separators("vi") == ",."
    assert numbers.separators("en") == ".,"
    assert numbers.hover_number("y") == "%{y:,.0f}"
    assert numbers.hover_percent("y", "vi", 2) == "%{y:,.2f} %"
    assert numbers.hover_percent("y", "en") == "%{y:,.1f}%"
    assert numbers.hover_day("x") == "%{x|%d/%m/%Y}"


def test_styled_table_writes_cells_and_keeps_values_typed():
    df = pd.DataFrame(
        {
            "Kinh phí": [135_000_000, None],
            "Tỷ lệ": [12.5, 100.0],
            "Số lượt": [1234, 5],
            "Năm": [2026, 2027],
            "Tên": ["a", "b"],
        }
    )
    vi = numbers.styled(df, {"Kinh phí": "money", "Tỷ lệ": "pct", "Năm": "code"}, "vi")
    text = vi.to_string()
    assert "135.000.000 đ" in text and "12,5 %" in text and "100,0 %" in text
    assert "1.234" in text and "2026" in text and "2.026" not in text
    assert "—" in text
    assert "135,000,000" not in text
    assert vi.data["Kinh phí"].iloc[0] == 135_000_000  # sorting still sees numbers
    en = numbers.styled(df, {"Kinh phí": "money", "Tỷ lệ": "pct"}, "en").to_string()
    assert "135,000,000 VND" in en and "12.5%" in en and "1,234" in en


def test_number_columns_left_out_still_get_the_language_marks():
    df = pd.DataFrame({"x": [1234.5], "n": [4321]})
    text = numbers.styled(df, {}, "vi").to_string()
    assert "1.234,50" in text and "4.321" in text
    assert "1234.5" not in text


def test_excel_formats_per_language():
    vi, en = numbers.excel_formats("vi"), numbers.excel_formats("en")
    assert vi["money"] == '#,##0 "đ"' and en["money"] == '#,##0 "VND"'
    assert vi["pct"] == "0.0 %" and en["pct"] == "0.0%"
    assert vi["int"] == en["int"] == "#,##0"
    assert vi["day"] == "dd/mm/yyyy"
