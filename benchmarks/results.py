"""The results writer: the table of one run (measure, figure, target, verdict), its
markdown, and RESULTS.md, one section per run appended after the earlier ones."""

from __future__ import annotations

import os
import platform
from datetime import datetime
from pathlib import Path

from benchmarks.step_times import SUMMARY_ADD_STEP, SUMMARY_STEP

Row = tuple[str, str, str, str]
# Steps the benchmark times itself, not the pipeline.
OWN_STEPS = ("checkpoint",)
NO_STEPS = "no steps reported"


class Table:
    """Rows of (measure, figure, target, verdict)."""

    def __init__(self) -> None:
        self.rows: list[Row] = []

    def add(self, measure: str, figure: str, target: str = "", ok: bool | None = None) -> None:
        verdict = "" if ok is None else ("ok" if ok else "**MISS**")
        self.rows.append((measure, figure, target, verdict))


def fastest_of(runs: list[dict]) -> dict:
    """Return the fastest of ``runs`` of one step, with the highest peak RSS of them all."""
    good = [r for r in runs if "error" not in r]
    if not good:
        return runs[-1]
    best = dict(min(good, key=lambda r: r["seconds"]))
    best["rss_peak_mb"] = max(r.get("rss_peak_mb", 0.0) for r in good)
    return best


def _fmt_ms(v: float | None) -> str:
    return "—" if v is None else (f"{v:,.1f}" if v < 100 else f"{v:,.0f}")


def _each(runs: list[dict]) -> str:
    times = [f"{r['seconds']:.2f}" for r in runs if "seconds" in r]
    return f"; runs {', '.join(times)} s" if len(times) > 1 else ""


def reported(phases: dict[str, float]) -> bool:
    """Return whether the pipeline reported any step (not only the benchmark's own)."""
    return any(name not in OWN_STEPS for name in phases)


def _ingest(t: Table, res: dict) -> None:
    gen, bare, ing = res["generate"], res["bare"], res["ingest"]
    bare_runs, ing_runs = res.get("bare_runs", [bare]), res.get("ingest_runs", [ing])
    t.add("generate file", f"{gen.get('seconds', 0):.1f} s, {gen.get('bytes', 0) / 2**20:,.0f} MiB")
    bare_s, bare_cpu = bare.get("seconds", 0), bare.get("cpu_seconds", 0)
    t.add(
        "bare DuckDB read_csv → table (fastest run)",
        f"{bare_s:.2f} s (CPU {bare_cpu:.2f} s){_each(bare_runs)}",
    )
    if "error" in ing:
        t.add("pqtrack ingest", "FAILED: " + ing["error"][:300])
        return
    t.add(
        "pqtrack ingest (decode, validate, store; fastest run)",
        f"{ing['seconds']:.2f} s (CPU {ing['cpu_seconds']:.2f} s){_each(ing_runs)}",
    )
    ratio = ing["seconds"] / bare["seconds"] if bare.get("seconds") else float("nan")
    of = f" (fastest of {len(ing_runs)} each)" if len(ing_runs) > 1 else ""
    t.add("ingest ÷ bare read", f"{ratio:.2f}×{of}", "≤ 2×", ratio <= 2)
    pairs = [
        f"{i['seconds'] / b['seconds']:.2f}×"
        for b, i in zip(bare_runs, ing_runs, strict=False)
        if "seconds" in b and "seconds" in i and "error" not in i
    ]
    if len(pairs) > 1:
        t.add("ingest ÷ bare read, each pair in turn", ", ".join(pairs))
    if bare.get("cpu_seconds"):
        cpu_ratio = ing["cpu_seconds"] / bare["cpu_seconds"]
        t.add("ingest ÷ bare read, CPU time", f"{cpu_ratio:.2f}×", "≤ 2×", cpu_ratio <= 2)
    phases = ing.get("phases", {})
    rebuild = phases.get(SUMMARY_STEP)
    if rebuild is not None and bare.get("seconds"):
        rebuild_cpu = ing.get("phases_cpu", {}).get(SUMMARY_STEP, 0.0)
        t.add(
            "ingest up to COMMIT (without the summary rebuild) ÷ bare read",
            f"{(ing['seconds'] - rebuild) / bare['seconds']:.2f}× "
            f"(CPU {(ing['cpu_seconds'] - rebuild_cpu) / bare['cpu_seconds']:.2f}×)",
            "≤ 2×",
            (ing["seconds"] - rebuild) / bare["seconds"] <= 2,
        )
    t.add("records stored", f"{ing['rows']:,}", f"{gen['rows']:,}", ing["rows"] == gen["rows"])
    if not reported(phases):
        t.add("  ingest steps", NO_STEPS)
    for phase, sec in phases.items():
        t.add(f"  ingest step: {phase}", f"{sec:.2f} s")


def _small(t: Table, res: dict) -> None:
    small = res.get("small", {})
    if "error" in small:
        t.add("small batch into the store", "FAILED: " + small["error"][:300])
        return
    if not small:
        return
    phases = small.get("phases", {})
    if not reported(phases):
        steps = f"; {NO_STEPS}"
    else:
        steps = f", of which summary update {phases.get(SUMMARY_ADD_STEP, 0.0):.2f} s"
        if SUMMARY_STEP in phases:
            steps += f", rebuild {phases[SUMMARY_STEP]:.2f} s"
    t.add(
        f"{small['rows']:,}-row batch into the {res['generate'].get('rows', 0):,}-row store",
        f"{small['seconds']:.2f} s (CPU {small['cpu_seconds']:.2f} s){steps}",
    )


