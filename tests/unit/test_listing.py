"""Record pages: every page holds exactly the rows a plain sorted query puts there."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from pqtrack.domain.filters import RecordFilter
from pqtrack.figures import listing, queries
from pqtrack.ingest import pipeline as ingest
from tests.support import TODAY

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"


def _rows(df: pd.DataFrame) -> list[list]:
    """Cell values with every missing value as None (a page may hold an all-empty column)."""
    return df.astype(object).where(df.notna(), None).values.tolist()


def test_pages_tile_the_sorted_records(store):
    for path in sorted(SAMPLE.glob("*.csv")):
        assert ingest.process(store, path.read_bytes(), path.name, today=TODAY).stored
    for flt in (RecordFilter(), RecordFilter(phase="2021-2025", beneficiary_types=("enterprise",))):
        total = listing.count_records(store, flt)
        assert total > 10
        clause, params = queries.where(flt)
        want = store.query_df(
            f"SELECT {', '.join(listing.LIST_COLUMNS)} FROM "  # noqa: S608
            f"{listing.RECORD_ROWS} WHERE {clause} "
            "ORDER BY date DESC, batch_id DESC, row_number",
            params,
        )
        pages = [listing.list_records(store, flt, 7, off) for off in range(0, total + 7, 7)]
        assert all(len(p) == 7 for p in pages[: total // 7])
        assert pages[-1].empty
        got = pd.concat([p for p in pages if len(p)], ignore_index=True)
        assert list(got.columns) == list(want.columns)
        assert _rows(got) == _rows(want)


def test_search_finds_names_without_diacritics_across_batches(store):
    head = "date,indicator,beneficiary_name,beneficiary_type,tax_code\r\n"
    first = head + (
        "15/03/2023,product_standard,Hợp tác xã Thủy sản Mỹ Thanh,HTX,\r\n"
        "16/03/2023,product_standard,Công ty TNHH Lúa Vàng,DN,2200000001\r\n"
    )
    later = head + (
        "17/03/2023,management_system,Hợp tác xã thủy sản Mỹ Thanh,HTX,\r\n"  # other case
        "18/03/2023,management_system,Hộ kinh doanh Ba Tri,HKD,\r\n"
        "19/03/2023,workshop,,,\r\n"
    )
    for name, text in (("a.csv", first), ("b.csv", later)):
        assert ingest.process(store, text.encode(), name, today=TODAY).stored

    def found(search: str) -> list[str]:
        flt = RecordFilter(phase="2021-2025", search=search)
        rows = listing.list_records(store, flt, 50)
        assert listing.count_records(store, flt) == len(rows)
        return sorted(rows["beneficiary_name"])

    assert found("hop tac xa thuy san") == [
        "Hợp tác xã Thủy sản Mỹ Thanh",
        "Hợp tác xã thủy sản Mỹ Thanh",
    ]
    assert found("BA TRI") == ["Hộ kinh doanh Ba Tri"]
    assert found("2200000001") == ["Công ty TNHH Lúa Vàng"]  # the tax code, as typed
    assert found("0000001") == ["Công ty TNHH Lúa Vàng"]  # part of it
    assert found("không có") == []
    # each distinct name is kept once, numbered once, whichever batch brought it
    assert store.scalar("SELECT count(*) FROM names") == 4
    assert store.scalar("SELECT count(DISTINCT name_id) FROM records") == 4
