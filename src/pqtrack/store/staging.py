"""Bulk validation of an uploaded CSV inside DuckDB, a chunk of rows at a time.

For each chunk the reader registers (``chunk_raw``: rn, c0, c1, …) this module makes the
view ``staged`` (cells cleaned and named by the contract), parses each distinct indicator,
date, amount and type spelling once into small maps (and numbers each distinct tax code and
name pair once, ``people``), builds ``typed`` (the values as they will be stored, with what
was given), lists the rows that break a rule with their spreadsheet row, column and value,
and can store the chunk. Temp tables carry what spans
chunks: the maps, every record id (for duplicates), problems, and per-chunk totals.
"""

from __future__ import annotations

import re
from datetime import date

import duckdb
import pyarrow as pa

from pqtrack.domain.localities import REORG_DATE
from pqtrack.domain.schema import (
    COLUMN_NAMES,
    DATE_MAX,
    DATE_MIN,
    INDICATORS_NEEDING_BENEFICIARY,
    RECORD_ID_MAX,
    TAX_CODE_PATTERN,
)
from pqtrack.ingest.layout import CsvLayout
from pqtrack.store import people
from pqtrack.store.migrations import NAME_KEY_SQL
from pqtrack.store.reader import BLANKS, Chunk
from pqtrack.text import FORMULA_TRIGGERS

_IDENT = re.compile(r"^c[0-9]+$")

# The characters trimmed from a cell's ends, as SQL (code points from reader.BLANKS).
_BLANK_CODES = ", ".join(str(ord(c)) for c in BLANKS)
_BLANK_CHARS = " || ".join(f"chr({ord(c)})" for c in BLANKS)

# A formula's start after the apostrophe, as an RE2 pattern: spaces and format characters
# (what str.isspace() and category Cf cover), then a character that folds to = + - @.
_FORMULA_START = (
    r"[\t\n\x{0b}\x{0c}\r\x{1c}-\x{1f}\x{85}\p{Z}\p{Cf}]*["
    + "".join(f"\\x{{{ord(c):x}}}" for c in FORMULA_TRIGGERS)
    + "]"
)

# Cleaning and parsing helpers, created per connection (temp macros).
MACROS: tuple[str, ...] = (
    # trim(x, characters) is slow: call it only when an end holds one of the characters.
    "CREATE OR REPLACE TEMP MACRO pq_trim(x) AS "
    "CASE WHEN ord(x) IN (" + _BLANK_CODES + ") OR ord(right(x, 1)) IN (" + _BLANK_CODES + ") "
    "THEN nullif(trim(x, " + _BLANK_CHARS + "), '') ELSE nullif(x, '') END",
    # The apostrophe an export puts before what a spreadsheet could run (text.formula_like).
    "CREATE OR REPLACE TEMP MACRO pq_untick(t) AS "
    "CASE WHEN ord(t) = 39 AND regexp_matches(t, '^''" + _FORMULA_START + "') "
    "THEN pq_trim(substr(t, 2)) ELSE t END",
    r"""CREATE OR REPLACE TEMP MACRO pq_whole(x) AS
        CASE WHEN x IS NULL THEN NULL
             WHEN regexp_matches(x, '^[0-9]{1,18}$') THEN TRY_CAST(x AS BIGINT)
             WHEN regexp_matches(x, '^[0-9]{1,3}(\.[0-9]{3})+(,0+)?$')
                THEN TRY_CAST(replace(regexp_replace(x, ',0+$', ''), '.', '') AS BIGINT)
             WHEN regexp_matches(x, '^[0-9]{1,3}(,[0-9]{3})+(\.0+)?$')
                THEN TRY_CAST(replace(regexp_replace(x, '\.0+$', ''), ',', '') AS BIGINT)
             WHEN regexp_matches(x, '^[0-9]{1,18}[.,]0+$')
                THEN TRY_CAST(regexp_extract(x, '^[0-9]+') AS BIGINT)
        END""",
    r"""CREATE OR REPLACE TEMP MACRO pq_money(x) AS
        pq_whole(regexp_replace(
            regexp_replace(lower(x), '\s*(vnđ|vnd|đồng|dong|đ|₫)$', ''),
            '[ ' || chr(160) || ']', '', 'g'))""",
    r"""CREATE OR REPLACE TEMP MACRO pq_fold(x) AS
        regexp_replace(lower(strip_accents(replace(replace(x, 'đ', 'd'), 'Đ', 'D'))),
                       '[^0-9a-z]', '', 'g')""",
    "CREATE OR REPLACE TEMP MACRO pq_name_key(x) AS " + NAME_KEY_SQL,
    r"""CREATE OR REPLACE TEMP MACRO pq_date(x) AS
        CASE WHEN regexp_matches(x, '^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}$')
                THEN CAST(try_strptime(x, '%Y-%m-%d') AS DATE)
             WHEN regexp_matches(x, '^[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}$')
                THEN CAST(try_strptime(x, '%d/%m/%Y') AS DATE)
        END""",
    people.PAIR_MACRO,
)


