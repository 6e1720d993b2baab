"""What is drawn writes numbers the page's language way, and no metric is cut short.

Every page, in each language, at 1400 px: the visible text (charts' SVG text included) holds
no number grouped the other language's way ("135,000,000" on a Vietnamese page, "1.234.567"
on an English one), and every metric value fits its box. The upload preview (the metrics
that once read "dấu chấm p…") is checked with a file chosen but not stored. Tables are drawn
on a canvas, out of the page text's reach: tests/unit/test_numbers.py checks their cells.
"""

from __future__ import annotations

import re

import pytest

from tests.e2e.support import missing_browser_reason, valid_file_bytes

_reason = missing_browser_reason()
if _reason:
    pytest.skip(f"browser tests need Chromium and Playwright: {_reason}", allow_module_level=True)

from playwright.sync_api import Page, expect  # noqa: E402

from .test_browser import (  # noqa: E402
    PAGES,
    login_editor,
    open_page,
    settle,
    t,
    upload_file,
    wait_charts,
)

pytestmark = pytest.mark.slow

# A whole number grouped in threes, not starting with 0 (so "0,050" or "0.352" are decimals).
WRONG_GROUPING = {
    "vi": re.compile(r"(?<![\d.,])[1-9]\d{0,2}(?:,\d{3})+(?![\d,])"),
    "en": re.compile(r"(?<![\d.,])[1-9]\d{0,2}(?:\.\d{3})+(?![\d.])"),
}
SHOWN_TEXT_JS = """() => {
    const main = document.querySelector('[data-testid="stMain"]') || document.body;
    const svg = [...main.querySelectorAll('.main-svg text')].map(e => e.textContent);
    return [main.innerText, ...svg].join('\\n');
}"""
CUT_METRICS_JS = """() => [...document.querySelectorAll('[data-testid="stMetricValue"]')]
    .filter(m => [m, ...m.querySelectorAll('*')]
                 .some(e => e.scrollWidth > e.clientWidth + 1))
    .map(m => m.innerText)"""


def check_page(page: Page, where: str, lang: str) -> None:
    """Fail on a number grouped the other language's way, or a metric value cut short."""
    settle(page)
    wait_charts(page)
    page.evaluate("document.fonts.ready.then(() => true)")  # widths once the font is in
    text = page.evaluate(SHOWN_TEXT_JS)
    wrong = sorted(set(WRONG_GROUPING[lang].findall(text)))
    assert wrong == [], f"{where} ({lang}) shows numbers grouped the other way: {wrong}"
    cut = page.evaluate(CUT_METRICS_JS)
    assert cut == [], f"{where} ({lang}) cuts metric values short: {cut}"


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_page_writes_numbers_its_language_way(page, server, oracle, lang):
    current = oracle.phases[0]
    for name in PAGES:
        open_page(page, server.url, name, lang, current)
        check_page(page, name, lang)


def test_the_upload_preview_metrics_fit(page, server, oracle, tmp_path):
    # Semicolons: the delimiter's name is the longest word a metric ever had to hold.
    path = tmp_path / "e2e-xem-truoc.csv"
    path.write_bytes(valid_file_bytes().replace(b",", b";"))
    open_page(page, server.url, "upload", "vi", oracle.phases[0])
    login_editor(page)
    upload_file(page, path)
    expect(page.get_by_text(t("ui.upload.step2"))).to_be_visible()
    check_page(page, "upload preview", "vi")
    expect(page.get_by_text(re.compile(r"Dấu phân cách: dấu chấm phẩy \(;\)"))).to_be_visible()
