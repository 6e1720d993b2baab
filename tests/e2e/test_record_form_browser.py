"""In a real browser: an editor enters one record in the records page's form and confirms it.

The test runs its own server (the shared one's figures are other tests' oracles) on a new
store seeded with the sample; the CLI reads the record's history from that store after.
"""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

import pytest

from tests.e2e.support import EDITOR, cli, first_visit, missing_browser_reason, running_server

_reason = missing_browser_reason()
if _reason:
    pytest.skip(f"browser tests need Chromium and Playwright: {_reason}", allow_module_level=True)

from playwright.sync_api import Page, expect  # noqa: E402

from pqtrack import i18n  # noqa: E402
from pqtrack.domain import plan  # noqa: E402
from pqtrack.presentation import views  # noqa: E402
from tests.e2e.test_browser import login_editor, settle, shoot  # noqa: E402

pytestmark = pytest.mark.slow
RECORD_ID = "E2E-FORM-1"
NEW_NAME = "HTX Thử Biểu Mẫu"


def t(key: str, **params: object) -> str:
    return i18n.t(key, "vi", **params)


def widget(page: Page, key: str):
    """The widget whose key is ``key`` (Streamlit marks its box with ``st-key-<key>``)."""
    return page.locator(f".st-key-{key}")


def choose(page: Page, key: str, option: str) -> None:
    """Open the selectbox (again if a rerun closed it) and click ``option``."""
    item = page.get_by_role("option", name=option, exact=True)
    for _ in range(3):
        settle(page)
        widget(page, key).locator("input").click()
        try:
            item.wait_for(timeout=5_000)
            break
        except Exception:  # noqa: BLE001 - the list closed under a rerun: open it again
            page.keyboard.press("Escape")
    item.click()
    settle(page)


def fill(page: Page, key: str, text: str) -> None:
    box = widget(page, key).locator("input")
    box.fill(text)
    box.press("Enter")
    settle(page)


def press(page: Page, name: str, until) -> None:
    """Click the button ``name`` until ``until`` shows (a click landing mid-rerun can be lost).

    Pressing again is safe: once the line is checked or stored the form moves on, and the
    confirm button is gone once the batch is stored.
    """
    button = page.get_by_role("button", name=name, exact=True)
    for _ in range(3):
        settle(page)
        if until.count() or not button.count():
            break
        button.click()
        try:
            until.first.wait_for(timeout=10_000)
        except Exception:  # noqa: BLE001 - not yet: look again, press again if still offered
            continue
    expect(until.first).to_be_visible()


def fill_date(page: Page, key: str, day: date) -> None:
    """Type a date into the date box's day, month and year parts (dd/mm/yyyy), then leave it."""
    widget(page, key).locator('[data-type="day"]').click()
    page.keyboard.type(f"{day:%d%m%Y}")
    page.keyboard.press("Tab")
    settle(page)


def test_an_editor_enters_one_record_and_sees_its_batch(browser, tmp_path, screenshots):
    cli("user", "add", EDITOR[0], "--role", "editor", "--password-stdin",
        "--db", tmp_path / "store.duckdb", stdin=EDITOR[1] + "\n")  # fmt: skip
    day = min(plan.phase_for(date.today()).start + timedelta(days=30), date.today())
    with running_server(tmp_path) as srv:
        first_visit(browser, srv.url)
        context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="vi-VN")
        context.set_default_timeout(30_000)
        try:
            page = context.new_page()
            page.goto(f"{srv.url}/records")
            settle(page)
            login_editor(page)
            fill(page, "rf_record_id", RECORD_ID)
            choose(page, "rf_indicator", views.indicator_label("workshop", "vi"))
            fill_date(page, "rf_date", day)
            fill(page, "rf_quantity", "1")
            # a beneficiary not on record: typed as a new option
            widget(page, "rf_beneficiary").click()
            page.keyboard.type(NEW_NAME)
            page.keyboard.press("Enter")
            settle(page)
            choose(page, "rf_type", views.type_label("cooperative", "vi"))
            press(page, t("ui.form.check"), page.get_by_text(t("ui.form.ready_new")))
            shoot(page, screenshots, "vi-record-form-preview")
            done = page.get_by_text(re.compile(r"Đã lưu đợt #\d+ \(một dòng"))
            press(page, t("ui.form.confirm"), done)
            batch = int(re.search(r"#(\d+)", done.inner_text()).group(1))
            # the one-row batch is in the upload page's history, offered for rollback
            page.goto(f"{srv.url}/upload")
            settle(page)
            login_editor(page)
            widget(page, "rb_pick").click()
            name = f"#{batch} · bieu-mau_{RECORD_ID}_{date.today():%Y-%m-%d}.csv"
            expect(page.get_by_role("option", name=name, exact=True)).to_be_visible()
        finally:
            context.close()
        history = json.loads(cli("history", RECORD_ID, "--json", "--db", srv.db))
    assert [(h["action"], h["batch_id"]) for h in history] == [("added", batch)]
    assert (history[0]["beneficiary_name"], history[0]["beneficiary_type"]) == (
        NEW_NAME, "cooperative",
    )  # fmt: skip
    assert history[0]["date"] == f"{day:%Y-%m-%d}" and history[0]["indicator"] == "workshop"
