"""Record pages: every page holds exactly the rows a plain sorted query puts there."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from pqtrack import ingest
from pqtrack.filters import RecordFilter
from pqtrack.store import queries
from tests.conftest import TODAY

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"


def _rows(df: pd.DataFrame) -> list[list]:
    """Cell values with every missing value as None (a page may hold an all-empty column)."""
    return df.astype(object).where(df.notna(), None).values.tolist()


def test_pages_tile_the_sorted_records(store):
    for path in sorted(SAMPLE.glob("*.csv")):
        assert ingest.process(store, path.read_bytes(), path.name, today=TODAY).stored
    for flt in (RecordFilter(), RecordFilter(phase="2021-2025", beneficiary_types=("enterprise",))):
        total = queries.count_records(store, flt)
        assert total > 10
        clause, params = queries.where(flt)
        want = store.query_df(
            f"SELECT {', '.join(queries.LIST_COLUMNS)} FROM records WHERE {clause} "  # noqa: S608
            "ORDER BY date DESC, batch_id DESC, row_number",
            params,
        )
        pages = [queries.list_records(store, flt, 7, off) for off in range(0, total + 7, 7)]
        assert all(len(p) == 7 for p in pages[: total // 7])
        assert pages[-1].empty
        got = pd.concat([p for p in pages if len(p)], ignore_index=True)
        assert list(got.columns) == list(want.columns)
        assert _rows(got) == _rows(want)
