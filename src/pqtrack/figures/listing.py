"""Records one by one: counting, a page at a time, and in file order for exports."""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd

from pqtrack.domain.filters import RecordFilter
from pqtrack.figures.queries import where
from pqtrack.store import Store
from pqtrack.store.migrations import TAX_CODE_SQL

LIST_COLUMNS: tuple[str, ...] = (
    "record_id",
    "date",
    "indicator",
    "quantity",
    "beneficiary_name",
    "beneficiary_type",
    "tax_code",
    "locality",
    "district",
    "commune",
    "sector",
    "standard",
    "funding_vnd",
    "participants",
    "note",
    "batch_id",
)


# A beneficiary's key is 't:' and the tax code when a record gives one (schema 9): the
# tax code is kept once, in ``beneficiaries``, and records hold the beneficiary's number.
_TAX_CODE = TAX_CODE_SQL
# How each listed column is read over ``records r``, ``names n`` and ``beneficiaries b``:
# names and tax codes are kept once, records hold their numbers.
_LIST_EXPRS = {"beneficiary_name": "n.name", "tax_code": _TAX_CODE}
_LIST_SQL = ", ".join(f"{_LIST_EXPRS.get(c, 'r.' + c)} AS {c}" for c in LIST_COLUMNS)
_PEOPLE_JOIN = (
    " LEFT JOIN names n ON n.name_id = r.name_id"
    " LEFT JOIN beneficiaries b ON b.beneficiary_id = r.beneficiary_id"
)
# Every record with its name and tax code (fixed SQL), for tools and checks that read
# whole records.
RECORD_ROWS = (
    f"(SELECT r.*, n.name AS beneficiary_name, {_TAX_CODE} AS tax_code FROM records r"
    f"{_PEOPLE_JOIN})"
)


def count_records(store: Store, flt: RecordFilter) -> int:
    """Return how many records match ``flt``."""
    clause, params = where(flt)
    return int(store.scalar(f"SELECT count(*) FROM records WHERE {clause}", params))


def list_records(store: Store, flt: RecordFilter, limit: int, offset: int = 0) -> pd.DataFrame:
    """Return one page of matching records, newest first."""
    clause, params = where(flt)
    params = {**params, "limit": limit, "offset": offset}
    # Sort keys first, whole rows for the page only: a deep page skips rows, not columns.
    return store.query_df(
        "WITH page AS (SELECT rowid AS rid, date, batch_id, row_number FROM records "
        f"WHERE {clause} ORDER BY date DESC, batch_id DESC, row_number "
        f"LIMIT $limit OFFSET $offset) SELECT {_LIST_SQL} FROM page p "
        "JOIN records r ON r.rowid = p.rid"
        + _PEOPLE_JOIN
        + " ORDER BY p.date DESC, p.batch_id DESC, p.row_number",
        params,
    )


def iter_records(
    store: Store, flt: RecordFilter, chunk_rows: int = 100_000
) -> Iterator[pd.DataFrame]:
    """Yield the matching records in file order, a chunk at a time."""
    clause, params = where(flt)
    sql = (
        f"SELECT {_LIST_SQL} FROM (SELECT * FROM records WHERE {clause}) r"
        + _PEOPLE_JOIN
        + " ORDER BY r.date, r.batch_id, r.row_number"
    )
    with store.cursor() as cur:
        reader = cur.sql(sql, params=params).to_arrow_reader(chunk_rows)
        for batch in reader:
            yield batch.to_pandas()
