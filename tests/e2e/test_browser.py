"""End to end in a real browser: what an official sees and does, against `streamlit run app.py`.

Tests run in file order on one server: the read-only checks first, then the upload,
the refused file and the rollback (which undoes the upload).
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from pathlib import Path

import pytest

from tests.e2e.support import (
    EDITOR,
    bad_file_bytes,
    missing_browser_reason,
    running_server,
    valid_file_bytes,
)

_reason = missing_browser_reason()
if _reason:
    pytest.skip(f"browser tests need Chromium and Playwright: {_reason}", allow_module_level=True)

from playwright.sync_api import Page, expect  # noqa: E402

from pqtrack import i18n  # noqa: E402
from pqtrack.domain import plan  # noqa: E402
from pqtrack.presentation import numbers, views  # noqa: E402

pytestmark = pytest.mark.slow
expect.set_options(timeout=20_000)  # a rerun on 2 busy CI cores can take seconds

PAGES = ("overview", "beneficiaries", "map", "records", "tfp", "upload", "help")
TITLE_KEYS = {
    "overview": "ui.overview.title",
    "beneficiaries": "ui.ben.title",
    "map": "mapui.title",
    "records": "ui.records.title",
    "tfp": "tfp.title",
    "upload": "ui.upload.title",
    "help": "ui.help.title",
    "audit": "ui.audit.title",
}
VALID_NAME = "e2e-hop-le.csv"
BAD_NAME = "e2e-loi.csv"
_state: dict[str, int] = {}  # the uploaded batch, for the rollback test
# Streamlit is busy while a run is in flight (status widget), elements of the previous run
# are stale, or an element's code is still loading (skeletons).
BUSY_JS = """document.querySelector('[data-testid="stStatusWidget"]')
             || document.querySelector('[data-stale="true"]')
             || document.querySelector('[data-testid="stSkeleton"]')
             || document.querySelector('[data-testid="stAppSkeleton"]')"""


def t(key: str, lang: str = "vi", **params: object) -> str:
    return i18n.t(key, lang, **params)


# -- helpers ------------------------------------------------------------------------------------


def settle(page: Page) -> None:
    """Wait until no script run is in flight and nothing on screen is stale or still loading."""
    try:
        page.wait_for_function(f"() => !({BUSY_JS})", timeout=30_000)
    except Exception as exc:  # say what kept it busy
        busy = page.evaluate(
            """() => [...document.querySelectorAll(
                    '[data-testid="stStatusWidget"], [data-stale="true"], [data-testid$="Skeleton"]')]
                .map(e => (e.dataset.testid || '') + ' ' + (e.innerText || '').slice(0, 80))"""
        )
        raise AssertionError(f"Streamlit still busy on {page.url}: {busy}") from exc


def wait_charts(page: Page) -> None:
    """Wait until every plotly chart on the page has drawn its SVG."""
    page.wait_for_function(
        """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
                 .every(c => c.querySelector('.main-svg'))""",
        timeout=30_000,
    )


def title_of(page_name: str, lang: str, phase_code: str) -> str:
    return t(TITLE_KEYS[page_name], lang, phase=plan.phase(phase_code).label)


def open_page(page: Page, url: str, name: str, lang: str, phase_code: str) -> None:
    """Open a page by its URL and wait for its title and for the run to finish."""
    path = "" if name == "overview" else name
    query = "?lang=en" if lang == "en" else ""
    page.goto(f"{url}/{path}{query}")
    expect(page.locator("h1").first).to_have_text(title_of(name, lang, phase_code))
    settle(page)


def nav(page: Page, name: str, lang: str = "vi") -> None:
    """Go to another page through the sidebar (same browser session)."""
    page.locator('[data-testid="stSidebarNav"]').get_by_text(
        t(f"ui.nav.{name}", lang), exact=True
    ).click()


def shoot(page: Page, directory: Path, name: str) -> None:
    """Save a screenshot of the whole page (Streamlit scrolls inside its main block)."""
    settle(page)
    height = page.evaluate(
        """() => Math.max(...['[data-testid="stMain"]', '[data-testid="stAppViewContainer"]',
                              'section.main', 'body']
                 .map(s => document.querySelector(s)).filter(Boolean).map(e => e.scrollHeight))"""
    )
    size = page.viewport_size
    page.set_viewport_size({"width": size["width"], "height": min(max(height, 800), 12_000)})
    try:
        wait_charts(page)
        page.screenshot(path=str(directory / f"e2e-{name}.png"), full_page=True)
    finally:
        page.set_viewport_size(size)


def card_texts(page: Page, rows: list[dict], lang: str) -> list[tuple[str, ...]]:
    """What each card must show, in plan order: label, actual / target, percent, status."""
    return [
        (
            views.indicator_label(r["indicator"], lang),
            f"{numbers.integer(r['actual'], lang)} / {numbers.integer(r['target'], lang)}",
            numbers.percent(r["percent"], lang),
            views.status_label(r["status"], lang),
        )
        for r in rows
    ]


def expect_cards(page: Page, rows: list[dict], lang: str) -> None:
    """Assert the overview shows exactly these indicators with these figures."""
    cards = page.locator('[class*="st-key-card_"]')
    expect(cards).to_have_count(len(rows))
    values = [f"{v[1]}" for v in card_texts(page, rows, lang)]
    expect(page.locator('[class*="st-key-card_"] [data-testid="stMetricValue"]')).to_have_text(
        values
    )
    for row, (label, value, pct, status) in zip(rows, card_texts(page, rows, lang), strict=True):
        card = page.locator(f".st-key-card_{row['indicator']}")
        expect(card.locator("strong").first).to_have_text(label)
        expect(card.locator('[data-testid="stMetricValue"]')).to_have_text(value)
        expect(card.locator('[data-testid="stMetricDelta"]')).to_have_text(pct)
        expect(card).to_contain_text(status)


def overview_values(page: Page) -> list[str]:
    settle(page)
    return page.locator('[class*="st-key-card_"] [data-testid="stMetricValue"]').all_inner_texts()


def pick(page: Page, widget: str, label: str, option: str) -> None:
    """Choose ``option`` in the selectbox/multiselect labelled ``label``."""
    box = page.locator(f'[data-testid="{widget}"]').filter(has=page.get_by_text(label, exact=True))
    box.click()
    page.get_by_role("option", name=option, exact=True).click()
    page.keyboard.press("Escape")


def no_exception(page: Page) -> None:
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)


def sidebar(page: Page):
    return page.locator('[data-testid="stSidebar"]')


def login(page: Page, name: str = EDITOR[0], password: str = EDITOR[1], lang: str = "vi") -> None:
    """Log in with the sidebar form."""
    side = sidebar(page)
    side.get_by_label(t("ui.auth.user", lang), exact=True).fill(name)
    side.get_by_label(t("ui.auth.password", lang), exact=True).fill(password)
    side.get_by_role("button", name=t("ui.auth.login", lang), exact=True).click()


def login_editor(page: Page, lang: str = "vi") -> None:
    login(page, lang=lang)
    role = t("ui.auth.role.editor", lang)
    expect(sidebar(page).get_by_text(t("ui.auth.logged_in", lang, role=role))).to_be_visible()
    expect(sidebar(page).get_by_text(EDITOR[0], exact=True)).to_be_visible()
    settle(page)


def upload_file(page: Page, path: Path) -> None:
    page.locator('input[type="file"]').set_input_files(str(path))


def upload_valid(page: Page, server, tmp_path: Path, screenshots: Path | None = None) -> int:
    """Upload the valid file on the upload page, check the preview, confirm; return the batch."""
    path = tmp_path / VALID_NAME
    path.write_bytes(valid_file_bytes())
    open_page(page, server.url, "upload", "vi", plan.phase_for(date.today()).code)
    login_editor(page)
    upload_file(page, path)
    expect(page.get_by_text(t("ui.upload.step2"))).to_be_visible()
    expect(page.get_by_text(t("ui.upload.ready", rows="4"))).to_be_visible()
    metrics = page.locator('[data-testid="stMetric"]')
    expect(metrics.filter(has_text=t("ui.upload.rows_read"))).to_contain_text("4")
    expect(metrics.filter(has_text=t("ui.upload.problems"))).to_contain_text("0")
    if screenshots:
        shoot(page, screenshots, "vi-flow-upload-preview")
    page.get_by_role("button", name=t("ui.upload.confirm")).click()
    done = page.get_by_text(re.compile(r"Đã lưu đợt #\d+ gồm 4 dòng\."))
    expect(done).to_be_visible()
    batch = int(re.search(r"#(\d+)", done.inner_text()).group(1))
    if screenshots:
        shoot(page, screenshots, "vi-flow-upload-stored")
    _state["batch"] = batch
    return batch


# -- every page, both languages: renders, titled, no exception, screenshot ------------------------


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_page_renders_and_is_captured(page, server, oracle, screenshots, lang):
    current = oracle.phases[0]
    for i, name in enumerate(PAGES, start=1):
        open_page(page, server.url, name, lang, current)
        no_exception(page)
        nav_labels = page.locator('[data-testid="stSidebarNav"]').inner_text()
        for other in PAGES:
            assert t(f"ui.nav.{other}", lang) in nav_labels
        shoot(page, screenshots, f"{lang}-{i:02d}-{name}")
    # what only an editor sees: the upload controls and the audit log
    open_page(page, server.url, "upload", lang, current)
    login_editor(page, lang)
    expect(page.locator('input[type="file"]')).to_have_count(1)
    shoot(page, screenshots, f"{lang}-08-upload-editor")
    nav(page, "audit", lang)
    expect(page.locator("h1").first).to_have_text(title_of("audit", lang, current))
    no_exception(page)
    shoot(page, screenshots, f"{lang}-09-audit-editor")


# -- overview -----------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_overview_shows_every_indicator_of_the_current_phase(page, server, oracle, lang):
    current = oracle.phases[0]
    open_page(page, server.url, "overview", "vi", current)
    if lang == "en":  # switch as a user does, with the sidebar radio
        page.locator('[data-testid="stSidebar"]').get_by_text("English", exact=True).click()
        expect(page.locator("h1").first).to_have_text(title_of("overview", "en", current))
        expect(page).to_have_url(re.compile(r"lang=en"))
    rows = oracle.sample[current]
    assert [r["indicator"] for r in rows] == plan.indicators()
    expect_cards(page, rows, lang)
    phase_box = sidebar(page).get_by_role("combobox", name=t("ui.sidebar.phase", lang))
    expect(phase_box).to_have_value(plan.phase(current).label)


def test_switching_phase_changes_the_figures(page, server, oracle, screenshots):
    current, other = oracle.phases
    open_page(page, server.url, "overview", "vi", current)
    expect_cards(page, oracle.sample[current], "vi")
    pick(page, "stSelectbox", t("ui.sidebar.phase"), plan.phase(other).label)
    expect(page.locator("h1").first).to_have_text(title_of("overview", "vi", other))
    expect_cards(page, oracle.sample[other], "vi")
    expect(page).to_have_url(re.compile(rf"phase={other}"))
    assert card_texts(page, oracle.sample[other], "vi") != card_texts(
        page, oracle.sample[current], "vi"
    )
    shoot(page, screenshots, f"vi-flow-overview-{other}")


# -- records ------------------------------------------------------------------------------------


def test_records_filter_by_type_and_csv_holds_exactly_those_rows(page, server, oracle, screenshots):
    current = oracle.phases[0]
    open_page(page, server.url, "records", "vi", current)
    count = page.get_by_text(re.compile(r"dòng phù hợp bộ lọc"))
    total = numbers.integer(oracle.phase_rows, "vi")
    expect(count).to_have_text(t("ui.records.count", count=total).replace("**", ""))
    want = "cooperative"
    n = oracle.type_rows[want]
    assert n > 0
    pick(page, "stMultiSelect", t("ui.filter.type"), t(f"ui.type.{want}"))
    expect(count).to_have_text(
        t("ui.records.count", count=numbers.integer(n, "vi")).replace("**", "")
    )
    expect(page).to_have_url(re.compile(rf"rec_type={want}"))
    settle(page)
    shoot(page, screenshots, "vi-flow-records-cooperative")

    with page.expect_download() as info:
        page.get_by_role("button", name=t("ui.records.csv")).click()
    download = info.value
    assert download.suggested_filename == f"du-lieu_{current}.csv"
    data = Path(download.path()).read_bytes()
    got = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(got) == n
    assert {r["beneficiary_type"] for r in got} == {want}
    expected = list(csv.DictReader(io.StringIO(oracle.type_csv[want].decode("utf-8-sig"))))
    assert got == expected


# -- upload, refused file, rollback -------------------------------------------------------------


def test_upload_preview_confirm_moves_the_overview(page, server, oracle, screenshots, tmp_path):
    current = oracle.phases[0]
    before, after = oracle.sample[current], oracle.after_upload
    assert before != after  # the file must move some figure
    upload_valid(page, server, tmp_path, screenshots)
    nav(page, "overview")
    expect(page.locator("h1").first).to_have_text(title_of("overview", "vi", current))
    expect_cards(page, after, "vi")
    workshop = page.locator(".st-key-card_workshop [data-testid='stMetricValue']")
    expect(workshop).to_have_text(
        f"{after[0]['actual']} / {after[0]['target']}"
    )  # plan order: workshop first
    shoot(page, screenshots, "vi-flow-overview-after-upload")


def test_bad_file_shows_its_errors_and_stores_nothing(page, server, oracle, screenshots, tmp_path):
    current = oracle.phases[0]
    open_page(page, server.url, "overview", "vi", current)
    login_editor(page)
    expect(page.locator('[class*="st-key-card_"]')).to_have_count(9)
    before = overview_values(page)

    path = tmp_path / BAD_NAME
    path.write_bytes(bad_file_bytes())
    nav(page, "upload")
    expect(page.locator("h1").first).to_have_text(title_of("upload", "vi", current))
    upload_file(page, path)
    n = numbers.integer(oracle.bad_problems, "vi")
    expect(page.get_by_text(t("ui.upload.refused", count=n))).to_be_visible()
    metrics = page.locator('[data-testid="stMetric"]')
    expect(metrics.filter(has_text=t("ui.upload.problems"))).to_contain_text(n)
    # the problem list is a (canvas) table next to the history; its rows are checked below
    # through its CSV download
    expect(page.locator("[data-testid='stDataFrame']:visible")).to_have_count(2)
    expect(page.get_by_role("button", name=t("ui.upload.problems_csv"))).to_be_visible()
    expect(page.get_by_role("button", name=t("ui.upload.confirm"))).to_have_count(0)
    shoot(page, screenshots, "vi-flow-upload-refused")

    with page.expect_download() as info:
        page.get_by_role("button", name=t("ui.upload.problems_csv")).click()
    listed = info.value.path().read_bytes().decode("utf-8-sig")
    assert len(list(csv.reader(io.StringIO(listed)))) - 1 == oracle.bad_problems
    assert "khong_co_chi_tieu" in listed

    nav(page, "overview")
    expect(page.locator("h1").first).to_have_text(title_of("overview", "vi", current))
    expect(page.locator('[class*="st-key-card_"] [data-testid="stMetricValue"]')).to_have_text(
        before
    )


def test_rollback_restores_the_figures(page, server, oracle, screenshots, tmp_path):
    current = oracle.phases[0]
    batch = _state.get("batch") or upload_valid(page, server, tmp_path)
    open_page(page, server.url, "upload", "vi", current)
    login_editor(page)
    pick(page, "stSelectbox", t("ui.upload.rollback_pick"), f"#{batch} · {VALID_NAME}")
    page.get_by_role("button", name=t("ui.upload.rollback")).click()
    expect(page.get_by_text(t("ui.upload.rollback_confirm_text", batch_id=batch))).to_be_visible()
    page.get_by_role("button", name=t("ui.upload.rollback_confirm")).click()
    expect(page.get_by_text(t("ui.upload.rolled_back", batch_id=batch, rows=4))).to_be_visible()
    shoot(page, screenshots, "vi-flow-rolled-back")
    nav(page, "overview")
    expect(page.locator("h1").first).to_have_text(title_of("overview", "vi", current))
    expect_cards(page, oracle.sample[current], "vi")


# -- access -------------------------------------------------------------------------------------


def test_viewer_sees_no_upload_controls(page, server, oracle):
    current = oracle.phases[0]
    open_page(page, server.url, "upload", "vi", current)
    expect(page.get_by_text(t("ui.auth.need_editor"))).to_be_visible()
    expect(page.get_by_text(t("ui.upload.history"))).to_be_visible()  # history stays visible
    expect(page.locator('input[type="file"]')).to_have_count(0)
    expect(page.get_by_role("button", name=t("ui.upload.confirm"))).to_have_count(0)
    expect(page.get_by_role("button", name=t("ui.upload.rollback"))).to_have_count(0)
    nav_text = page.locator('[data-testid="stSidebarNav"]').inner_text()
    assert t("ui.nav.audit") not in nav_text
    # the TFP page's macro upload and rollback are editor-only too
    nav(page, "tfp")
    expect(page.locator("h1").first).to_have_text(title_of("tfp", "vi", current))
    settle(page)
    expect(page.locator('input[type="file"]')).to_have_count(0)


def test_editor_logs_in_and_gets_the_upload_controls(page, server, oracle):
    current = oracle.phases[0]
    open_page(page, server.url, "upload", "vi", current)
    login(page, "khong-co-ai", "sai-mat-khau-123")
    expect(sidebar(page).get_by_text(t("auth.invalid"))).to_be_visible()
    expect(page.locator('input[type="file"]')).to_have_count(0)
    login_editor(page)
    expect(page.locator('input[type="file"]')).to_have_count(1)
    expect(page.get_by_text(t("ui.auth.need_editor"))).to_have_count(0)
    expect(page.locator('[data-testid="stSidebarNav"]')).to_contain_text(t("ui.nav.audit"))
    sidebar(page).get_by_role("button", name=t("ui.auth.logout"), exact=True).click()
    expect(sidebar(page).get_by_role("button", name=t("ui.auth.login"), exact=True)).to_be_visible()
    expect(page.locator('input[type="file"]')).to_have_count(0)


# -- a server just started ----------------------------------------------------------------------


def test_first_visitor_after_a_start_can_use_the_sidebar(browser, oracle, tmp_path):
    current = oracle.phases[0]
    with running_server(tmp_path) as fresh:
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        try:
            pg = context.new_page()
            pg.goto(fresh.url)
            expect(pg.locator("h1").first).to_have_text(title_of("overview", "vi", current))
            settle(pg)
            sidebar(pg).get_by_text("English", exact=True).click()
            expect(pg.locator("h1").first).to_have_text(
                title_of("overview", "en", current), timeout=10_000
            )
        finally:
            context.close()
