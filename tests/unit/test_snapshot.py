"""The store as it stood at a moment: the figures equal those read live at that moment."""

from __future__ import annotations

import time
from datetime import date, datetime

from pqtrack.domain.filters import RecordFilter
from pqtrack.figures import listing, progress
from pqtrack.ingest import pipeline
from pqtrack.store import Store, snapshot, versions

HEAD = "record_id,date,indicator,quantity,beneficiary_name,beneficiary_type\r\n"
AS_OF = date(2025, 12, 31)


def ingest(store, rows: str) -> int:
    report = pipeline.process(store, (HEAD + rows).encode(), "f.csv", user="an",
                              today=date(2028, 1, 1))  # fmt: skip
    assert report.stored, report
    return report.batch_id


def figures(store) -> dict:
    rows = progress.phase_progress(store, "2021-2025", AS_OF)
    listed = listing.list_records(store, RecordFilter(phase="2021-2025"), 100)
    return {
        "actual": {p.indicator: p.actual for p in rows},
        "records": sorted(map(tuple, listed[["record_id", "quantity", "beneficiary_name"]]
                              .astype(str).values.tolist())),
    }  # fmt: skip


def moment() -> datetime:
    time.sleep(0.01)  # the store's clock has moved past the last write
    at = datetime.now()
    time.sleep(0.01)
    return at


def test_figures_stored_at_each_moment_equal_those_read_then(tmp_path):
    store = Store(tmp_path / "s.duckdb")
    seen: list[tuple[datetime, dict]] = [(moment(), figures(store))]
    first = ingest(store, "A1,15/03/2023,product_standard,3,Co A,DN\r\n"
                          "A2,16/03/2023,workshop,1,Co B,DN\r\n")  # fmt: skip
    seen.append((moment(), figures(store)))
    versions.void(store, "A2", "an", "twice")
    seen.append((moment(), figures(store)))
    second = ingest(store, "B1,17/03/2024,product_standard,4,Co C,DN\r\n")
    seen.append((moment(), figures(store)))
    store.rollback(second, "an")
    seen.append((moment(), figures(store)))
    assert len({repr(f) for _, f in seen[:4]}) == 4  # every step changed what is shown
    assert seen[4][1] == seen[2][1]  # and the rollback undid the last
    for at, shown in seen:
        with snapshot.stored_at(store, at) as then:
            assert figures(then) == shown, at
        # The same moment read in place (what drift reads, one query per moment).
        rows = progress.phase_progress(store, "2021-2025", AS_OF, at)
        assert {p.indicator: p.actual for p in rows} == shown["actual"], at
    with snapshot.stored_at(store, seen[2][0]) as then:
        batches = then.batches()
        assert set(batches["batch_id"]) == {first, first + 1}  # the void is a batch too
    store.close()


def test_two_sessions_read_the_store_as_it_stood_at_the_same_time(tmp_path, monkeypatch):
    import threading
    from contextlib import contextmanager

    store = Store(tmp_path / "s.duckdb")
    ingest(store, "A1,15/03/2023,product_standard,3,Co A,DN\r\n")
    at = moment()
    both_attached = threading.Barrier(2, timeout=10)
    plain = snapshot.transaction

    @contextmanager
    def meeting(cur):  # each copy waits, attached, until the other is attached too
        both_attached.wait()
        with plain(cur):
            yield

    monkeypatch.setattr(snapshot, "transaction", meeting)
    found: list = []

    def read() -> None:
        try:
            with snapshot.stored_at(store, at) as then:
                found.append(figures(then)["actual"]["product_standard"])
        except Exception as exc:  # noqa: BLE001 - the test reports what went wrong
            found.append(exc)

    threads = [threading.Thread(target=read) for _ in range(2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert found == [3, 3]
    store.close()
