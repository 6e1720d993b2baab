"""Bulk validation of an uploaded CSV inside DuckDB: read, clean, type, list every problem."""

from __future__ import annotations

import re
from datetime import date

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv

from pqtrack.layout import CsvLayout, FastPathRefused
from pqtrack.schema import (
    COLUMN_NAMES,
    DATE_MAX,
    DATE_MIN,
    INDICATORS_NEEDING_BENEFICIARY,
    RECORD_ID_MAX,
    TAX_CODE_PATTERN,
)

_IDENT = re.compile(r"^c[0-9]+$")

# Cleaning and parsing helpers, created per connection (temp macros).
MACROS: tuple[str, ...] = (
    # trim(x, characters) is slow: call it only when an end holds one of the characters.
    r"""CREATE OR REPLACE TEMP MACRO pq_trim(x) AS
        CASE WHEN ord(x) IN (32, 9, 10, 13, 160) OR ord(right(x, 1)) IN (32, 9, 10, 13, 160)
             THEN nullif(trim(x, ' ' || chr(9) || chr(10) || chr(13) || chr(160)), '')
             ELSE nullif(x, '') END""",
    r"""CREATE OR REPLACE TEMP MACRO pq_clean(x) AS
        CASE WHEN regexp_matches(pq_trim(x), '^''[=+\-@]') THEN pq_trim(substr(pq_trim(x), 2))
             ELSE pq_trim(x) END""",
    r"""CREATE OR REPLACE TEMP MACRO pq_untick(t) AS
        CASE WHEN ord(t) = 39 AND regexp_matches(t, '^''[=+\-@]')
             THEN pq_trim(substr(t, 2)) ELSE t END""",
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
    r"""CREATE OR REPLACE TEMP MACRO pq_name_key(x) AS
        trim(regexp_replace(lower(strip_accents(replace(replace(x, 'đ', 'd'), 'Đ', 'D'))),
                            '[^0-9a-z]+', ' ', 'g'))""",
    r"""CREATE OR REPLACE TEMP MACRO pq_date(x) AS
        CASE WHEN regexp_matches(x, '^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}$')
                THEN CAST(try_strptime(x, '%Y-%m-%d') AS DATE)
             WHEN regexp_matches(x, '^[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}$')
                THEN CAST(try_strptime(x, '%d/%m/%Y') AS DATE)
        END""",
)


# Arrow's CSV reader parses blocks of this size on its threads.
_ARROW_BLOCK = 4 << 20
# A larger file (the CLI's: the dashboard takes 50 MB) is written out for DuckDB's reader,
# which holds less of it at once: at 10M rows (1.8 GB) Arrow's copy raised peak memory from
# 7.3 to 9.0 GiB to save ~20 s of ~140; at 1M rows (180 MB) it saves ~1.5 s of ~8.
ARROW_MAX_BYTES = 256 << 20


# DuckDB's words when the bytes are not UTF-8, or a row has more cells than declared.
_FAST_PATH_ERRORS = ("invalid unicode", "expected number of columns")


def _columns_struct(ncols: int) -> str:
    names = [f"c{i}" for i in range(ncols)]
    assert all(_IDENT.match(n) for n in names)
    return "{" + ", ".join(f"'{n}': 'VARCHAR'" for n in names) + "}"


def _kept_columns(layout: CsvLayout) -> list[int]:
    """Return the cells read: mapped columns and unnamed ones (whose values are an error)."""
    return sorted(set(range(layout.ncols)) - set(layout.ignored))


