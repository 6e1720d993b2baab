"""In a real browser, Plotly shows escaped record text as typed: no bold, no link."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.e2e.support import missing_browser_reason

_reason = missing_browser_reason()
if _reason:
    pytest.skip(f"browser tests need Chromium and Playwright: {_reason}", allow_module_level=True)

from pqtrack.presentation import charts  # noqa: E402

pytestmark = pytest.mark.slow

EVIL = '<b>x</b><a href="javascript:alert(1)">y</a> & Co'


def test_plotly_draws_the_escaped_sector_literally(browser, tmp_path):
    df = pd.DataFrame(
        {"indicator": ["workshop"] * 2, "sector": [EVIL, "lúa gạo"], "quantity": [5, 3]}
    )
    page_file = tmp_path / "fig.html"
    charts.bar_breakdown(df, "sector", "quantity", "vi", "Lĩnh vực").write_html(page_file)
    page = browser.new_page()
    try:
        page.goto(page_file.as_uri())
        page.wait_for_selector(".ytick text")
        ticks = page.eval_on_selector_all(".ytick text", "ns => ns.map(n => n.textContent)")
        assert EVIL in ticks  # "&lt;" shown as "<", "&amp;" as "&"
        assert page.locator(".ytick a").count() == 0
        assert page.locator(".ytick tspan[style*='bold']").count() == 0
    finally:
        page.close()
