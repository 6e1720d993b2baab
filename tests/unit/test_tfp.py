"""TFP growth accounting (pqtrack.tfp.model) and its figures (pqtrack.tfp.charts)."""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest

from pqtrack.tfp import capital, macro
from pqtrack.tfp import charts as charts_tfp
from pqtrack.tfp import model as tfp


def _frame(text: str) -> pd.DataFrame:
    data = macro.parse_macro_bytes(text.encode())
    assert data.ok, data.problems
    return data.frame


def _row(result: tfp.TfpResult, year: int) -> pd.Series:
    return result.years.set_index("year").loc[year]


# Example A: one growth year, capital stock given.
#   G_Y = 105/100 - 1 = 5 %, G_K = 212/200 - 1 = 6 %, G_L = 51/50 - 1 = 2 %.
EXAMPLE_A = "year,grdp,capital_stock,labour\n2020,100,200,50\n2021,105,212,51\n"

# Example B: two growth years for a phase average, capital stock given, b_K = 0.4 in the file.
#   2021: G_Y = 10, G_K = 5, G_L = 2 -> G_A = 10 - 0.4*5 - 0.6*2 = 10 - 2 - 1.2 = 6.8 (68 %)
#   2022: G_Y = 5,  G_K = 5, G_L = 0 -> G_A = 5 - 2 - 0 = 3 (60 %)
#   phase: avg G_Y = 7.5, avg G_A = 4.9 -> share = 4.9 / 7.5 = 65.333 %
EXAMPLE_B = (
    "year,grdp,capital_stock,labour,capital_share\n"
    "2020,100,200,100,0.4\n"
    "2021,110,210,102,0.4\n"
    "2022,115.5,220.5,102,0.4\n"
)


# --- one year, capital stock given ----------------------------------------------------------


def test_capital_stock_given_hand_worked():
    # b_K = 0.4: capital 0.4*6 = 2.4, labour 0.6*2 = 1.2, G_A = 5 - 2.4 - 1.2 = 1.4,
    # share = 1.4 / 5 = 28 %.
    result = tfp.compute(_frame(EXAMPLE_A), capital_share=0.4, band=False)
    row = _row(result, 2021)
    assert result.capital.method == "stock"
    assert row["gdp_growth"] == pytest.approx(5.0)
    assert row["capital_growth"] == pytest.approx(6.0)
    assert row["labour_growth"] == pytest.approx(2.0)
    assert row["capital_contribution"] == pytest.approx(2.4)
    assert row["labour_contribution"] == pytest.approx(1.2)
    assert row["tfp_growth"] == pytest.approx(1.4)
    assert row["tfp_share"] == pytest.approx(28.0)
    assert row["flag"] is None
    assert _row(result, 2020)["flag"] == tfp.FLAG_BASE_YEAR


def test_raising_capital_share_lowers_tfp_share_when_capital_grows_faster():
    # G_K = 6 > G_L = 2. b_K = 0.5: G_A = 5 - 3 - 1 = 1 -> 20 % (below 28 % at b_K = 0.4).
    low = tfp.compute(_frame(EXAMPLE_A), capital_share=0.4, band=False)
    high = tfp.compute(_frame(EXAMPLE_A), capital_share=0.5, band=False)
    assert _row(high, 2021)["tfp_share"] == pytest.approx(20.0)
    assert _row(high, 2021)["tfp_share"] < _row(low, 2021)["tfp_share"]


def test_raising_capital_share_raises_tfp_share_when_labour_grows_faster():
    # G_Y = 5, G_K = 1, G_L = 6. b_K = 0.3: G_A = 5 - 0.3 - 4.2 = 0.5 -> 10 %;
    # b_K = 0.5: G_A = 5 - 0.5 - 3 = 1.5 -> 30 %.
    text = "year,grdp,capital_stock,labour\n2020,100,200,50\n2021,105,202,53\n"
    low = tfp.compute(_frame(text), capital_share=0.3, band=False)
    high = tfp.compute(_frame(text), capital_share=0.5, band=False)
    assert _row(low, 2021)["tfp_share"] == pytest.approx(10.0)
    assert _row(high, 2021)["tfp_share"] == pytest.approx(30.0)