def _read_arrow(layout: CsvLayout) -> pa.Table | None:
    """Parse the in-memory bytes with Arrow's CSV reader; None when it refuses them.

    It refuses a row whose width differs from the header's, and invalid UTF-8: such a file
    is read by DuckDB instead, which pads short rows and names the problem.
    """
    assert layout.data is not None
    end = len(layout.data)
    while end and layout.data[end - 1] in b"\r\n":  # a final line break ends no row
        end -= 1
    names = [f"c{i}" for i in range(layout.header_width)]
    try:
        table = pa_csv.read_csv(
            pa.py_buffer(layout.data).slice(0, end),
            read_options=pa_csv.ReadOptions(column_names=names, block_size=_ARROW_BLOCK),
            parse_options=pa_csv.ParseOptions(
                delimiter=layout.delimiter,
                quote_char='"',
                double_quote=True,
                newlines_in_values=True,
                ignore_empty_lines=False,
            ),
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid:
        return None
    rows = table.num_rows
    for i in range(layout.header_width, layout.ncols):
        table = table.append_column(f"c{i}", pa.nulls(rows, pa.string()))
    return table.append_column("rn", pa.array(np.arange(1, rows + 1, dtype=np.int32)))


def load_raw(cur: duckdb.DuckDBPyConnection, layout: CsvLayout) -> None:
    """Make ``raw``: every row of the file (blank ones too) as text, with its row number.

    ``rn`` is the spreadsheet row number. A UTF-8 file still in memory, up to
    ``ARROW_MAX_BYTES``, is parsed by Arrow and scanned where it lies; otherwise DuckDB
    reads the file into a temp table in file order, whose ``rowid`` + 1 is the row number.
    That read is a plain ``SELECT *``: a projection with expressions over a parallel
    ``read_csv`` was seen (DuckDB 2.0.1) to store row groups out of file order, so
    cleaning happens after, in ``staged``.
    """
    for macro in MACROS:
        cur.execute(macro)
    if layout.data is not None:
        table = _read_arrow(layout) if len(layout.data) <= ARROW_MAX_BYTES else None
        if table is not None:
            cur.register("raw", table)
            return
        layout.text_path.write_bytes(layout.data)
    sql_template = (
        "CREATE OR REPLACE TEMP TABLE raw_table AS SELECT * FROM read_csv($path, "
        "header = false, all_varchar = true, null_padding = true, delim = $delim, "
        "quote = '\"', escape = '\"', auto_detect = false, parallel = {parallel}, "
        "columns = {columns})"
    )
    params = {"path": str(layout.text_path), "delim": layout.delimiter}
    columns = _columns_struct(layout.ncols)
    try:
        try:
            cur.execute(sql_template.format(parallel="true", columns=columns), params)
        except duckdb.Error as exc:
            if "parallel" not in str(exc):
                raise
            cur.execute(sql_template.format(parallel="false", columns=columns), params)
    except duckdb.Error as exc:
        if layout.fast and any(word in str(exc).lower() for word in _FAST_PATH_ERRORS):
            raise FastPathRefused(str(exc)) from exc
        raise
    cur.execute(
        "CREATE OR REPLACE TEMP VIEW raw AS "
        "SELECT CAST(rowid + 1 AS INTEGER) AS rn, * FROM raw_table"
    )


def drop_raw(cur: duckdb.DuckDBPyConnection) -> None:
    """Free ``raw``: the temp table behind the view, or the registered Arrow table."""
    tables = cur.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'raw_table' AND temporary"
    ).fetchall()[0][0]
    if tables:
        cur.execute("DROP VIEW raw")
        cur.execute("DROP TABLE raw_table")
    else:
        cur.unregister("raw")


def build_staged(cur: duckdb.DuckDBPyConnection, layout: CsvLayout) -> None:
    """Create the view ``staged``: one row per non-blank data row, cells cleaned, named.

    A view, not a table: ``typed`` reads it once. Each kept cell is trimmed (NULL when
    empty) and loses a neutralising apostrophe (``pq_trim`` then ``pq_untick``, as
    ``pq_clean``), after NFC normalisation when the layout asks for it.
    """
    by_name = {name: idx for idx, name in layout.mapping.items()}
    kept = _kept_columns(layout)
    assert all(_IDENT.match(f"c{i}") for i in kept)
    cell = "nfc_normalize(c{i})" if layout.nfc else "c{i}"
    trimmed = "".join(f", pq_trim({cell.format(i=i)}) AS c{i}" for i in kept)
    selects = []
    for name in COLUMN_NAMES:
        idx = by_name.get(name)
        selects.append(f"pq_untick(c{idx}) AS {name}" if idx is not None else f"NULL AS {name}")
    extra_idx = sorted(set(kept) - set(layout.mapping))
    extra = (
        "COALESCE(" + ", ".join(f"pq_untick(c{i})" for i in extra_idx) + ", NULL)"
        if extra_idx
        else "NULL"
    )
    # pq_untick never turns a trimmed cell into NULL: the blank test needs the trim only.
    non_blank = " OR ".join([f"c{i} IS NOT NULL" for i in kept] or ["FALSE"])
    # A view takes no parameters: the header row is read from a one-row temp table.
    cur.execute(
        "CREATE OR REPLACE TEMP TABLE stage_params AS SELECT $header_row AS header_row",
        {"header_row": layout.header_row},
    )
    # Identifiers come from COLUMN_NAMES and generated c<N> names only; values are bound.
    head = "CREATE OR REPLACE TEMP VIEW staged AS SELECT rn, "
    tail = (
        ", {extra} AS extra_value FROM (SELECT rn{trimmed} "
        "FROM raw WHERE rn > (SELECT header_row FROM stage_params)) WHERE {non_blank}"
    )
    sql = head + ", ".join(selects) + tail
    sql = sql.replace("{extra}", extra).replace("{trimmed}", trimmed)
    cur.execute(sql.replace("{non_blank}", non_blank))


