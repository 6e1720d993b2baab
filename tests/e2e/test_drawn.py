"""What is drawn, read in the browser: chart axes against their data, the map's units and scale.

Every Plotly chart on every page, in both languages, is read from plotly.js's computed layout
(``gd._fullLayout``, ``gd._fullData``) and judged by ``tests/e2e/drawn.py``.
"""

from __future__ import annotations

import pytest

from tests.e2e.support import missing_browser_reason

_reason = missing_browser_reason()
if _reason:
    pytest.skip(f"browser tests need Chromium and Playwright: {_reason}", allow_module_level=True)

from playwright.sync_api import Page  # noqa: E402
from playwright.sync_api import TimeoutError as PlaywrightTimeout  # noqa: E402

from .drawn import FIGURES_JS, choropleth_problems, figure_problems  # noqa: E402
from .test_browser import open_page, wait_charts  # noqa: E402

pytestmark = pytest.mark.slow

# Charts each page draws on the sample (so a page that stops drawing is noticed too).
CHARTS = {"overview": 2, "beneficiaries": 6, "map": 1, "tfp": 2}


def figures(page: Page, count: int) -> list[dict]:
    """Return every chart of the page as ``FIGURES_JS`` reads it, once ``count`` have drawn."""
    try:  # the charts may arrive after the title: wait for them, then for their drawing
        page.wait_for_function(
            f"() => [...document.querySelectorAll('.js-plotly-plot')]"
            f".filter(gd => gd._fullLayout).length >= {count}",
            timeout=30_000,
        )
    except PlaywrightTimeout:  # fewer charts than expected: the count below says how many
        pass
    wait_charts(page)
    return page.evaluate(FIGURES_JS)


@pytest.fixture(scope="module")
def map_expected(tmp_path_factory, oracle) -> dict[str, float]:
    """Turns per unit at the map's default level in today's phase, on a freshly seeded store."""
    from pqtrack.domain.filters import RecordFilter
    from pqtrack.figures import queries
    from pqtrack.presentation import map_chart as charts_map
    from pqtrack.presentation import map_view as mapview
    from pqtrack.service.sample import seed_if_new
    from pqtrack.store import Store

    current = oracle.phases[0]
    level = mapview.default_level(current)
    store = Store(tmp_path_factory.mktemp("map") / "sample.duckdb")
    seed_if_new(store)
    units, _ = queries.map_values(store, level, RecordFilter(phase=current))
    table = charts_map.unit_table(mapview.values(units, "turns"), level)
    store.close()
    return {r.unit: float(r.value) for r in table.itertuples() if isinstance(r.code, str)}


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_chart_fits_its_data(page, server, oracle, lang):
    current = oracle.phases[0]
    problems: list[str] = []
    for name, count in CHARTS.items():
        open_page(page, server.url, name, lang, current)
        figs = figures(page, count)
        assert len(figs) == count, f"{name}: {len(figs)} charts drawn, expected {count}"
        problems += [f"{name}: {p}" for fig in figs for p in figure_problems(fig)]
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_map_draws_every_unit_on_its_data_scale(page, server, oracle, map_expected, lang):
    open_page(page, server.url, "map", lang, oracle.phases[0])
    (fig,) = figures(page, 1)
    assert any(v > 0 for v in map_expected.values())  # the sample reaches some unit
    assert choropleth_problems(fig, map_expected) == []