def test_capital_share_precedence_argument_then_file_then_default():
    with_file = EXAMPLE_A.replace("labour\n", "labour,capital_share\n").replace("51\n", "51,0.4\n")
    # File says 0.4 for 2021 -> 28 % (as in the hand-worked example).
    from_file = tfp.compute(_frame(with_file), band=False)
    assert _row(from_file, 2021)["capital_share_source"] == "file"
    assert _row(from_file, 2021)["tfp_share"] == pytest.approx(28.0)
    # The argument wins over the file: 0.5 -> 20 %.
    from_arg = tfp.compute(_frame(with_file), capital_share=0.5, band=False)
    assert _row(from_arg, 2021)["capital_share_source"] == "argument"
    assert _row(from_arg, 2021)["tfp_share"] == pytest.approx(20.0)
    # Neither: default 0.3524. G_A = 5 - 0.3524*6 - 0.6476*2 = 5 - 2.1144 - 1.2952 = 1.5904
    # -> 31.808 %.
    default = tfp.compute(_frame(EXAMPLE_A), band=False)
    assert tfp.DEFAULT_CAPITAL_SHARE == 0.3524
    assert _row(default, 2021)["capital_share_source"] == "default"
    assert _row(default, 2021)["tfp_share"] == pytest.approx(31.808)


@pytest.mark.parametrize(
    ("share", "delta"), [(0.0, 0.05), (1.0, 0.05), (1.2, 0.05), (0.3, -0.01), (0.3, 1.0)]
)
def test_out_of_range_parameters_raise(share, delta):
    with pytest.raises(ValueError):
        tfp.compute(_frame(EXAMPLE_A), capital_share=share, depreciation=delta)


# --- perpetual inventory --------------------------------------------------------------------

PIM_TEXT = (
    "year,grdp,investment,labour\n"
    "2020,100,100,50\n"
    "2021,105,110,51\n"
    "2022,110,121,52\n"
    "2023,115,133.1,53\n"
    "2024,120,500,54\n"
)


def test_perpetual_inventory_step_by_step():
    # g = mean of the first three growth rates of I: 110/100-1 = 121/110-1 = 133.1/121-1 = 0.10
    # (2024's jump to 500 is the fourth rate and must not enter g).
    # K_0 = I_1 / (g + δ) = 100 / 0.15 = 666.6667
    # K_2020 = 0.95 * 666.6667 + 100   = 733.3333
    # K_2021 = 0.95 * 733.3333 + 110   = 806.6667
    # K_2022 = 0.95 * 806.6667 + 121   = 887.3333
    # K_2023 = 0.95 * 887.3333 + 133.1 = 976.0667
    # K_2024 = 0.95 * 976.0667 + 500   = 1427.2633
    cap = capital.capital_series(_frame(PIM_TEXT), depreciation=0.05)
    assert cap.method == "pim"
    assert cap.investment_growth == pytest.approx(0.10)
    assert cap.growth_years == (2021, 2022, 2023)
    assert cap.start_year == 2020
    assert cap.initial_stock == pytest.approx(666.6667, abs=1e-3)
    expected = [733.3333, 806.6667, 887.3333, 976.0667, 1427.2633]
    assert list(cap.values.index) == [2020, 2021, 2022, 2023, 2024]
    assert list(cap.values) == pytest.approx(expected, abs=1e-3)
    assert cap.warnings == ()
    # The yearly table uses it: G_K 2021 = 806.6667 / 733.3333 - 1 = 10 %.
    result = tfp.compute(_frame(PIM_TEXT), band=False)
    assert _row(result, 2021)["capital_growth"] == pytest.approx(10.0)


