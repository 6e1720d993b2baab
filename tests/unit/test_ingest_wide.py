"""Wide files: empty blank-headed columns are ignored at once; too many columns are refused."""

from __future__ import annotations

import pytest

from pqtrack.ingest import chunks, staging
from pqtrack.ingest import pipeline as ingest
from tests.support import TODAY, to_cp1258

BLANK = 1_000


def _wide(rows_as_wide: bool, extra: str = "") -> str:
    """A file of two rows whose header ends in BLANK empty cells (a sheet's used range)."""
    tail = "," * BLANK
    rows = ["15/03/2023,workshop", "16/03/2023,training_course" + extra]
    return "".join(
        line + (tail if rows_as_wide or i == 0 else "") + "\r\n"
        for i, line in enumerate(["Ngày,Chỉ tiêu", *rows])
    )


@pytest.mark.parametrize(
    ("rows_as_wide", "encode"),
    [
        (True, lambda t: t.encode("utf-8")),  # Arrow reads it
        (False, lambda t: t.encode("utf-8")),  # rows narrower than the header: DuckDB reads it
        (False, to_cp1258),  # Excel's plain "CSV": decoded, then DuckDB
    ],
    ids=["rows-as-wide", "rows-short", "cp1258"],
)
def test_a_file_with_1000_blank_trailing_columns_keeps_its_rows(store, rows_as_wide, encode):
    rep = ingest.process(store, encode(_wide(rows_as_wide)), "w.csv", user="t", today=TODAY)
    assert rep.ok and rep.stored and rep.rows_read == 2
    rows = store.query_rows("SELECT row_number, date, indicator FROM records ORDER BY 1")
    assert [(r[0], r[1].isoformat(), r[2]) for r in rows] == [
        (2, "2023-03-15", "workshop"),
        (3, "2023-03-16", "training_course"),
    ]


def test_empty_blank_headed_columns_are_not_checked_one_by_one(store, monkeypatch):
    """Arrow's reader looks at the two named columns only, not at the 1,000 empty ones."""
    looked = []
    check = chunks._column_may_need_cleaning
    monkeypatch.setattr(
        chunks, "_column_may_need_cleaning", lambda column: looked.append(1) or check(column)
    )
    rep = ingest.check(store, _wide(True).encode(), "w.csv", today=TODAY)
    assert rep.ok and len(looked) == 2


def test_blank_columns_read_by_duckdb_are_cleaned_in_one_expression(store, monkeypatch):
    """DuckDB's reader: the cells past the named columns are trimmed in one expression, not
    one ``pq_trim`` per column (whose plan grew with the square of the columns)."""
    views = []
    build = staging.build_staged

    def spy(cur, layout, chunk):
        build(cur, layout, chunk)
        sql = "SELECT sql FROM duckdb_views() WHERE view_name = 'staged'"
        views.append(cur.execute(sql).fetchall()[0][0])

    monkeypatch.setattr(staging, "build_staged", spy)
    rep = ingest.check(store, _wide(False).encode(), "w.csv", today=TODAY)
    assert rep.ok and views
    assert all(view.count("pq_trim") <= 3 for view in views)


@pytest.mark.parametrize("rows_as_wide", [True, False], ids=["arrow", "duckdb"])
def test_a_blank_headed_column_with_a_value_is_still_a_row_problem(store, rows_as_wide):
    rep = ingest.process(
        store, _wide(rows_as_wide, extra=",,  kept  ").encode(), "w.csv", today=TODAY
    )
    assert not rep.stored
    df = rep.stage.problems
    assert list(zip(df["row"], df["value"], df["code"], strict=True)) == [
        (3, "kept", "rule.extra_values")
    ]
    assert df["column"].isna().all()


def _named(count: int) -> bytes:
    header = ["date", "indicator", *[f"Cột {i}" for i in range(count - 2)]]
    return (",".join(header) + "\r\n15/03/2023,workshop" + "," * (count - 2) + "\r\n").encode()


def test_more_named_columns_than_the_cap_are_refused_before_reading(store):
    rep = ingest.check(store, _named(ingest.MAX_COLUMNS + 1), "n.csv", today=TODAY)
    assert not rep.ok and rep.stage is None  # refused before any row was read
    assert [(p.code, p.params) for p in rep.file_problems] == [
        ("file.too_many_columns", {"count": 201, "cap": 200})
    ]
    assert "201" in rep.messages("vi")[0] and "200" in rep.messages("vi")[0]
    assert rep.messages("en")[0].startswith("The file has 201 columns with a header")
    assert rep.warnings == []  # not 199 warnings about unknown columns first


def test_as_many_named_columns_as_the_cap_are_read(store):
    rep = ingest.check(store, _named(ingest.MAX_COLUMNS), "n.csv", today=TODAY)
    assert rep.ok and rep.rows_read == 1


@pytest.mark.parametrize("where", ["header", "row"])
def test_a_row_of_more_cells_than_the_cap_is_refused(store, where):
    wide = "," * ingest.MAX_CELLS
    text = (
        f"date,indicator{wide}\r\n15/03/2023,workshop\r\n"
        if where == "header"
        else f"date,indicator\r\n15/03/2023,workshop{wide}x\r\n"
    )
    rep = ingest.check(store, text.encode(), "w.csv", today=TODAY)
    assert [(p.code, p.params) for p in rep.file_problems] == [
        ("file.too_wide", {"count": ingest.MAX_CELLS + 2, "cap": ingest.MAX_CELLS})
    ]
    assert "1024" in rep.messages("en")[0] and "1026" in rep.messages("vi")[0]


def test_empty_cells_past_a_narrow_header_are_ignored(store):
    text = "date,indicator\r\n15/03/2023,workshop" + "," * ingest.MAX_CELLS + "\r\n"
    rep = ingest.check(store, text.encode(), "w.csv", today=TODAY)
    assert rep.ok and rep.rows_read == 1
