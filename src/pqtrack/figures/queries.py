"""Read queries the pages, exports and CLI use; every value is a bound parameter.

A figure comes from the per-phase summary when it is fresh and fits the filter (fast path),
else from ``records`` (fallback, exact for any filter); tests hold both to one answer."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd

from pqtrack.domain import plan
from pqtrack.domain.filters import RecordFilter
from pqtrack.store import distinct, summary, versions
from pqtrack.store.core import Store
from pqtrack.text import fold_words

# Breakdown dimensions: name → SQL expression (allow-list; never user text).
DIMENSIONS: dict[str, str] = summary.SUMMARY_DIMENSIONS
# How a dimension's value is typed when read back from the summary (text otherwise).
_SUMMARY_TYPES: dict[str, str] = {"year": "INTEGER"}


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
        parts.append(
            "(name_id IN (SELECT name_id FROM names WHERE contains(name_key, $f_search)) "
            "OR beneficiary_id IN (SELECT beneficiary_id FROM beneficiaries "
            "WHERE starts_with(beneficiary_key, 't:') "
            "AND contains(substr(beneficiary_key, 3), $f_raw)))"
        )
        params["f_search"] = fold_words(flt.search)
        params["f_raw"] = flt.search.strip()
    if flt.batch_id is not None:
        parts.append("batch_id = $f_batch")
        params["f_batch"] = flt.batch_id
    return " AND ".join(parts), params


def _from_records(
    store: Store, sql: str, params: dict, groups_sql: str | None, ids: str = "beneficiary_id"
) -> pd.DataFrame:
    """Run ``sql`` over the records, its ``{distinct}`` counting each group's distinct ``ids``.

    ``groups_sql`` counts the groups ``sql`` makes (None: one row); the count decides
    whether bitmaps over the id range fit (``distinct``), read from the same snapshot.
    """
    with store.cursor() as cur:
        cur.execute("BEGIN TRANSACTION")  # the id range, groups and records from one snapshot
        try:
            id_range = distinct.id_range(cur)
            groups = 1
            if groups_sql is not None and id_range is not None:
                groups = cur.execute(groups_sql, params).fetchall()[0][0]
            counted, extra = distinct.count_sql(ids, id_range, groups)
            return cur.execute(sql.replace("{distinct}", counted), {**params, **extra}).df()
        finally:
            cur.execute("COMMIT")


def _phase_only(flt: RecordFilter) -> plan.Phase | None:
    """Return the phase if ``flt`` narrows by a whole phase (and indicators) only."""
    if flt.beneficiary_types or flt.localities or flt.sectors or flt.search.strip():
        return None
    if flt.batch_id is not None:
        return None
    return summary.phase_of(*flt.window())


def _one_scope(flt: RecordFilter) -> str | None:
    """Return the summary scope for the indicators of ``flt``: one indicator or '*' for all."""
    chosen = set(flt.indicators)
    if not chosen or chosen >= set(plan.indicators()):
        return "*"
    return flt.indicators[0] if len(chosen) == 1 else None


def _from_summary(
    store: Store, ph: plan.Phase | None, sqls: list[str], params: dict, window_end: date | None
) -> list[pd.DataFrame] | None:
    """Return ``sqls`` run over the phase's summary, or None when it cannot answer."""
    if ph is None:
        return None
    with store.cursor() as cur:
        return summary.read(cur, ph.code, sqls, params, window_end=window_end)


# Per indicator within $start..$end: the actual is the sum of quantity (over ``{source}``).
_ACTUALS = (
    "SELECT indicator, sum(quantity) AS actual, count(*) AS turns, {distinct} AS beneficiaries, "
    "sum(funding_vnd) AS funding_vnd FROM {source} r WHERE date BETWEEN $start AND $end "
    "GROUP BY indicator ORDER BY indicator"
)


def actuals(store: Store, start: date, end: date, at: datetime | None = None) -> pd.DataFrame:
    """Return per indicator: actual (sum of quantity), turns, distinct beneficiaries, funding.

    ``at``: from the records as they stood at that moment (each record's version then).
    """
    window = {"start": start, "end": end}
    if at is not None:  # past versions may hold ids beyond today's range: a hash set counts
        sql = _ACTUALS.replace("{source}", versions.AT_MOMENT)
        counted, extra = distinct.count_sql("beneficiary_id", None, 1)
        return store.query_df(sql.replace("{distinct}", counted), {**window, **extra, "at": at})
    found = _from_summary(
        store,
        summary.phase_of(start, end),
        [
            "SELECT scope AS indicator, quantity AS actual, turns, beneficiaries, funding_vnd "
            "FROM summary WHERE phase = $phase AND dimension = 'total' AND scope <> '*' "
            "ORDER BY indicator"
        ],
        {},
        end,
    )
    if found is not None:
        return found[0]
    return _from_records(
        store,
        _ACTUALS.replace("{source}", "records"),
        window,
        "SELECT count(DISTINCT indicator) FROM records WHERE date BETWEEN $start AND $end",
    )


