"""Phone and tablet screens, page links, Vietnamese words and readable status badges.

At 390×844 every page opens on its content (the sidebar closed until its button is
pressed), nothing is wider than the screen, cards stack, tables and charts stay in their
frame, chart titles are not cut; each page answers at its own URL; a Vietnamese page shows
no English the project wrote; status badges carry their word at a readable contrast.
"""

from __future__ import annotations

import re

import pytest

from tests.e2e.support import missing_browser_reason

_reason = missing_browser_reason()
if _reason:
    pytest.skip(f"browser tests need Chromium and Playwright: {_reason}", allow_module_level=True)

from coloraide import Color  # noqa: E402
from playwright.sync_api import Page, expect  # noqa: E402

from pqtrack import i18n  # noqa: E402
from pqtrack.domain import plan  # noqa: E402
from pqtrack.domain.schema import BENEFICIARY_TYPES, COLUMNS  # noqa: E402
from pqtrack.presentation import views  # noqa: E402

from .test_browser import PAGES, open_page, settle, shoot, title_of  # noqa: E402

pytestmark = pytest.mark.slow

PHONE = {"width": 390, "height": 844}
TABLET = {"width": 820, "height": 1180}

# Where each page's frames are, and whether they fit the screen; what covers the title.
LAYOUT_JS = r"""() => {
  const iw = window.innerWidth;
  const inside = r => r.width === 0 || (r.left >= -1 && r.right <= iw + 1);
  // inside a frame that scrolls or clips sideways and is itself on the screen
  const framed = e => {
    for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
      const clips = getComputedStyle(a).overflowX !== 'visible';
      if (clips && a.getBoundingClientRect().width && inside(a.getBoundingClientRect())) return true;
    }
    return false;
  };
  const name = e => (e.dataset.testid || e.className || e.tagName).toString().slice(0, 60);
  const side = document.querySelector('[data-testid="stSidebar"]');
  const sr = side ? side.getBoundingClientRect() : null;
  const h1 = document.querySelector('h1');
  const hr = h1.getBoundingClientRect();
  const hit = document.elementFromPoint(hr.left + Math.min(hr.width, 80) / 2, hr.top + hr.height / 2);
  const frames = '[data-testid="stDataFrame"], [data-testid="stTable"], '
      + '[data-testid="stPlotlyChart"], [data-testid="stMetric"], [data-testid="stAlert"], '
      + '[data-testid="stVerticalBlockBorderWrapper"], [data-testid="stButton"], '
      + '[data-testid="stDownloadButton"], [data-testid="stExpander"], h1, h2, h3, p';
  const outside = [...document.querySelectorAll('[data-testid="stMain"] ' + frames.split(', ')
      .join(', [data-testid="stMain"] '))]
      .filter(e => e.checkVisibility() && !inside(e.getBoundingClientRect()) && !framed(e))
      .map(name);
  // a chart's title, axis titles and legend inside its frame (a text box's leading may
  // stick out a few pixels above or below)
  const cut = [], covered = [];
  for (const gd of document.querySelectorAll('.js-plotly-plot')) {
    const box = gd.getBoundingClientRect();
    if (!gd.checkVisibility() || box.width === 0) continue;
    for (const part of gd.querySelectorAll('.gtitle, .g-xtitle, .g-ytitle, .legend')) {
      const r = part.getBoundingClientRect();
      if (r.width && (r.left < box.left - 1 || r.right > box.right + 1
                      || r.top < box.top - 8 || r.bottom > box.bottom + 8)) {
        cut.push(((gd._fullLayout.title || {}).text || '').slice(0, 50) + ' / ' + part.getAttribute('class'));
      }
    }
    // Plotly's toolbar (shown at once on a touch screen) must not sit over the title
    const bar = gd.querySelector('.modebar');
    const title = gd.querySelector('.gtitle');
    if (bar && title && getComputedStyle(bar).opacity !== '0') {
      const a = bar.getBoundingClientRect(), b = title.getBoundingClientRect();
      if (a.width && b.width && a.left < b.right && b.left < a.right
          && a.top < b.bottom && b.top < a.bottom) {
        covered.push(((gd._fullLayout.title || {}).text || '').slice(0, 50));
      }
    }
  }
  return {
    scrollWidth: document.documentElement.scrollWidth, innerWidth: iw,
    sidebarOnScreen: sr ? Math.max(0, Math.min(sr.right, iw) - Math.max(sr.left, 0)) : 0,
    titleOnTop: !!hit && h1.contains(hit), titleInView: hr.left >= 0 && hr.right <= iw + 1,
    outside, cut, covered,
  };
}"""


def layout(page: Page) -> dict:
    settle(page)
    page.wait_for_function(
        """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
                 .every(c => c.querySelector('.main-svg'))"""
    )
    return page.evaluate(LAYOUT_JS)


@pytest.fixture
def phone(browser, warm_server):
    context = browser.new_context(viewport=PHONE, locale="vi-VN", is_mobile=True, has_touch=True)
    context.set_default_timeout(30_000)
    pg = context.new_page()
    yield pg
    context.close()


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_page_fits_a_phone_with_its_content_first(phone, server, oracle, screenshots, lang):
    current = oracle.phases[0]
    problems: list[str] = []
    for i, name in enumerate(PAGES, start=1):
        open_page(phone, server.url, name, lang, current)
        got = layout(phone)
        if got["scrollWidth"] > got["innerWidth"]:
            problems.append(f"{name}: page is {got['scrollWidth']} px wide on a 390 px screen")
        if got["sidebarOnScreen"]:
            problems.append(f"{name}: the sidebar covers {got['sidebarOnScreen']} px on opening")
        if not (got["titleOnTop"] and got["titleInView"]):
            problems.append(f"{name}: the page title is covered or off screen")
        problems += [f"{name}: wider than the screen: {e}" for e in got["outside"]]
        problems += [f"{name}: chart part cut: {c}" for c in got["cut"]]
        problems += [f"{name}: the chart toolbar covers the title: {c}" for c in got["covered"]]
        shoot(phone, screenshots, f"phone-{lang}-{i:02d}-{name}")
    assert problems == [], "\n".join(problems)


