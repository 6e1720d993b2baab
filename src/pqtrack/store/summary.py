"""Per-phase aggregates kept up to date after every records write, read when a filter fits.

After a records batch is stored (in its own transaction, after the write's COMMIT) the
summary is updated with that batch alone when it was current up to it and the batch is
small next to the store; otherwise, and after a rollback, it is rebuilt whole (distinct
beneficiaries cannot be subtracted). It is stamped with the records version (latest records
batch, how many were rolled back); a reader that finds another version, or a filter the
summary cannot answer exactly, queries ``records`` live — so a stale or missing summary is
slower, never wrong.
"""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from pqtrack.domain import plan
from pqtrack.store import distinct

# The schema version that last changed what the summary holds: an upgrade from before it
# rebuilds the summary.
SHAPE_CHANGED_IN = 7

# The records' state: a new records batch raises the first part, a rollback the second.
RECORDS_VERSION_SQL = (
    "SELECT COALESCE(max(batch_id), 0) || ':' || count(*) FILTER (WHERE status <> 'active') "
    "FROM batches WHERE kind = 'records'"
)

# Breakdown dimensions kept in the summary: name → SQL expression (allow-list).
SUMMARY_DIMENSIONS: dict[str, str] = {
    "indicator": "indicator",
    "beneficiary_type": "beneficiary_type",
    "locality": "locality",
    "district": "district",
    "commune": "commune",
    "sector": "sector",
    "standard": "standard",
    "year": "CAST(year(date) AS INTEGER)",
}

MAP_LEVELS: tuple[str, ...] = ("district", "commune")


def _phased() -> tuple[str, dict]:
    """Return SQL for the records inside a phase, each with its phase's code, and its params."""
    whens = " ".join(
        f"WHEN r.date BETWEEN $ph{i}_first AND $ph{i}_last THEN $ph{i}"
        for i in range(len(plan.PHASES))
    )
    params: dict = {
        "ph_first": min(p.start for p in plan.PHASES),
        "ph_last": max(p.end for p in plan.PHASES),
    }
    for i, p in enumerate(plan.PHASES):
        params |= {f"ph{i}": p.code, f"ph{i}_first": p.start, f"ph{i}_last": p.end}
    # The date range is checked in the scan, the CASE only for gaps between phases.
    sql = (
        f"(SELECT * FROM (SELECT CASE {whens} END AS phase, r.* FROM records r "
        "WHERE r.date BETWEEN $ph_first AND $ph_last) WHERE phase IS NOT NULL)"
    )
    return sql, params


# Records with their phase: a CASE over the phases, cheaper than a range join with them.
PHASED, PHASE_PARAMS = _phased()


# Every group of summary rows: (dimension, scope, value, which records, distinct counted).
# The value is grouped as it is and cast to text after grouping (cheaper than per record).
# ``refresh`` builds them, ``add_batch`` adds one batch to them. The first is the marker.
_GROUPS: tuple[tuple[str, str, str, str, bool], ...] = (
    ("total", "'*'", "NULL", "TRUE", True),
    ("total", "indicator", "NULL", "TRUE", True),
    *((name, "indicator", expr, "TRUE", True) for name, expr in SUMMARY_DIMENSIONS.items()),
    ("date", "indicator", "date", "TRUE", False),
    *(
        (f"map_{level}", scope, level, "locality IS NOT NULL", True)
        for level in MAP_LEVELS
        for scope in ("'*'", "indicator")
    ),
    *(("no_locality", scope, "NULL", "locality IS NULL", True) for scope in ("'*'", "indicator")),
)

# Groups over these values are read from ``summary_by_place``: one pass keeping, per phase,
# indicator and place, the sums and a bitmap of the beneficiaries (OR-ed for a group).
_BY_PLACE = ("NULL", "indicator", "locality", "district", "commune")
# What a group adds up: over the records, and over the rows by place.
_SUMS = "count(*), sum(quantity), {counted}, sum(funding_vnd), max(date)"
_SUMS_BY_PLACE = "sum(turns), sum(quantity), {counted}, sum(funding_vnd), max(last_date)"