def cumulative(store: Store, start: date, end: date) -> pd.DataFrame:
    """Return per indicator and day the cumulative quantity within the window."""
    found = _from_summary(
        store,
        summary.phase_of(start, end),
        [
            "SELECT scope AS indicator, CAST(value AS DATE) AS date, sum(quantity) OVER "
            "(PARTITION BY scope ORDER BY CAST(value AS DATE)) AS cumulative FROM summary "
            "WHERE phase = $phase AND dimension = 'date' AND CAST(value AS DATE) <= $end "
            "ORDER BY indicator, date"
        ],
        {"end": end},
        None,  # one row per day: any end inside the phase is answered exactly
    )
    if found is not None:
        return found[0]
    return store.query_df(
        "SELECT indicator, date, sum(sum(quantity)) OVER (PARTITION BY indicator ORDER BY date) "
        "AS cumulative FROM records WHERE date BETWEEN $start AND $end "
        "GROUP BY indicator, date ORDER BY indicator, date",
        {"start": start, "end": end},
    )


def breakdown(store: Store, dimension: str, flt: RecordFilter) -> pd.DataFrame:
    """Return per indicator and ``dimension`` value: turns, quantity, beneficiaries, funding."""
    expr = DIMENSIONS[dimension]
    value_type = _SUMMARY_TYPES.get(dimension, "VARCHAR")
    found = _from_summary(
        store,
        _phase_only(flt),
        [
            f"SELECT scope AS indicator, CAST(value AS {value_type}) AS {dimension}, "
            "turns, quantity, beneficiaries, funding_vnd FROM summary WHERE phase = $phase "
            "AND dimension = $dim AND ($scopes IS NULL OR list_contains($scopes, scope)) "
            "ORDER BY indicator, quantity DESC, 2"
        ],
        {"dim": dimension, "scopes": list(flt.indicators) or None},
        flt.window()[1],
    )
    if found is not None:
        return found[0]
    clause, params = where(flt)
    sql = (
        f"SELECT indicator, {expr} AS {dimension}, count(*) AS turns, "
        "sum(quantity) AS quantity, {distinct} AS beneficiaries, "
        f"sum(funding_vnd) AS funding_vnd FROM records WHERE {clause} "
        "GROUP BY ALL ORDER BY indicator, quantity DESC, 2"
    )
    groups = f"SELECT count(*) FROM (SELECT DISTINCT indicator, {expr} FROM records WHERE {clause})"
    return _from_records(store, sql, params, groups)


def _totals_row(flt: RecordFilter) -> tuple[str, str, str | None] | None:
    """Return the summary row (scope, dimension, value) holding the totals of ``flt``, if any.

    A whole phase for all indicators or one; for one indicator, also one beneficiary type,
    locality or sector (that indicator's breakdown row).
    """
    scope = _one_scope(flt)
    if scope is None or flt.search.strip() or flt.batch_id is not None:
        return None
    narrowed = [
        (dim, values)
        for dim, values in (
            ("beneficiary_type", flt.beneficiary_types),
            ("locality", flt.localities),
            ("sector", flt.sectors),
        )
        if values
    ]
    if not narrowed:
        return scope, "total", None
    if len(narrowed) == 1 and len(set(narrowed[0][1])) == 1 and scope != "*":
        return scope, narrowed[0][0], narrowed[0][1][0]
    return None


TOTALS: tuple[str, ...] = ("turns", "quantity", "beneficiaries", "funding_vnd")


