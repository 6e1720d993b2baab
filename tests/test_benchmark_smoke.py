"""The benchmark script keeps working: a 20,000-row run produces its table and RESULTS file."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from benchmarks import results

ROOT = Path(__file__).resolve().parents[1]
ROWS = 20_000


def test_benchmark_small_run(tmp_path):
    out = tmp_path / "RESULTS.md"
    work = tmp_path / "work"
    proc = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "run.py"),
            "--rows",
            str(ROWS),
            "--out",
            str(out),
            "--workdir",
            str(work),
            "--repeat",
            "2",
            "--page-repeat",
            "1",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "| measure | figure |" in proc.stdout
    text = out.read_text(encoding="utf-8")
    assert f"## N = {ROWS:,} rows" in text
    assert "cores" in text

    res = json.loads((work / f"results-{ROWS}.json").read_text(encoding="utf-8"))
    assert res["generate"]["rows"] == ROWS
    assert res["ingest"]["rows"] == ROWS
    assert res["bare"]["rows"] == ROWS
    # bare read and ingest alternate twice each; the ratio compares the fastest of each
    assert len(res["bare_runs"]) == len(res["ingest_runs"]) == 2
    assert res["bare"]["seconds"] == min(r["seconds"] for r in res["bare_runs"])
    assert res["ingest"]["seconds"] == min(r["seconds"] for r in res["ingest_runs"])
    assert "each pair in turn" in text
    assert res["ingest"]["seconds"] > 0 and res["bare"]["seconds"] > 0
    ratio = re.search(r"ingest ÷ bare read \| ([0-9.]+)×", text)
    assert ratio and float(ratio.group(1)) > 0
    for q in res["queries"]["queries"]:
        assert 0 < q["median_ms"] <= q["p95_ms"]
    assert res["queries"]["export_rows"] > 0
    assert res["ingest"]["rss_peak_mb"] > 0
    # plain pandas on the same file agrees with the store's figures
    assert res["pandas"]["check"] == res["queries"]["check"]
    # a province-sized batch into the big store updates the summary, not rebuilds it
    assert res["small"]["rows"] == 1_000 and res["small"]["seconds"] > 0
    assert "summary update with one batch (after COMMIT)" in res["small"]["phases"]
    assert "summary rebuild (after COMMIT)" not in res["small"]["phases"]
    # the work files are removed after the run
    assert not (work / f"n{ROWS}" / "records.csv").exists()


def test_results_file_keeps_earlier_runs_and_notes(tmp_path):
    out = tmp_path / "RESULTS.md"
    results.write_results(out, "## N = 1,000 rows — first run\n\n| a | 1 |\n")
    with out.open("a", encoding="utf-8") as fh:
        fh.write("\n## What the figures mean (by hand)\n\nkept as written\n")
    results.write_results(out, "## N = 1,000 rows — second run\n\n| a | 2 |\n")
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Benchmark results")
    assert text.index("first run") < text.index("kept as written") < text.index("second run")
