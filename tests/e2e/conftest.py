"""Browser fixtures: a real `streamlit run app.py` on a free port, the system Chromium, oracles.

The server runs on a temporary store that seeds itself with the illustrative sample (as on a
first start). Expected figures never come from the server's file (it holds it while serving):
they come from the CLI run on a *reference* store, seeded the same way before the server
starts, and on copies of it to which the test files are added with the package's own ingest.

Helpers (server run, upload files, CLI oracles) live in ``tests.e2e.support``.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from tests.e2e.support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    EDITOR,
    SCREENSHOTS,
    Oracle,
    Server,
    bad_file_bytes,
    cli,
    first_visit,
    progress,
    running_server,
    valid_file_bytes,
)


@pytest.fixture(scope="session")
def oracle(tmp_path_factory) -> Oracle:
    from pqtrack.domain import plan
    from pqtrack.domain.filters import RecordFilter
    from pqtrack.domain.schema import BENEFICIARY_TYPES
    from pqtrack.figures import listing
    from pqtrack.ingest import pipeline as ingest
    from pqtrack.report import export
    from pqtrack.service.sample import seed_if_new
    from pqtrack.store import Store

    base = tmp_path_factory.mktemp("reference")
    ref = base / "sample.duckdb"
    store = Store(ref)
    assert seed_if_new(store) is not None
    current = plan.phase_for(date.today()).code
    other = next(p for p in plan.PHASE_CODES if p != current)
    types = {
        t: listing.count_records(store, RecordFilter(phase=current, beneficiary_types=(t,)))
        for t in BENEFICIARY_TYPES
    }
    phase_rows = listing.count_records(store, RecordFilter(phase=current))
    type_csv = {
        t: export.csv_bytes(store, RecordFilter(phase=current, beneficiary_types=(t,)))
        for t in BENEFICIARY_TYPES
    }
    bad = ingest.check(store, bad_file_bytes(), "e2e-loi.csv")
    assert not bad.ok and bad.problem_count > 0
    store.close()

    copy = base / "after-upload.duckdb"
    shutil.copy(ref, copy)
    store = Store(copy)
    added = ingest.process(store, valid_file_bytes(), "e2e-hop-le.csv", user="e2e")
    assert added.stored, added.messages("en")
    store.close()

    return Oracle(
        phases=(current, other),
        sample={p: progress(ref, p) for p in (current, other)},
        after_upload=progress(copy, current),
        bad_problems=bad.problem_count,
        phase_rows=phase_rows,
        type_rows=types,
        type_csv=type_csv,
    )


# -- the server -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def server(tmp_path_factory, oracle) -> Iterator[Server]:
    """The dashboard every test shares, on a new store, with the editor account created."""
    work = tmp_path_factory.mktemp("server")
    # The account exists before the server opens the store (accounts are not batches:
    # the new store still seeds the sample when the dashboard first opens it).
    cli("user", "add", EDITOR[0], "--role", "editor", "--password-stdin",
        "--db", work / "store.duckdb", stdin=EDITOR[1] + "\n")  # fmt: skip
    with running_server(work) as srv:
        yield srv


# -- the browser ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def warm_server(browser, server) -> Server:
    """The shared server after one throwaway visit.

    The first browser session after a start loses its first interaction (see
    test_first_visitor_after_a_start_can_use_the_sidebar); the other tests need a
    server past that, like one that has been up for a while.
    """
    first_visit(browser, server.url)
    return server


@pytest.fixture
def page(browser, warm_server):
    """A fresh browser session (its own Streamlit session) per test."""
    context = browser.new_context(
        viewport={"width": 1400, "height": 1000}, accept_downloads=True, locale="vi-VN"
    )
    context.set_default_timeout(30_000)
    pg = context.new_page()
    yield pg
    context.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
