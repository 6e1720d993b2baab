"""What each benchmark step measures with, in its own child process: peak memory, repeated
timings, CPU time, and the one JSON line a step hands back to ``run.py``."""

from __future__ import annotations

import json
import resource
import statistics
import threading
import time
from collections.abc import Callable

RESULT_TAG = "@@RESULT "
PHASE = "2021-2025"


class PeakRss:
    """Sample this process's RSS with psutil in a thread; combine with ru_maxrss."""

    def __init__(self, interval: float = 0.01) -> None:
        import psutil

        self._proc = psutil.Process()
        self._interval = interval
        self._stop = threading.Event()
        self.baseline = self._proc.memory_info().rss
        self.peak = self.baseline
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._proc.memory_info().rss)
            self._stop.wait(self._interval)

    def stop(self) -> dict:
        self._stop.set()
        self._thread.join()
        ru = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: KiB
        peak = max(self.peak, ru)
        return {"rss_baseline_mb": self.baseline / 2**20, "rss_peak_mb": peak / 2**20}


def timed_runs(fn: Callable[[], object], repeat: int, warmup: int = 1) -> dict:
    """Run ``fn`` ``warmup`` times, then time ``repeat`` runs: median and p95 in ms."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    times.sort()
    p95 = times[min(len(times) - 1, max(0, int(round(0.95 * len(times))) - 1))]
    return {"median_ms": statistics.median(times) * 1000, "p95_ms": p95 * 1000, "runs": repeat}


def cpu_seconds() -> float:
    """Return this process's CPU time so far (all threads; robust on a shared machine)."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def emit(result: dict) -> None:
    """Print a step's result as the one tagged JSON line ``run.py`` reads."""
    print(RESULT_TAG + json.dumps(result, default=str), flush=True)


def parse(stdout: str) -> dict | None:
    """Return the result a step printed (the last tagged line), None if it printed none."""
    for line in reversed(stdout.splitlines()):
        if line.startswith(RESULT_TAG):
            return json.loads(line[len(RESULT_TAG) :])
    return None
