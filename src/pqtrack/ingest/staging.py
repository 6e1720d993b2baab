"""Bulk validation of an uploaded CSV inside DuckDB, a chunk of rows at a time.

For each chunk the reader registers (``chunk_raw``: rn, c0, c1, …) this module makes the
view ``staged`` (cells cleaned and named by the contract), parses each distinct indicator,
date, amount and type spelling once into small maps (and numbers each distinct tax code and
name pair once, ``names``), builds ``typed`` (the values as they will be stored, with what
was given), keeps the chunk's ids and totals, and can store the chunk; ``rules`` lists the
rows that break a rule. Temp tables carry what spans chunks: the maps, every record id (for
duplicates), problems, and per-chunk totals.
"""

from __future__ import annotations

import re

import pyarrow as pa

from pqtrack import steps
from pqtrack.domain.localities import REORG_DATE
from pqtrack.domain.schema import COLUMN_NAMES
from pqtrack.ingest import names
from pqtrack.ingest.chunks import BLANKS, Chunk
from pqtrack.ingest.layout import CsvLayout
from pqtrack.store.db import Connection
from pqtrack.store.migrations import NAME_KEY_SQL
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
    names.PAIR_MACRO,
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
    *names.SESSION_TABLES,
)
_SESSION_NAMES = tuple(t.split(" ", 1)[0] for t in SESSION_TABLES)
_CHUNK_TABLES = ("chunk_bad", "chunk_locs", *names.CHUNK_TABLES)

# Distinct raw values parsed once per file: map table, contract column and the map's row
# (SQL over ``n.raw``). Names and tax codes are mapped apart (``names``).
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


def begin(
    cur: Connection,
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


def end(cur: Connection) -> None:
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


@steps.timed("build_staged")
def build_staged(cur: Connection, layout: CsvLayout, chunk: Chunk) -> None:
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


@steps.timed("update_maps")
def update_maps(cur: Connection, layout: CsvLayout, chunk: Chunk) -> None:
    """Add this chunk's new distinct values and (tax code, name) pairs to the maps."""
    _, cleaned = _cells(layout, chunk)
    by_name = {name: idx for idx, name in layout.mapping.items() if idx in cleaned}
    tax, name = (by_name.get(c) for c in ("tax_code", "beneficiary_name"))
    names.update(
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


# The typed rows, but for the join on who each row is about (``names.who_join``).
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


@steps.timed("build_typed")
def build_typed(cur: Connection, *, id_prefix: str) -> pa.Table:
    """Return the chunk's ``typed`` rows (parsed values, what was given), registered as such.

    An Arrow table the batch's writer reads as it is (see :func:`store_chunk`).
    """
    typed = cur.sql(TYPED_SQL + names.who_join(cur), params={"prefix": id_prefix})
    table = typed.to_arrow_table()
    cur.register("typed", table)
    return table


@steps.timed("ids, totals, localities")
def add_chunk_facts(cur: Connection) -> list[tuple[str, bool]]:
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


def add_localities(cur: Connection, rows: list[tuple]) -> None:
    """Add (locality, after, district, commune, status) rows to the locality map."""
    if rows:
        cur.executemany("INSERT INTO loc_map VALUES (?, ?, ?, ?, ?)", rows)


def places(cur: Connection) -> pa.Table:
    """Return the locality map so far (locality, after July 2025, district, commune)."""
    return cur.sql("SELECT locality, after_reorg, district, commune FROM loc_map").to_arrow_table()


# The batch's writer is a cursor of its own, in the batch's one transaction, and reads the
# session's Arrow tables by their Python names (DuckDB's replacement scans). A table
# registered on a cursor inside a transaction would be kept until COMMIT, every chunk of
# it (at 10M rows, ~2 GiB).


@steps.timed("store_chunk")
def store_chunk(writer: Connection, typed: pa.Table, places: pa.Table, batch_id: int) -> int:
    """Insert the chunk's records into the store; return how many went in.

    ``typed`` and ``places`` (see :func:`places`) are read by their Python names. The new
    names and beneficiary keys the records number are stored at COMMIT (``names.store``):
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