def test_depreciation_changes_pim_capital_growth():
    low = tfp.compute(_frame(PIM_TEXT), depreciation=0.03, band=False)
    high = tfp.compute(_frame(PIM_TEXT), depreciation=0.07, band=False)
    # 2024: the jump in investment weighs more on a smaller stock (higher δ -> smaller K_0).
    assert _row(high, 2024)["capital_growth"] > _row(low, 2024)["capital_growth"]


def test_stock_column_wins_over_investment_when_filled():
    text = "year,grdp,capital_stock,investment,labour\n2020,100,200,10,50\n2021,105,212,99,51\n"
    result = tfp.compute(_frame(text), capital_share=0.4, band=False)
    assert result.capital.method == "stock"
    assert _row(result, 2021)["tfp_share"] == pytest.approx(28.0)


def test_pim_guard_when_g_plus_delta_not_positive():
    # I: 100, 80, 64 -> g = -0.20; g + δ = -0.15 <= 0: no starting stock.
    text = "year,grdp,investment,labour\n2020,100,100,50\n2021,105,80,51\n2022,110,64,52\n"
    result = tfp.compute(_frame(text), band=False)
    assert capital.W_PIM_NONPOSITIVE in result.warnings
    assert result.capital.values.isna().all()
    assert _row(result, 2021)["flag"] == tfp.FLAG_MISSING
    assert result.phase("2021-2025").tfp_share is None


def test_pim_stops_at_a_gap_in_investment():
    # I: 100, 110, (none), 130 -> K for 2020, 2021 only; g from one rate (0.10).
    text = (
        "year,grdp,investment,labour\n"
        "2020,100,100,50\n2021,105,110,51\n2022,110,,52\n2023,115,130,53\n"
    )
    cap = capital.capital_series(_frame(text))
    assert cap.growth_years == (2021,)
    assert cap.values.loc[2021] == pytest.approx(0.95 * (0.95 * 100 / 0.15 + 100) + 110)
    assert cap.values.loc[[2022, 2023]].isna().all()
    assert capital.W_PIM_GAP in cap.warnings


def test_pim_needs_two_years():
    text = "year,grdp,investment,labour\n2020,100,100,50\n2021,105,,51\n"
    cap = capital.capital_series(_frame(text))
    assert capital.W_PIM_TOO_SHORT in cap.warnings
    assert cap.values.isna().all()


# --- near-zero growth, missing years, phases ------------------------------------------------


def test_near_zero_growth_year_is_flagged_with_components_kept():
    # 2021-like: G_Y = 1.18 %; b_K = 0.4: G_A = 1.18 - 2.4 - 1.2 = -2.42; the share
    # -2.42 / 1.18 = -205 % would be misleading -> None and flagged.
    text = EXAMPLE_A.replace("2021,105,", "2021,101.18,")
    result = tfp.compute(_frame(text), capital_share=0.4, band=False)
    row = _row(result, 2021)
    assert row["gdp_growth"] == pytest.approx(1.18)
    assert row["tfp_growth"] == pytest.approx(-2.42)
    assert row["capital_contribution"] == pytest.approx(2.4)
    assert math.isnan(row["tfp_share"])
    assert row["flag"] == tfp.FLAG_NEAR_ZERO
    phase = result.phase("2021-2025")
    assert phase.tfp_share is None
    assert phase.flag == tfp.FLAG_NEAR_ZERO
    assert result.to_json_dict()["years"][0]["tfp_share"] is None


def test_near_zero_threshold():
    assert 0.5 <= tfp.NEAR_ZERO_GROWTH_PP
    assert tfp.NEAR_ZERO_GROWTH_PP > 1.18
    flagged = tfp.compute(_frame(EXAMPLE_A.replace("2021,105,", "2021,101.4,")), band=False)
    kept = tfp.compute(_frame(EXAMPLE_A.replace("2021,105,", "2021,101.6,")), band=False)
    assert _row(flagged, 2021)["flag"] == tfp.FLAG_NEAR_ZERO
    assert _row(kept, 2021)["flag"] is None


