"""The ingest pipeline's named steps (pqtrack.steps): heard by a listener, unmeasured without one."""

from __future__ import annotations

import pytest

from pqtrack import steps
from pqtrack.ingest import pipeline as ingest
from pqtrack.store import Store
from tests.support import TODAY

HEADER = "date,indicator,beneficiary_name,beneficiary_type,locality\r\n"
UTF8 = HEADER + "".join(
    f"1{day}/03/2023,product_standard,Hợp tác xã {name},HTX,Phường 1\r\n"
    for day, name in enumerate("ACD", start=5)
)
# Not UTF-8: decoded and laid out in Python, then read by DuckDB. A batch small next to the
# stored rows, so the summary takes it in alone rather than being rebuilt.
UTF16 = (HEADER + "16/03/2023,product_standard,Hợp tác xã B,HTX,Phường 2\r\n").encode("utf-16")

# The steps each path through the pipeline names (the benchmark's labels).
READ_AND_STORE = {
    "hash",
    "find_header",
    "prepare (total)",
    "build_staged",
    "update_maps",
    "build_typed",
    "check_rows",
    "ids, totals, localities",
    "place localities",
    "check_record_ids",
    "store_chunk",
    "result",
    "check and store (total)",
    "original: wait for its write",
    "name the batch, COMMIT",
}
FAST = {"read: Arrow (parse, check cells)"}
EXACT = {"decode", "layout", "read: DuckDB read_csv"}
SUMMARY = {"summary rebuild (after COMMIT)", "summary update with one batch (after COMMIT)"}


def test_ingesting_reports_every_step_to_a_listener(tmp_path):
    heard: list[tuple[str, float, float]] = []
    with steps.listening(lambda name, wall, cpu: heard.append((name, wall, cpu))):
        store = Store(tmp_path / "s.duckdb")  # a new store builds its summary once
        first = ingest.process(store, UTF8.encode(), "a.csv", today=TODAY)
        second = ingest.process(store, UTF16, "b.csv", today=TODAY)
        store.close()
    assert first.stored and second.stored
    names = {name for name, _, _ in heard}
    assert names == READ_AND_STORE | FAST | EXACT | SUMMARY
    assert all(wall >= 0 and cpu >= 0 for _, wall, cpu in heard)
    # One chunk each: each file is read once by its own reader, and each batch named once.
    counts = {name: sum(1 for n, _, _ in heard if n == name) for name in names}
    assert counts["read: Arrow (parse, check cells)"] == counts["read: DuckDB read_csv"] == 1
    assert counts["name the batch, COMMIT"] == counts["check and store (total)"] == 2


def test_a_file_only_checked_names_no_storing_step(tmp_path):
    heard: list[str] = []
    store = Store(tmp_path / "s.duckdb")
    with steps.listening(lambda name, wall, cpu: heard.append(name)):
        report = ingest.check(store, UTF8.encode(), "a.csv", today=TODAY)
    store.close()
    assert report.ok and not report.stored
    assert "check_rows" in heard
    assert not {"store_chunk", "name the batch, COMMIT", "original: wait for its write"} & set(
        heard
    )


def test_nothing_is_measured_when_no_one_listens(tmp_path, monkeypatch):
    class Clock:
        calls = 0

        def perf_counter(self) -> float:
            Clock.calls += 1
            return 0.0

        process_time = perf_counter

    monkeypatch.setattr(steps, "time", Clock())
    store = Store(tmp_path / "s.duckdb")
    assert ingest.process(store, UTF8.encode(), "a.csv", today=TODAY).stored
    store.close()
    assert Clock.calls == 0
    with steps.listening(lambda *_: None):  # the same clock is read once someone listens
        with steps.step("hash"):
            pass
    assert Clock.calls == 4


def test_a_listener_hears_steps_only_while_it_listens(tmp_path):
    heard: list[str] = []
    with steps.listening(lambda name, wall, cpu: heard.append(name)):
        with steps.step("inside"):
            pass
    with steps.step("outside"):
        pass
    assert heard == ["inside"]
    with pytest.raises(RuntimeError), steps.listening(lambda *_: None):
        raise RuntimeError("the listener is removed all the same")
    assert steps._listeners == []
