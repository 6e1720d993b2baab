"""Crash safety: SIGKILL the CLI at random moments; the store keeps all of a batch or none."""

from __future__ import annotations

import random
import shutil
import subprocess
import textwrap
import threading
import time
from pathlib import Path

import pytest

from pqtrack.ingest import pipeline as ingest
from pqtrack.store import Store
from tests.faults.support import (
    PYTHON,
    RecordFile,
    check_invariants,
    cli_env,
    make_records,
)

BIG_ROWS = 100_000
KILLS = 20
SEED = 20260527

# The CLI, instrumented: it announces when it starts storing (staging is done, the write
# transaction begins) so that half the kills can be aimed at the write itself. With HANG set,
# Store.audit (the last statement inside the ingest and rollback transactions) announces
# itself and hangs, so a kill there lands mid-transaction for certain.
INSTRUMENTED_CLI = textwrap.dedent(
    """
    import os, sys, time
    from pqtrack.store import core

    _begin_batch = core.Store.begin_batch
    _audit = core.Store.audit

    def begin_batch(self, *args, **kwargs):
        print("STORING", flush=True)
        return _begin_batch(self, *args, **kwargs)

    def audit(cur, user, action, batch_id=None, detail=None):
        _audit(cur, user, action, batch_id, detail)
        if os.environ.get("HANG"):
            print("IN_TRANSACTION", action, flush=True)
            time.sleep(600)

    core.Store.begin_batch = begin_batch
    core.Store.audit = staticmethod(audit)
    from pqtrack.cli.main import main
    sys.exit(main(sys.argv[1:]))
    """
)


@pytest.fixture(scope="module")
def big(tmp_path_factory) -> tuple[Path, RecordFile]:
    """A large valid record file on disk."""
    rec = make_records(BIG_ROWS, "CRASH", seed=1)
    path = tmp_path_factory.mktemp("crash") / "big.csv"
    path.write_bytes(rec.data)
    return path, rec


@pytest.fixture(scope="module")
def small() -> RecordFile:
    """A small batch stored before every crash, which must survive all of them."""
    return make_records(500, "BASE", seed=2)


def _base_store(path: Path, small: RecordFile) -> None:
    store = Store(path)
    assert ingest.process(store, small.data, "base.csv", user="t").stored
    store.close()


def _outcome(path: Path, big: RecordFile, small: RecordFile) -> tuple[str, int | None]:
    """Open the store after a crash; return ('none'|'whole', the big batch id if active)."""
    store = Store(path)
    try:
        with store.cursor() as cur:
            figures = check_invariants(cur, store.originals_folder)
            active = cur.execute(
                "SELECT batch_id, row_count FROM batches WHERE status = 'active' "
                "AND file_name = 'big.csv'"
            ).fetchall()
        assert len(active) <= 1, active
        if active:
            assert active[0][1] == big.rows
            assert figures["records"] == small.rows + big.rows
            assert figures["quantity"] == small.quantity + big.quantity
            return "whole", active[0][0]
        assert figures["records"] == small.rows
        assert figures["quantity"] == small.quantity
        return "none", None
    finally:
        store.close()


