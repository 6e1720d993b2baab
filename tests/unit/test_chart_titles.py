"""Chart titles fit a phone: Plotly never wraps them, so each line stays short."""

from __future__ import annotations

import re
from datetime import date

import pandas as pd
import pytest

from pqtrack.domain import plan, progress
from pqtrack.presentation import charts
from pqtrack.tfp import charts as charts_tfp
from pqtrack.tfp import macro
from pqtrack.tfp import model as tfp

AS_OF = date(2026, 11, 27)


def _figures(lang: str) -> list:
    rows = progress.compute("2026-2030", AS_OF, {"workshop": {"actual": 2}})
    series = pd.DataFrame(
        {"indicator": ["workshop"], "date": pd.to_datetime(["2026-03-01"]), "cumulative": [2]}
    )
    by_type = pd.DataFrame(
        {"indicator": ["workshop"], "beneficiary_type": ["cooperative"], "turns": [2]}
    )
    long_title = "Số lượt hỗ trợ theo loại hình đơn vị và chỉ tiêu, 2026–2030"
    result = tfp.compute(macro.load_default().frame)
    return [
        charts.target_vs_actual(rows, lang, plan.phase("2026-2030").label),
        charts.cumulative_line(series, "workshop", "2026-2030", AS_OF, lang),
        charts.stacked_by_type(by_type, "turns", lang, long_title),
        charts_tfp.contributions_figure(result, lang),
        charts_tfp.phase_share_figure(result, lang),
    ]


def _lines(text: str | None) -> list[str]:
    return re.split(r"<br>", text or "")


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_chart_and_axis_titles_are_wrapped_to_fit_a_phone(lang):
    for i, fig in enumerate(_figures(lang)):
        for line in _lines(fig.layout.title.text):
            assert len(line) <= charts.TITLE_WIDTH, (lang, fig.layout.title.text)
        if i < 3:  # the dashboard's own charts (the TFP charts' axis titles are short)
            for axis in (fig.layout.xaxis, fig.layout.yaxis):
                for line in _lines(axis.title.text):
                    assert len(line) <= charts.AXIS_TITLE_WIDTH, (lang, axis.title.text)
        assert "".join(_lines(fig.layout.title.text))  # still titled


def test_wrap_title_keeps_every_word_in_order():
    text = "Đóng góp của vốn, lao động và TFP vào tăng trưởng GRDP theo năm"
    wrapped = charts.wrap_title(text)
    assert wrapped.replace("<br>", " ") == text
    assert wrapped.count("<br>") == 1
    assert charts.wrap_title("Ngắn") == "Ngắn"
