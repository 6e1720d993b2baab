"""The rules a file's rows must keep, and the listing of the rows that break them.

Each chunk's ``typed`` rows (see :mod:`pqtrack.ingest.staging`) are checked against the
rules on one row as they come; the rules across rows (a record id repeated in the file, or
already stored) once every chunk is in. A broken rule is a row of the session table
``problems``: spreadsheet row, column, the cell as the official typed it, message code.
"""

from __future__ import annotations

from datetime import date

from pqtrack import steps
from pqtrack.domain.schema import (
    DATE_MAX,
    DATE_MIN,
    INDICATORS_NEEDING_BENEFICIARY,
    RECORD_ID_MAX,
    TAX_CODE_PATTERN,
)
from pqtrack.store.db import Connection

# Rules on one row: (column, message code, detail, condition over ``typed``). A row is
# listed once per rule it breaks, with the cell as the official typed it.
ROW_RULES: tuple[tuple[str | None, str, str, str], ...] = (
    ("date", "rule.date_missing", "NULL", "NOT date_given"),
    ("date", "rule.date_format", "NULL", "date_given AND date_v IS NULL"),
    ("date", "rule.date_range", "NULL", "date_v < $date_min OR date_v > $date_max"),
    ("date", "rule.date_future", "NULL", "date_v > $today AND date_v <= $date_max"),
    ("indicator", "rule.indicator_missing", "NULL", "NOT indicator_given"),
    ("indicator", "rule.indicator_unknown", "NULL", "indicator_given AND indicator_v IS NULL"),
    (
        "quantity",
        "rule.quantity_invalid",
        "NULL",
        "quantity_v IS NULL OR quantity_v < 1 OR quantity_v > 1000000",
    ),
    (
        "beneficiary_name",
        "rule.name_required",
        "indicator_v",
        "name_id IS NULL AND list_contains($needs_beneficiary, indicator_v)",
    ),
    (
        "beneficiary_type",
        "rule.type_required",
        "indicator_v",
        "NOT type_given AND list_contains($needs_beneficiary, indicator_v)",
    ),
    ("beneficiary_type", "rule.type_unknown", "NULL", "type_given AND type_v IS NULL"),
    (
        "tax_code",
        "rule.tax_code_invalid",
        "NULL",
        "tax_code IS NOT NULL AND NOT regexp_matches(tax_code, $tax_pattern)",
    ),
    ("funding_vnd", "rule.funding_invalid", "NULL", "funding_given AND funding_v IS NULL"),
    (
        "participants",
        "rule.participants_invalid",
        "NULL",
        "participants_given AND (participants_v IS NULL OR participants_v > 10000000)",
    ),
    ("record_id", "rule.record_id_too_long", "NULL", "length(final_id) > $id_max"),
    (None, "rule.extra_values", "NULL", "has_extra"),
)
# Rules across rows, checked once every chunk is in.
RECORD_ID_DUPLICATE = "rule.record_id_duplicate"
RECORD_ID_EXISTS = "rule.record_id_exists"
# A row dated in a locked phase, or correcting a record dated in one.
PHASE_LOCKED = "rule.phase_locked"
PHASE_LOCKED_STORED = "rule.phase_locked_stored"
RULE_CODES: tuple[str, ...] = (
    *(r[1] for r in ROW_RULES), RECORD_ID_DUPLICATE, RECORD_ID_EXISTS, PHASE_LOCKED,
    PHASE_LOCKED_STORED, "rule.version_changed", "rule.record_id_voided",
)  # fmt: skip
# The raw cells the rules name (``extra_value`` for cells beyond the named columns).
_RULE_VALUES = tuple(dict.fromkeys(column or "extra_value" for column, *_ in ROW_RULES))


def _rule_params(today: date) -> dict:
    return {
        "date_min": DATE_MIN,
        "date_max": DATE_MAX,
        "today": today,
        "needs_beneficiary": sorted(INDICATORS_NEEDING_BENEFICIARY),
        "tax_pattern": TAX_CODE_PATTERN,
        "id_max": RECORD_ID_MAX,
    }