class Run:
    """One instrumented CLI process whose announcements are timed as they arrive."""

    def __init__(self, script: Path, args: list[str], hang: bool = False) -> None:
        self.started = time.monotonic()
        env = cli_env(HANG="1") if hang else cli_env()
        self.proc = subprocess.Popen(
            [PYTHON, str(script), *args],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        self.marks: dict[str, float] = {}
        self._events = {"STORING": threading.Event(), "IN_TRANSACTION": threading.Event()}
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            word = line.split()[0] if line.split() else ""
            if word in self._events:
                self.marks.setdefault(word, time.monotonic() - self.started)
                self._events[word].set()

    def wait_for(self, mark: str, timeout: float = 120) -> bool:
        """Wait until the process announces ``mark`` (False if it ended first)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._events[mark].wait(0.05):
                return True
            if self.proc.poll() is not None:
                self._reader.join(5)
                return self._events[mark].is_set()
        raise AssertionError(f"no {mark} within {timeout}s")

    def kill_after(self, delay: float) -> int | None:
        """SIGKILL the process ``delay`` seconds from now; return its exit code if it ended."""
        try:
            rc = self.proc.wait(timeout=max(delay, 0))
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            rc = None
        self._reader.join(5)
        return rc

    def finish(self) -> tuple[int, float]:
        """Let the process end; return its exit code and duration."""
        rc = self.proc.wait(timeout=300)
        self._reader.join(5)
        return rc, time.monotonic() - self.started


@pytest.fixture(scope="module")
def cli_script(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "instrumented_cli.py"
    path.write_text(INSTRUMENTED_CLI)
    return path


@pytest.mark.slow
def test_random_kills_during_ingest_keep_whole_batch_or_none(tmp_path, big, small, cli_script):
    big_path, rec = big
    db = tmp_path / "crash.duckdb"
    _base_store(db, small)
    ingest_args = ["ingest", str(big_path), "--db", str(db)]
    # A clean run first: it stores the whole file and times the kill windows.
    ref = Run(cli_script, ingest_args)
    rc, full = ref.finish()
    assert rc == 0
    storing_at = ref.marks["STORING"]
    outcome, batch_id = _outcome(db, rec, small)
    assert outcome == "whole"
    _rollback(db, batch_id, rec)

    rng = random.Random(SEED)
    log = []
    for i in range(KILLS):
        run = Run(cli_script, ingest_args)
        if i % 2:
            # Aimed at the write: a random moment after staging, up to the clean run's end.
            delay = rng.uniform(0, (full - storing_at) * 1.1)
            rc = run.kill_after(delay) if run.wait_for("STORING") else run.finish()[0]
            when = f"STORING+{delay:.2f}"
        else:
            # Anywhere in the run: start-up, decoding, staging, storing.
            delay = rng.uniform(0.2, full * 1.05)
            rc = run.kill_after(delay)
            when = f"{delay:.2f}"
        outcome, batch_id = _outcome(db, rec, small)
        log.append((when, "storing" if "STORING" in run.marks else "staging", rc, outcome))
        if rc == 0:
            assert outcome == "whole"
        if batch_id is not None:
            # Undo it so the next kill meets the same file again (and rollback is exercised).
            _rollback(db, batch_id, rec)
    print(f"\nclean ingest {full:.2f}s (storing at {storing_at:.2f}s)")
    print("kills (delay, phase reached, rc, outcome):", *log, sep="\n  ")
    killed = [entry for entry in log if entry[2] is None]
    assert len(killed) >= KILLS // 2, log
    assert any(entry[1] == "storing" for entry in killed), "no kill landed in the write"


def _rollback(db: Path, batch_id: int, rec: RecordFile) -> None:
    store = Store(db)
    assert store.rollback(batch_id, "t") == rec.rows
    store.close()


@pytest.mark.slow
def test_kill_inside_ingest_transaction_stores_nothing(tmp_path, big, small, cli_script):
    big_path, rec = big
    db = tmp_path / "tx.duckdb"
    _base_store(db, small)
    run = Run(cli_script, ["ingest", str(big_path), "--db", str(db)], hang=True)
    assert run.wait_for("IN_TRANSACTION")
    run.kill_after(0)
    assert _outcome(db, rec, small) == ("none", None)
    # The store still takes writes after the crash.
    store = Store(db)
    more = make_records(50, "AFTER", seed=3)
    assert ingest.process(store, more.data, "after.csv", user="t").stored
    with store.cursor() as cur:
        assert check_invariants(cur)["records"] == small.rows + more.rows
    store.close()


def _copy_store(src: Path, dst: Path) -> None:
    """Copy a closed store: the DuckDB file and its originals folder (a backup is both)."""
    shutil.copy(src, dst)
    folder = dst.with_name(dst.name + ".originals")
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(src.with_name(src.name + ".originals"), folder)


@pytest.fixture(scope="module")
def stored_template(tmp_path_factory, big, small) -> tuple[Path, int]:
    """A closed store holding the small batch and the big batch (to copy per run)."""
    path = tmp_path_factory.mktemp("tpl") / "stored.duckdb"
    _base_store(path, small)
    store = Store(path)
    report = ingest.process(store, big[1].data, "big.csv", user="t")
    assert report.stored
    store.close()
    return path, report.batch_id


@pytest.mark.slow
def test_kill_during_rollback_keeps_batch_or_removes_all(
    tmp_path, big, small, stored_template, cli_script
):
    _, rec = big
    template, batch_id = stored_template
    args = ["rollback", str(batch_id), "--db", str(tmp_path / "rb.duckdb")]
    db = tmp_path / "rb.duckdb"
    # Deterministic: killed inside the rollback transaction (rows deleted, not committed).
    _copy_store(template, db)
    run = Run(cli_script, args, hang=True)
    assert run.wait_for("IN_TRANSACTION")
    run.kill_after(0)
    assert _outcome(db, rec, small) == ("whole", batch_id)

    # Random moments of a real rollback run.
    rc, full = Run(cli_script, args).finish()
    assert rc == 0
    assert _outcome(db, rec, small) == ("none", None)
    rng = random.Random(SEED + 1)
    log = []
    for _ in range(3):
        _copy_store(template, db)
        delay = rng.uniform(full * 0.5, full * 1.05)
        rc = Run(cli_script, args).kill_after(delay)
        outcome, _ = _outcome(db, rec, small)
        log.append((round(delay, 2), rc, outcome))
        if rc == 0:
            assert outcome == "none"
        status = Store(db, keep_open=False).batch(batch_id)["status"]
        assert status == ("active" if outcome == "whole" else "rolled_back")
    print(f"\nclean rollback {full:.2f}s; kills (delay, rc, outcome): {log}")


def _figures(db: Path) -> tuple[int, int, int]:
    """Return (current records, their quantity, past versions) after checking invariants."""
    store = Store(db)
    try:
        with store.cursor() as cur:
            figures = check_invariants(cur, store.originals_folder)
            past = cur.execute("SELECT count(*) FROM record_past").fetchone()[0]
        return figures["records"], figures["quantity"], past
    finally:
        store.close()


@pytest.mark.slow
def test_kill_during_a_correction_leaves_the_store_before_or_fully_after(
    tmp_path, stored_template, cli_script
):
    template, _ = stored_template
    # The first 20,000 ids of the big batch again, with other values: a correction file.
    fix = make_records(20_000, "CRASH", seed=7)
    fix_path = tmp_path / "fix.csv"
    fix_path.write_bytes(fix.data)
    db = tmp_path / "fix.duckdb"
    args = ["ingest", str(fix_path), "--corrections", "--db", str(db)]
    _copy_store(template, db)
    before = _figures(db)
    rc, full = Run(cli_script, args).finish()
    assert rc == 0
    after = _figures(db)
    assert after[0] == before[0] and after[2] == before[2] + fix.rows  # replaced, not added
    assert after[1] != before[1]
    # Deterministic: killed inside the correction's transaction.
    _copy_store(template, db)
    run = Run(cli_script, args, hang=True)
    assert run.wait_for("IN_TRANSACTION")
    run.kill_after(0)
    assert _figures(db) == before
    rng = random.Random(SEED + 2)
    log = []
    for _ in range(3):
        _copy_store(template, db)
        delay = rng.uniform(full * 0.3, full * 1.05)
        rc = Run(cli_script, args).kill_after(delay)
        state = _figures(db)
        assert state in (before, after), (delay, rc, state)
        if rc == 0:
            assert state == after
        log.append((round(delay, 2), rc, "after" if state == after else "before"))
    print(f"\nclean correction {full:.2f}s; kills (delay, rc, outcome): {log}")
