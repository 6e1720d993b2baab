"""Read queries the pages, exports and CLI use; every value is a bound parameter."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pandas as pd

from pqtrack.filters import RecordFilter
from pqtrack.store.core import Store
from pqtrack.text import fold_words

# Breakdown dimensions: name → SQL expression (allow-list; never user text).
DIMENSIONS: dict[str, str] = {
    "indicator": "indicator",
    "beneficiary_type": "beneficiary_type",
    "locality": "locality",
    "district": "district",
    "commune": "commune",
    "sector": "sector",
    "standard": "standard",
    "year": "CAST(year(date) AS INTEGER)",
}

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


def where(flt: RecordFilter) -> tuple[str, dict]:
    """Return a WHERE clause with named parameters for ``flt``."""
    parts: list[str] = ["TRUE"]
    params: dict = {}
    start, end = flt.window()
    if start:
        parts.append("date >= $w_start")
        params["w_start"] = start
    if end:
        parts.append("date <= $w_end")
        params["w_end"] = end
    lists = {
        "indicators": "indicator",
        "beneficiary_types": "beneficiary_type",
        "localities": "locality",
        "sectors": "sector",
    }
    for attr, column in lists.items():
        values = list(getattr(flt, attr))
        if values:
            parts.append(f"list_contains($f_{attr}, {column})")
            params[f"f_{attr}"] = values
    if flt.search.strip():
        parts.append("(contains(name_key, $f_search) OR contains(tax_code, $f_raw))")
        params["f_search"] = fold_words(flt.search)
        params["f_raw"] = flt.search.strip()
    if flt.batch_id is not None:
        parts.append("batch_id = $f_batch")
        params["f_batch"] = flt.batch_id
    return " AND ".join(parts), params


def actuals(store: Store, start: date, end: date) -> pd.DataFrame:
    """Return per indicator: actual (sum of quantity), turns, distinct beneficiaries, funding."""
    return store.query_df(
        "SELECT indicator, sum(quantity) AS actual, count(*) AS turns, "
        "count(DISTINCT beneficiary_key) AS beneficiaries, sum(funding_vnd) AS funding_vnd "
        "FROM records WHERE date BETWEEN $start AND $end GROUP BY indicator",
        {"start": start, "end": end},
    )


def cumulative(store: Store, start: date, end: date) -> pd.DataFrame:
    """Return per indicator and day the cumulative quantity within the window."""
    return store.query_df(
        "SELECT indicator, date, sum(sum(quantity)) OVER (PARTITION BY indicator ORDER BY date) "
        "AS cumulative FROM records WHERE date BETWEEN $start AND $end "
        "GROUP BY indicator, date ORDER BY indicator, date",
        {"start": start, "end": end},
    )


def breakdown(store: Store, dimension: str, flt: RecordFilter) -> pd.DataFrame:
    """Return per indicator and ``dimension`` value: turns, quantity, beneficiaries, funding."""
    expr = DIMENSIONS[dimension]
    clause, params = where(flt)
    sql = (
        f"SELECT indicator, {expr} AS {dimension}, count(*) AS turns, "  # noqa: S608 - allow-list
        "sum(quantity) AS quantity, count(DISTINCT beneficiary_key) AS beneficiaries, "
        f"sum(funding_vnd) AS funding_vnd FROM records WHERE {clause} "
        "GROUP BY ALL ORDER BY indicator, quantity DESC"
    )
    return store.query_df(sql, params)


def beneficiary_totals(store: Store, flt: RecordFilter) -> dict:
    """Return overall turns, quantity, distinct beneficiaries and funding for ``flt``."""
    clause, params = where(flt)
    df = store.query_df(
        "SELECT count(*) AS turns, COALESCE(sum(quantity), 0) AS quantity, "  # noqa: S608
        "count(DISTINCT beneficiary_key) AS beneficiaries, "
        f"COALESCE(sum(funding_vnd), 0) AS funding_vnd FROM records WHERE {clause}",
        params,
    )
    return {k: int(v) for k, v in df.iloc[0].items()}


def count_records(store: Store, flt: RecordFilter) -> int:
    """Return how many records match ``flt``."""
    clause, params = where(flt)
    return int(store.scalar(f"SELECT count(*) FROM records WHERE {clause}", params))  # noqa: S608


def list_records(store: Store, flt: RecordFilter, limit: int, offset: int = 0) -> pd.DataFrame:
    """Return one page of matching records, newest first."""
    clause, params = where(flt)
    cols = ", ".join(LIST_COLUMNS)
    params = {**params, "limit": limit, "offset": offset}
    return store.query_df(
        f"SELECT {cols} FROM records WHERE {clause} "  # noqa: S608 - allow-listed columns
        "ORDER BY date DESC, batch_id DESC, row_number LIMIT $limit OFFSET $offset",
        params,
    )


def iter_records(
    store: Store, flt: RecordFilter, chunk_rows: int = 100_000
) -> Iterator[pd.DataFrame]:
    """Yield the matching records in file order, a chunk at a time."""
    clause, params = where(flt)
    cols = ", ".join(LIST_COLUMNS)
    sql = (
        f"SELECT {cols} FROM records WHERE {clause} "  # noqa: S608 - allow-listed columns
        "ORDER BY date, batch_id, row_number"
    )
    with store.cursor() as cur:
        reader = cur.sql(sql, params=params).to_arrow_reader(chunk_rows)
        for batch in reader:
            yield batch.to_pandas()


def distinct_values(store: Store, column: str) -> list[str]:
    """Return the distinct non-empty values of an allow-listed text column."""
    if column not in ("locality", "sector", "standard", "district", "commune"):
        raise KeyError(column)
    rows = store.query_rows(
        f"SELECT DISTINCT {column} FROM records WHERE {column} IS NOT NULL "  # noqa: S608
        f"ORDER BY {column}"
    )
    return [r[0] for r in rows]


def last_record_date(store: Store) -> date | None:
    """Return the latest activity date stored."""
    return store.scalar("SELECT max(date) FROM records")


MAP_LEVELS: dict[str, str] = {"commune": "commune", "district": "district"}


def map_values(store: Store, level: str, flt: RecordFilter) -> tuple[pd.DataFrame, dict]:
    """Return per unit of ``level`` turns, quantity, beneficiaries, funding; and unmatched totals.

    Unmatched means a locality was typed but not placed at this level (unknown names and,
    for communes, district-only records); records without a locality are counted apart.
    """
    column = MAP_LEVELS[level]
    clause, params = where(flt)
    units = store.query_df(
        f"SELECT {column} AS unit, count(*) AS turns, sum(quantity) AS quantity, "  # noqa: S608
        "count(DISTINCT beneficiary_key) AS beneficiaries, "
        f"COALESCE(sum(funding_vnd), 0) AS funding_vnd FROM records WHERE {clause} "
        f"AND {column} IS NOT NULL GROUP BY 1 ORDER BY 1",
        params,
    )
    rest = store.query_df(
        "SELECT count(*) FILTER (WHERE locality IS NOT NULL) AS turns, "  # noqa: S608
        "COALESCE(sum(quantity) FILTER (WHERE locality IS NOT NULL), 0) AS quantity, "
        "count(DISTINCT beneficiary_key) FILTER (WHERE locality IS NOT NULL) AS beneficiaries, "
        "COALESCE(sum(funding_vnd) FILTER (WHERE locality IS NOT NULL), 0) AS funding_vnd, "
        "count(*) FILTER (WHERE locality IS NULL) AS no_locality "
        f"FROM records WHERE {clause} AND {column} IS NULL",
        params,
    )
    return units, {k: int(v) for k, v in rest.iloc[0].items()}
