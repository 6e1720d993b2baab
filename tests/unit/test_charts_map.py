"""Choropleth figure and unit table: all units present, zeros drawn, totals kept."""

from __future__ import annotations

import re

import pandas as pd
import plotly.graph_objects as go
import pytest

from pqtrack.domain import localities as loc
from pqtrack.i18n import catalog
from pqtrack.presentation import map_chart as cm

COUNTS = {"commune": 43, "district": 11}


def _locations(fig: go.Figure) -> list[str]:
    return [name for trace in fig.data for name in trace.locations]


def _z_by_unit(fig: go.Figure) -> dict[str, float]:
    return {
        name: value
        for trace in fig.data
        for name, value in zip(trace.locations, trace.z, strict=True)
    }


def _hover_by_unit(fig: go.Figure) -> dict[str, str]:
    return {
        name: text
        for trace in fig.data
        for name, text in zip(trace.locations, trace.hovertext, strict=True)
    }


@pytest.fixture
def commune_values() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "unit": ["Xã Mỹ Tú", "Phường Sóc Trăng", "Xã Mỹ Tú", "Xã Hòa Tú", "Nowhere", None],
            "value": [3, 5, 4, 2, 7, 1],
        }
    )


@pytest.mark.parametrize("level", ["commune", "district"])
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_figure_holds_every_unit_exactly_once(level, lang):
    units = [u["full_name"] for u in loc.units(level)]
    values = pd.DataFrame({"unit": units[:3], "value": [1, 2, 3]})
    fig = cm.choropleth(values, level, "Số sản phẩm (sản phẩm)", lang)
    names = _locations(fig)
    assert len(names) == COUNTS[level]
    assert sorted(names) == sorted(units)
    for trace in fig.data:
        assert isinstance(trace, go.Choropleth)
        assert trace.featureidkey == "properties.fullName"
        features = trace.geojson["features"]
        assert len(features) == COUNTS[level]
        assert {f["properties"]["fullName"] for f in features} == set(units)


def test_totals_summed_and_zeros_present(commune_values):
    fig = cm.choropleth(commune_values, "commune", "Số sản phẩm (sản phẩm)", "vi")
    z = _z_by_unit(fig)
    assert z["Xã Mỹ Tú"] == 7
    assert z["Phường Sóc Trăng"] == 5
    assert z["Xã Hoà Tú"] == 2  # typed with the other tone placement
    assert sum(z.values()) == 14  # the unknown and empty units are left out of the map
    zeros = [name for name, value in z.items() if value == 0]
    assert len(zeros) == 40
    supported, empty = fig.data
    assert sorted(supported.locations) == ["Phường Sóc Trăng", "Xã Hoà Tú", "Xã Mỹ Tú"]
    assert len(empty.locations) == 40 and set(empty.z) == {0}


def test_zero_units_are_drawn_in_a_neutral_colour(commune_values):
    fig = cm.choropleth(commune_values, "commune", "Số sản phẩm", "vi")
    supported, empty = fig.data
    assert {c for _, c in empty.colorscale} == {cm.ZERO_COLOUR}
    assert cm.ZERO_COLOUR not in {c for _, c in supported.colorscale}
    assert empty.showscale is False and supported.showscale is not False
    assert empty.showlegend is True and empty.name == "Chưa có hỗ trợ (0)"
    assert supported.zmin == 0 and supported.zmax == 7


def test_no_support_anywhere_still_draws_every_unit():
    empty_frame = pd.DataFrame({"unit": [], "value": []})
    fig = cm.choropleth(empty_frame, "district", "Kinh phí (triệu đồng)", "en")
    supported, empty = fig.data
    assert len(supported.locations) == 0
    assert len(empty.locations) == 11
    assert all(v == 0 for v in empty.z)


def test_no_basemap_no_tiles_and_fit_to_units(commune_values):
    fig = cm.choropleth(commune_values, "commune", "Số sản phẩm", "vi")
    assert fig.layout.geo.fitbounds == "locations"
    assert fig.layout.geo.visible is False
    assert all(trace.type == "choropleth" for trace in fig.data)
    assert "mapbox" not in fig.to_plotly_json()["layout"]
    assert "map" not in fig.to_plotly_json()["layout"]


def test_title_colourbar_and_attribution(commune_values):
    label = "Kinh phí hỗ trợ (triệu đồng)"
    fig = cm.choropleth(commune_values, "commune", label, "vi")
    assert label in fig.layout.title.text
    assert "xã/phường" in fig.layout.title.text
    assert fig.data[0].colorbar.title.text == label
    credit = " ".join(a.text.replace("<br>", " ") for a in fig.layout.annotations)
    assert re.sub(r"\s+", " ", credit) == loc.attribution("vi")
    fig_en = cm.choropleth(commune_values, "commune", "Funding (million VND)", "en")
    credit_en = " ".join(a.text.replace("<br>", " ") for a in fig_en.layout.annotations)
    assert re.sub(r"\s+", " ", credit_en) == loc.ATTRIBUTION
    assert fig.layout.separators == ",." and fig_en.layout.separators == ".,"


