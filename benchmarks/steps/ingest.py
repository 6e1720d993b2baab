"""Steps that write: generate the file, DuckDB's bare read of it, pqtrack's ingest of it,
and one province-sized batch into the big store."""

from __future__ import annotations

import argparse
import shutil
import time
from datetime import date
from pathlib import Path

from benchmarks.generate import SEED, generate
from benchmarks.measure import PeakRss, cpu_seconds
from benchmarks.step_times import StepTimes

SMALL_ROWS = 1_000


def step_generate(args: argparse.Namespace) -> dict:
    """Write the N-row record file."""
    mem = PeakRss()
    t0 = time.perf_counter()
    info = generate(Path(args.csv), args.rows, date.fromisoformat(args.today))
    info["seconds"] = time.perf_counter() - t0
    return {**info, **mem.stop()}


def step_bare(args: argparse.Namespace) -> dict:
    """Read the file into a DuckDB table with nothing but ``read_csv``: the yardstick."""
    import duckdb

    db = Path(args.db)
    db.unlink(missing_ok=True)
    mem = PeakRss()
    c0, t0 = cpu_seconds(), time.perf_counter()
    con = duckdb.connect(str(db))
    con.execute("CREATE TABLE t AS SELECT * FROM read_csv($p)", {"p": args.csv})
    con.execute("CHECKPOINT")
    rows = con.execute("SELECT count(*) FROM t").fetchone()[0]
    con.close()
    seconds = time.perf_counter() - t0
    return {"seconds": seconds, "cpu_seconds": cpu_seconds() - c0, "rows": rows, **mem.stop()}


def step_ingest(args: argparse.Namespace) -> dict:
    """Ingest the file into a new store (decode, validate, store), timing each named step."""
    from pqtrack.ingest import pipeline as ingest
    from pqtrack.store import Store, originals

    db = Path(args.db)
    db.unlink(missing_ok=True)
    Path(str(db) + ".wal").unlink(missing_ok=True)
    shutil.rmtree(originals.folder_for(db), ignore_errors=True)  # else the original is kept
    mem = PeakRss()
    times = StepTimes()
    c0, t0 = cpu_seconds(), time.perf_counter()
    with times.listening():
        store = Store(db)
        data = Path(args.csv).read_bytes()
        report = ingest.process(store, data, Path(args.csv).name, user="benchmark")
        del data
        with times.step("checkpoint"), store.cursor() as cur:
            cur.execute("CHECKPOINT")
        rows = store.scalar("SELECT count(*) FROM records")
        store.close()
    seconds = time.perf_counter() - t0
    cpu = cpu_seconds() - c0
    if not report.stored:
        msgs = report.messages("en")[:10]
        return {"error": "ingest refused: " + " | ".join(msgs), "seconds": seconds}
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "rows": rows,
        "rows_read": report.rows_read,
        "warnings": len(report.warnings),
        "phases": times.wall,
        "phases_cpu": times.cpu,
        **mem.stop(),
    }


def step_small(args: argparse.Namespace) -> dict:
    """Store one province-sized batch (new record ids, known and new units) into the store."""
    import pyarrow.compute as pc
    import pyarrow.csv as pcsv

    from pqtrack.ingest import pipeline as ingest
    from pqtrack.store import Store

    small = Path(args.db).with_name("small.csv")
    generate(small, SMALL_ROWS, date.fromisoformat(args.today), seed=SEED + 1)
    table = pcsv.read_csv(small, convert_options=pcsv.ConvertOptions(strings_can_be_null=False))
    ids = table.column(0)
    table = table.set_column(0, table.field(0), pc.binary_join_element_wise("S", ids, "-"))
    pcsv.write_csv(table, small)
    data = small.read_bytes()
    times = StepTimes()
    store = Store(args.db)
    c0, t0 = cpu_seconds(), time.perf_counter()
    with times.listening():
        report = ingest.process(store, data, small.name, user="benchmark")
    seconds, cpu = time.perf_counter() - t0, cpu_seconds() - c0
    store.close()
    small.unlink(missing_ok=True)
    if not report.stored:
        return {"error": "small batch refused: " + " | ".join(report.messages("en")[:5])}
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "rows": SMALL_ROWS,
        "phases": times.wall,
        "phases_cpu": times.cpu,
    }
