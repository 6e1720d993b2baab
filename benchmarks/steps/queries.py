"""The queries step: every query the pages, exports and CLI use, timed on the big store
(median and p95), and the figures the pandas comparison checks against."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date

from benchmarks.measure import PHASE, PeakRss, timed_runs


def _query_cases(store, today: date) -> list[tuple[str, str, Callable[[], object]]]:  # noqa: ANN001
    """Return (kind, label, run) for each query timed; kinds group them in the table."""
    from pqtrack.domain.filters import RecordFilter
    from pqtrack.figures import listing, queries
    from pqtrack.report import export
    from pqtrack.service import progress

    phase = RecordFilter(phase=PHASE)
    narrow = RecordFilter(
        phase=PHASE, indicators=("management_system",), localities=("Huyện Kế Sách",)
    )
    two_places = RecordFilter(phase=PHASE, localities=("Huyện Kế Sách", "Thị xã Vĩnh Châu"))
    one_type = RecordFilter(phase=PHASE, beneficiary_types=("cooperative",))
    two_indicators = RecordFilter(phase=PHASE, indicators=("management_system", "product_standard"))
    searched = RecordFilter(phase=PHASE, search="hợp tác xã thủy sản")
    export_set = RecordFilter(
        date_from=date(2024, 1, 1), date_to=date(2024, 12, 31), indicators=("management_system",)
    )
    cases: list[tuple[str, str, Callable[[], object]]] = [
        (
            "aggregate",
            "progress (actuals per indicator)",
            lambda: progress.phase_progress(store, PHASE, today),
        ),
        (
            "aggregate",
            "pacing (cumulative per day)",
            lambda: progress.cumulative_series(store, PHASE, today),
        ),
    ]
    for dim in queries.DIMENSIONS:
        cases.append(
            ("aggregate", f"breakdown by {dim}", lambda d=dim: queries.breakdown(store, d, phase))
        )
    cases += [
        (
            "aggregate",
            "distinct beneficiaries (totals)",
            lambda: queries.beneficiary_totals(store, phase),
        ),
        ("aggregate", "totals, narrow filter", lambda: queries.beneficiary_totals(store, narrow)),
        (  # the beneficiaries page's figures when two indicators are picked
            "aggregate",
            "totals, two indicators",
            lambda: queries.beneficiary_totals(store, two_indicators),
        ),
        # Filters no page offers for aggregates (the records page lists and counts): the
        # per-phase summary cannot answer them, they read the records.
        (
            "stress",
            "totals, two localities (reads records)",
            lambda: queries.beneficiary_totals(store, two_places),
        ),
        (
            "stress",
            "breakdown by locality, one type (reads records)",
            lambda: queries.breakdown(store, "locality", one_type),
        ),
        ("listing", "count (phase)", lambda: listing.count_records(store, phase)),
        ("listing", "count (search)", lambda: listing.count_records(store, searched)),
        ("listing", "list page 1 (50 rows)", lambda: listing.list_records(store, phase, 50, 0)),
        (
            "listing",
            "list page 200 (OFFSET 10,000)",
            lambda: listing.list_records(store, phase, 50, 10_000),
        ),
        ("listing", "list page 1, search", lambda: listing.list_records(store, searched, 50, 0)),
        (
            "listing",
            "distinct localities (filter options)",
            lambda: queries.distinct_values(store, "locality"),
        ),
        ("listing", "data version (cache key)", store.data_version),
        ("export", "export CSV, 1 indicator × 2024", lambda: export.csv_bytes(store, export_set)),
        ("export", "export XLSX, 1 indicator × 2024", lambda: export.xlsx_bytes(store, export_set)),
    ]
    return cases


def step_queries(args: argparse.Namespace) -> dict:
    """Time each query case ``--repeat`` times (exports a quarter as often)."""
    from pqtrack.domain.filters import RecordFilter
    from pqtrack.figures import queries
    from pqtrack.store import Store

    today = date.fromisoformat(args.today)
    store = Store(args.db)
    mem = PeakRss()
    results = []
    for kind, label, fn in _query_cases(store, today):
        repeat = max(3, args.repeat // 4) if kind == "export" else args.repeat
        res = timed_runs(fn, repeat)
        results.append({"kind": kind, "label": label, **res})
    from pqtrack.report import export

    export_rows = (
        len(
            export.csv_bytes(
                store,
                RecordFilter(
                    date_from=date(2024, 1, 1),
                    date_to=date(2024, 12, 31),
                    indicators=("management_system",),
                ),
            ).splitlines()
        )
        - 1
    )
    # the figures the pandas comparison checks against
    ph_start, ph_end = date(2021, 1, 1), date(2025, 12, 31)
    act = queries.actuals(store, ph_start, min(today, ph_end))
    check = {
        "qty": {r.indicator: int(r.actual) for r in act.itertuples()},
        "turns": int(act["turns"].sum()),
        "funding": int(act["funding_vnd"].sum()),
        "beneficiaries": queries.beneficiary_totals(store, RecordFilter(phase=PHASE))[
            "beneficiaries"
        ],
    }
    store.close()
    return {"queries": results, "export_rows": export_rows, "check": check, **mem.stop()}