# Session tables, made fresh for each file (and each attempt at it).
SESSION_TABLES: tuple[str, ...] = (
    "stage_params (header_row INTEGER)",
    "type_lookup (spelling VARCHAR, code VARCHAR)",
    "indicator_codes (code VARCHAR)",
    "indicator_map (raw VARCHAR, v VARCHAR)",
    "type_map (raw VARCHAR, v VARCHAR)",
    "date_map (raw VARCHAR, v DATE)",
    "money_map (raw VARCHAR, v BIGINT)",
    "loc_map (locality VARCHAR, after_reorg BOOLEAN, district VARCHAR, commune VARCHAR, "
    "status VARCHAR)",
    "loc_rows (locality VARCHAR, after_reorg BOOLEAN, rows BIGINT, first_row INTEGER)",
    "ids (final_id VARCHAR, rn INTEGER)",
    "ind_sum (indicator VARCHAR, rows BIGINT, quantity HUGEINT, funding_vnd HUGEINT)",
    "problems (rn INTEGER, col VARCHAR, value VARCHAR, code VARCHAR, detail VARCHAR)",
    *people.SESSION_TABLES,
)
_SESSION_NAMES = tuple(t.split(" ", 1)[0] for t in SESSION_TABLES)
_CHUNK_TABLES = ("chunk_bad", "chunk_locs", *people.CHUNK_TABLES)

# Distinct raw values parsed once per file: map table, contract column and the map's row
# (SQL over ``n.raw``). Names and tax codes are mapped apart (``people``).
MAPS: tuple[tuple[str, str, str], ...] = (
    # An indicator by a map too: ``list_contains`` per row cost ~0.1 s a chunk of 10^6 rows.
    (
        "indicator_map",
        "indicator",
        "n.raw, (SELECT ic.code FROM indicator_codes ic WHERE ic.code = lower(n.raw))",
    ),
    ("date_map", "date", "n.raw, pq_date(n.raw)"),
    ("money_map", "funding_vnd", "n.raw, pq_money(n.raw)"),
    (
        "type_map",
        "beneficiary_type",
        "n.raw, (SELECT tl.code FROM type_lookup tl WHERE tl.spelling = pq_fold(n.raw))",
    ),
)

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
RULE_CODES: tuple[str, ...] = (*(r[1] for r in ROW_RULES), RECORD_ID_DUPLICATE, RECORD_ID_EXISTS)
# The raw cells the rules name (``extra_value`` for cells beyond the named columns).
_RULE_VALUES = tuple(dict.fromkeys(column or "extra_value" for column, *_ in ROW_RULES))


def begin(
    cur: duckdb.DuckDBPyConnection,
    layout: CsvLayout,
    type_lookup: dict[str, str],
    indicators: list[str],
) -> None:
    """Make the session's temp tables and helpers, empty, for one file."""
    for macro in MACROS:
        cur.execute(macro)
    for table in SESSION_TABLES:
        cur.execute("CREATE OR REPLACE TEMP TABLE " + table)
    cur.execute("INSERT INTO stage_params VALUES ($h)", {"h": layout.header_row})
    cur.executemany("INSERT INTO type_lookup VALUES (?, ?)", list(type_lookup.items()))
    cur.execute("INSERT INTO indicator_codes SELECT unnest($codes)", {"codes": indicators})


