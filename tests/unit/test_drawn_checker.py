"""The drawn-chart checks of the browser tests, on synthetic plotly.js layouts (no browser)."""

from __future__ import annotations

import copy

from tests.e2e.drawn import axis_problems, choropleth_problems, empty_problems, figure_problems

YEARS = ["2021", "2022", "2023", "2024", "2025"]


def _ext(low: float, high: float) -> dict:
    return {"min": [{"val": low, "pad": 0}], "max": [{"val": high, "pad": 0}]}


def bars_by_year(x_range: list[float]) -> dict:
    """Stacked bars over five year categories, as ``FIGURES_JS`` reads them."""
    return {
        "layout": {
            "title": {"text": "<b>Contributions by year</b>"},
            "xaxis": {"_id": "x", "type": "category", "visible": True, "range": x_range,
                      "_rl": x_range, "_categories": YEARS},
            "yaxis": {"_id": "y", "type": "linear", "visible": True, "range": [-1.8, 8.5],
                      "_rl": [-1.8, 8.5], "_categories": []},
        },
        "data": [
            {"type": "bar", "visible": True, "x": YEARS, "y": [1.8, 2.1, 2.1, 2.3, 2.3],
             "xaxis": "x", "yaxis": "y", "_extremes": {"x": _ext(-0.5, 4.5), "y": _ext(0, 2.3)}},
            {"type": "scatter", "visible": True, "x": YEARS, "y": [1.2, 7.7, 5.8, 7.1, None],
             "xaxis": "x", "yaxis": "y", "_extremes": {"x": _ext(0, 4), "y": _ext(-1.3, 7.7)}},
        ],
    }  # fmt: skip


def test_a_chart_that_fits_passes():
    assert figure_problems(bars_by_year([-0.5, 4.5])) == []


def test_a_reversed_category_axis_that_fits_passes():
    assert axis_problems(bars_by_year([4.5, -0.5])) == []


def test_category_axis_stretched_by_an_annotation_fails():
    # what the TFP contributions chart drew: an annotation at x="2022" read as index 2022
    problems = axis_problems(bars_by_year([-129.2, 2165.2]))
    assert len(problems) == 1
    assert "Contributions by year: category axis x spans [-129.2, 2165.2]" in problems[0]
    assert "5 categories" in problems[0]


def test_category_axis_one_category_too_wide_fails():
    assert axis_problems(bars_by_year([-0.5, 5.5]))
    assert not axis_problems(bars_by_year([-0.6, 4.6]))  # a little slack is fine


def test_linear_axis_stretched_past_its_data_fails():
    fig = bars_by_year([-0.5, 4.5])
    # data in [-1.3, 7.7] (span 9); an annotation at y=100 makes autorange reach ~105
    fig["layout"]["yaxis"]["_rl"] = [-1.8, 105.0]
    problems = axis_problems(fig)
    assert len(problems) == 1 and "linear axis y spans [-1.8, 105]" in problems[0]
    fig["layout"]["yaxis"]["_rl"] = [-1.8, 20.0]  # within 1.5 spans above the data
    assert axis_problems(fig) == []
    fig["layout"]["yaxis"]["_rl"] = [-30.0, 8.5]  # below the data, too
    assert axis_problems(fig)


def test_a_hidden_trace_does_not_count_as_data():
    fig = bars_by_year([-0.5, 4.5])
    fig["data"][1]["_extremes"]["y"] = _ext(-1.3, 100.0)
    fig["layout"]["yaxis"]["_rl"] = [-1.8, 105.0]
    assert axis_problems(fig) == []
    fig["data"][1]["visible"] = "legendonly"
    assert axis_problems(fig)


def test_date_axis_compared_in_milliseconds():
    day = 86_400_000.0
    fig = {
        "layout": {
            "xaxis": {"_id": "x", "type": "date", "visible": True,
                      "range": ["2026-01-01", "2030-12-31"], "_rl": [0.0, 1826 * day]},
            "yaxis": {"_id": "y", "type": "linear", "visible": True, "_rl": [0, 10]},
        },
        "data": [{"type": "scatter", "visible": True, "x": ["2026-01-01", "2030-12-31"],
                  "y": [0, 10], "_extremes": {"x": _ext(0, 1826 * day), "y": _ext(0, 10)}}],
    }  # fmt: skip
    assert figure_problems(fig) == []
    fig["layout"]["xaxis"]["_rl"] = [0.0, 20_000 * day]
    assert axis_problems(fig)


