"""One store file, two processes: the serving dashboard and a scheduled CLI run."""

from __future__ import annotations

import json
import subprocess
import textwrap
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from pqtrack.ingest import pipeline as ingest
from pqtrack.store import Store
from tests.faults.support import PYTHON, check_invariants, cli_env, make_records

# Counts the lock conflicts a process meets (each one is a retry inside Store._connect).
COUNT_LOCKS = textwrap.dedent(
    """
    import atexit, os, sys
    import duckdb

    LOCKS = [0]
    _connect = duckdb.connect

    def _counting_connect(*args, **kwargs):
        try:
            return _connect(*args, **kwargs)
        except duckdb.IOException as exc:
            if "lock" in str(exc).lower():
                LOCKS[0] += 1
                if os.environ.get("LOCK_SIGNAL"):
                    open(os.environ["LOCK_SIGNAL"], "a").close()
            raise

    duckdb.connect = _counting_connect
    atexit.register(lambda: print(f"LOCK_CONFLICTS {LOCKS[0]}", file=sys.stderr))
    """
)

# The dashboard's store use without Streamlit: one Store for the process, queried in a loop
# (as sessions rerun their pages; each query holds the file a little while, like a page's
# heavier queries). keep_open=False holds the file only during each query; a query that
# meets the CLI's lock retries, and past lock_timeout reports StoreBusy, which the page shows
# as a message (counted here).
SERVER = COUNT_LOCKS + textwrap.dedent(
    """
    import json, time
    from pathlib import Path
    from pqtrack.store import Store, StoreBusy

    db, keep_open, lock_timeout, stop = sys.argv[1], sys.argv[2] == "1", float(sys.argv[3]), Path(sys.argv[4])
    store = Store(db, keep_open=keep_open, lock_timeout=lock_timeout)
    first = True
    while not stop.exists():
        try:
            with store.cursor() as cur:
                n, q = cur.execute(
                    "SELECT count(*), COALESCE(sum(quantity), 0) FROM records"
                ).fetchone()
                time.sleep(0.1)
            print(json.dumps({"records": n, "quantity": int(q), "locks": LOCKS[0]}), flush=True)
        except StoreBusy as exc:
            print(json.dumps({"busy": exc.code}), flush=True)
        if first:
            print("READY", flush=True)
            first = False
        time.sleep(0.1)
    store.close()
    """
)

# The real CLI, counting the lock conflicts it met on its way.
CLI = COUNT_LOCKS + textwrap.dedent(
    """
    from pqtrack.cli.main import main
    sys.exit(main(sys.argv[1:]))
    """
)


def _cli(
    tmp_path: Path, *args: str | Path, env: dict | None = None
) -> tuple[subprocess.CompletedProcess, int]:
    """Run the CLI; return its result and how many lock conflicts it retried through."""
    tmp_path.mkdir(exist_ok=True)
    script = tmp_path / "cli.py"
    script.write_text(CLI)
    done = subprocess.run(
        [PYTHON, str(script), *map(str, args)],
        capture_output=True,
        text=True,
        env=env or cli_env(),
        timeout=120,
        check=False,
    )
    tail = done.stderr.strip().splitlines()[-1]
    assert tail.startswith("LOCK_CONFLICTS "), done.stderr
    return done, int(tail.split()[1])


class Server:
    """A store-serving process started on a store file and stopped through a stop file."""

    def __init__(self, tmp_path: Path, db: Path, keep_open: bool, lock_timeout: float) -> None:
        script = tmp_path / "server.py"
        script.write_text(SERVER)
        self.stop_file = tmp_path / "stop"
        self.out_path = tmp_path / "server.out"
        self.out = self.out_path.open("w")
        self.proc = subprocess.Popen(
            [PYTHON, str(script), str(db), "1" if keep_open else "0", str(lock_timeout)]
            + [str(self.stop_file)],
            env=cli_env(),
            stdout=self.out,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 60
        while "READY" not in self.lines():
            assert self.proc.poll() is None, self.proc.stderr.read()
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.05)

    def lines(self) -> list[str]:
        return self.out_path.read_text().splitlines()

    def answers(self) -> list[dict]:
        return [json.loads(line) for line in self.lines() if line.startswith("{")]

    def stop(self) -> str:
        """Stop the server cleanly; return its stderr."""
        self.stop_file.touch()
        try:
            _, err = self.proc.communicate(timeout=60)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
            self.out.close()
        assert self.proc.returncode == 0, err
        return err


def _seed(db: Path, rows: int, prefix: str):
    rec = make_records(rows, prefix, seed=7)
    store = Store(db)
    assert ingest.process(store, rec.data, f"{prefix}.csv", user="t").stored
    store.close()
    return rec