def test_phase_uses_average_growth_rates():
    result = tfp.compute(_frame(EXAMPLE_B), band=False)
    assert _row(result, 2021)["tfp_share"] == pytest.approx(68.0)
    assert _row(result, 2022)["tfp_share"] == pytest.approx(60.0)
    phase = result.phase("2021-2025")
    assert phase.years_used == [2021, 2022]
    assert phase.missing_years == [2023, 2024, 2025]
    assert phase.gdp_growth == pytest.approx(7.5)
    assert phase.tfp_growth == pytest.approx(4.9)
    # avg G_A / avg G_Y = 65.333 %, not the mean of the yearly shares (64 %).
    assert phase.tfp_share == pytest.approx(65.3333, abs=1e-3)
    later = result.phase("2026-2030")
    assert later.tfp_share is None
    assert later.flag == tfp.FLAG_NO_DATA
    assert later.missing_years == [2026, 2027, 2028, 2029, 2030]


def test_missing_value_and_missing_row_are_reported_not_interpolated():
    # 2022 GRDP empty: 2022 and 2023 growth cannot be taken (2023 needs 2022's level).
    text = EXAMPLE_B + "2023,121.275,231.525,102,0.4\n"
    empty_cell = text.replace("2022,115.5,", "2022,,")
    result = tfp.compute(_frame(empty_cell), band=False)
    assert _row(result, 2022)["flag"] == tfp.FLAG_MISSING
    assert _row(result, 2023)["flag"] == tfp.FLAG_MISSING
    assert math.isnan(_row(result, 2023)["gdp_growth"])
    assert result.phase("2021-2025").years_used == [2021]
    assert result.phase("2021-2025").missing_years == [2022, 2023, 2024, 2025]
    # The 2022 row left out entirely: same report; the gap year is in the table as NaN.
    lines = [line for line in text.splitlines() if not line.startswith("2022")]
    result = tfp.compute(_frame("\n".join(lines) + "\n"), band=False)
    assert list(result.years["year"]) == [2020, 2021, 2022, 2023]
    assert result.phase("2021-2025").missing_years == [2022, 2023, 2024, 2025]


def test_sensitivity_band_brackets_the_estimate():
    # Example A, stock given (δ irrelevant): b_K = 0.25: G_A = 5 - 1.5 - 1.5 = 2 -> 40 %;
    # b_K = 0.50: G_A = 5 - 3 - 1 = 1 -> 20 %. Central (0.3524) = 31.808 %.
    result = tfp.compute(_frame(EXAMPLE_A))
    phase = result.phase("2021-2025")
    assert phase.band_min == pytest.approx(20.0)
    assert phase.band_max == pytest.approx(40.0)
    assert phase.band_min <= phase.tfp_share <= phase.band_max
    grid = tfp.sensitivity(_frame(EXAMPLE_A))
    assert len(grid) == 6 * 5 * 2  # shares x depreciations x phases
    # Central estimate outside the grid widens the band to include it.
    outside = tfp.compute(_frame(EXAMPLE_A), capital_share=0.6)
    # b_K = 0.6: G_A = 5 - 3.6 - 0.8 = 0.6 -> 12 %.
    assert outside.phase("2021-2025").band_min == pytest.approx(12.0)


