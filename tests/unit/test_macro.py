"""Macro file parsing and checking (pqtrack.tfp.macro)."""

from __future__ import annotations

import math
import unicodedata

import pytest

from pqtrack.tfp import macro
from pqtrack.tfp.macro import MacroProblem, parse_macro_bytes, parse_number

GOOD = (
    "year,grdp,capital_stock,investment,labour,capital_share,source\n"
    "2020,100,200,,50,0.4,Niên giám thống kê\n"
    "2021,105,212,,51,,Niên giám thống kê\n"
)


def _codes(data: macro.MacroData) -> list[tuple[int, str | None, str | None, str]]:
    return [(p.row, p.column, p.value, p.code) for p in data.problems]


def _cp1258(text: str) -> bytes:
    """Encode Vietnamese text the way Excel's Windows-1258 CSV does (base letter + tone mark)."""
    out = b""
    for ch in text:
        nfd = unicodedata.normalize("NFD", ch)
        for cand in (ch, unicodedata.normalize("NFC", nfd[:2]) + nfd[2:], nfd):
            try:
                out += cand.encode("cp1258")
                break
            except UnicodeEncodeError:
                continue
        else:
            raise ValueError(ch)
    return out


# --- the shipped file ---------------------------------------------------------------------


def test_shipped_file_loads_and_reproduces_cited_growth():
    data = macro.load_default()
    assert data.ok, data.problems
    frame = data.frame.set_index("year")
    assert list(frame.index) == [2020, 2021, 2022, 2023, 2024, 2025]
    assert frame.loc[2022, "grdp"] == 74709  # the cited anchor
    cited = {2021: 1.18, 2022: 7.71, 2023: 5.77, 2024: 7.07}
    for year, growth in cited.items():
        got = 100 * (frame.loc[year, "grdp"] / frame.loc[year - 1, "grdp"] - 1)
        assert got == pytest.approx(growth, abs=0.01), year
    # 2025 GRDP is not published: left empty, not guessed.
    assert math.isnan(frame.loc[2025, "grdp"])


def test_shipped_file_marks_placeholders_and_cites_sources():
    frame = macro.load_default().frame.set_index("year")
    # Investment and labour are illustrative in every row.
    assert frame["placeholder"].all()
    assert "dttc.sggp.org.vn" in frame.loc[2021, "source"]
    assert "dttc.sggp.org.vn" in frame.loc[2022, "source"]
    assert "thst.vn" in frame.loc[2023, "source"]
    assert "kinhtedothi.vn" in frame.loc[2024, "source"]
    assert frame["capital_stock"].isna().all()  # built from investment by PIM
    assert frame["investment"].notna().all()


def test_placeholder_marker_is_case_insensitive_and_absent_means_cited():
    assert macro.is_placeholder("K: PLACEHOLDER – illustrative")
    assert macro.is_placeholder("placeholder")
    assert not macro.is_placeholder("Niên giám thống kê 2024")
    assert not macro.is_placeholder("")


# --- accepted input -------------------------------------------------------------------------


def test_good_file_parses_with_types_and_sorted_years():
    header, row2020, row2021 = GOOD.splitlines()
    body = "\n".join([header, row2021, row2020]) + "\n"  # rows out of order
    data = parse_macro_bytes(body.encode())
    assert data.ok, data.problems
    assert list(data.frame["year"]) == [2020, 2021]
    assert data.frame["year"].dtype == "int64"
    assert data.frame.loc[0, "capital_share"] == 0.4
    assert math.isnan(data.frame.loc[1, "capital_share"])  # empty cell = missing
    assert math.isnan(data.frame.loc[0, "investment"])
    assert not data.frame["placeholder"].any()
    assert data.encoding == "UTF-8"
    assert data.delimiter == ","


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("74709", 74709.0),
        ("74709.5", 74709.5),
        ("74709,5", 74709.5),  # Vietnamese decimal comma
        ("74.709", 74709.0),  # Vietnamese thousands dot
        ("74,709", 74709.0),  # English thousands comma
        ("74.709,5", 74709.5),
        ("74,709.5", 74709.5),
        ("1.234.567", 1234567.0),
        ("74 709", 74709.0),
        ("74\u00a0709", 74709.0),
        ("7.07", 7.07),
        ("0.352", 0.352),  # leading 0: not a thousands group
        ("0,3524", 0.3524),
        ("1.2345", 1.2345),
        ("-3", -3.0),
    ],
)
def test_parse_number_accepts(text, value):
    assert parse_number(text) == pytest.approx(value)


@pytest.mark.parametrize("text", ["abc", "1.2.3", "74.70.9", "1e5", "nan", "inf", "12%", "--1"])
def test_parse_number_refuses(text):
    with pytest.raises(ValueError):
        parse_number(text)


def test_semicolon_bom_vietnamese_headers_and_numbers():
    text = (
        "Năm;GRDP;Vốn đầu tư;Lao động;Nguồn\n"
        "2020;68.552,3;26.000;690,0;Niên giám\n"
        "2021;69.361,2;25.200;676,5;Niên giám\n"
    )
    data = parse_macro_bytes(b"\xef\xbb\xbf" + text.encode())
    assert data.ok, data.problems
    assert data.delimiter == ";"
    assert data.encoding == "UTF-8 (BOM)"
    row = data.frame.iloc[0]
    assert (row["year"], row["grdp"], row["investment"], row["labour"]) == (
        2020,
        68552.3,
        26000.0,
        690.0,
    )
    assert row["source"] == "Niên giám"
    assert math.isnan(row["capital_stock"])