def _memory(t: Table, res: dict) -> None:
    for key, label in (("ingest", "ingest"), ("bare", "bare read"), ("queries", "queries")):
        r = res.get(key, {})
        if "rss_peak_mb" in r:
            t.add(
                f"peak RSS: {label}",
                f"{r['rss_peak_mb']:,.0f} MiB (process at start {r['rss_baseline_mb']:,.0f})",
            )


def _queries(t: Table, res: dict) -> None:
    q = res.get("queries", {})
    agg_target = 100.0
    for item in q.get("queries", []):
        target, ok = "", None
        if item["kind"] in ("aggregate", "stress"):
            target = f"p95 ≤ {agg_target:.0f} ms @10M"
            target += " (no page asks)" if item["kind"] == "stress" else ""
            ok = item["p95_ms"] <= agg_target
        t.add(
            f"query: {item['label']}",
            f"median {_fmt_ms(item['median_ms'])} ms, p95 {_fmt_ms(item['p95_ms'])} ms",
            target,
            ok,
        )
    if "export_rows" in q:
        t.add("  export set size", f"{q['export_rows']:,} rows")


def _pages(t: Table, res: dict) -> None:
    pages = res.get("pages", {})
    if "skipped" in pages:
        t.add("pages (AppTest, warm)", "skipped: " + pages["skipped"])
        return
    if "error" in pages:
        t.add("pages (AppTest, warm)", "FAILED: " + pages["error"][:300])
        return
    for p in pages.get("pages", []):
        if "median_ms" in p:
            note = f" (error: {p['error']})" if "error" in p else ""
            t.add(
                f"page: {p['label']}",
                f"median {_fmt_ms(p['median_ms'])} ms, max {_fmt_ms(p['max_ms'])} ms{note}",
                "≤ 1 s @1M",
                p["max_ms"] <= 1000 and "error" not in p,
            )
        else:
            t.add(f"page: {p['label']}", "FAILED: " + p.get("error", "?"))
    if "rss_peak_mb" in pages:
        t.add(
            "peak RSS: page runs",
            f"{pages['rss_peak_mb']:,.0f} MiB (process at start {pages['rss_baseline_mb']:,.0f})",
        )


def _pandas(t: Table, res: dict) -> None:
    pd_res, q, ing = res.get("pandas", {}), res.get("queries", {}), res["ingest"]
    if "error" in pd_res:
        t.add("pandas comparison", "FAILED: " + pd_res["error"][:300])
        return
    if not pd_res:
        return
    t.add(
        "pandas: read_csv + parse",
        f"{pd_res['load_seconds']:.2f} s (pqtrack ingest {ing.get('seconds', float('nan')):.2f} s)",
    )
    by_label = {i["label"]: i for i in q.get("queries", [])}
    for label, timing in pd_res["aggregates"].items():
        mine = by_label.get(label)
        if mine:
            ratio = timing["median_ms"] / mine["median_ms"]
            t.add(
                f"pandas ÷ pqtrack: {label}",
                f"{ratio:.1f}× (pandas {_fmt_ms(timing['median_ms'])} ms)",
            )
    t.add("peak RSS: pandas", f"{pd_res['rss_peak_mb']:,.0f} MiB")
    same = pd_res.get("check") == q.get("check")
    t.add(
        "pandas figures = pqtrack figures",
        "yes" if same else f"NO: pandas {pd_res.get('check')} vs pqtrack {q.get('check')}",
        "equal",
        same,
    )


def build_rows(res: dict) -> list[Row]:
    """Return (measure, figure, target, verdict) rows for the table of one run."""
    t = Table()
    for section in (_ingest, _small, _memory, _queries, _pages, _pandas):
        section(t, res)
    return t.rows


def heading(rows: int, repeat: int, load_at_start: float, seconds: float) -> str:
    """Return the section's title and the line on the machine and the run."""
    import duckdb

    return (
        f"## N = {rows:,} rows — {datetime.now():%Y-%m-%d %H:%M}\n\n"
        f"Machine: {os.cpu_count()} cores, {platform.machine()}, {platform.system()} "
        f"{platform.release()}; Python {platform.python_version()}, DuckDB {duckdb.__version__}; "
        f"queries: {repeat} runs each after 1 warm-up; "
        f"load average at start {load_at_start:.1f} (wall times suffer when it exceeds the cores); "
        f"whole run {seconds:,.0f} s."
    )


def render(rows: list[Row], header: str) -> str:
    """Return the run's section: ``header`` and the rows as a markdown table."""
    lines = [header, "", "| measure | figure | target | |", "|---|---|---|---|"]
    for r in rows:
        lines.append("| " + " | ".join(x.replace("|", "/") for x in r) + " |")
    return "\n".join(lines) + "\n"


def write_results(out: Path, section: str) -> None:
    """Append the ``section`` of an N-row run to ``out``, keeping earlier runs and notes."""
    title = "# Benchmark results\n\nWritten by `python benchmarks/run.py --rows N`.\n"
    text = out.read_text(encoding="utf-8") if out.exists() else title
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text.rstrip("\n") + "\n\n" + section.rstrip("\n") + "\n", encoding="utf-8")
