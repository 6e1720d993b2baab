"""What a Plotly chart really draws: read from the page, judged in plain Python.

``FIGURES_JS`` runs in the page and returns, for every ``.js-plotly-plot`` div, the parts of
plotly.js's computed ``gd._fullLayout`` and ``gd._fullData`` the checks need (axes with their
computed range and categories, traces with their data and ``_extremes``, the count of drawn
choropleth features). The checks take those plain dicts, so they are unit-tested on synthetic
layouts (tests/unit/test_drawn_checker.py) without a browser.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping

# How far a category axis may reach past its outer categories' half-widths, in categories
# (markers on a category axis pad it by a fraction of a category).
CATEGORY_SLACK = 0.5
# How far a linear/date axis may reach past its data, in multiples of the data's span.
STRETCH_LIMIT = 1.5
# Relative tolerance when a colour scale's end must equal the data's.
SCALE_TOLERANCE = 1e-6

FIGURES_JS = r"""() => [...document.querySelectorAll('.js-plotly-plot')].map(gd => {
  const fl = gd._fullLayout || {};
  const list = v => (v != null && typeof v === 'object' && typeof v.length === 'number')
      ? Array.from(v) : v;
  const layout = {title: {text: (fl.title && fl.title.text) || ''}};
  for (const key of Object.keys(fl)) {
    if (!/^[xy]axis\d*$/.test(key)) continue;
    const ax = fl[key];
    layout[key] = {_id: ax._id, type: ax.type, visible: ax.visible, range: list(ax.range),
                   _rl: list(ax._rl), _categories: list(ax._categories) || []};
  }
  layout.annotations = (fl.annotations || []).map(a => (
      {x: a.x, y: a.y, xref: a.xref, yref: a.yref, text: a.text}));
  // shapes on a data axis, with their ends in the axis's linear units (dates → ms)
  const axisOf = ref => /^[xy]\d*$/.test(ref || '') ? fl[ref[0] + 'axis' + ref.slice(1)] : null;
  const lin = (ax, v) => ax ? ax.r2l(v) : v;
  layout.shapes = (fl.shapes || []).map(s => {
    const xa = axisOf(s.xref), ya = axisOf(s.yref);
    return {type: s.type, xref: s.xref, yref: s.yref, x0: lin(xa, s.x0), x1: lin(xa, s.x1),
            y0: lin(ya, s.y0), y1: lin(ya, s.y1)};
  });
  const data = (gd._fullData || []).map(t => ({
      type: t.type, name: t.name, visible: t.visible, xaxis: t.xaxis, yaxis: t.yaxis,
      x: list(t.x), y: list(t.y), z: list(t.z), locations: list(t.locations),
      zmin: t.zmin, zmax: t.zmax, showscale: t.showscale,
      _extremes: JSON.parse(JSON.stringify(t._extremes || {}))}));
  return {layout, data, drawn: {choropleth: gd.querySelectorAll('.choroplethlocation').length}};
})"""


def _title(fig: Mapping) -> str:
    text = (fig.get("layout", {}).get("title") or {}).get("text") or "(untitled)"
    return re.sub(r"<[^>]+>", "", str(text))


def _number(value: object) -> float | None:
    """Return ``value`` as a finite float, or None (null, NaN, text)."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        f = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def _points(values: Iterable | None) -> int:
    """Return how many entries of a data array hold a value (null/NaN/'' are gaps)."""
    if not isinstance(values, list):
        return 0
    return sum(1 for v in values if v is not None and v != "" and not _is_nan(v))


def _is_nan(value: object) -> bool:
    return isinstance(value, float) and math.isnan(value)


def _visible(data: list[Mapping]) -> list[Mapping]:
    return [t for t in data if t.get("visible") is True]


def _axes(layout: Mapping) -> dict[str, Mapping]:
    """Return the layout's cartesian axes keyed by their id (``x``, ``y2``)."""
    return {
        ax.get("_id") or key.replace("axis", ""): ax
        for key, ax in layout.items()
        if re.fullmatch(r"[xy]axis\d*", key) and isinstance(ax, Mapping)
    }


def _data_extent(fig: Mapping, axis_id: str) -> tuple[float, float] | None:
    """Return the smallest and largest value drawn on ``axis_id``.

    That is what the visible traces put there and the reference lines (shapes such as a
    100 % target line) placed on it; annotations are labels, not content, and do not count.
    """
    values: list[float] = []
    for trace in _visible(fig.get("data", [])):
        ext = (trace.get("_extremes") or {}).get(axis_id) or {}
        for end in ("min", "max"):
            values += [v for e in ext.get(end, []) if (v := _number(e.get("val"))) is not None]
    letter = axis_id[0]
    for shape in fig.get("layout", {}).get("shapes", []):
        if shape.get(f"{letter}ref") == axis_id:
            values += [v for k in "01" if (v := _number(shape.get(f"{letter}{k}"))) is not None]
    if not values:
        return None
    return min(values), max(values)


