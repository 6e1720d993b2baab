"""National-scale benchmark: generate N records, ingest, query, render pages, compare.

    python benchmarks/run.py [--rows N] [--out benchmarks/RESULTS.md] [--workdir DIR]

One run, one machine:

1. generates a deterministic, realistic record file of N rows (vectorised, pyarrow;
   ``benchmarks/generate.py``);
2. times ``pqtrack`` ingest of it (decode, validate, store) and DuckDB's bare
   ``read_csv`` of the same file into a table, alternating, ``--pairs`` times each (default
   2), and prints the ratio of the fastest of each, and of each pair (target ≤ 2×);
3. times every query the pages use (median and p95 of repeated runs);
4. times each page's full script run with ``streamlit.testing`` AppTest (warm), when
   ``app.py`` exists;
5. measures peak RSS of each step in a subprocess of its own (psutil sampling and
   ``ru_maxrss``) so the peaks are separable;
6. compares the main aggregates with plain pandas (``pd.read_csv`` then ``groupby``).

It prints one table and writes it to RESULTS.md (one section per N; other sections kept).
Each step runs as ``run.py --step NAME ...`` in a child process that prints one JSON line.

The parts: ``generate.py`` (the file), ``steps/`` (ingest, queries, pages, pandas),
``step_times.py`` (the ingest's step timer, through ``pqtrack.steps``), ``measure.py``
(memory, repeated timings, the child's result line) and ``results.py`` (the table and
RESULTS.md); this module is the command line and runs the steps in turn.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if __package__ in (None, ""):  # run as a script: make the ``benchmarks`` package importable
    sys.path.insert(0, str(ROOT))

from benchmarks import measure, results  # noqa: E402
from benchmarks.steps.ingest import step_bare, step_generate, step_ingest, step_small  # noqa: E402
from benchmarks.steps.pages import step_pages  # noqa: E402
from benchmarks.steps.pandas_check import step_pandas  # noqa: E402
from benchmarks.steps.queries import step_queries  # noqa: E402

STEPS = {
    "generate": step_generate,
    "bare": step_bare,
    "ingest": step_ingest,
    "queries": step_queries,
    "small": step_small,
    "pages": step_pages,
    "pandas": step_pandas,
}


def run_step(name: str, args: argparse.Namespace, **extra: object) -> dict:
    """Run one step in a child process and return its JSON result."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--step", name]
    opts = {
        "rows": args.rows,
        "repeat": args.repeat,
        "page-repeat": args.page_repeat,
        "today": args.today,
        **extra,
    }
    for key, value in opts.items():
        cmd += [f"--{key}", str(value)]
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT)
    wall = time.perf_counter() - t0
    result = measure.parse(proc.stdout)
    if result is not None:
        result["wall_seconds"] = wall
        return result
    tail = (proc.stderr or proc.stdout)[-2000:]
    return {"error": f"step {name} failed (exit {proc.returncode}): {tail}"}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Read the command line (the ``--step`` options are for the child processes)."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "RESULTS.md")
    ap.add_argument("--workdir", type=Path, default=ROOT / "benchmarks" / "work")
    ap.add_argument("--repeat", type=int, default=20, help="runs per query (median, p95)")
    ap.add_argument("--page-repeat", type=int, default=3, help="warm runs per page")
    ap.add_argument("--today", default=date.today().isoformat())
    ap.add_argument("--keep", action="store_true", help="keep the CSV and store files")
    ap.add_argument(
        "--pairs", type=int, default=2, help="bare reads and ingests, alternating (fastest kept)"
    )
    ap.add_argument("--skip", default="", help="comma-separated steps to skip (pages,pandas)")
    ap.add_argument("--step", choices=sorted(STEPS), help=argparse.SUPPRESS)
    ap.add_argument("--csv", help=argparse.SUPPRESS)
    ap.add_argument("--db", help=argparse.SUPPRESS)
    return ap.parse_args(argv)


def run_child(args: argparse.Namespace) -> None:
    """Run step ``args.step`` here and print its result, an error included."""
    try:
        measure.emit(STEPS[args.step](args))
    except Exception as exc:  # report, do not hide
        import traceback

        traceback.print_exc()
        measure.emit({"error": f"{type(exc).__name__}: {exc}"})


def run_all(args: argparse.Namespace) -> dict:
    """Run every step in turn, each in a child process; return their results by name."""
    work = args.workdir / f"n{args.rows}"
    work.mkdir(parents=True, exist_ok=True)
    csv_path = work / "records.csv"
    store_db = work / "pqtrack.duckdb"
    bare_db = work / "bare.duckdb"
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    res: dict = {}

    def step(name: str, **extra: object) -> dict:
        print(f"[bench] {name} …", file=sys.stderr, flush=True)
        r = run_step(name, args, **extra)
        if "error" in r:
            print(f"[bench] {name}: {r['error'][:500]}", file=sys.stderr, flush=True)
        res[name] = r
        return r

    step("generate", csv=csv_path)
    # Bare read and ingest alternate, ``--pairs`` times each: the ratio compares the fastest
    # of each, as the same step on this kind of machine varies by up to a third run to run.
    runs: dict[str, list[dict]] = {"bare": [], "ingest": []}
    for _ in range(max(1, args.pairs)):
        runs["bare"].append(step("bare", csv=csv_path, db=bare_db))
        bare_db.unlink(missing_ok=True)
        runs["ingest"].append(step("ingest", csv=csv_path, db=store_db))
    for name, done in runs.items():
        res[name] = results.fastest_of(done)
        res[f"{name}_runs"] = done
    step("queries", db=store_db)
    if "pages" in skip:
        res["pages"] = {"skipped": "--skip pages"}
    else:
        step("pages", db=store_db)
    if "pandas" not in skip:
        step("pandas", csv=csv_path)
    # last: it adds records the figures above (and the pandas check) do not hold
    step("small", db=store_db)
    if not args.keep:
        for p in (csv_path, store_db, Path(str(store_db) + ".wal"), bare_db):
            p.unlink(missing_ok=True)
        shutil.rmtree(work, ignore_errors=True)
    return res


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark (or, with ``--step``, one of its steps); 1 if a main step failed."""
    args = parse_args(argv)
    if args.step:
        run_child(args)
        return 0
    started = time.perf_counter()
    load_at_start = os.getloadavg()[0]
    res = run_all(args)
    header = results.heading(args.rows, args.repeat, load_at_start, time.perf_counter() - started)
    section = results.render(results.build_rows(res), header)
    print(section)
    results.write_results(args.out, section)
    args.workdir.mkdir(parents=True, exist_ok=True)
    (args.workdir / f"results-{args.rows}.json").write_text(
        json.dumps(res, indent=1, default=str), encoding="utf-8"
    )
    failed = any("error" in res.get(k, {}) for k in ("generate", "bare", "ingest", "queries"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
