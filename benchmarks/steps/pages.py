"""The pages step: each page's full script run with ``streamlit.testing`` AppTest, warm."""

from __future__ import annotations

import argparse
import os
import statistics
import time
from datetime import datetime
from pathlib import Path

from benchmarks.measure import PeakRss

ROOT = Path(__file__).resolve().parents[2]


def _app_pages() -> list[Path]:
    pages = ROOT / "pages"
    return sorted(p for p in pages.glob("*.py") if not p.name.startswith("_"))


def step_pages(args: argparse.Namespace) -> dict:
    """Run the home page and every page once cold, then ``--page-repeat`` times warm."""
    os.environ["PQTRACK_DB"] = str(Path(args.db).resolve())
    os.environ["PQTRACK_SEED_SAMPLE"] = "0"
    from streamlit.testing.v1 import AppTest

    app = ROOT / "app.py"
    if not app.exists():
        return {"skipped": "app.py not found (pages not written yet)"}
    from pqtrack.store import Store, accounts
    from pqtrack.ui import session

    # as an editor, so the editors-only pages (audit log) are measured too: the session
    # names an account, whose role the app reads from the store
    store = Store(args.db, keep_open=False)
    if accounts.get_user(store, "bench") is None:
        accounts.add_user(store, "bench", "editor", "!", by="bench")
    bench_changed_at = accounts.get_user(store, "bench")["updated_at"]
    mem = PeakRss()
    results = []
    targets: list[tuple[str, Path | None]] = [("app.py (home)", None)]
    targets += [(p.name, p) for p in _app_pages()]
    for label, page in targets:
        entry: dict = {"label": label}
        try:

            def new_app() -> AppTest:
                at = AppTest.from_file(str(app), default_timeout=120)
                at.session_state[session.USER_KEY] = session.login_entry(
                    "bench", bench_changed_at, datetime.now()
                )
                return at

            def run_once(page: Path | None = page) -> AppTest:
                at = new_app()
                at.run()
                if page is not None:
                    at.switch_page(str(page.relative_to(ROOT)))
                    at.run()
                return at

            at = run_once()  # cold: fills caches
            errors = [str(e.value)[:200] for e in at.exception]
            if errors:
                entry["error"] = errors[0]
            times = []
            for _ in range(args.page_repeat):
                at = new_app()
                at.run()
                if page is not None:
                    at.switch_page(str(page.relative_to(ROOT)))
                    t0 = time.perf_counter()
                    at.run()
                else:
                    t0 = time.perf_counter()
                    at.run()
                times.append(time.perf_counter() - t0)
            times.sort()
            entry["median_ms"] = statistics.median(times) * 1000
            entry["max_ms"] = times[-1] * 1000
        except Exception as exc:  # a page that cannot run is a note, not a crash
            entry["error"] = f"{type(exc).__name__}: {str(exc)[:200]}"
        results.append(entry)
    return {"pages": results, **mem.stop()}