def test_hover_shows_vietnamese_names_in_both_languages(commune_values):
    for lang in ("vi", "en"):
        hover = _hover_by_unit(cm.choropleth(commune_values, "commune", "Số SP", lang))
        for name, text in hover.items():
            assert text.startswith(f"<b>{name}</b>")
        assert "Số SP: 7" in hover["Xã Mỹ Tú"]
        assert "Huyện Mỹ Tú" in hover["Xã Mỹ Tú"]
    hover = _hover_by_unit(cm.choropleth(commune_values, "commune", "Số SP", "en"))
    assert "Huyện Long Phú" in hover["Xã Nhơn Mỹ"]  # the other former district it spans


def test_hover_number_format_follows_language():
    values = pd.DataFrame({"unit": ["Huyện Mỹ Tú"], "value": [1234567]})
    vi = _hover_by_unit(cm.choropleth(values, "district", "Kinh phí (đồng)", "vi"))
    en = _hover_by_unit(cm.choropleth(values, "district", "Funding (VND)", "en"))
    assert "1.234.567" in vi["Huyện Mỹ Tú"]
    assert "1,234,567" in en["Huyện Mỹ Tú"]


def test_approximate_district_outlines_are_labelled():
    values = pd.DataFrame({"unit": ["Thành phố Sóc Trăng"], "value": [1]})
    fig = cm.choropleth(values, "district", "Số lượt", "vi")
    assert "(*)" in fig.layout.title.text
    hover = _hover_by_unit(fig)
    approx = {d["full_name"] for d in loc.districts() if d["approximate"]}
    assert len(approx) == 6
    for name, text in hover.items():
        assert ("(*)" in text) == (name in approx), name
        title = f"<b>{name} (*)</b>" if name in approx else f"<b>{name}</b>"
        assert text.startswith(title + "<br>"), name
    assert "Phường Mỹ Xuyên" in hover["Thành phố Sóc Trăng"]
    commune_fig = cm.choropleth(values, "commune", "Số lượt", "vi")
    assert "(*)" not in commune_fig.layout.title.text


def test_derived_approximation_notes_match_the_data():
    expected = {d["full_name"]: d["approx_note"] for d in loc.districts() if d["approximate"]}
    assert cm.approx_notes("en") == expected
    assert set(cm.approx_notes("vi")) == set(expected)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_unit_table_lists_all_units_and_unmatched(commune_values, lang):
    table = cm.unit_table(commune_values, "commune", unmatched=4, lang=lang)
    assert list(table.columns) == list(cm.TABLE_COLUMNS)
    assert len(table) == 44
    assert table["unit"].iloc[:43].tolist() == [u["full_name"] for u in loc.communes()]
    assert (table["value"].iloc[:43] == 0).sum() == 40
    last = table.iloc[-1]
    assert last["unit"] == ("Không xác định" if lang == "vi" else "Unmatched")
    assert last["value"] == 4 + 7 + 1  # given total plus rows naming no unit
    assert table["value"].sum() == commune_values["value"].sum() + 4
    assert table.set_index("unit").loc["Xã Mỹ Tú", "value"] == 7
    assert set(table.loc[table["approximate"], "unit"]) == {
        "Xã Nhơn Mỹ",
        "Phường Mỹ Xuyên",
        "Xã Tân Long",
    }


def test_unit_table_from_pairs_at_district_level():
    table = cm.unit_table([("Huyện Mỹ Tú", 2), ("TP Cần Thơ", 5)], "district")
    assert len(table) == 12
    assert table.iloc[-1]["value"] == 5
    assert table.set_index("unit").loc["Huyện Mỹ Tú", "value"] == 2
    assert table["value"].iloc[:11].sum() == 2
    assert cm.unit_table([], "district")["value"].sum() == 0


def test_table_labels_in_both_languages():
    assert cm.table_labels("vi")["unit"] == "Đơn vị hành chính"
    assert cm.table_labels("en")["value"] == "Value"


def test_unknown_level_is_refused():
    with pytest.raises(ValueError):
        cm.choropleth(pd.DataFrame({"unit": [], "value": []}), "province", "x", "vi")
    with pytest.raises(ValueError):
        cm.unit_table([], "ward")


def test_map_messages_exist_in_both_languages():
    keys = [k for k in catalog() if k.startswith("map.")]
    assert len(keys) >= 15
    for key in keys:
        entry = catalog()[key]
        assert entry.get("vi") and entry.get("en"), key