def end(cur: duckdb.DuckDBPyConnection) -> None:
    """Drop what :func:`begin` and the chunks made."""
    cur.unregister("typed")
    cur.execute("DROP VIEW IF EXISTS staged")
    for table in (*_CHUNK_TABLES, *_SESSION_NAMES):
        cur.execute("DROP TABLE IF EXISTS " + table)


def _cells(layout: CsvLayout, chunk: Chunk) -> tuple[dict[int, str], dict[int, str]]:
    """Return per contract column the trimmed expression and the cleaned one (over ``cN``)."""
    kept = [i for i in sorted(layout.mapping) if i < chunk.width and i not in chunk.skip]
    assert all(_IDENT.match(f"c{i}") for i in kept)
    trimmed, cleaned = {}, {}
    for i in kept:
        cell = f"nfc_normalize(c{i})" if layout.nfc else f"c{i}"
        if i in chunk.dirty:
            trimmed[i] = f"pq_trim({cell})"
            cleaned[i] = f"pq_untick(pq_trim({cell}))"
        else:  # Arrow made empty cells NULL; no cell starts or ends with what is cleaned
            trimmed[i] = cleaned[i] = cell
    return trimmed, cleaned


def _extra(layout: CsvLayout, chunk: Chunk) -> tuple[str, bool]:
    """Return the expression of a row's first filled cell outside the contract columns (a
    blank-headed column or past the header; unknown columns are ignored), trimmed, and
    whether it needs cleaning.

    One expression over a list of every such column: a trim per column, one after the
    other, cost seconds at 100 columns and minutes at 1,000 (the plan grew with their
    square).
    """
    skip = set(layout.ignored) | set(layout.mapping) | chunk.skip
    extra = [i for i in range(chunk.width) if i not in skip]
    if not extra:
        return "NULL", False
    assert all(_IDENT.match(f"c{i}") for i in extra)
    cells = ", ".join(f"nfc_normalize(c{i})" if layout.nfc else f"c{i}" for i in extra)
    if not chunk.dirty.intersection(extra):
        return f"coalesce({cells})", False  # Arrow made empty cells NULL
    return (
        f"list_filter(list_transform([{cells}], lambda x: pq_trim(x)), lambda x: x IS NOT NULL)[1]",
        True,
    )


def _below_header(chunk: Chunk) -> str:
    """Return the WHERE clause keeping the rows below the header (none if the reader did)."""
    return "" if chunk.data_rows_only else " WHERE rn > (SELECT header_row FROM stage_params)"


def build_staged(cur: duckdb.DuckDBPyConnection, layout: CsvLayout, chunk: Chunk) -> None:
    """Create the view ``staged``: one row per non-blank data row, cells cleaned, named.

    Each cell of a column that may need it is trimmed (NULL when empty) and loses a
    neutralising apostrophe (``pq_trim`` then ``pq_untick``), after NFC normalisation when
    the layout asks for it.
    """
    trimmed, _ = _cells(layout, chunk)
    by_name = {layout.mapping[idx]: idx for idx in trimmed}

    def value(i: int) -> str:
        return f"pq_untick(c{i})" if i in chunk.dirty else f"c{i}"

    selects = [
        f"{value(by_name[name])} AS {name}" if name in by_name else f"NULL AS {name}"
        for name in COLUMN_NAMES
    ]
    extra, dirty = _extra(layout, chunk)
    inner = "".join(f", {expr} AS c{i}" for i, expr in trimmed.items()) + f", {extra} AS cx"
    # pq_untick never turns a trimmed cell into NULL: the blank test needs the trim only.
    # A chunk of data rows only has no filter: DuckDB then knows its size when it joins.
    any_cell = " OR ".join([f"c{i} IS NOT NULL" for i in trimmed] + ["cx IS NOT NULL"])
    non_blank = "" if chunk.data_rows_only else " WHERE " + any_cell
    # Identifiers come from COLUMN_NAMES and generated c<N> names only; no values.
    sql = (
        "CREATE OR REPLACE TEMP VIEW staged AS SELECT rn, " + ", ".join(selects)
        + ", " + ("pq_untick(cx)" if dirty else "cx") + " AS extra_value FROM (SELECT rn"
        + inner + " FROM chunk_raw" + _below_header(chunk) + ")" + non_blank
    )  # fmt: skip
    cur.execute(sql)


