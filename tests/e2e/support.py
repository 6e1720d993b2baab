"""Helpers for the browser tests: the server run, the files they upload, the CLI oracles.

``running_server`` runs a real `streamlit run app.py` on a free port; the fixtures in
``conftest.py`` build on these.
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
    from pqtrack.domain import plan

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