@pytest.mark.slow
def test_cli_writes_while_dashboard_serves_with_keep_open_false(tmp_path):
    db = tmp_path / "shared.duckdb"
    base = _seed(db, 1000, "BASE")
    new = make_records(30_000, "CLI", seed=8)
    path = tmp_path / "new.csv"
    path.write_bytes(new.data)

    server = Server(tmp_path, db, keep_open=False, lock_timeout=2.0)
    try:
        time.sleep(0.5)  # let it serve a few queries first
        done, cli_locks = _cli(tmp_path, "ingest", path, "--db", db)
        assert done.returncode == 0, done.stderr
        assert "Traceback" not in done.stderr
        assert "30000" in done.stdout
        # Other commands run against the serving store too.
        progress, locks = _cli(tmp_path, "progress", "--phase", "2021-2025", "--json", "--db", db)
        assert progress.returncode == 0, progress.stderr
        cli_locks += locks
        out = tmp_path / "export.csv"
        exported, locks = _cli(tmp_path, "export", "--out", out, "--db", db)
        assert exported.returncode == 0, exported.stderr
        cli_locks += locks
        assert len(out.read_bytes().splitlines()) == 1 + base.rows + new.rows
        # The server then sees the new rows without restarting.
        after = {"records": base.rows + new.rows, "quantity": base.quantity + new.quantity}
        deadline = time.monotonic() + 30
        while after not in [
            {"records": a.get("records"), "quantity": a.get("quantity")} for a in server.answers()
        ]:
            assert time.monotonic() < deadline, server.answers()[-3:]
            time.sleep(0.1)
    finally:
        err = server.stop()
    assert "Traceback" not in err, err
    answers = server.answers()
    before = {"records": base.rows, "quantity": base.quantity}
    figures = [a for a in answers if "busy" not in a]
    states = [{"records": a["records"], "quantity": a["quantity"]} for a in figures]
    # Every answer the dashboard gave was the state before or after the batch, never between.
    assert all(a in (before, after) for a in states), [
        a for a in states if a not in (before, after)
    ]
    assert states[0] == before and states[-1] == after
    busy = [a for a in answers if "busy" in a]
    assert all(a == {"busy": "store.busy"} for a in busy)
    server_locks = figures[-1]["locks"]
    print(
        f"\nserver answered {len(figures)} queries, {len(busy)} busy messages, "
        f"{server_locks} lock conflicts retried; the CLI retried {cli_locks} conflicts"
    )
    # The two processes really met on the lock and the retries carried both through.
    assert server_locks + cli_locks > 0


@pytest.mark.slow
def test_cli_waits_then_explains_when_dashboard_holds_the_file(tmp_path):
    db = tmp_path / "held.duckdb"
    base = _seed(db, 200, "HELD")
    path = tmp_path / "new.csv"
    path.write_bytes(make_records(100, "LATE", seed=9).data)
    commands = {
        "ingest": ["ingest", path],
        "export": ["export", "--out", tmp_path / "x.csv"],
        "rollback": ["rollback", "1"],
        "report": ["report", "--phase", "2021-2025", "--out", tmp_path / "r.xlsx"],
    }
    server = Server(tmp_path, db, keep_open=True, lock_timeout=2.0)
    try:
        # All at once (each waits out its retry window), each with its own wrapper copy.
        started = time.monotonic()
        with ThreadPoolExecutor(len(commands)) as pool:
            futures = {
                name: pool.submit(_cli, tmp_path / name, *args, "--db", db)
                for name, args in commands.items()
            }
            results = {name: f.result() for name, f in futures.items()}
        elapsed = time.monotonic() - started
    finally:
        server.stop()
    for name, (done, cli_locks) in results.items():
        assert done.returncode == 1, (name, done.stdout, done.stderr)
        assert "Traceback" not in done.stderr, (name, done.stderr)
        assert "Another process is holding the store" in done.stderr, (name, done.stderr)
        assert str(db) in done.stderr
        assert cli_locks > 5, (name, cli_locks)  # it retried for a while before giving up
    message = results["ingest"][0].stderr.strip().splitlines()[0]
    print(f"\n{len(commands)} CLI commands gave up within {elapsed:.1f}s: {message}")
    store = Store(db)
    with store.cursor() as cur:
        assert check_invariants(cur)["records"] == base.rows
    assert store.batch(1)["status"] == "active"
    store.close()


# Holds the file in one long operation (until the CLI has met the lock, whatever the load),
# then (keep_open=False) must let it go while the process lives on.
HOLD_THEN_RELEASE = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from pqtrack.store import Store

    store = Store(sys.argv[1], keep_open=False)
    signal = Path(sys.argv[2])
    with store.cursor() as cur:
        cur.execute("SELECT count(*) FROM records").fetchone()
        print("HOLDING", flush=True)
        deadline = time.monotonic() + 60
        while not signal.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(1.0)
    print("RELEASED", flush=True)
    time.sleep(60)
    """
)


def test_cli_retries_through_a_long_dashboard_query_and_succeeds(tmp_path):
    db = tmp_path / "long.duckdb"
    base = _seed(db, 200, "LONG")
    late = make_records(300, "AFTER", seed=10)
    path = tmp_path / "late.csv"
    path.write_bytes(late.data)
    script = tmp_path / "hold.py"
    script.write_text(HOLD_THEN_RELEASE)
    signal = tmp_path / "cli-met-the-lock"
    holder = subprocess.Popen(
        [PYTHON, str(script), str(db), str(signal)],
        env=cli_env(),
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "HOLDING"
        env = cli_env(LOCK_SIGNAL=str(signal))
        done, cli_locks = _cli(tmp_path, "ingest", path, "--db", db, env=env)
        assert holder.stdout.readline().strip() == "RELEASED"
        assert holder.poll() is None  # the dashboard process is still up
    finally:
        holder.kill()
        holder.wait()
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert cli_locks > 0, "the CLI never met the lock"
    print(f"\nCLI retried {cli_locks} lock conflicts, then stored its file")
    store = Store(db)
    with store.cursor() as cur:
        assert check_invariants(cur)["records"] == base.rows + late.rows
    store.close()
