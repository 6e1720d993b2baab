"""In a real browser: an editor sends a file that corrects a stored record, sees old → new, confirms.

The record to correct is stored first with the CLI on the server's own store (the dashboard
holds the file only while it runs a query, as for a scheduled ingest).
"""

from __future__ import annotations

import json
import re
from datetime import date

import pytest

from tests.e2e.support import HEADER, cli, missing_browser_reason

_reason = missing_browser_reason()
if _reason:
    pytest.skip(f"browser tests need Chromium and Playwright: {_reason}", allow_module_level=True)

from playwright.sync_api import expect  # noqa: E402

from pqtrack import i18n  # noqa: E402
from pqtrack.domain import plan  # noqa: E402
from tests.e2e.test_browser import login_editor, open_page, settle, shoot  # noqa: E402

pytestmark = pytest.mark.slow
expect.set_options(timeout=20_000)

RECORD = "E2E-SUA-1"


def _file(quantity: int, funding: str) -> bytes:
    day = plan.phase_for(date.today()).start.strftime("%d/%m/%Y")
    row = f"{RECORD},{day},workshop,{quantity},,,,TP Sóc Trăng,,,{funding}"
    return ("\ufeff" + "\r\n".join([HEADER, row]) + "\r\n").encode("utf-8")


# The grid draws on a canvas; its accessible table (hidden) holds the cells as text.
ROWS_JS = """header => {
    const frame = [...document.querySelectorAll('[data-testid="stDataFrame"]')].find(f =>
        [...f.querySelectorAll('th')].some(th => th.textContent.trim() === header));
    return frame ? [...frame.querySelectorAll('tbody tr')].map(tr =>
        [...tr.querySelectorAll('td')].map(td => td.textContent.trim())) : null;
}"""


def changes_rows(page, header: str) -> list[list[str]]:
    """Return the rows of the table that has a column ``header``, once it is drawn."""
    page.wait_for_function(f"h => ({ROWS_JS})(h) !== null", arg=header)
    settle(page)
    return page.evaluate(ROWS_JS, header)


def test_a_correction_is_previewed_old_to_new_and_confirmed(page, server, tmp_path, screenshots):
    first = tmp_path / "e2e-goc.csv"
    first.write_bytes(_file(1, "12.000.000"))
    cli("ingest", first, "--db", server.db, "--user", "e2e")
    fix = tmp_path / "e2e-sua.csv"
    fix.write_bytes(_file(2, "15.000.000"))

    open_page(page, server.url, "upload", "vi", plan.phase_for(date.today()).code)
    login_editor(page)
    box = page.locator('[data-testid="stCheckbox"]')
    box.filter(has_text=i18n.t("ui.year.correct_box", "vi")).locator("label").click()
    settle(page)
    page.locator('input[type="file"]').set_input_files(str(fix))
    metrics = page.locator('[data-testid="stMetric"]')
    expect(metrics.filter(has_text=i18n.t("ui.year.corrected_rows", "vi"))).to_contain_text("1")
    expect(metrics.filter(has_text=i18n.t("ui.year.new_rows", "vi"))).to_contain_text("0")
    expect(page.get_by_text(i18n.t("ui.year.changes_title", "vi"))).to_be_visible()
    assert changes_rows(page, i18n.t("year.col.old", "vi")) == [
        ["2", RECORD, "Số lượng", "1", "2"],
        ["2", RECORD, "Kinh phí hỗ trợ", "12.000.000", "15.000.000"],
    ]
    shoot(page, screenshots, "vi-flow-correction-preview")

    page.get_by_role("button", name=i18n.t("ui.upload.confirm", "vi")).click()
    done = page.get_by_text(re.compile(r"Đã lưu đợt #\d+ gồm 1 dòng\."))
    expect(done).to_be_visible()
    batch = int(re.search(r"#(\d+)", done.inner_text()).group(1))
    history = json.loads(cli("history", RECORD, "--json", "--db", server.db))
    assert [(h["action"], h["batch_id"], h["quantity"]) for h in history][-1] == (
        "corrected",
        batch,
        2,
    )
