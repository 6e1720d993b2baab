"""The benchmark's parts: the step timer sums what the pipeline's steps report; the results
writer tables it, and says so when no step was reported."""

from __future__ import annotations

from benchmarks import results
from benchmarks.step_times import SUMMARY_ADD_STEP, SUMMARY_STEP, StepTimes
from pqtrack import steps


def test_step_times_sum_wall_and_cpu_per_step_name():
    times = StepTimes()
    with times.listening():
        times("hash", 0.25, 0.5)
        times("decode", 1.0, 2.0)
        times("hash", 0.5, 0.25)
    assert times.wall == {"hash": 0.75, "decode": 1.0}
    assert times.cpu == {"hash": 0.75, "decode": 2.0}


@steps.timed("build_typed")
def _typed(n: int) -> int:
    return n * 2


def test_step_times_hear_the_pipeline_hook_only_while_listening():
    times = StepTimes()
    _typed(1)  # before: not heard
    with times.listening():
        assert _typed(2) == 4
        assert list(steps.timed_chunks("read: Arrow (parse, check cells)", iter("ab"))) == [
            "a",
            "b",
        ]
        with times.step("checkpoint"):
            pass
    _typed(3)  # after: not heard
    assert set(times.wall) == {"build_typed", "read: Arrow (parse, check cells)", "checkpoint"}
    assert set(times.cpu) == set(times.wall)
    assert all(v >= 0 for v in [*times.wall.values(), *times.cpu.values()])


def _run(phases: dict[str, float], small_phases: dict[str, float]) -> dict:
    """Results of one run as ``run.py`` gathers them, with the given step timings."""
    gen = {"rows": 1_000, "seconds": 0.5, "bytes": 2**20}
    bare = {"seconds": 1.0, "cpu_seconds": 1.0, "rows": 1_000}
    ing = {"seconds": 1.5, "cpu_seconds": 1.8, "rows": 1_000, "phases": phases}
    ing["phases_cpu"] = {k: v / 2 for k, v in phases.items()}
    query = {"kind": "aggregate", "label": "breakdown by year", "median_ms": 2.0, "p95_ms": 3.0}
    return {
        "generate": gen,
        "bare": bare,
        "ingest": ing,
        "bare_runs": [bare],
        "ingest_runs": [ing],
        "queries": {"queries": [query], "export_rows": 10},
        "pages": {"skipped": "--skip pages"},
        "small": {"rows": 1_000, "seconds": 0.2, "cpu_seconds": 0.1, "phases": small_phases},
    }


def test_results_table_lists_the_reported_steps():
    res = _run({"hash": 0.1, SUMMARY_STEP: 0.5, "checkpoint": 0.05}, {SUMMARY_ADD_STEP: 0.04})
    table = dict((m, f) for m, f, *_ in results.build_rows(res))
    assert table["  ingest step: hash"] == "0.10 s"
    assert table["  ingest step: checkpoint"] == "0.05 s"
    assert table["ingest up to COMMIT (without the summary rebuild) ÷ bare read"].startswith(
        "1.00× (CPU 1.55×)"
    )
    assert "summary update 0.04 s" in table["1,000-row batch into the 1,000-row store"]
    assert results.NO_STEPS not in str(table)


def test_results_table_says_when_no_step_was_reported():
    rows = results.build_rows(_run({"checkpoint": 0.05}, {}))
    table = dict((m, f) for m, f, *_ in rows)
    assert table["  ingest steps"] == results.NO_STEPS
    assert table["1,000-row batch into the 1,000-row store"].endswith(results.NO_STEPS)
    assert "ingest up to COMMIT (without the summary rebuild) ÷ bare read" not in table
    text = results.render(rows, "## N = 1,000 rows")
    assert text.startswith(
        "## N = 1,000 rows\n\n| measure | figure | target | |\n|---|---|---|---|"
    )
    assert f"|   ingest steps | {results.NO_STEPS} |  |  |" in text
    assert (
        "| query: breakdown by year | median 2.0 ms, p95 3.0 ms | p95 ≤ 100 ms @10M | ok |" in text
    )