def beneficiary_totals(store: Store, flt: RecordFilter) -> dict:
    """Return overall turns, quantity, distinct beneficiaries and funding for ``flt``."""
    cell = _totals_row(flt)
    found = _from_summary(
        store,
        summary.phase_of(*flt.window()) if cell else None,
        [
            "SELECT turns, quantity, beneficiaries, COALESCE(funding_vnd, 0) AS funding_vnd "
            "FROM summary WHERE phase = $phase AND scope = $scope AND dimension = $dim "
            "AND value IS NOT DISTINCT FROM $value"
        ],
        dict(zip(("scope", "dim", "value"), cell or (), strict=False)),
        flt.window()[1],
    )
    if found is not None:
        row = found[0]
        if row.empty:
            return dict.fromkeys(TOTALS, 0)
        return {k: int(v) for k, v in row.iloc[0].items()}
    if cell is None and flt.indicators:
        found = _from_summary(
            store,
            _phase_only(flt),
            [  # sums add up over indicators; beneficiaries by the indicators that reached them
                "SELECT COALESCE(sum(turns), 0) AS turns, COALESCE(sum(quantity), 0) AS quantity, "
                "COALESCE(sum(funding_vnd), 0) AS funding_vnd FROM summary WHERE phase = $phase "
                "AND dimension = 'total' AND scope <> '*' AND list_contains($inds, scope)",
                "SELECT COALESCE(sum(beneficiaries), 0) AS beneficiaries FROM summary_reach "
                "WHERE phase = $phase AND list_has_any(indicators, $inds)",
            ],
            {"inds": list(flt.indicators)},
            flt.window()[1],
        )
        if found is not None:
            sums, reach = (df.iloc[0] for df in found)
            totals = {**sums.to_dict(), "beneficiaries": reach["beneficiaries"]}
            return {k: int(totals[k]) for k in TOTALS}
    clause, params = where(flt)
    df = _from_records(
        store,
        "SELECT count(*) AS turns, COALESCE(sum(quantity), 0) AS quantity, "
        "{distinct} AS beneficiaries, "
        f"COALESCE(sum(funding_vnd), 0) AS funding_vnd FROM records WHERE {clause}",
        params,
        None,
    )
    return {k: int(v) for k, v in df.iloc[0].items()}


def distinct_values(store: Store, column: str) -> list[str]:
    """Return the distinct non-empty values of an allow-listed text column."""
    if column not in ("locality", "sector", "standard", "district", "commune"):
        raise KeyError(column)
    rows = store.query_rows(
        f"SELECT DISTINCT {column} FROM records WHERE {column} IS NOT NULL ORDER BY {column}"
    )
    return [r[0] for r in rows]


MAP_LEVELS: dict[str, str] = {level: level for level in summary.MAP_LEVELS}


def map_values(store: Store, level: str, flt: RecordFilter) -> tuple[pd.DataFrame, dict]:
    """Return per unit of ``level`` turns, quantity, beneficiaries, funding; and unmatched totals.

    Unmatched means a locality was typed but not placed at this level (unknown names and,
    for communes, district-only records); records without a locality are counted apart.
    """
    column = MAP_LEVELS[level]
    scope = _one_scope(flt)
    found = _from_summary(
        store,
        _phase_only(flt) if scope else None,
        [
            "SELECT value AS unit, turns, quantity, beneficiaries, "
            "COALESCE(funding_vnd, 0) AS funding_vnd FROM summary WHERE phase = $phase "
            "AND dimension = $dim AND scope = $scope AND value IS NOT NULL ORDER BY 1",
            "SELECT COALESCE(sum(turns) FILTER (WHERE dimension = $dim), 0) AS turns, "
            "COALESCE(sum(quantity) FILTER (WHERE dimension = $dim), 0) AS quantity, "
            "COALESCE(sum(beneficiaries) FILTER (WHERE dimension = $dim), 0) AS beneficiaries, "
            "COALESCE(sum(funding_vnd) FILTER (WHERE dimension = $dim), 0) AS funding_vnd, "
            "COALESCE(sum(turns) FILTER (WHERE dimension = 'no_locality'), 0) AS no_locality "
            "FROM summary WHERE phase = $phase AND scope = $scope "
            "AND ((dimension = $dim AND value IS NULL) OR dimension = 'no_locality')",
        ],
        {"dim": f"map_{column}", "scope": scope},
        flt.window()[1],
    )
    if found is not None:
        units, rest = found
        return units, {k: int(v) for k, v in rest.iloc[0].items()}
    clause, params = where(flt)
    units = _from_records(
        store,
        f"SELECT {column} AS unit, count(*) AS turns, sum(quantity) AS quantity, "
        "{distinct} AS beneficiaries, "
        f"COALESCE(sum(funding_vnd), 0) AS funding_vnd FROM records WHERE {clause} "
        f"AND {column} IS NOT NULL GROUP BY 1 ORDER BY 1",
        params,
        f"SELECT count(DISTINCT {column}) FROM records WHERE {clause}",
    )
    rest = _from_records(
        store,
        "SELECT count(*) FILTER (WHERE locality IS NOT NULL) AS turns, "
        "COALESCE(sum(quantity) FILTER (WHERE locality IS NOT NULL), 0) AS quantity, "
        "{distinct} AS beneficiaries, "
        "COALESCE(sum(funding_vnd) FILTER (WHERE locality IS NOT NULL), 0) AS funding_vnd, "
        "count(*) FILTER (WHERE locality IS NULL) AS no_locality "
        f"FROM records WHERE {clause} AND {column} IS NULL",
        params,
        None,
        ids="CASE WHEN locality IS NOT NULL THEN beneficiary_id END",
    )
    return units, {k: int(v) for k, v in rest.iloc[0].items()}