def build_typed(
    cur: duckdb.DuckDBPyConnection,
    *,
    indicators: list[str],
    type_lookup: dict[str, str],
    id_prefix: str,
) -> None:
    """Create ``typed``: ``staged`` plus parsed values (NULL where a value does not parse)."""
    cur.execute("CREATE OR REPLACE TEMP TABLE type_lookup (spelling VARCHAR, code VARCHAR)")
    cur.executemany("INSERT INTO type_lookup VALUES (?, ?)", list(type_lookup.items()))
    cur.execute(
        """
        CREATE OR REPLACE TEMP TABLE typed AS
        SELECT s.*,
               pq_date(s.date) AS date_v,
               CASE WHEN list_contains($indicators, lower(s.indicator))
                    THEN lower(s.indicator) END AS indicator_v,
               CASE WHEN s.quantity IS NULL THEN 1 ELSE pq_whole(s.quantity) END AS quantity_v,
               tl.code AS type_v,
               pq_money(s.funding_vnd) AS funding_v,
               pq_whole(s.participants) AS participants_v,
               COALESCE(s.record_id, $prefix || '-' || CAST(s.rn AS VARCHAR)) AS final_id
        FROM staged s LEFT JOIN type_lookup tl ON tl.spelling = pq_fold(s.beneficiary_type)
        """,
        {"indicators": indicators, "prefix": id_prefix},
    )


PROBLEMS_SQL = r"""
CREATE OR REPLACE TEMP TABLE problems AS
SELECT rn, 'date' AS col, date AS value, 'rule.date_missing' AS code, NULL AS detail
  FROM typed WHERE date IS NULL
UNION ALL SELECT rn, 'date', date, 'rule.date_format', NULL
  FROM typed WHERE date IS NOT NULL AND date_v IS NULL
UNION ALL SELECT rn, 'date', date, 'rule.date_range', NULL
  FROM typed WHERE date_v < $date_min OR date_v > $date_max
UNION ALL SELECT rn, 'date', date, 'rule.date_future', NULL
  FROM typed WHERE date_v > $today AND date_v <= $date_max
UNION ALL SELECT rn, 'indicator', indicator, 'rule.indicator_missing', NULL
  FROM typed WHERE indicator IS NULL
UNION ALL SELECT rn, 'indicator', indicator, 'rule.indicator_unknown', NULL
  FROM typed WHERE indicator IS NOT NULL AND indicator_v IS NULL
UNION ALL SELECT rn, 'quantity', quantity, 'rule.quantity_invalid', NULL
  FROM typed WHERE quantity_v IS NULL OR quantity_v < 1 OR quantity_v > 1000000
UNION ALL SELECT rn, 'beneficiary_name', beneficiary_name, 'rule.name_required', indicator_v
  FROM typed WHERE beneficiary_name IS NULL AND list_contains($needs_beneficiary, indicator_v)
UNION ALL SELECT rn, 'beneficiary_type', beneficiary_type, 'rule.type_required', indicator_v
  FROM typed WHERE beneficiary_type IS NULL AND list_contains($needs_beneficiary, indicator_v)
UNION ALL SELECT rn, 'beneficiary_type', beneficiary_type, 'rule.type_unknown', NULL
  FROM typed WHERE beneficiary_type IS NOT NULL AND type_v IS NULL
UNION ALL SELECT rn, 'tax_code', tax_code, 'rule.tax_code_invalid', NULL
  FROM typed WHERE tax_code IS NOT NULL AND NOT regexp_matches(tax_code, $tax_pattern)
UNION ALL SELECT rn, 'funding_vnd', funding_vnd, 'rule.funding_invalid', NULL
  FROM typed WHERE funding_vnd IS NOT NULL AND funding_v IS NULL
UNION ALL SELECT rn, 'participants', participants, 'rule.participants_invalid', NULL
  FROM typed WHERE participants IS NOT NULL
               AND (participants_v IS NULL OR participants_v > 10000000)
UNION ALL SELECT rn, 'record_id', record_id, 'rule.record_id_too_long', NULL
  FROM typed WHERE length(record_id) > $id_max
UNION ALL SELECT rn, 'record_id', final_id, 'rule.record_id_duplicate', CAST(first_rn AS VARCHAR)
  FROM (SELECT rn, final_id, min(rn) OVER (PARTITION BY final_id) AS first_rn FROM typed)
  WHERE rn > first_rn
UNION ALL SELECT t.rn, 'record_id', t.final_id, 'rule.record_id_exists', CAST(r.batch_id AS VARCHAR)
  FROM typed t JOIN records r ON r.record_id = t.final_id
UNION ALL SELECT rn, NULL, extra_value, 'rule.extra_values', NULL
  FROM typed WHERE extra_value IS NOT NULL
"""


def build_problems(cur: duckdb.DuckDBPyConnection, today: date) -> None:
    """Create ``problems``: one row per broken rule (row, column, value, code, detail)."""
    cur.execute(
        PROBLEMS_SQL,
        {
            "date_min": DATE_MIN,
            "date_max": DATE_MAX,
            "today": today,
            "needs_beneficiary": sorted(INDICATORS_NEEDING_BENEFICIARY),
            "tax_pattern": TAX_CODE_PATTERN,
            "id_max": RECORD_ID_MAX,
        },
    )