def refresh(cur: duckdb.DuckDBPyConnection) -> None:
    """Rebuild the summary from ``records`` (call inside the writing transaction)."""
    cur.execute("DELETE FROM summary")
    ids = distinct.id_range(cur)
    # How many groups each pass may make, all counted in one statement: the bitmaps' budget.
    values = sorted({value for *_, value, _, counts_distinct in _GROUPS[1:] if counts_distinct})
    counts = cur.execute(
        "SELECT count(DISTINCT phase), count(DISTINCT indicator), "
        "count(DISTINCT (locality, district, commune)), "
        + ", ".join(f"count(DISTINCT {v})" for v in values)
        + f" FROM {PHASED}",
        PHASE_PARAMS,
    ).fetchall()[0]
    phases, indicators = counts[0], counts[1]
    cardinality = dict(zip(values, counts[3:], strict=True))
    by_place = _count_by_place(cur, ids, phases * indicators * (counts[2] + 1))
    _add_markers(cur, ids, by_place)
    for dim, scope, value, rows, counts_distinct in _GROUPS[1:]:
        if by_place and value in _BY_PLACE:
            cur.execute(
                f"INSERT INTO summary SELECT phase, {scope}, $dim, CAST({value} AS VARCHAR), "
                + _SUMS_BY_PLACE.format(counted=distinct.count_bitmaps_sql("ids"))
                + f" FROM summary_by_place WHERE {rows} GROUP BY phase, {scope}, {value}",
                {"dim": dim},
            )
            continue
        # The other groups, and every group when the bitmaps by place exceed the budget
        # (fallback): a pass over the records each.
        counted, params = "NULL", {}
        if counts_distinct:
            groups = phases * (indicators if scope == "indicator" else 1)
            counted, params = distinct.count_sql(
                "beneficiary_id", ids, groups * (cardinality[value] + 1)
            )
        cur.execute(
            f"INSERT INTO summary SELECT phase, {scope}, $dim, CAST({value} AS VARCHAR), "
            + _SUMS.format(counted=counted)
            + f" FROM {PHASED} WHERE {rows} GROUP BY phase, {scope}, {value}",
            {"dim": dim, **PHASE_PARAMS, **params},
        )
    if by_place:
        cur.execute("DROP TABLE summary_by_place")
    _rebuild_reach(cur)
    _stamp(cur)


def _count_by_place(
    cur: duckdb.DuckDBPyConnection, ids: tuple[int, int] | None, groups: int
) -> bool:
    """Make ``summary_by_place`` (see ``_BY_PLACE``) if its ``groups`` bitmaps fit the budget;
    return whether it did."""
    bitmap = distinct.bitmap_sql("beneficiary_id", ids, groups)
    if bitmap is None:
        return False
    cur.execute(
        "CREATE OR REPLACE TEMP TABLE summary_by_place AS SELECT phase, indicator, locality, "
        "district, commune, count(*) AS turns, sum(quantity) AS quantity, "
        f"{bitmap[0]} AS ids, sum(funding_vnd) AS funding_vnd, max(date) AS last_date "
        f"FROM {PHASED} GROUP BY ALL",
        {**PHASE_PARAMS, **bitmap[1]},
    )
    return True


def _add_markers(
    cur: duckdb.DuckDBPyConnection, ids: tuple[int, int] | None, by_place: bool
) -> None:
    """Add each phase's total, the marker row: one per phase, even an empty one (its
    presence says the summary is fresh)."""
    if by_place:
        sums = (
            "COALESCE(sum(r.turns), 0), COALESCE(sum(r.quantity), 0), "
            + distinct.count_bitmaps_sql("r.ids")
            + ", COALESCE(sum(r.funding_vnd), 0), max(r.last_date)"
        )
        rows, params = "summary_by_place", {}
    else:
        counted, params = distinct.count_sql("r.beneficiary_id", ids, len(plan.PHASES))
        sums = (
            f"count(r.date), COALESCE(sum(r.quantity), 0), {counted}, "
            "COALESCE(sum(r.funding_vnd), 0), max(r.date)"
        )
        rows, params = PHASED, {**PHASE_PARAMS, **params}
    cur.execute(
        f"INSERT INTO summary SELECT p.phase, '*', 'total', NULL, {sums} "
        f"FROM (SELECT unnest($phase_codes) AS phase) p LEFT JOIN {rows} r "
        "ON r.phase = p.phase GROUP BY p.phase",
        {"phase_codes": list(plan.PHASE_CODES), **params},
    )


# A beneficiary's indicators fit a BIGINT bit mask while the records hold at most this many
# distinct indicators (the contract has 9); beyond, lists per beneficiary (fallback).
MASK_INDICATORS = 62