def axis_problems(fig: Mapping) -> list[str]:
    """Return what is wrong with each axis's computed range against its categories or data.

    A category axis must not reach past ``[-0.5, n - 0.5]`` by more than ``CATEGORY_SLACK``
    categories; a linear or date axis must not reach past its data's extent by more than
    ``STRETCH_LIMIT`` times that extent (what an annotation or a stray value placed far away
    does to autorange). Reference lines drawn on the axis count as content.
    """
    layout = fig.get("layout", {})
    title = _title(fig)
    problems: list[str] = []
    for axis_id, ax in sorted(_axes(layout).items()):
        if ax.get("visible") is False:
            continue
        rng = [_number(v) for v in (ax.get("_rl") or ax.get("range") or [])]
        if len(rng) != 2 or None in rng:
            problems.append(f"{title}: axis {axis_id} has no numeric range ({ax.get('range')})")
            continue
        low, high = sorted(rng)  # reversed axes run high → low
        if ax.get("type") == "category":
            n = len(ax.get("_categories") or [])
            if n == 0:
                continue
            if low < -0.5 - CATEGORY_SLACK or high > n - 0.5 + CATEGORY_SLACK:
                problems.append(
                    f"{title}: category axis {axis_id} spans [{low:g}, {high:g}] but has "
                    f"{n} categories (at most [-0.5, {n - 0.5:g}])"
                )
            continue
        extent = _data_extent(fig, axis_id)
        if extent is None:
            continue
        dmin, dmax = extent
        span = dmax - dmin or max(abs(dmax), 1.0)
        below, above = dmin - low, high - dmax
        if below > STRETCH_LIMIT * span or above > STRETCH_LIMIT * span:
            problems.append(
                f"{title}: {ax.get('type')} axis {axis_id} spans [{low:g}, {high:g}] for data "
                f"in [{dmin:g}, {dmax:g}] (stretched past {STRETCH_LIMIT:g}× the data's span)"
            )
    return problems


def trace_points(trace: Mapping) -> int:
    """Return how many data points a trace draws."""
    if trace.get("type") in ("choropleth", "choroplethmap", "choroplethmapbox"):
        return min(_points(trace.get("locations")), _points(trace.get("z")))
    if trace.get("type") in ("pie", "funnelarea"):
        return _points(trace.get("values"))
    xs, ys = trace.get("x"), trace.get("y")
    if isinstance(xs, list) and isinstance(ys, list):
        return sum(
            1
            for x, y in zip(xs, ys, strict=False)
            if x is not None and y is not None and not _is_nan(x) and not _is_nan(y)
        )
    return max(_points(xs), _points(ys))


def empty_problems(fig: Mapping) -> list[str]:
    """Return a problem when no visible trace of the figure has a single data point."""
    if any(trace_points(t) > 0 for t in _visible(fig.get("data", []))):
        return []
    return [f"{_title(fig)}: draws nothing (no visible trace with data points)"]


def figure_problems(fig: Mapping) -> list[str]:
    """Return every problem of one chart read from the page (axes, emptiness)."""
    return empty_problems(fig) + axis_problems(fig)


def choropleth_problems(fig: Mapping, expected: Mapping[str, float]) -> list[str]:
    """Return what a drawn choropleth gets wrong against ``expected`` (unit → value).

    Every unit of ``expected`` is drawn once (as a location and as a feature in the page);
    units with a value > 0 carry that value; the colour scale ends at the data's largest
    value and starts at its smallest or at 0 (the scale's anchor for counts and money).
    """
    title = _title(fig)
    traces = [t for t in _visible(fig.get("data", [])) if t.get("type") == "choropleth"]
    problems: list[str] = []
    located: dict[str, float] = {}
    for trace in traces:
        for loc, z in zip(trace.get("locations") or [], trace.get("z") or [], strict=False):
            if loc in located:
                problems.append(f"{title}: unit {loc!r} is drawn twice")
            located[loc] = _number(z) or 0.0
    missing = sorted(set(expected) - set(located))
    extra = sorted(set(located) - set(expected))
    if missing:
        problems.append(f"{title}: {len(missing)} unit(s) not drawn: {', '.join(missing[:5])}")
    if extra:
        problems.append(f"{title}: {len(extra)} unknown unit(s) drawn: {', '.join(extra[:5])}")
    drawn = (fig.get("drawn") or {}).get("choropleth")
    if drawn is not None and drawn != len(expected):
        problems.append(f"{title}: {drawn} features drawn in the page for {len(expected)} units")
    for unit, want in sorted(expected.items()):
        got = located.get(unit)
        if got is not None and not math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-9):
            problems.append(f"{title}: unit {unit!r} drawn with {got:g}, data say {want:g}")
    scaled = [t for t in traces if t.get("showscale")]
    values = [v for v in expected.values() if v > 0]
    if values and len(scaled) != 1:
        problems.append(f"{title}: {len(scaled)} colour scales for the data (want 1)")
    for trace in scaled:
        zmin, zmax = _number(trace.get("zmin")), _number(trace.get("zmax"))
        if not values or zmin is None or zmax is None:
            continue
        low, high = min(values), max(values)
        if not math.isclose(zmax, high, rel_tol=SCALE_TOLERANCE):
            problems.append(f"{title}: colour scale ends at {zmax:g}, data's largest is {high:g}")
        if not (math.isclose(zmin, low, rel_tol=SCALE_TOLERANCE) or zmin == 0 <= low):
            problems.append(f"{title}: colour scale starts at {zmin:g}, data's smallest is {low:g}")
    return problems