def test_a_chart_without_points_fails():
    fig = bars_by_year([-0.5, 4.5])
    for trace in fig["data"]:
        trace["y"] = [None] * 5
    assert empty_problems(fig) == ["Contributions by year: draws nothing (no visible trace "
                                   "with data points)"]  # fmt: skip
    fig = bars_by_year([-0.5, 4.5])
    for trace in fig["data"]:
        trace["visible"] = False
    assert empty_problems(fig)
    assert empty_problems({"layout": {}, "data": []})


def test_an_axis_without_a_numeric_range_fails():
    fig = bars_by_year([-0.5, 4.5])
    fig["layout"]["yaxis"]["_rl"] = [None, 3]
    fig["layout"]["yaxis"]["range"] = [None, 3]
    assert axis_problems(fig)


# -- choropleth ----------------------------------------------------------------------------------

UNITS = {"Xã A": 3.0, "Xã B": 10.0, "Xã C": 0.0, "Xã D": 0.0}


def drawn_map() -> dict:
    return {
        "layout": {"title": {"text": "Map"}},
        "data": [
            {"type": "choropleth", "visible": True, "showscale": True,
             "locations": ["Xã A", "Xã B"], "z": [3, 10], "zmin": 0, "zmax": 10},
            {"type": "choropleth", "visible": True, "showscale": False,
             "locations": ["Xã C", "Xã D"], "z": [0, 0], "zmin": 0, "zmax": 1},
        ],
        "drawn": {"choropleth": 4},
    }  # fmt: skip


def test_a_map_drawing_every_unit_with_its_scale_passes():
    assert choropleth_problems(drawn_map(), UNITS) == []
    assert figure_problems(drawn_map()) == []


def test_a_map_missing_a_unit_fails():
    fig = drawn_map()
    fig["data"][1]["locations"] = ["Xã C"]
    fig["data"][1]["z"] = [0]
    fig["drawn"]["choropleth"] = 3
    problems = choropleth_problems(fig, UNITS)
    assert "Map: 1 unit(s) not drawn: Xã D" in problems
    assert "Map: 3 features drawn in the page for 4 units" in problems


def test_a_map_whose_features_are_not_drawn_fails():
    fig = drawn_map()
    fig["drawn"]["choropleth"] = 0  # locations given, but no outline matched them
    assert choropleth_problems(fig, UNITS) == ["Map: 0 features drawn in the page for 4 units"]


def test_a_map_with_a_wrong_value_or_scale_fails():
    fig = drawn_map()
    fig["data"][0]["z"] = [3, 12]
    assert any("'Xã B' drawn with 12, data say 10" in p for p in choropleth_problems(fig, UNITS))
    fig = drawn_map()
    fig["data"][0]["zmax"] = 50
    assert choropleth_problems(fig, UNITS) == ["Map: colour scale ends at 50, data's largest is 10"]
    fig = drawn_map()
    fig["data"][0]["zmin"] = 5
    assert choropleth_problems(fig, UNITS) == [
        "Map: colour scale starts at 5, data's smallest is 3"
    ]
    fig = drawn_map()
    fig["data"][0]["zmin"] = 3  # starting at the data's smallest is fine too
    assert choropleth_problems(fig, UNITS) == []


def test_a_map_drawing_a_unit_twice_fails():
    fig = copy.deepcopy(drawn_map())
    fig["data"][1]["locations"] = ["Xã C", "Xã A"]
    assert "Map: unit 'Xã A' is drawn twice" in choropleth_problems(fig, UNITS)


def test_a_reference_line_counts_as_content_but_an_annotation_does_not():
    fig = bars_by_year([-0.5, 4.5])
    fig["layout"]["yaxis"]["_rl"] = [-1.8, 105.0]
    fig["layout"]["annotations"] = [{"x": 1, "y": 100, "xref": "x", "yref": "y"}]
    assert axis_problems(fig)  # a label far away does not justify the range
    fig["layout"]["shapes"] = [
        {"type": "line", "xref": "x domain", "yref": "y", "x0": 0, "x1": 1, "y0": 100, "y1": 100}
    ]
    assert axis_problems(fig) == []  # a target line at 100 does
