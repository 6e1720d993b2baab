"""User text in figures is shown as typed: Plotly's markup (<b>, <a href>, <br>) is escaped."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from pqtrack.ingest import pipeline as ingest
from pqtrack.presentation import charts
from pqtrack.presentation.views import plot_text
from tests.support import TODAY, csv_text

EVIL = '<b>x</b><a href="javascript:alert(1)">y</a><br>z & Co'
ESCAPED = '&lt;b&gt;x&lt;/b&gt;&lt;a href="javascript:alert(1)"&gt;y&lt;/a&gt;&lt;br&gt;z &amp; Co'


def _strings(node: object) -> list[str]:
    """Every string anywhere in a figure's JSON."""
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for v in node.values() for s in _strings(v)]
    if isinstance(node, list | tuple):
        return [s for v in node for s in _strings(v)]
    return []


def test_plot_text_escapes_what_plotly_reads_as_markup():
    assert plot_text(EVIL) == ESCAPED
    assert plot_text("Lúa gạo \"ST25\" 'x'") == "Lúa gạo \"ST25\" 'x'"  # quotes stay as typed
    assert plot_text(None) == "None" and plot_text(12) == "12"


@pytest.mark.parametrize("dimension", ["sector", "standard", "district", "commune"])
def test_breakdown_bars_show_record_text_escaped(dimension):
    df = pd.DataFrame(
        {"indicator": ["workshop"] * 2, dimension: [EVIL, "lúa gạo"], "quantity": [5, 3]}
    )
    fig = charts.bar_breakdown(df, dimension, "quantity", "vi", "Tiêu đề")
    assert list(fig.data[0].y) == [ESCAPED, "lúa gạo"]  # the category labels (and so the hover)
    strings = _strings(fig.to_plotly_json())
    # the chart's own titles may be wrapped with <br>; the record's "<br>z" must not appear
    assert not [s for s in strings if "<a" in s or "<b>" in s or "<br>z" in s]


def test_the_beneficiaries_page_sends_no_raw_markup_to_plotly(store):
    """From a stored record to the figure spec the browser receives."""
    head = ["date", "indicator", "beneficiary_name", "beneficiary_type", "sector", "standard"]
    rows = [["15/03/2023", "product_standard", "A", "HTX", EVIL, EVIL]]
    assert ingest.process(store, csv_text(head, rows).encode(), "a.csv", today=TODAY).stored
    from pqtrack.domain.filters import RecordFilter
    from pqtrack.figures import queries

    for dim in ("sector", "standard"):
        df = queries.breakdown(store, dim, RecordFilter(phase="2021-2025"))
        spec = json.dumps(charts.bar_breakdown(df, dim, "quantity", "en", "t").to_plotly_json())
        assert "<a href" not in spec and "&lt;a href" in spec
