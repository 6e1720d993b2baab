"""Map page shaping: metric values, unmatched bucket, table with zeros, coverage, notes."""

from __future__ import annotations

import pandas as pd
import pytest

from pqtrack.i18n import t
from pqtrack.presentation import map_view as mapview

UNITS = pd.DataFrame(
    {
        "unit": ["Phường Sóc Trăng", "Xã Mỹ Tú"],
        "turns": [3, 1],
        "quantity": [4.0, 1.0],
        "beneficiaries": [2, 1],
        "funding_vnd": [15_000_000.0, 2_500_000.0],
    }
)
REST = {"turns": 2, "quantity": 2, "beneficiaries": 1, "funding_vnd": 7_000_000, "no_locality": 5}
DISTRICTS = pd.DataFrame(
    {
        "unit": ["Thành phố Sóc Trăng", "Huyện Mỹ Tú"],
        "turns": [3, 1],
        "quantity": [4.0, 1.0],
        "beneficiaries": [2, 1],
        "funding_vnd": [15_000_000.0, 0.0],
    }
)
EMPTY = pd.DataFrame(columns=["unit", "turns", "quantity", "beneficiaries", "funding_vnd"])
NO_REST = {"turns": 0, "quantity": 0, "beneficiaries": 0, "funding_vnd": 0, "no_locality": 0}


def test_default_level_follows_the_reform():
    assert mapview.default_level("2021-2025") == "district"
    assert mapview.default_level("2026-2030") == "commune"


@pytest.mark.parametrize(
    ("metric", "expected", "bucket"),
    [("turns", [3, 1], 2), ("beneficiaries", [2, 1], 1), ("funding_m", [15.0, 2.5], 7.0)],
)
def test_values_and_unmatched_per_metric(metric, expected, bucket):
    frame = mapview.values(UNITS, metric)
    assert list(frame.columns) == ["unit", "value"]
    assert frame["value"].tolist() == expected
    assert mapview.unmatched(REST, metric) == bucket


def test_unknown_metric_or_level_is_refused():
    with pytest.raises(ValueError, match="metric"):
        mapview.values(UNITS, "quantity_x")
    with pytest.raises(ValueError, match="level"):
        mapview.table(UNITS, REST, "province", "turns", "vi")


def test_table_lists_every_commune_with_zeros_and_the_unmatched_row():
    frame = mapview.table(UNITS, REST, "commune", "turns", "en")
    label = mapview.metric_label("turns", "en")
    assert len(frame) == 43 + 1
    assert list(frame.columns) == ["Code", "Administrative unit", label]
    by_unit = dict(zip(frame["Administrative unit"], frame[label], strict=True))
    assert by_unit["Phường Sóc Trăng"] == 3
    assert by_unit["Xã Mỹ Tú"] == 1
    assert by_unit["Unmatched"] == 2
    assert (frame[label] == 0).sum() == 41
    assert frame[label].sum() == 3 + 1 + 2


def test_district_table_keeps_the_approximate_column_and_converts_funding():
    frame = mapview.table(DISTRICTS, REST, "district", "funding_m", "vi")
    label = mapview.metric_label("funding_m", "vi")
    assert len(frame) == 11 + 1
    assert "Gần đúng (*)" in frame.columns
    assert frame["Gần đúng (*)"].sum() == 6
    rows = dict(zip(frame["Đơn vị hành chính"], frame[label], strict=True))
    assert rows["Thành phố Sóc Trăng"] == 15.0
    assert rows["Không xác định"] == 7.0


def test_empty_selection_gives_all_zero_tables():
    frame = mapview.table(EMPTY, NO_REST, "district", "beneficiaries", "vi")
    assert len(frame) == 12
    assert frame.iloc[:, 2].sum() == 0
    assert mapview.is_empty(EMPTY, NO_REST)
    assert not mapview.is_empty(EMPTY, REST)
    assert not mapview.is_empty(UNITS, NO_REST)


def test_coverage_counts_units_reached_by_turns():
    reached, missing = mapview.coverage(DISTRICTS, "district")
    assert set(reached) == {"Thành phố Sóc Trăng", "Huyện Mỹ Tú"}
    assert len(missing) == 9
    reached, missing = mapview.coverage(EMPTY, "commune")
    assert (reached, len(missing)) == ([], 43)


def test_notes_name_the_caveats_and_counts():
    vi = mapview.notes(REST, "district", "2026-2030", "turns", "vi")
    assert vi[0] == t("mapui.level_note.district", "vi")
    assert any("2 lượt" in n and "huyện cũ" in n for n in vi)
    assert any(n.startswith("5 lượt") for n in vi)
    en = mapview.notes(REST, "commune", "2021-2025", "beneficiaries", "en")
    assert en[0] == t("mapui.level_note.commune_old", "en")
    assert t("mapui.distinct", "en") in en
    assert mapview.notes(NO_REST, "commune", "2026-2030", "turns", "en") == []


def test_number_format_and_labels():
    assert mapview.number_kind("turns") == "int"
    assert mapview.number_kind("funding_m") == "dec"
    for lang in ("vi", "en"):
        for m in mapview.METRICS:
            assert mapview.metric_label(m, lang)
        for lv in mapview.LEVELS:
            assert mapview.level_label(lv, lang)


def _area(ring):
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False)) / 2


def _exteriors(geojson):
    for f in geojson["features"]:
        geom = f["geometry"]
        polys = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
        yield from (p[0] for p in polys)


@pytest.mark.parametrize("level", ["commune", "district"])
def test_outlines_are_wound_clockwise_for_d3(level):
    from pqtrack.presentation import map_chart as charts_map

    fig = charts_map.choropleth(mapview.values(EMPTY, "turns"), level, "x", "vi")
    for trace in fig.data:
        rings = list(_exteriors(trace.geojson))
        assert rings and all(_area(r) < 0 for r in rings)


def test_rewind_reverses_counter_clockwise_rings_and_keeps_clockwise_ones():
    ccw = [[0, 0], [1, 0], [1, 1], [0, 0]]
    hole_cw = [[0.2, 0.2], [0.3, 0.5], [0.5, 0.3], [0.2, 0.2]]
    geo = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [ccw, hole_cw]}},
            {"type": "Feature", "geometry": {"type": "MultiPolygon", "coordinates": [[ccw[::-1]]]}},
        ],
    }
    from pqtrack.presentation import map_chart as charts_map

    out = charts_map.rewind_for_d3(geo)
    assert out["features"][0]["geometry"]["coordinates"][0] == ccw[::-1]
    assert _area(out["features"][0]["geometry"]["coordinates"][1]) > 0  # hole counter-clockwise
    assert out["features"][1]["geometry"]["coordinates"][0][0] == ccw[::-1]
    assert geo["features"][0]["geometry"]["coordinates"][0] == ccw  # input untouched


def test_plotly_config_needs_no_network():
    from pqtrack.presentation import map_chart as charts_map

    url = charts_map.PLOTLY_CONFIG["topojsonURL"]
    assert url.startswith("data:application/json,") and url.endswith("#")