def _rebuild_reach(cur: duckdb.DuckDBPyConnection) -> None:
    """Count, per phase, the beneficiaries each combination of indicators reached."""
    cur.execute("DELETE FROM summary_reach")
    inds = [
        r[0]
        for r in cur.execute(
            f"SELECT DISTINCT indicator FROM {PHASED} ORDER BY 1",
            PHASE_PARAMS,
        ).fetchall()
    ]
    if len(inds) > MASK_INDICATORS:  # fallback: more indicators than the mask has bits
        cur.execute(
            "INSERT INTO summary_reach SELECT phase, indicators, count(*) FROM ("
            + _reached(PHASED)
            + ") GROUP BY phase, indicators",
            PHASE_PARAMS,
        )
        return
    # A bit per indicator, OR-ed per beneficiary: cheaper than a list per beneficiary.
    cur.execute(
        "INSERT INTO summary_reach SELECT phase, "
        "list_filter($inds, lambda x, i: (m >> (i - 1)) & 1 = 1), count(*) "
        "FROM (SELECT phase, beneficiary_id, "
        "bit_or(CAST(1 AS BIGINT) << (list_position($inds, indicator) - 1)) AS m "
        f"FROM {PHASED} WHERE beneficiary_id IS NOT NULL GROUP BY phase, beneficiary_id) "
        "GROUP BY phase, m",
        {"inds": inds, **PHASE_PARAMS},
    )


def _reached(rows: str) -> str:
    """Return SQL giving each beneficiary of a phase in ``rows`` (fixed SQL) the sorted
    list of indicators that reached it."""
    return (
        "SELECT phase, beneficiary_id, list_sort(list_distinct(list(indicator))) AS indicators "
        "FROM " + rows + " WHERE beneficiary_id IS NOT NULL GROUP BY phase, beneficiary_id"
    )


def _add_reach(cur: duckdb.DuckDBPyConnection) -> None:
    """Move the batch's beneficiaries to the indicator combinations they have now."""
    before = _reached("summary_old")
    after = _reached(
        "(SELECT phase, beneficiary_id, indicator FROM summary_old UNION ALL "
        "SELECT phase, beneficiary_id, indicator FROM summary_new)"
    )
    cur.execute(
        "CREATE OR REPLACE TEMP TABLE reach_delta AS SELECT phase, indicators, sum(d) AS d "
        f"FROM (SELECT phase, indicators, -1 AS d FROM ({before}) UNION ALL "
        f"SELECT phase, indicators, 1 FROM ({after})) GROUP BY ALL HAVING sum(d) <> 0"
    )
    cur.execute(
        "UPDATE summary_reach AS r SET beneficiaries = r.beneficiaries + d.d FROM reach_delta d "
        "WHERE r.phase = d.phase AND r.indicators = d.indicators"
    )
    cur.execute(
        "INSERT INTO summary_reach SELECT phase, indicators, d FROM reach_delta d "
        "WHERE NOT EXISTS (SELECT 1 FROM summary_reach r WHERE r.phase = d.phase "
        "AND r.indicators = d.indicators)"
    )
    cur.execute("DELETE FROM summary_reach WHERE beneficiaries = 0")
    cur.execute("DROP TABLE reach_delta")


def records_version(cur: duckdb.DuckDBPyConnection) -> str:
    """Return the records version of the store as it is now."""
    return str(cur.execute(RECORDS_VERSION_SQL).fetchone()[0])


def _stamp(cur: duckdb.DuckDBPyConnection) -> None:
    cur.execute("DELETE FROM summary_state")
    cur.execute("INSERT INTO summary_state VALUES (?)", [records_version(cur)])


def version_before(cur: duckdb.DuckDBPyConnection, batch_id: int) -> str:
    """Return the records version just before records batch ``batch_id`` was stored."""
    row = cur.execute(
        "SELECT COALESCE(max(batch_id) FILTER (WHERE batch_id < $b), 0) || ':' || "
        "count(*) FILTER (WHERE status <> 'active') FROM batches WHERE kind = 'records'",
        {"b": batch_id},
    ).fetchone()
    return str(row[0])


def can_add(cur: duckdb.DuckDBPyConnection, batch_id: int) -> bool:
    """Return whether the summary is current up to just before ``batch_id``, the newest batch,
    and that batch is small next to the rest (else a rebuild is as cheap)."""
    before = version_before(cur, batch_id)
    state = cur.execute("SELECT version FROM summary_state").fetchone()
    if state is None or state[0] != before:
        return False
    if records_version(cur) != f"{batch_id}:{before.split(':')[1]}":
        return False
    small = cur.execute(
        "SELECT count(*) FILTER (WHERE batch_id = ?) * 2 < count(*) FROM records", [batch_id]
    ).fetchone()[0]
    return bool(small)