def update_maps(cur: duckdb.DuckDBPyConnection, layout: CsvLayout, chunk: Chunk) -> None:
    """Add this chunk's new distinct values and (tax code, name) pairs to the maps."""
    _, cleaned = _cells(layout, chunk)
    by_name = {name: idx for idx, name in layout.mapping.items() if idx in cleaned}
    tax, name = (by_name.get(c) for c in ("tax_code", "beneficiary_name"))
    people.update(
        cur,
        None if tax is None else cleaned[tax],
        None if name is None else cleaned[name],
        _below_header(chunk),
    )
    for table, column, values in MAPS:
        idx = by_name.get(column)
        if idx is None:
            continue
        # Distinct raw cells first, cleaned after: few values, each cleaned once.
        # Tables, columns and SQL come from MAPS; no values.
        cur.execute(
            "INSERT INTO " + table + " SELECT " + values + " FROM (SELECT DISTINCT "
            + cleaned[idx] + " AS raw FROM (SELECT DISTINCT c" + str(idx) + " FROM chunk_raw"
            + _below_header(chunk) + ")) n"
            + " WHERE n.raw IS NOT NULL AND NOT EXISTS (SELECT 1 FROM " + table + " m "
            "WHERE m.raw = n.raw)"
        )  # fmt: skip


# The typed rows, but for the join on who each row is about (``people.who_join``).
TYPED_SQL = """
SELECT s.rn,
       COALESCE(s.record_id, $prefix || '-' || CAST(s.rn AS VARCHAR)) AS final_id,
       dm.v AS date_v, s.date IS NOT NULL AS date_given,
       im.v AS indicator_v,
       s.indicator IS NOT NULL AS indicator_given,
       CASE WHEN s.quantity IS NULL THEN 1 ELSE pq_whole(s.quantity) END AS quantity_v,
       tm.v AS type_v, s.beneficiary_type IS NOT NULL AS type_given,
       s.tax_code, s.locality, s.sector, s.standard,
       mm.v AS funding_v, s.funding_vnd IS NOT NULL AS funding_given,
       pq_whole(s.participants) AS participants_v, s.participants IS NOT NULL AS participants_given,
       s.note, w.name_id, w.ben_id AS beneficiary_id,
       s.extra_value IS NOT NULL AS has_extra
FROM staged s
LEFT JOIN indicator_map im ON im.raw = s.indicator
LEFT JOIN date_map dm ON dm.raw = s.date
LEFT JOIN type_map tm ON tm.raw = s.beneficiary_type
LEFT JOIN money_map mm ON mm.raw = s.funding_vnd
"""


def build_typed(cur: duckdb.DuckDBPyConnection, *, id_prefix: str) -> pa.Table:
    """Return the chunk's ``typed`` rows (parsed values, what was given), registered as such.

    An Arrow table the batch's writer reads as it is (see :func:`store_chunk`).
    """
    typed = cur.sql(TYPED_SQL + people.who_join(cur), params={"prefix": id_prefix})
    table = typed.to_arrow_table()
    cur.register("typed", table)
    return table


def _rule_params(today: date) -> dict:
    return {
        "date_min": DATE_MIN,
        "date_max": DATE_MAX,
        "today": today,
        "needs_beneficiary": sorted(INDICATORS_NEEDING_BENEFICIARY),
        "tax_pattern": TAX_CODE_PATTERN,
        "id_max": RECORD_ID_MAX,
    }


def check_rows(cur: duckdb.DuckDBPyConnection, today: date) -> None:
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


def add_chunk_facts(cur: duckdb.DuckDBPyConnection) -> list[tuple[str, bool]]:
    """Keep the chunk's ids and totals; return its (locality, after July 2025) not yet placed."""
    cur.execute("INSERT INTO ids SELECT final_id, rn FROM typed")
    cur.execute(
        "INSERT INTO ind_sum SELECT indicator_v, count(*), sum(quantity_v), sum(funding_v) "
        "FROM typed WHERE indicator_v IS NOT NULL GROUP BY 1"
    )
    cur.execute(
        "CREATE OR REPLACE TEMP TABLE chunk_locs AS SELECT locality, "
        "COALESCE(date_v >= ?, false) AS after_reorg, count(*) AS rows, "
        "CAST(min(rn) AS INTEGER) AS first_row FROM typed WHERE locality IS NOT NULL GROUP BY 1, 2",
        [REORG_DATE],
    )
    cur.execute("INSERT INTO loc_rows SELECT * FROM chunk_locs")
    return [
        (name, bool(after))
        for name, after in cur.execute(
            "SELECT locality, after_reorg FROM chunk_locs "
            "EXCEPT SELECT locality, after_reorg FROM loc_map"
        ).fetchall()
    ]


