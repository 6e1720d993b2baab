"""Choropleth maps and unit tables of the former Sóc Trăng area, by 2025 commune or former district.

No tile server and no basemap: only the shipped outlines are drawn. Units with no support
are drawn in a neutral grey (value 0), never left blank.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable
from functools import cache
from urllib.parse import quote

import pandas as pd
import plotly.graph_objects as go

from pqtrack.domain import localities
from pqtrack.i18n import t
from pqtrack.presentation import numbers
from pqtrack.presentation.charts import TOOLBAR_PX, title_spec, wrap_title
from pqtrack.text import fold

ZERO_COLOUR = "#d4d4d4"
MAP_HEIGHT = 600  # px
# where the title hangs from: below the toolbar, allowing for the ~16 px plotly.js puts
# above a multi-line title's anchor
MAP_TITLE_TOP = TOOLBAR_PX + 20
COLOURSCALE: list[list] = [[0.0, "#c6dbef"], [0.5, "#4292c6"], [1.0, "#08306b"]]
FEATURE_KEY = "properties.fullName"
TABLE_COLUMNS: tuple[str, ...] = ("code", "unit", "value", "approximate")


# plotly.js loads a world basemap (cdn.plot.ly/un/world_110m.json) for every geo subplot with a
# choropleth, even with the base layers hidden, and draws nothing if that fails (offline). The
# maps use only the shipped outlines, so the basemap is an empty topology given inline; the
# "#" turns the file name plotly.js appends into a fragment, which data: URLs ignore.
EMPTY_TOPOLOGY = '{"type":"Topology","objects":{},"arcs":[]}'
PLOTLY_CONFIG: dict = {
    "topojsonURL": "data:application/json," + quote(EMPTY_TOPOLOGY, safe="") + "#",
    "displaylogo": False,
    "scrollZoom": False,
}


def _signed_area(ring: list) -> float:
    """Return the planar signed area of a ring in lon/lat (> 0 when counter-clockwise)."""
    return (
        sum(x0 * y1 - x1 * y0 for (x0, y0, *_), (x1, y1, *_) in zip(ring, ring[1:], strict=False))
        / 2
    )


def _wind(ring: list, clockwise: bool) -> list:
    return list(reversed(ring)) if (_signed_area(ring) < 0) != clockwise else list(ring)


def rewind_for_d3(geojson: dict) -> dict:
    """Return a copy of ``geojson`` with rings wound as plotly.js (d3-geo) needs them.

    d3-geo reads polygons on the sphere: an exterior ring must run clockwise, or it stands
    for the whole globe minus the unit, drawn as a filled rectangle. RFC 7946 files (like
    ``districts_approx.geojson``) run counter-clockwise. Holes get the opposite winding.
    """

    def polygon(rings: list) -> list:
        return [_wind(r, clockwise=(i == 0)) for i, r in enumerate(rings)]

    features = []
    for feature in geojson.get("features", []):
        geom = feature.get("geometry") or {}
        if geom.get("type") == "Polygon":
            geom = {**geom, "coordinates": polygon(geom["coordinates"])}
        elif geom.get("type") == "MultiPolygon":
            geom = {**geom, "coordinates": [polygon(p) for p in geom["coordinates"]]}
        features.append({**feature, "geometry": geom})
    return {**geojson, "features": features}


def _check_level(level: str) -> None:
    if level not in localities.LEVELS:
        raise ValueError(f"unknown map level {level!r}; use one of {localities.LEVELS}")


@cache
def _map_geojson(level: str) -> dict:
    """Return the outlines for ``level`` with only the properties the figure needs."""
    features = [
        {
            "type": "Feature",
            "id": f["properties"]["code"],
            "properties": {
                "fullName": f["properties"]["fullName"],
                "code": f["properties"]["code"],
            },
            "geometry": f["geometry"],
        }
        for f in rewind_for_d3(localities.geojson(level))["features"]
    ]
    return {"type": "FeatureCollection", "features": features}


@cache
def _canonical(level: str) -> dict[str, str]:
    """Return a lookup from folded full name or code to the official full name."""
    lookup: dict[str, str] = {}
    for unit in localities.units(level):
        lookup[fold(unit["full_name"])] = unit["full_name"]
        lookup[unit["code"]] = unit["full_name"]
    return lookup


def _totals(
    rows: pd.DataFrame | Iterable[tuple[str | None, float]], level: str
) -> tuple[dict[str, float], float]:
    """Return the summed value per known unit and the sum over rows naming no known unit."""
    frame = (
        rows.loc[:, ["unit", "value"]]
        if isinstance(rows, pd.DataFrame)
        else pd.DataFrame(list(rows), columns=["unit", "value"])
    )
    lookup = _canonical(level)
    units = frame["unit"].map(lambda u: lookup.get(fold(u)) if isinstance(u, str) else None)
    values = pd.to_numeric(frame["value"]).fillna(0)
    known = units.notna()
    totals = values[known].groupby(units[known]).sum().to_dict()
    return totals, values[~known].sum().item() if (~known).any() else 0


def approx_notes(lang: str) -> dict[str, str]:
    """Return, per former district with an approximate outline, what is off in ``lang``."""
    notes: dict[str, list[str]] = {}
    for c in localities.communes():
        if not c["approximate"]:
            continue
        owner = c["former_district"]
        notes.setdefault(owner, []).append(
            t("map.hover.approx_includes", lang, commune=c["full_name"])
        )
        for other in c["former_districts"]:
            if other != owner:
                notes.setdefault(other, []).append(
                    t("map.hover.approx_missing", lang, commune=c["full_name"], district=owner)
                )
    return {district: "; ".join(parts) for district, parts in notes.items()}


def _hover(unit: dict, value: float, level: str, metric_label: str, lang: str) -> str:
    """Return the hover text of one unit: Vietnamese name, value and notes."""
    name = unit["full_name"]
    lines = []
    if level == "district":
        lines.append(f"<b>{name}{' (*)' if unit['approximate'] else ''}</b>")
    else:
        lines.append(f"<b>{name}</b>")
    lines.append(f"{metric_label}: {numbers.decimal(value, lang, 2, trim=True)}")
    if level == "commune":
        lines.append(t("map.hover.former_district", lang, district=unit["former_district"]))
        others = [d for d in unit["former_districts"] if d != unit["former_district"]]
        if others:
            lines.append(t("map.hover.spans", lang, districts=", ".join(others)))
    elif unit["approximate"]:
        note = approx_notes(lang).get(name, "")
        lines.append(t("map.hover.approx", lang, note=note))
    return "<br>".join(lines)


def choropleth(values: pd.DataFrame, level: str, metric_label: str, lang: str) -> go.Figure:
    """Return a choropleth of ``values`` (columns ``unit``, ``value``) over all units of ``level``.

    ``unit`` holds official full names ("Xã Mỹ Tú", "Thành phố Sóc Trăng"); rows naming no
    unit of ``level`` are left out (``unit_table`` counts them as unmatched).
    ``metric_label`` names the value with its unit, e.g. "Kinh phí (triệu đồng)".
    """
    _check_level(level)
    totals, _ = _totals(values, level)
    all_units = localities.units(level)
    supported = [u for u in all_units if totals.get(u["full_name"], 0) > 0]
    zero = [u for u in all_units if totals.get(u["full_name"], 0) <= 0]
    geo = _map_geojson(level)
    line = {"color": "white", "width": 0.8}

    fig = go.Figure()
    z = [totals[u["full_name"]] for u in supported]
    hover = [_hover(u, v, level, metric_label, lang) for u, v in zip(supported, z, strict=True)]
    fig.add_trace(
        go.Choropleth(
            geojson=geo,
            featureidkey=FEATURE_KEY,
            locations=[u["full_name"] for u in supported],
            z=z,
            zmin=0,
            zmax=max(z) if z else 1,
            colorscale=COLOURSCALE,
            colorbar={"title": {"text": metric_label}, "len": 0.75},
            marker={"line": line},
            hovertext=hover,
            hoverinfo="text",
            name=metric_label,
            showlegend=False,
        )
    )
    fig.add_trace(
        go.Choropleth(
            geojson=geo,
            featureidkey=FEATURE_KEY,
            locations=[u["full_name"] for u in zero],
            z=[0] * len(zero),
            zmin=0,
            zmax=1,
            colorscale=[[0.0, ZERO_COLOUR], [1.0, ZERO_COLOUR]],
            showscale=False,
            marker={"line": line},
            hovertext=[_hover(u, 0, level, metric_label, lang) for u in zero],
            hoverinfo="text",
            name=t("map.legend.zero", lang),
            showlegend=True,
        )
    )

    notes = [t("map.note.zero", lang)]
    if level == "district":
        notes.append(t("map.note.approx", lang))
    title = t("map.title", lang, metric=metric_label, level=t(f"map.level.{level}", lang))
    credit = "<br>".join(textwrap.wrap(localities.attribution(lang), 130))
    # titles are wrapped to fit a phone (Plotly never wraps them); the notes are smaller
    subtitle = [f"<sup>{line}</sup>" for line in textwrap.wrap(" · ".join(notes), 60)]
    fig.update_geos(fitbounds="locations", visible=False, projection_type="mercator")
    fig.update_layout(
        # a map has no plot area to stand on: the title hangs from the top, below the toolbar
        title={
            **title_spec("<br>".join([wrap_title(title), *subtitle])),
            "automargin": False,  # (with it, plotly.js moves a title that needs room to y=1)
            "yref": "container",
            "y": 1 - MAP_TITLE_TOP / MAP_HEIGHT,
            "yanchor": "top",
        },
        separators=numbers.separators(lang),
        margin={"l": 0, "r": 0, "t": MAP_TITLE_TOP + 100, "b": 60},
        height=MAP_HEIGHT,
        legend={"orientation": "h", "x": 0, "y": 0, "yanchor": "bottom"},
        annotations=[
            {
                "text": credit,
                "xref": "paper",
                "yref": "paper",
                "x": 0,
                "y": 0,
                "yshift": -8,
                "xanchor": "left",
                "yanchor": "top",
                "align": "left",
                "showarrow": False,
                "font": {"size": 9, "color": "#666666"},
            }
        ],
    )
    return fig


def unit_table(
    rows: pd.DataFrame | Iterable[tuple[str | None, float]],
    level: str,
    unmatched: float = 0,
    lang: str = "vi",
) -> pd.DataFrame:
    """Return every unit of ``level`` with its total (zeros included) plus an unmatched row.

    ``rows`` is a frame with columns ``unit`` and ``value`` or (unit, value) pairs; rows naming
    no unit of ``level`` are added to ``unmatched``. Columns: ``TABLE_COLUMNS``.
    """
    _check_level(level)
    totals, unknown = _totals(rows, level)
    records = [
        {
            "code": u["code"],
            "unit": u["full_name"],
            "value": totals.get(u["full_name"], 0),
            "approximate": u["approximate"],
        }
        for u in localities.units(level)
    ]
    extra = unknown + (0 if unmatched is None or pd.isna(unmatched) else unmatched)
    records.append(
        {
            "code": None,
            "unit": t("map.unmatched", lang),
            "value": extra,
            "approximate": False,
        }
    )
    return pd.DataFrame.from_records(records, columns=list(TABLE_COLUMNS))


def table_labels(lang: str) -> dict[str, str]:
    """Return display headers for ``unit_table`` columns in ``lang``."""
    return {col: t(f"map.col.{col}", lang) for col in TABLE_COLUMNS}