def test_tab_delimiter():
    text = "year\tgrdp\tcapital_stock\tlabour\n2020\t100\t200\t50\n2021\t105\t212\t51\n"
    data = parse_macro_bytes(text.encode())
    assert data.ok, data.problems
    assert data.delimiter == "\t"
    assert list(data.frame["capital_stock"]) == [200.0, 212.0]


def test_windows_1258_file_is_decoded():
    source = "Niên giám thống kê tỉnh Sóc Trăng năm 2022, Cục Thống kê"
    text = (
        f"year;grdp;investment;labour;source\n2020;100;50;10;{source}\n2021;105;55;10,2;{source}\n"
    )
    data = parse_macro_bytes(_cp1258(text))
    assert data.ok, data.problems
    assert data.encoding == "Windows-1258"
    assert list(data.frame["source"]) == [source, source]
    assert list(data.frame["labour"]) == [10.0, 10.2]


def test_unknown_columns_are_ignored():
    text = "year,grdp,investment,labour,ghi chú thêm\n2020,100,50,10,x\n"
    data = parse_macro_bytes(text.encode())
    assert data.ok, data.problems


# --- refused input --------------------------------------------------------------------------


def test_wrong_number_reported_with_row_and_column():
    text = GOOD + "2022,abc,220,,52,,x\n"
    data = parse_macro_bytes(text.encode())
    assert _codes(data) == [(4, "grdp", "abc", "not_a_number")]
    assert data.frame.empty  # a file with problems is refused whole
    assert not data.ok


def test_duplicate_year_reported_on_second_row():
    text = GOOD + "2021,106,213,,52,,x\n"
    data = parse_macro_bytes(text.encode())
    assert _codes(data) == [(4, "year", "2021", "year_duplicate")]


def test_missing_required_column_reported_on_header_row():
    text = "year,grdp,capital_stock\n2020,100,200\n"
    data = parse_macro_bytes(text.encode())
    assert _codes(data) == [(1, "labour", None, "missing_column")]


def test_missing_both_capital_columns_reported():
    text = "year,grdp,labour\n2020,100,50\n"
    data = parse_macro_bytes(text.encode())
    assert _codes(data) == [(1, "capital_stock/investment", None, "missing_capital_column")]


def test_capital_share_out_of_range_reported():
    text = GOOD.replace(",0.4,", ",1.2,")
    data = parse_macro_bytes(text.encode())
    assert _codes(data) == [(2, "capital_share", "1.2", "share_out_of_range")]
    zero = parse_macro_bytes(GOOD.replace(",0.4,", ",0,").encode())
    assert _codes(zero) == [(2, "capital_share", "0", "share_out_of_range")]


def test_every_problem_is_reported_not_just_the_first():
    text = (
        "year,grdp,investment,labour,capital_share\n"
        "1980,100,50,10,\n"  # row 2: year out of range
        "2021,-5,50,10,\n"  # row 3: GRDP must be > 0
        "2022,100,-1,10,0.35\n"  # row 4: negative investment
        ",100,50,10,\n"  # row 5: no year
        "20x3,100,50,0,\n"  # row 6: bad year and zero labour
        "2024,100,50,10,,surplus\n"  # row 7: a cell beyond the header
    )
    data = parse_macro_bytes(text.encode())
    assert _codes(data) == [
        (2, "year", "1980", "year_invalid"),
        (3, "grdp", "-5", "not_positive"),
        (4, "investment", "-1", "negative"),
        (5, "year", "", "year_missing"),
        (6, "year", "20x3", "year_invalid"),
        (6, "labour", "0", "not_positive"),
        (7, None, "surplus", "extra_cells"),
    ]


def test_duplicate_header_column_reported():
    text = "year,grdp,labour,Lao động,investment\n2020,1,2,3,4\n"
    data = parse_macro_bytes(text.encode())
    assert _codes(data) == [(1, "labour", "Lao động", "duplicate_column")]


def test_blank_rows_are_skipped_but_keep_their_row_numbers():
    text = "year,grdp,investment,labour\n\n2020,1,2,3\n,,,\n2021,x,2,3\n"
    data = parse_macro_bytes(text.encode())
    assert _codes(data) == [(5, "grdp", "x", "not_a_number")]


def test_empty_file_and_header_only():
    assert _codes(parse_macro_bytes(b"")) == [(1, None, None, "empty_file")]
    assert _codes(parse_macro_bytes(b"\n\n")) == [(1, None, None, "empty_file")]
    header_only = parse_macro_bytes(b"year,grdp,investment,labour\n")
    assert _codes(header_only) == [(2, None, None, "no_rows")]


def test_undecodable_bytes_reported_as_encoding_problem():
    data = parse_macro_bytes(b"\xef\xbb\xbf\xff\xfe\xfa")  # BOM then invalid UTF-8
    assert _codes(data) == [(1, None, None, "encoding")]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_problem_code_has_a_message_in_both_languages(lang):
    codes = [v for k, v in vars(macro).items() if k.startswith("P_")]
    assert len(codes) == 14
    for code in codes:
        text = MacroProblem(7, "grdp", "abc", code).message(lang)
        assert text and "{" not in text
    row_msg = MacroProblem(7, "grdp", "abc", "not_a_number").message(lang)
    assert "7" in row_msg and "grdp" in row_msg and "abc" in row_msg


def test_problem_messages_differ_by_language():
    p = MacroProblem(3, "year", "2021", "year_duplicate")
    assert p.message("vi").startswith("Dòng 3")
    assert p.message("en").startswith("Row 3")
    assert p.to_dict() == {"row": 3, "column": "year", "value": "2021", "code": "year_duplicate"}
