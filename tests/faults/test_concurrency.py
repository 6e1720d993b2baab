"""Concurrency: many sessions of one process share one Store while writing and reading."""

from __future__ import annotations

import itertools
import threading
from collections import Counter
from datetime import date, datetime

import pytest

from pqtrack.domain.filters import RecordFilter
from pqtrack.figures import queries
from pqtrack.ingest import pipeline as ingest
from pqtrack.service import auth
from pqtrack.store import Store, accounts
from tests.faults.support import check_invariants, make_records

WRITERS = 10
READERS = 3
ROLLBACKS = 3
PREVIEWS = 2


def _run_threads(targets: list, errors: list) -> None:
    def guard(fn):
        def run():
            try:
                fn()
            except BaseException as exc:  # every escape is a failure the user would see
                errors.append(exc)

        return run

    threads = [threading.Thread(target=guard(fn)) for fn in targets]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=300)
    assert not any(th.is_alive() for th in threads), "a thread hung"


@pytest.mark.parametrize("keep_open", [True, False], ids=["keep_open", "per_operation"])
def test_ten_ingests_at_once_with_readers(tmp_path, keep_open):
    store = Store(tmp_path / "c.duckdb", keep_open=keep_open)
    files = [make_records(800 + 37 * i, f"W{i}", seed=i) for i in range(WRITERS)]
    # Batches stored before, rolled back by other sessions during the uploads.
    old = [make_records(300 + 11 * i, f"OLD{i}", seed=50 + i) for i in range(ROLLBACKS)]
    old_ids = [
        ingest.process(store, f.data, f"old{i}.csv", user="o").batch_id for i, f in enumerate(old)
    ]
    # Files only previewed (validated, never stored) during the uploads.
    previews = [make_records(600, f"PRE{i}", seed=80 + i) for i in range(PREVIEWS)]
    # Every state a reader may see is some set of whole batches: list them all.
    possible = {
        (sum(f.rows for f in subset), sum(f.quantity for f in subset))
        for k in range(WRITERS + ROLLBACKS + 1)
        for subset in itertools.combinations(files + old, k)
    }
    errors: list[BaseException] = []
    reports: dict[int, ingest.IngestReport] = {}
    removed: dict[int, int] = {}
    checked: list[ingest.IngestReport] = []
    start = threading.Barrier(WRITERS + ROLLBACKS + PREVIEWS + READERS)
    writers_done = threading.Event()
    seen: list[tuple[int, int]] = []
    phase = RecordFilter(phase="2021-2025")

    def writer(i: int):
        def run():
            start.wait()
            reports[i] = ingest.process(store, files[i].data, f"file{i}.csv", user=f"u{i}")

        return run

    def rollback(i: int):
        def run():
            start.wait()
            removed[i] = store.rollback(old_ids[i], f"r{i}")

        return run

    def preview(i: int):
        def run():
            start.wait()
            checked.append(ingest.check(store, previews[i].data, f"preview{i}.csv"))

        return run

    def reader():
        start.wait()
        last_version = 0
        while True:
            finished = writers_done.is_set()
            with store.cursor() as cur:
                figures = check_invariants(cur)
            snapshot = (figures["records"], figures["quantity"])
            assert snapshot in possible, f"partial batch visible: {snapshot}"
            seen.append(snapshot)
            totals = queries.beneficiary_totals(store, phase)
            assert (totals["turns"], totals["quantity"]) in possible
            queries.actuals(store, date(2021, 1, 1), date(2025, 12, 31))
            store.batches()
            version = store.data_version()  # the pages' cache key only moves forward
            assert version >= last_version
            last_version = version
            if finished:
                return

    def writers_then_signal():
        try:
            _run_threads(
                [writer(i) for i in range(WRITERS)]
                + [rollback(i) for i in range(ROLLBACKS)]
                + [preview(i) for i in range(PREVIEWS)],
                errors,
            )
        finally:
            writers_done.set()

    # The barrier's other parties are the threads writers_then_signal starts.
    _run_threads([writers_then_signal] + [reader] * READERS, errors)

    assert not errors, errors
    assert all(reports[i].stored for i in range(WRITERS)), [
        reports[i].messages("en") for i in range(WRITERS) if not reports[i].stored
    ]
    assert len({r.batch_id for r in reports.values()}) == WRITERS
    assert removed == {i: f.rows for i, f in enumerate(old)}
    assert len(checked) == PREVIEWS
    assert all(r.ok and not r.stored for r in checked)
    with store.cursor() as cur:
        figures = check_invariants(cur)
    assert figures["records"] == sum(f.rows for f in files)
    assert figures["quantity"] == sum(f.quantity for f in files)
    batches = store.batches()
    active = batches[batches["status"] == "active"]
    assert len(batches) == WRITERS + ROLLBACKS and len(active) == WRITERS
    by_name = dict(zip(active["file_name"], active["row_count"], strict=True))
    assert by_name == {f"file{i}.csv": files[i].rows for i in range(WRITERS)}
    per_batch = dict(store.query_rows("SELECT batch_id, count(*) FROM records GROUP BY 1"))
    for i, report in reports.items():
        assert per_batch[report.batch_id] == files[i].rows
    assert len(set(seen)) > 1, "readers never ran during the writes"
    store.close()


@pytest.mark.parametrize("round_", range(3))
def test_same_file_twice_at_once_stores_one_batch(tmp_path, round_):
    store = Store(tmp_path / "d.duckdb")
    rec = make_records(3000, f"SAME{round_}", seed=100 + round_)
    errors: list[BaseException] = []
    reports: list[ingest.IngestReport] = []
    start = threading.Barrier(2)

    def upload():
        start.wait()
        reports.append(ingest.process(store, rec.data, "same.csv", user="u"))

    _run_threads([upload, upload], errors)
    assert not errors, errors
    stored = [r for r in reports if r.stored]
    refused = [r for r in reports if not r.stored]
    assert len(stored) == 1 and len(refused) == 1
    codes = [p.code for p in refused[0].file_problems]
    assert codes == ["file.duplicate_file"], refused[0].messages("en")[:3]
    # Refused as a duplicate, not buried under one "id already stored" error per row.
    assert refused[0].problem_count == 1, refused[0].messages("en")[:3]
    batches = store.batches()
    assert len(batches) == 1 and batches["row_count"].iloc[0] == rec.rows
    with store.cursor() as cur:
        assert check_invariants(cur)["records"] == rec.rows
    store.close()


@pytest.mark.parametrize("keep_open", [True, False], ids=["keep_open", "per_operation"])
def test_parallel_wrong_passwords_are_each_counted_and_checked_at_most_once(tmp_path, keep_open):
    store = Store(tmp_path / "l.duckdb", keep_open=keep_open)
    auth.add_user(store, "an", "editor", "mat-khau-dung-123", by="admin")
    guesses = 20
    now = datetime(2026, 11, 27, 9, 0)
    errors: list[BaseException] = []
    results: list[auth.LoginResult] = []
    start = threading.Barrier(guesses)

    def guess(i: int):
        def run():
            start.wait()
            results.append(auth.login(store, "an", f"doan-{i}", now=now))

        return run

    _run_threads([guess(i) for i in range(guesses)], errors)
    assert not errors, errors
    assert accounts.failures(store, "an")[0] == guesses
    # Only the first attempt was early enough to have its password checked.
    reasons = Counter(r.reason for r in results)
    assert reasons == {"auth.invalid": 1, "auth.wait": auth.LOCK_AFTER - 1,
                       "auth.locked": guesses - auth.LOCK_AFTER}  # fmt: skip
    store.close()