def test_placeholder_propagates_to_the_years_it_feeds():
    text = (
        "year,grdp,capital_stock,investment,labour,source\n"
        "2020,100,200,100,50,cited\n"
        "2021,105,210,110,51,PLACEHOLDER\n"
        "2022,110,220,121,52,cited\n"
        "2023,115,230,133,53,cited\n"
    )
    stock = tfp.compute(_frame(text), band=False).years.set_index("year")["placeholder"]
    # Growth 2022 uses the 2021 level; 2023 uses 2022 and 2023 only.
    assert list(stock) == [False, True, True, False]
    no_stock = text.replace(",200,", ",,").replace(",210,", ",,")
    no_stock = no_stock.replace(",220,", ",,").replace(",230,", ",,")
    pim = tfp.compute(_frame(no_stock), band=False).years.set_index("year")["placeholder"]
    # PIM: every later K carries the 2021 investment.
    assert list(pim) == [False, True, True, True]


def test_to_json_dict_shape():
    result = tfp.compute(_frame(EXAMPLE_B))
    data = result.to_json_dict()
    json.dumps(data, allow_nan=False)  # no NaN leaks out
    assert [y["year"] for y in data["years"]] == [2021, 2022]  # base year left out
    required_year = {
        "year",
        "gdp_growth",
        "capital_growth",
        "labour_growth",
        "tfp_growth",
        "tfp_share",
        "flag",
        "placeholder",
    }
    assert required_year <= set(data["years"][0])
    assert data["years"][0]["tfp_share"] == pytest.approx(68.0)
    required_phase = {"phase", "tfp_share", "years_used", "missing_years", "band_min", "band_max"}
    assert required_phase <= set(data["phases"][0])
    assert [p["phase"] for p in data["phases"]] == ["2021-2025", "2026-2030"]
    assert data["phases"][0]["missing_years"] == [2023, 2024, 2025]
    assert data["phases"][1]["tfp_share"] is None


def test_national_benchmarks_match_the_spec():
    values = {(b.period, b.kind): (b.value, b.relation) for b in tfp.NATIONAL_BENCHMARKS}
    assert values == {
        ("2011-2015", "actual"): (33.58, "="),
        ("2016-2020", "actual"): (45.0, "≈"),
        ("2021-2025", "target"): (45.0, "≈"),
        ("2026-2030", "target"): (55.0, ">"),
    }
    sources = {b.period: b.source for b in tfp.NATIONAL_BENCHMARKS}
    assert "13th Party Congress" in sources["2021-2025"]
    assert "57-NQ/TW" in sources["2026-2030"]


def test_shipped_file_result():
    result = tfp.compute(macro.load_default().frame)
    assert result.capital.method == "pim"
    assert _row(result, 2021)["flag"] == tfp.FLAG_NEAR_ZERO
    assert _row(result, 2025)["flag"] == tfp.FLAG_MISSING
    phase = result.phase("2021-2025")
    assert phase.years_used == [2021, 2022, 2023, 2024]
    assert phase.missing_years == [2025]
    assert phase.placeholder
    assert phase.tfp_share is not None
    assert phase.band_min <= phase.tfp_share <= phase.band_max
    assert phase.band_min < phase.band_max  # b_K and δ both move it


# --- figures --------------------------------------------------------------------------------


def test_contributions_figure_traces_and_marks():
    result = tfp.compute(macro.load_default().frame)
    fig = charts_tfp.contributions_figure(result, "en")
    assert [tr.type for tr in fig.data] == ["bar", "bar", "bar", "scatter"]
    assert [tr.name for tr in fig.data] == [
        "Capital (b_K·G_K)",
        "Labour (b_L·G_L)",
        "TFP (G_A)",
        "GRDP growth (G_Y)",
    ]
    assert fig.layout.barmode == "relative"
    assert list(fig.data[0].x) == ["2021", "2022", "2023", "2024", "2025"]
    assert fig.data[2].y[1] == pytest.approx(_row(result, 2022)["tfp_growth"])
    assert fig.data[3].y[0] == pytest.approx(1.18, abs=0.01)
    # Every year rests on placeholder investment/labour: hatched.
    assert list(fig.data[0].marker.pattern.shape) == ["/"] * 5
    texts = [a.text for a in fig.layout.annotations]
    assert any("near 0" in s for s in texts)
    assert sum(s == "illustrative" for s in texts) == 5
    assert "Percentage points" in fig.layout.yaxis.title.text
    vi = charts_tfp.contributions_figure(result, "vi")
    assert vi.data[1].name == "Lao động (b_L·G_L)"
    assert "Điểm phần trăm" in vi.layout.yaxis.title.text