def add_batch(cur: duckdb.DuckDBPyConnection, batch_id: int) -> None:
    """Add one newly stored batch to a summary current up to it (inside the transaction).

    Sums add up; a beneficiary counts in a row only if no earlier record put it there, which
    is checked against the earlier records of the batch's own beneficiaries only.
    """
    cur.execute(
        f"CREATE OR REPLACE TEMP TABLE summary_new AS SELECT * FROM {PHASED} WHERE batch_id = $b",
        {"b": batch_id, **PHASE_PARAMS},
    )
    cur.execute(
        f"CREATE OR REPLACE TEMP TABLE summary_old AS SELECT * FROM {PHASED} "
        "WHERE batch_id <> $b AND beneficiary_id IN "
        "(SELECT beneficiary_id FROM summary_new WHERE beneficiary_id IS NOT NULL)",
        {"b": batch_id, **PHASE_PARAMS},
    )
    for dim, scope, value, rows, counts_distinct in _GROUPS:
        counted = "count(DISTINCT n.k) FILTER (WHERE o.k IS NULL)" if counts_distinct else "NULL"
        cur.execute(
            "CREATE OR REPLACE TEMP TABLE summary_delta AS "
            f"WITH n AS (SELECT phase, {scope} AS scope, CAST({value} AS VARCHAR) AS value, "
            f"beneficiary_id AS k, quantity, funding_vnd, date FROM summary_new WHERE {rows}), "
            f"o AS (SELECT DISTINCT phase, {scope} AS scope, CAST({value} AS VARCHAR) AS value, "
            f"beneficiary_id AS k FROM summary_old WHERE {rows}) "
            "SELECT n.phase, n.scope, n.value, count(*) AS turns, sum(n.quantity) AS quantity, "
            f"{counted} AS beneficiaries, sum(n.funding_vnd) AS funding_vnd, "
            "max(n.date) AS last_date FROM n LEFT JOIN o ON o.phase = n.phase "
            "AND o.scope = n.scope AND o.value IS NOT DISTINCT FROM n.value AND o.k = n.k "
            "GROUP BY n.phase, n.scope, n.value"
        )
        cur.execute(
            "UPDATE summary AS s SET turns = s.turns + d.turns, "
            "quantity = s.quantity + d.quantity, "
            "beneficiaries = s.beneficiaries + d.beneficiaries, "
            "funding_vnd = CASE WHEN s.funding_vnd IS NULL AND d.funding_vnd IS NULL THEN NULL "
            "ELSE COALESCE(s.funding_vnd, 0) + COALESCE(d.funding_vnd, 0) END, "
            "last_date = CASE WHEN s.last_date IS NULL OR d.last_date > s.last_date "
            "THEN d.last_date ELSE s.last_date END "
            "FROM summary_delta AS d WHERE s.phase = d.phase AND s.scope = d.scope "
            "AND s.dimension = $dim AND s.value IS NOT DISTINCT FROM d.value",
            {"dim": dim},
        )
        cur.execute(
            "INSERT INTO summary SELECT d.phase, d.scope, $dim, d.value, d.turns, d.quantity, "
            "d.beneficiaries, d.funding_vnd, d.last_date FROM summary_delta d "
            "WHERE NOT EXISTS (SELECT 1 FROM summary s WHERE s.phase = d.phase "
            "AND s.scope = d.scope AND s.dimension = $dim "
            "AND s.value IS NOT DISTINCT FROM d.value)",
            {"dim": dim},
        )
    _add_reach(cur)
    _stamp(cur)
    cur.execute("DROP TABLE summary_delta")
    cur.execute("DROP TABLE summary_new")
    cur.execute("DROP TABLE summary_old")


def is_fresh(cur: duckdb.DuckDBPyConnection) -> bool:
    """Return whether the summary was built from the records as they are now."""
    row = cur.execute(
        "SELECT count(*) FROM summary_state WHERE version = ?", [records_version(cur)]
    ).fetchone()
    return bool(row[0])


def phase_of(start: date | None, end: date | None) -> plan.Phase | None:
    """Return the phase whose first day is ``start`` and that ends at or after ``end``."""
    for p in plan.PHASES:
        if start == p.start and end is not None and end <= p.end:
            return p
    return None


def read(
    cur: duckdb.DuckDBPyConnection,
    phase_code: str,
    sqls: list[str],
    params: dict,
    *,
    window_end: date | None = None,
) -> list[pd.DataFrame] | None:
    """Return the results of ``sqls`` over a fresh summary, or None to query ``records``.

    None also when a record of the phase lies after ``window_end``.
    """
    cur.execute("BEGIN TRANSACTION")  # one snapshot for the check and the read
    try:
        marker = cur.execute(
            "SELECT s.last_date FROM summary s, summary_state v "
            "WHERE s.phase = $phase AND s.scope = '*' AND s.dimension = 'total' "
            "AND v.version = $version",
            {"phase": phase_code, "version": records_version(cur)},
        ).fetchone()
        if marker is None:
            return None
        if window_end is not None and marker[0] is not None and marker[0] > window_end:
            return None
        return [cur.execute(sql, {**params, "phase": phase_code}).df() for sql in sqls]
    finally:
        cur.execute("COMMIT")
