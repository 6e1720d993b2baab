"""Named steps of the ingest and store pipeline, and a hook that hears how long each took."""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

Listener = Callable[[str, float, float], None]  # step name, wall seconds, CPU seconds
P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")

_listeners: list[Listener] = []
_lock = threading.Lock()


def _tell(name: str, wall: float, cpu: float) -> None:
    for listener in list(_listeners):
        listener(name, wall, cpu)


@contextmanager
def step(name: str) -> Iterator[None]:
    """Report the block's wall and CPU time as step ``name`` to whoever listens."""
    if not _listeners:  # the usual case: nobody times, nothing is measured
        yield
        return
    t0, c0 = time.perf_counter(), time.process_time()
    try:
        yield
    finally:
        _tell(name, time.perf_counter() - t0, time.process_time() - c0)


def timed(name: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Mark a function as step ``name``: each call is reported to listeners."""

    def mark(fn: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(fn)
        def run(*args: P.args, **kwargs: P.kwargs) -> R:
            with step(name):
                return fn(*args, **kwargs)

        return run

    return mark


def timed_chunks(name: str, chunks: Iterator[T]) -> Iterator[T]:
    """Yield from ``chunks``, reporting the work for each next chunk as step ``name``."""
    while True:
        with step(name):
            try:
                item = next(chunks)
            except StopIteration:
                return
        yield item


@contextmanager
def listening(listener: Listener) -> Iterator[None]:
    """Call ``listener(name, wall, cpu)`` for every step that ends while the block runs."""
    with _lock:
        _listeners.append(listener)
    try:
        yield
    finally:
        with _lock:
            _listeners.remove(listener)