def test_contributions_figure_without_placeholders_has_no_hatching():
    fig = charts_tfp.contributions_figure(tfp.compute(_frame(EXAMPLE_B)), "vi")
    assert list(fig.data[0].marker.pattern.shape) == ["", ""]
    assert not [a for a in fig.layout.annotations if a.text == "minh họa"]


def test_phase_share_figure_with_national_lines():
    result = tfp.compute(_frame(EXAMPLE_A))
    fig = charts_tfp.phase_share_figure(result, "en")
    assert [tr.type for tr in fig.data] == ["bar", "scatter", "scatter"]
    bar, actual, target = fig.data
    assert list(bar.x) == ["2021–2025", "2026–2030"]
    assert bar.y[0] == pytest.approx(31.808)
    assert bar.y[1] is None
    # Error bar reaches the band: 40 - 31.808 up, 31.808 - 20 down.
    assert bar.error_y.array[0] == pytest.approx(8.192)
    assert bar.error_y.arrayminus[0] == pytest.approx(11.808)
    assert list(actual.x) == ["2011–2015", "2016–2020"]
    assert list(actual.y) == [33.58, 45.0]
    assert list(target.y) == [45.0, 55.0]
    assert target.name == "National target"
    assert list(fig.layout.xaxis.categoryarray) == [
        "2011–2015",
        "2016–2020",
        "2021–2025",
        "2026–2030",
    ]
    texts = [a.text for a in fig.layout.annotations]
    assert any("no data yet" in s for s in texts)
    assert any("missing years: 2022, 2023, 2024, 2025" in s for s in texts)
    assert fig.layout.title.text == "TFP share of GRDP growth by phase"


def _category_marks(fig) -> list[tuple[object, str]]:
    """Return (x, text) of each annotation placed on the figure's category x axis."""
    return [(a.x, a.text) for a in fig.layout.annotations if a.xref in (None, "x")]


def test_contributions_chart_places_year_marks_by_category_index():
    from pqtrack.tfp import charts as charts_tfp
    from pqtrack.tfp import macro
    from pqtrack.tfp import model as tfp

    fig = charts_tfp.contributions_figure(tfp.compute(macro.load_default().frame), "vi")
    years = list(fig.data[0].x)
    assert fig.layout.xaxis.type == "category"
    marks = _category_marks(fig)
    assert len(marks) == 7  # five "minh họa" marks and two flags
    # plotly.js reads x "2022" on a category axis as index 2022 and stretches the axis
    # (seen in the browser): every mark is an index of an existing year.
    assert all(isinstance(x, int) and 0 <= x < len(years) for x, _ in marks)
    assert sorted(x for x, text in marks if text == "minh họa") == list(range(len(years)))
    flagged = {years[x] for x, text in marks if text.startswith("⚠")}
    rows = tfp.compute(macro.load_default().frame).year_rows()
    assert flagged == {str(int(y)) for y, f in zip(rows["year"], rows["flag"], strict=True) if f}


def test_phase_share_marks_sit_on_their_phase_by_category_index():
    fig = charts_tfp.phase_share_figure(tfp.compute(_frame(EXAMPLE_A)), "en")
    order = list(fig.layout.xaxis.categoryarray)
    marks = _category_marks(fig)
    assert marks and all(isinstance(x, int) and 0 <= x < len(order) for x, _ in marks)
    assert {order[x] for x, text in marks if "no data yet" in text} == {"2026–2030"}
    assert {order[x] for x, text in marks if "missing years" in text} == {"2021–2025"}
