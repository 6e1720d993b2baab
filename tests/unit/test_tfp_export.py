"""TFP exports: yearly/phase tables, CSV with BOM, XLSX sheets, problem table, benchmarks."""

from __future__ import annotations

import csv
import io
import math

import openpyxl
import pandas as pd

from pqtrack.tfp import export as tfp_export
from pqtrack.tfp import macro
from pqtrack.tfp import model as tfp

CSV = b"""year,grdp,capital_stock,labour,source
2020,100,200,50,yearbook
2021,110,210,51,yearbook
2022,110.5,220,52,=HYPERLINK("x") PLACEHOLDER
2023,121.55,231,53,yearbook
"""


def data():
    parsed = macro.parse_macro_bytes(CSV)
    assert parsed.ok, [p.message("en") for p in parsed.problems]
    return parsed.frame, tfp.compute(parsed.frame, 0.4, 0.05)


def test_year_results_hand_values_flags_and_sources():
    frame, result = data()
    out = tfp_export.year_results(result, frame)
    assert list(out.columns) == list(tfp_export.YEAR_COLUMNS)
    assert list(out["year"]) == [2021, 2022, 2023]
    first = out.iloc[0]
    # G_Y 10, G_K 5, G_L 2: G_A = 10 - 0.4*5 - 0.6*2 = 6.8, share 68 %
    assert math.isclose(first["gdp_growth"], 10.0)
    assert math.isclose(first["tfp_growth"], 6.8)
    assert math.isclose(first["tfp_share"], 68.0)
    assert first["source"] == "yearbook"
    # 2022: G_Y 0.45 pp, near zero: components kept, share left out, flagged
    second = out.iloc[1]
    assert second["flag"] == tfp.FLAG_NEAR_ZERO and math.isnan(second["tfp_share"])
    assert list(out["placeholder"]) == [False, True, True]  # 2023's growth uses 2022


def test_display_table_marks_placeholder_rows_in_both_languages():
    frame, result = data()
    for lang, mark in (("vi", "minh họa"), ("en", "illustrative")):
        table = tfp_export.display_table(result, frame, lang)
        marks = list(table.iloc[:, 1])
        assert [mark in m and m.startswith("⚠") for m in marks] == [False, True, True]
        assert table.columns[0] == ("Năm" if lang == "vi" else "Year")
    assert "near zero" in tfp_export.display_table(result, frame, "en")["Flag"].iloc[1]


def test_csv_has_bom_codes_and_neutralised_text():
    frame, result = data()
    raw = tfp_export.csv_bytes(result, frame)
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw[3:].decode("utf-8"))))
    assert list(rows[0]) == list(tfp_export.YEAR_COLUMNS)
    assert rows[0]["tfp_share"] == "68.0000"
    assert rows[1]["tfp_share"] == "" and rows[1]["placeholder"] == "True"
    assert rows[1]["source"].startswith("'=")  # a formula is never run by a spreadsheet


def test_xlsx_has_years_phases_parameters_and_shades_placeholders():
    frame, result = data()
    wb = openpyxl.load_workbook(io.BytesIO(tfp_export.xlsx_bytes(result, frame, "en", "test")))
    assert wb.sheetnames == ["Years", "Phases", "Parameters"]
    ws = wb["Years"]
    assert ws.cell(1, 1).value == "Year"
    assert [ws.cell(r, 1).value for r in range(2, 5)] == [2021, 2022, 2023]
    assert ws.cell(2, 2).value == "sourced" and "illustrative" in ws.cell(3, 2).value
    assert ws.cell(3, 1).fill.fgColor.rgb.endswith("FFF2CC")
    assert ws.cell(2, 1).fill.fgColor.rgb in (None, "00000000")
    assert isinstance(
        ws.cell(3, 2 + 1 + tfp_export.NUMERIC_COLUMNS.index("tfp_share")).value, type(None)
    )
    assert ws.cell(3, 12).value == '\'=HYPERLINK("x") PLACEHOLDER' or "HYPERLINK" in str(
        ws.cell(3, 12).value
    )
    phases = wb["Phases"]
    assert phases.cell(2, 1).value == "2021–2025"
    params = {r[0].value: r[1].value for r in wb["Parameters"].iter_rows(min_row=2)}
    assert params["Capital share b_K"] == "0.4000"
    assert params["Data source"] == "test"
    assert "not a measure" in params["Note"]


def test_phase_results_and_headline_fallback():
    frame, result = data()
    phases = tfp_export.phase_results(result)
    assert list(phases["phase"]) == ["2021-2025", "2026-2030"]
    assert phases.loc[1, "flag"] == tfp.FLAG_NO_DATA
    chosen, fallback = tfp_export.headline_phase(result, "2026-2030")
    assert chosen.tfp_share is None and fallback is not None and fallback.phase == "2021-2025"
    chosen, fallback = tfp_export.headline_phase(result, "2021-2025")
    assert fallback is None and chosen.band_min <= chosen.tfp_share <= chosen.band_max


def test_problems_table_lists_row_column_value_reason():
    parsed = macro.parse_macro_bytes(b"year,grdp,investment,labour\n2020,x,1,1\n2021,5,1,-1\n")
    table = tfp_export.problems_table(parsed.problems, "en")
    assert table.shape == (2, 4)
    assert list(table.iloc[:, 0]) == [2, 3]
    assert list(table.iloc[:, 1]) == ["grdp", "labour"]
    assert list(table.iloc[:, 2]) == ["x", "-1"]
    assert all(isinstance(r, str) and r for r in table.iloc[:, 3])


def test_benchmark_table_has_sources_for_every_line():
    for lang in ("vi", "en"):
        table = tfp_export.benchmark_table(lang)
        assert len(table) == len(tfp.NATIONAL_BENCHMARKS)
        assert table.iloc[:, 3].map(bool).all()
    en = tfp_export.benchmark_table("en")
    assert list(en.iloc[:, 2]) == ["33.58%", "≈45%", "≈45%", ">55%"]
    assert "57-NQ/TW" in en.iloc[3, 3]
    assert isinstance(en, pd.DataFrame)


def test_with_band_matches_compute():
    frame, _ = data()
    full = tfp.compute(frame, 0.3, 0.04)
    quick = tfp_export.with_band(
        tfp.compute(frame, 0.3, 0.04, band=False), tfp.sensitivity_band(frame)
    )
    assert [(p.band_min, p.band_max) for p in quick.phases] == [
        (p.band_min, p.band_max) for p in full.phases
    ]
    assert quick.phases[0].band_min is not None
