"""Chart builders: titled figures with units, Vietnamese labels, the right numbers."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from pqtrack.domain import plan, progress
from pqtrack.presentation import charts

AS_OF = date(2026, 11, 27)


def rows(phase: str = "2026-2030", **actuals: int) -> list[progress.Progress]:
    return progress.compute(phase, AS_OF, {k: {"actual": v} for k, v in actuals.items()})


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_target_vs_actual_has_one_bar_per_indicator_as_percent_of_target(lang):
    data = rows(product_standard=19, workshop=4)
    fig = charts.target_vs_actual(data, lang, "2026–2030")
    bars = fig.data[0]
    assert len(bars.y) == len(plan.targets("2026-2030")) == 9
    by_label = dict(zip(bars.y, bars.x, strict=True))
    key = "Sản phẩm áp dụng tiêu chuẩn" if lang == "vi" else "Products meeting standards"
    assert by_label[key] == pytest.approx(20.0)  # 19 of 95
    title = fig.layout.title.text.replace("<br>", " ")  # long titles are wrapped
    assert "2026–2030" in title and (
        "% chỉ tiêu" in title if lang == "vi" else "% of target" in title
    )
    assert fig.layout.xaxis.title.text
    assert fig.layout.xaxis.ticksuffix == (" %" if lang == "vi" else "%")
    labels = [label.split("<br>")[0] for label in fig.data[2].text]
    assert ("19/95 sản phẩm" if lang == "vi" else "19/95 products") in labels


def test_target_vs_actual_colours_follow_status_and_caps_long_bars():
    data = rows(workshop=10, training_course=0)
    fig = charts.target_vs_actual(data, "vi", "2026–2030")
    colours = dict(zip(fig.data[0].y, fig.data[0].marker.color, strict=True))
    assert colours["Hội thảo, hội nghị"] == "#1a7f37"  # achieved
    assert colours["Khoá đào tạo"] == "#c62828"  # behind
    assert max(fig.data[0].x) == 150.0  # 250 % is drawn capped, the label keeps the truth
    assert "10/4 đợt" in [label.split("<br>")[0] for label in fig.data[2].text]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_target_vs_actual_says_each_status_in_words_beside_its_colour(lang):
    from pqtrack.presentation.views import status_label

    data = rows(workshop=10, training_course=0, product_standard=19)
    fig = charts.target_vs_actual(data, lang, "2026–2030")
    assert len(fig.data[2].text) == len(data)
    for row, label in zip(data, fig.data[2].text, strict=True):
        assert status_label(row.status, lang) in label, (row.indicator, label)


def test_vietnamese_figures_use_comma_decimals():
    fig = charts.target_vs_actual(rows(), "vi", "2026–2030")
    assert fig.layout.separators == ",."
    assert charts.target_vs_actual(rows(), "en", "2026–2030").layout.separators == ".,"


def test_cumulative_line_steps_to_today_with_target_and_pace_lines():
    series = pd.DataFrame(
        {
            "indicator": ["workshop", "workshop", "training_course"],
            "date": pd.to_datetime(["2026-03-01", "2026-06-01", "2026-04-01"]),
            "cumulative": [1, 3, 2],
        }
    )
    fig = charts.cumulative_line(series, "workshop", "2026-2030", AS_OF, "vi")
    actual, target, pace = fig.data
    assert list(actual.y) == [0.0, 1.0, 3.0, 3.0]
    assert actual.x[-1] == AS_OF
    assert list(target.y) == [4, 4]
    assert (
        list(pace.y) == [0, 4] and pace.x[0] == date(2026, 1, 1) and pace.x[1] == date(2030, 12, 31)
    )
    assert "Hội thảo, hội nghị" in fig.layout.title.text and "27/11/2026" in fig.layout.title.text
    assert fig.layout.yaxis.title.text == "Lũy kế (đợt)"


def test_cumulative_line_of_a_finished_phase_stops_at_its_end():
    empty = pd.DataFrame(columns=["indicator", "date", "cumulative"])
    fig = charts.cumulative_line(empty, "expert_trained", "2021-2025", AS_OF, "en")
    assert fig.data[0].x[-1] == date(2025, 12, 31)
    assert list(fig.data[0].y) == [0.0, 0.0]
    assert fig.layout.yaxis.title.text == "Cumulative (experts)"


def test_stacked_by_type_has_one_trace_per_type_present_in_words():
    df = pd.DataFrame(
        {
            "indicator": ["product_standard", "product_standard", "management_system", "workshop"],
            "beneficiary_type": ["enterprise", "cooperative", "cooperative", None],
            "turns": [3, 2, 4, 1],
        }
    )
    fig = charts.stacked_by_type(df, "turns", "vi", "Tiêu đề")
    names = [tr.name for tr in fig.data]
    assert names == ["doanh nghiệp", "hợp tác xã", "(không rõ)"]
    coop = fig.data[1]
    assert dict(zip(coop.y, coop.x, strict=True)) == {
        "Hội thảo, hội nghị": 0.0,
        "Sản phẩm áp dụng tiêu chuẩn": 2.0,
        "Lượt hỗ trợ hệ thống quản lý": 4.0,
    }
    assert fig.layout.barmode == "stack"
    assert fig.layout.title.text == "Tiêu đề"
    assert fig.layout.xaxis.title.text == "Số lượt hỗ trợ"


def test_bar_breakdown_sums_over_indicators_largest_first():
    df = pd.DataFrame(
        {
            "indicator": ["a", "b", "a"],
            "sector": ["thủy sản", "thủy sản", None],
            "funding_vnd": [10, 5, 30],
        }
    )
    fig = charts.bar_breakdown(df, "sector", "funding_vnd", "en", "By sector")
    assert list(fig.data[0].y) == ["(unknown)", "thủy sản"]
    assert list(fig.data[0].x) == [30, 15]
    assert fig.layout.xaxis.title.text == "Support funding (đồng)"


def test_bar_breakdown_by_year_is_chronological():
    df = pd.DataFrame({"indicator": ["a"] * 3, "year": [2023, 2021, 2022], "turns": [1, 5, 2]})
    fig = charts.bar_breakdown(df, "year", "turns", "vi", "Theo năm")
    assert list(fig.data[0].x) == ["2021", "2022", "2023"]
    assert list(fig.data[0].y) == [5, 2, 1]


def test_empty_data_gives_a_titled_figure_with_a_message():
    empty = pd.DataFrame(columns=["indicator", "beneficiary_type", "turns"])
    fig = charts.stacked_by_type(empty, "turns", "vi", "Tiêu đề")
    assert fig.layout.title.text == "Tiêu đề"
    assert fig.layout.annotations[0].text == "Chưa có dữ liệu"


def _every_chart(lang: str) -> list:
    """Return one figure of every chart builder, with numbers in the thousands."""
    from pqtrack.presentation import map_chart as charts_map
    from pqtrack.tfp import charts as charts_tfp
    from pqtrack.tfp import macro
    from pqtrack.tfp import model as tfp

    series = pd.DataFrame(
        {"indicator": ["workshop"], "date": pd.to_datetime(["2026-03-01"]), "cumulative": [2]}
    )
    by_type = pd.DataFrame(
        {"indicator": ["workshop"], "beneficiary_type": ["enterprise"], "funding_vnd": [1234567]}
    )
    by_sector = pd.DataFrame({"indicator": ["a"], "sector": ["x"], "funding_vnd": [1234567]})
    by_year = pd.DataFrame({"indicator": ["a"], "year": [2026], "funding_vnd": [1234567]})
    parsed = macro.parse_macro_bytes(macro.default_macro_file().read_bytes())
    result = tfp.compute(parsed.frame)
    units = pd.DataFrame({"unit": ["Huyện Mỹ Tú"], "value": [1234567]})
    return [
        charts.target_vs_actual(rows(workshop=2), lang, "2026–2030"),
        charts.cumulative_line(series, "workshop", "2026-2030", AS_OF, lang),
        charts.stacked_by_type(by_type, "funding_vnd", lang, "t"),
        charts.bar_breakdown(by_sector, "sector", "funding_vnd", lang, "t"),
        charts.bar_breakdown(by_year, "year", "funding_vnd", lang, "t"),
        charts_tfp.contributions_figure(result, lang),
        charts_tfp.phase_share_figure(result, lang),
        charts_map.choropleth(units, "district", "x", lang),
    ]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_chart_writes_numbers_the_language_way(lang):
    import re

    from pqtrack.presentation import numbers

    field = re.compile(r"%\{[^}|:]*:([^}]*)\}")
    figures = _every_chart(lang)
    for fig in figures:
        assert fig.layout.separators == numbers.separators(lang), fig.layout.title.text
        for trace in fig.data:
            template = getattr(trace, "hovertemplate", None) or ""
            assert all(spec.startswith(",") for spec in field.findall(template)), template
            # A percentage hover is followed by the language's own "%" ("12,5 %" / "12.5%").
            assert ("f}%" not in template) if lang == "vi" else ("f} %" not in template)
    tva, cumulative, *_ = figures
    assert tva.layout.xaxis.ticksuffix == numbers.percent_suffix(lang)
    assert cumulative.layout.yaxis.tickformat == ",~r"  # grouped, never "1.2M"


def test_national_lines_on_the_tfp_chart_use_vietnamese_decimals():
    from pqtrack.tfp import charts as charts_tfp
    from pqtrack.tfp import macro
    from pqtrack.tfp import model as tfp

    result = tfp.compute(macro.parse_macro_bytes(macro.default_macro_file().read_bytes()).frame)
    vi = charts_tfp.phase_share_figure(result, "vi")
    lines = [trace for trace in vi.data if trace.type == "scatter"]
    labels = [text for trace in lines for text in trace.text]
    assert labels and all(label.endswith(" %") for label in labels)
    assert any("," in label for label in labels) and not any("." in label for label in labels)