def test_phone_cards_stack_and_the_sidebar_opens_on_its_button(phone, server, oracle):
    current = oracle.phases[0]
    open_page(phone, server.url, "overview", "vi", current)
    boxes = [c.bounding_box() for c in phone.locator('[class*="st-key-card_"]').all()]
    assert len(boxes) == len(plan.indicators())
    assert len({round(b["x"]) for b in boxes}) == 1  # one column
    assert all(b["width"] > 0.8 * PHONE["width"] for b in boxes)
    assert [b["y"] for b in boxes] == sorted(b["y"] for b in boxes)
    nav = phone.locator('[data-testid="stSidebarNav"]')
    expect(nav).not_to_be_in_viewport()
    phone.locator('[data-testid="stExpandSidebarButton"]').click()
    expect(nav).to_be_in_viewport()
    nav.get_by_text(i18n.t("ui.nav.map", "vi"), exact=True).click()
    expect(phone.locator("h1").first).to_have_text(title_of("map", "vi", current))


@pytest.mark.parametrize("name", ["overview", "records", "tfp"])
def test_pages_fit_a_tablet(browser, warm_server, server, oracle, name):
    context = browser.new_context(viewport=TABLET, locale="vi-VN")
    try:
        pg = context.new_page()
        open_page(pg, server.url, name, "vi", oracle.phases[0])
        got = layout(pg)
        assert got["scrollWidth"] <= got["innerWidth"]
        assert got["titleOnTop"] and got["outside"] == [] and got["cut"] == []
    finally:
        context.close()


# -- links to pages by name ---------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_page_answers_at_its_own_url(page, server, oracle, lang):
    current = oracle.phases[0]
    query = "?lang=en" if lang == "en" else ""
    for name in PAGES:
        page.goto(f"{server.url}/{name}{query}")
        expect(page.locator("h1").first).to_have_text(title_of(name, lang, current))
        settle(page)
        assert page.get_by_text("Page not found").count() == 0, name
        assert page.url.split("?")[0].rstrip("/").endswith(name), page.url


# -- words: no English on a Vietnamese page -------------------------------------------------------

# Visible text (icons' ligature names left out) and the chart's own text.
TEXT_JS = r"""() => {
  const out = [];
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walk.nextNode(); n; n = walk.nextNode()) {
    const el = n.parentElement;
    if (!el || el.closest('[data-testid="stIconMaterial"], script, style, noscript')) continue;
    if (!el.closest('svg') && !el.checkVisibility()) continue;
    out.push(n.textContent);
  }
  return out.join('\n');
}"""
WORD = re.compile(r"[^\W\d_]+")


def english_words() -> set[str]:
    """Words of the English catalog that no Vietnamese message uses."""
    en: set[str] = set()
    vi: set[str] = set()
    for entry in i18n.catalog().values():
        en |= {w.lower() for w in WORD.findall(entry.get("en", ""))}
        vi |= {w.lower() for w in WORD.findall(entry.get("vi", ""))}
    # codes a file must hold (column codes, indicator and type codes) are shown as codes
    codes = {c.name for c in COLUMNS} | set(plan.indicators()) | set(BENEFICIARY_TYPES)
    return {w for w in en - vi - codes if len(w) >= 3 and w.isascii()}


def test_vietnamese_pages_show_no_english(page, server, oracle):
    current = oracle.phases[0]
    english = english_words()
    assert {"overview", "records", "download"} <= english  # the list can catch something
    found: dict[str, list[str]] = {}
    for name in PAGES:
        open_page(page, server.url, name, "vi", current)
        text = page.evaluate(TEXT_JS) + "\n" + page.title()
        chunks = [c for c in text.split() if "_" not in c]  # snake_case codes are codes
        words = sorted({w for c in chunks for w in WORD.findall(c) if w.lower() in english})
        if words:
            found[name] = words
    assert found == {}


# -- status badges: their word, readable --------------------------------------------------------

BADGES_JS = r"""() => [...document.querySelectorAll('[class*="st-key-card_"] span')]
  .filter(s => s.children.length === 0 && s.innerText.trim())
  .map(s => {
    let e = s, bg = 'rgb(255, 255, 255)';
    for (; e; e = e.parentElement) {
      const c = getComputedStyle(e).backgroundColor;
      if (c && c !== 'rgba(0, 0, 0, 0)' && c !== 'transparent') { bg = c; break; }
    }
    return {text: s.innerText.trim(), color: getComputedStyle(s).color, background: bg};
  })"""


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_status_badges_carry_their_word_at_a_readable_contrast(page, server, oracle, lang):
    current = oracle.phases[0]
    open_page(page, server.url, "overview", lang, current)
    words = {views.status_label(r["status"], lang) for r in oracle.sample[current]}
    spans = [s for s in page.evaluate(BADGES_JS) if s["text"] in words]
    assert {s["text"] for s in spans} == words  # every status shown in words
    for span in spans:
        background = Color.layer([span["background"], "white"])
        ratio = Color(span["color"]).contrast(background, method="wcag21")
        assert ratio >= 4.5, (span, ratio)