def add_localities(cur: duckdb.DuckDBPyConnection, rows: list[tuple]) -> None:
    """Add (locality, after, district, commune, status) rows to the locality map."""
    if rows:
        cur.executemany("INSERT INTO loc_map VALUES (?, ?, ?, ?, ?)", rows)


def problem_count(cur: duckdb.DuckDBPyConnection) -> int:
    """Return how many problems the file has so far."""
    return int(cur.execute("SELECT count(*) FROM problems").fetchall()[0][0])


def check_record_ids(cur: duckdb.DuckDBPyConnection, *, stored_too: bool) -> None:
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


def places(cur: duckdb.DuckDBPyConnection) -> pa.Table:
    """Return the locality map so far (locality, after July 2025, district, commune)."""
    return cur.sql("SELECT locality, after_reorg, district, commune FROM loc_map").to_arrow_table()


# The batch's writer is a cursor of its own, in the batch's one transaction, and reads the
# session's Arrow tables by their Python names (DuckDB's replacement scans). A table
# registered on a cursor inside a transaction would be kept until COMMIT, every chunk of
# it (at 10M rows, ~2 GiB).


def store_chunk(
    writer: duckdb.DuckDBPyConnection, typed: pa.Table, places: pa.Table, batch_id: int
) -> int:
    """Insert the chunk's records into the store; return how many went in.

    ``typed`` and ``places`` (see :func:`places`) are read by their Python names. The new
    names and beneficiary keys the records number are stored at COMMIT (``people.store``):
    a record's name and tax code are read from them.
    """
    # No ORDER BY on the insert: every read orders explicitly (date, batch, row number).
    writer.execute(
        """
        INSERT INTO records (record_id, batch_id, row_number, date, indicator, quantity,
               beneficiary_type, locality, sector, standard,
               funding_vnd, participants, note, district, commune, beneficiary_id, name_id)
        SELECT t.final_id, $batch_id, t.rn, t.date_v, t.indicator_v, t.quantity_v,
               t.type_v, t.locality, t.sector, t.standard,
               t.funding_v, t.participants_v, t.note, m.district, m.commune, t.beneficiary_id,
               t.name_id
        FROM typed t
        LEFT JOIN places m ON m.locality = t.locality
             AND m.after_reorg = (t.date_v >= $reorg)
        """,
        {"batch_id": batch_id, "reorg": REORG_DATE},
    )
    return int(writer.fetchall()[0][0])


def problems_listing(cur: duckdb.DuckDBPyConnection, limit: int) -> duckdb.DuckDBPyConnection:
    """Return the first ``limit`` problems, by row, as (row, column, value, code, detail)."""
    return cur.execute(
        "SELECT rn AS row, col AS column, value, code, detail FROM problems "
        "ORDER BY rn NULLS FIRST, code LIMIT ?",
        [limit],
    )


def indicator_totals(cur: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """Return rows, quantity and funding per valid indicator over the whole file."""
    return cur.execute(
        "SELECT indicator, CAST(sum(rows) AS BIGINT) AS rows, sum(quantity) AS quantity, "
        "sum(funding_vnd) AS funding_vnd FROM ind_sum GROUP BY 1 ORDER BY 1"
    )


def unmatched_localities(cur: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """Return each locality no unit matched: its rows and first row."""
    return cur.execute(
        "SELECT l.locality, CAST(sum(l.rows) AS BIGINT) AS rows, min(l.first_row) AS first_row "
        "FROM loc_rows l JOIN loc_map m ON m.locality = l.locality "
        "AND m.after_reorg = l.after_reorg WHERE m.status = 'unmatched' GROUP BY 1 ORDER BY 1"
    )
