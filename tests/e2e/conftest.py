"""Browser fixtures: a real `streamlit run app.py` on a free port, the system Chromium, oracles.

The server runs on a temporary store that seeds itself with the illustrative sample (as on a
first start). Expected figures never come from the server's file (it holds it while serving):
they come from the CLI run on a *reference* store, seeded the same way before the server
starts, and on copies of it to which the test files are added with the package's own ingest.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
STARTUP_TIMEOUT = 60.0
EDITOR = ("editor1", "mat-khau-bien-tap-e2e")  # created with `pqtrack user add` before serving

HEADER = (
    "Mã bản ghi,Ngày,Chỉ tiêu,Số lượng,Tên đơn vị,Loại hình,Mã số thuế,Địa bàn,Lĩnh vực,"
    "Tiêu chuẩn,Kinh phí hỗ trợ"
)


def missing_browser_reason() -> str | None:
    """Return why the browser tests cannot run here, or None when they can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright (Python package) is not installed"
    if not Path(CHROMIUM).exists():
        return f"no Chromium at {CHROMIUM} (Debian package 'chromium')"
    return None


# -- files the tests upload -------------------------------------------------------------------


def _phase_day(offset: int) -> str:
    """A date inside today's phase, never after today, as dd/mm/yyyy."""
    from pqtrack import plan

    start = plan.phase_for(date.today()).start
    day = min(start + timedelta(days=offset), date.today())
    return day.strftime("%d/%m/%Y")


def valid_file_bytes() -> bytes:
    """Three workshops and two products meeting standards, all in today's phase."""
    rows = [
        f"E2E-0001,{_phase_day(20)},workshop,1,,,,TP Sóc Trăng,,,12.000.000",
        f"E2E-0002,{_phase_day(40)},workshop,1,,,,Huyện Kế Sách,,,12.000.000",
        f"E2E-0003,{_phase_day(60)},workshop,1,,,,Thị xã Vĩnh Châu,,,12.000.000",
        f"E2E-0004,{_phase_day(80)},product_standard,2,HTX Kiểm Thử E2E,hợp tác xã,,"
        "Huyện Mỹ Xuyên,lúa gạo,TCCS,30.000.000",
    ]
    return ("\ufeff" + "\r\n".join([HEADER, *rows]) + "\r\n").encode("utf-8")


def bad_file_bytes() -> bytes:
    """A file with an unknown indicator, an impossible date and a negative quantity."""
    rows = [
        f"E2E-BAD-1,{_phase_day(10)},khong_co_chi_tieu,1,,,,TP Sóc Trăng,,,1000000",
        "E2E-BAD-2,32/13/2026,workshop,1,,,,TP Sóc Trăng,,,1000000",
        f"E2E-BAD-3,{_phase_day(12)},workshop,-4,,,,TP Sóc Trăng,,,1000000",
    ]
    return ("\ufeff" + "\r\n".join([HEADER, *rows]) + "\r\n").encode("utf-8")


# -- oracles: the CLI on a reference store ----------------------------------------------------


def cli(*args: str | Path, env: dict[str, str] | None = None, stdin: str | None = None) -> str:
    """Run ``python -m pqtrack ARGS`` and return its standard output (fails on an error)."""
    run = subprocess.run(
        [sys.executable, "-m", "pqtrack", *map(str, args)],
        capture_output=True,
        text=True,
        input=stdin,
        env={**os.environ, "PQTRACK_LANG": "en", **(env or {})},
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, (args, run.stdout, run.stderr)
    return run.stdout


def progress(db: Path, phase: str) -> list[dict]:
    """Return ``pqtrack progress --json`` for ``phase`` (plan order)."""
    return json.loads(cli("progress", "--phase", phase, "--json", "--db", db))


@dataclass(frozen=True)
class Oracle:
    """Expected figures, computed before the server touches its own store."""

    phases: tuple[str, str]  # (today's phase, the other one)
    sample: dict[str, list[dict]]  # phase → progress rows on the seeded sample
    after_upload: list[dict]  # today's phase after the valid file was added
    bad_problems: int  # how many problems the bad file has
    phase_rows: int  # rows in today's phase
    type_rows: dict[str, int]  # beneficiary type → rows in today's phase
    type_csv: dict[str, bytes]  # beneficiary type → the CSV export of those rows


@pytest.fixture(scope="session")
def oracle(tmp_path_factory) -> Oracle:
    from pqtrack import export, ingest, plan
    from pqtrack.filters import RecordFilter
    from pqtrack.sample import seed_if_new
    from pqtrack.schema import BENEFICIARY_TYPES
    from pqtrack.store import Store, queries

    base = tmp_path_factory.mktemp("reference")
    ref = base / "sample.duckdb"
    store = Store(ref)
    assert seed_if_new(store) is not None
    current = plan.phase_for(date.today()).code
    other = next(p for p in plan.PHASE_CODES if p != current)
    types = {
        t: queries.count_records(store, RecordFilter(phase=current, beneficiary_types=(t,)))
        for t in BENEFICIARY_TYPES
    }
    phase_rows = queries.count_records(store, RecordFilter(phase=current))
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


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
            return resp.status == 200 and resp.read().strip() == b"ok"
    except OSError:
        return False


@dataclass(frozen=True)
class Server:
    """A running dashboard."""

    url: str
    db: Path
    log: Path


@contextmanager
def running_server(work: Path) -> Iterator[Server]:
    """Run ``streamlit run app.py`` on ``work/store.duckdb`` (seeded if new); stop it after."""
    db = work / "store.duckdb"
    log = work / "streamlit.log"
    env = {**os.environ, "PQTRACK_DB": str(db), "PYTHONUNBUFFERED": "1"}
    for name in ("PQTRACK_SEED_SAMPLE", "PQTRACK_LANG", "PQTRACK_REQUIRE_LOGIN"):
        env.pop(name, None)
    port = _free_port()
    cmd = [
        sys.executable, "-m", "streamlit", "run", "app.py",
        "--server.headless", "true",
        "--server.port", str(port),
        "--server.address", "127.0.0.1",
        "--browser.gatherUsageStats", "false",
    ]  # fmt: skip
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not _healthy(url):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"streamlit did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)
        yield Server(url=url, db=db, log=log)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


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


def first_visit(browser, url: str) -> None:
    """Open the overview once and wait until it has rendered, then close that session."""
    from playwright.sync_api import expect

    context = browser.new_context()
    try:
        pg = context.new_page()
        pg.goto(url)
        expect(pg.locator('[data-testid="stMetric"]').first).to_be_visible(timeout=60_000)
    finally:
        context.close()


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