@steps.timed("check_rows")
def check_rows(cur: Connection, today: date) -> None:
    """Add a problem for each rule each row of the chunk breaks (with the cell's text)."""
    broken = " OR ".join(f"({cond})" for *_, cond in ROW_RULES)
    cur.execute(
        "CREATE OR REPLACE TEMP TABLE chunk_bad AS SELECT * FROM typed WHERE " + broken,
        _rule_params(today),
    )
    if not cur.execute("SELECT count(*) FROM chunk_bad").fetchall()[0][0]:
        return
    values = ", ".join(f"s.{c} AS v_{c}" for c in _RULE_VALUES)
    # Columns, codes and conditions come from ROW_RULES; values are bound.
    branches = [
        "SELECT rn, " + ("NULL" if column is None else f"'{column}'")
        + ", v_" + (column or "extra_value") + ", '" + code + "', " + detail
        + " FROM j WHERE " + cond
        for column, code, detail, cond in ROW_RULES
    ]  # fmt: skip
    cur.execute(
        "INSERT INTO problems WITH j AS (SELECT b.*, " + values + " FROM chunk_bad b "
        "JOIN staged s USING (rn)) " + " UNION ALL ".join(branches),
        _rule_params(today),
    )


def problem_count(cur: Connection) -> int:
    """Return how many problems the file has so far."""
    return int(cur.execute("SELECT count(*) FROM problems").fetchall()[0][0])


@steps.timed("check_record_ids")
def check_record_ids(cur: Connection, *, stored_too: bool) -> None:
    """Add problems for ids repeated in the file and, if ``stored_too``, ids already stored.

    ``cur`` sees committed records only: not this file's chunks its writer has inserted.
    """
    # Ids are grouped by their hash first, then only those sharing one by text: grouping 10M
    # ids by text cost ~30 % more.
    cur.execute(
        "INSERT INTO problems WITH c AS (SELECT * FROM ids WHERE hash(final_id) IN "
        "(SELECT hash(final_id) FROM ids GROUP BY 1 HAVING count(*) > 1)) "
        "SELECT i.rn, 'record_id', i.final_id, $code, CAST(d.first_rn AS VARCHAR) FROM c i "
        "JOIN (SELECT final_id, min(rn) AS first_rn FROM c GROUP BY final_id "
        "HAVING count(*) > 1) d ON d.final_id = i.final_id WHERE i.rn > d.first_rn",
        {"code": RECORD_ID_DUPLICATE},
    )
    if stored_too:
        cur.execute(
            "INSERT INTO problems SELECT i.rn, 'record_id', i.final_id, $code, "
            "CAST(r.batch_id AS VARCHAR) FROM ids i JOIN records r ON r.record_id = i.final_id",
            {"code": RECORD_ID_EXISTS},
        )


@steps.timed("check locked phases")
def check_locks(
    cur: Connection, spans: list[tuple[str, date, date, str]], *, corrections: bool
) -> None:
    """Add a problem for each row of the chunk dated in a locked phase (``spans``: phase,
    first day, last day, reason) and, for a correction, each whose stored version is."""
    for phase, first, last, reason in spans:
        params = {"first": first, "last": last, "detail": f"{phase} ({reason})"}
        cur.execute(
            "INSERT INTO problems SELECT t.rn, 'date', s.date, $code, $detail FROM typed t "
            "JOIN staged s USING (rn) WHERE t.date_v BETWEEN $first AND $last",
            {**params, "code": PHASE_LOCKED},
        )
        if corrections:
            cur.execute(
                "INSERT INTO problems SELECT t.rn, 'record_id', t.final_id, $code, $detail "
                "FROM typed t JOIN records r ON r.record_id = t.final_id "
                "WHERE r.date BETWEEN $first AND $last",
                {**params, "code": PHASE_LOCKED_STORED},
            )


def problems_listing(cur: Connection, limit: int) -> Connection:
    """Return the first ``limit`` problems, by row, as (row, column, value, code, detail)."""
    return cur.execute(
        "SELECT rn AS row, col AS column, value, code, detail FROM problems "
        "ORDER BY rn NULLS FIRST, code LIMIT ?",
        [limit],
    )


def indicator_totals(cur: Connection) -> Connection:
    """Return rows, quantity and funding per valid indicator over the whole file."""
    return cur.execute(
        "SELECT indicator, CAST(sum(rows) AS BIGINT) AS rows, sum(quantity) AS quantity, "
        "sum(funding_vnd) AS funding_vnd FROM ind_sum GROUP BY 1 ORDER BY 1"
    )


def unmatched_localities(cur: Connection) -> Connection:
    """Return each locality no unit matched: its rows and first row."""
    return cur.execute(
        "SELECT l.locality, CAST(sum(l.rows) AS BIGINT) AS rows, min(l.first_row) AS first_row "
        "FROM loc_rows l JOIN loc_map m ON m.locality = l.locality "
        "AND m.after_reorg = l.after_reorg WHERE m.status = 'unmatched' GROUP BY 1 ORDER BY 1"
    )
