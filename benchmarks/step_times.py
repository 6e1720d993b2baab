"""The ingest's step timer: wall and CPU seconds summed per step name, as the pipeline
reports them through ``pqtrack.steps`` (no private function is patched)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from pqtrack import steps

# Step names the pipeline reports that the results table reads by name.
SUMMARY_STEP = "summary rebuild (after COMMIT)"
SUMMARY_ADD_STEP = "summary update with one batch (after COMMIT)"


class StepTimes:
    """A listener for ``pqtrack.steps``: sums each step's wall and CPU seconds by name."""

    def __init__(self) -> None:
        self.wall: dict[str, float] = {}
        self.cpu: dict[str, float] = {}
        self._lock = threading.Lock()  # steps may end in a background thread

    def __call__(self, name: str, wall: float, cpu: float) -> None:
        with self._lock:
            self.wall[name] = self.wall.get(name, 0.0) + wall
            self.cpu[name] = self.cpu.get(name, 0.0) + cpu

    @contextmanager
    def listening(self) -> Iterator[StepTimes]:
        """Sum every step that ends while the block runs."""
        with steps.listening(self):
            yield self

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        """Time a block of the benchmark's own as step ``name`` (e.g. the CHECKPOINT)."""
        t0, c0 = time.perf_counter(), time.process_time()
        try:
            yield
        finally:
            self(name, time.perf_counter() - t0, time.process_time() - c0)
