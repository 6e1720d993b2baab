"""Rows that are not lost without a word: too-long rows and cells, the row count guard."""

from __future__ import annotations

import pytest

from pqtrack.ingest import chunks
from pqtrack.ingest import pipeline as ingest
from tests.support import TODAY, csv_text

HEADER = ["date", "indicator", "note"]
GOOD = [["15/03/2023", "workshop", "ok"], ["16/03/2023", "workshop", ""], ["17/03/2023", "workshop", "x"]]  # fmt: skip
HUGE = 40 << 20  # a 40 MiB note


def _ingest(store, rows: list[list[str]], header: list[str] = HEADER):
    data = csv_text(header, rows).encode("utf-8")
    return ingest.process(store, data, "t.csv", user="test", today=TODAY)


def _problems(report) -> list[tuple[int, str, str]]:
    df = report.stage.problems
    return list(zip(df["row"], df["column"], df["code"], strict=True))


def _nothing_stored(store) -> bool:
    return (
        store.scalar("SELECT count(*) FROM records")
        == 0
        == store.scalar("SELECT count(*) FROM batches")
    )


def test_a_huge_last_row_after_valid_rows_is_a_row_problem(store):
    rep = _ingest(store, [*GOOD, ["18/03/2023", "workshop", "x" * HUGE]])
    assert not rep.ok and not rep.stored
    assert _problems(rep) == [(5, "note", "rule.row_too_long")]
    assert _nothing_stored(store)


def test_a_huge_row_alone_stores_no_empty_batch(store):
    rep = _ingest(store, [["18/03/2023", "workshop", "x" * HUGE]])
    assert not rep.stored
    assert _problems(rep) == [(2, "note", "rule.row_too_long")]
    assert _nothing_stored(store)


def test_a_huge_row_message_names_row_and_column_in_both_languages(store):
    rep = _ingest(store, [*GOOD, ["18/03/2023", "workshop", "x" * HUGE]])
    vi, en = rep.messages("vi")[0], rep.messages("en")[0]
    assert vi.startswith('Dòng 5, cột Ghi chú (note), giá trị "xxxx') and "1 MiB" in vi
    assert en.startswith('Row 5, column note, value "xxxx') and "1 MiB" in en
    assert len(en) < 400  # the value is shown cut short, not 40 MiB of it


@pytest.mark.parametrize(("size", "ok"), [(32_767, True), (32_768, False)])
def test_a_cell_over_excels_limit_is_a_row_problem(store, size, ok):
    rep = _ingest(store, [GOOD[0], ["18/03/2023", "workshop", "ệ" * size], GOOD[1]])
    assert rep.stored is ok
    if not ok:
        assert _problems(rep) == [(3, "note", "rule.cell_too_long")]
        assert rep.stage.problems["detail"].tolist() == ["32768"]
        assert _nothing_stored(store)


def test_a_long_quoted_cell_of_short_lines_is_found_on_its_row(store):
    """Line breaks inside quotes are part of the cell: the row count and row number hold."""
    note = "\n".join(["một dòng ghi chú"] * 3000)  # ~50,000 characters, lines of 16
    rep = _ingest(store, [GOOD[0], ["16/03/2023", "workshop", "a\nb"], ["18/03/2023", "workshop", note]])  # fmt: skip
    assert _problems(rep) == [(4, "note", "rule.cell_too_long")]
    assert _nothing_stored(store)


def test_a_long_cell_in_an_ignored_column_is_named_by_its_header(store):
    rep = _ingest(store, [["18/03/2023", "workshop", "", "y" * 40_000]], [*HEADER, "Cột lạ"])
    assert _problems(rep) == [(2, "Cột lạ", "rule.cell_too_long")]


def test_a_row_lost_by_the_reader_refuses_the_file(store, monkeypatch):
    """The guard: should a reader lose a row, the file is refused, not stored short."""
    batches = chunks._arrow_batches

    def losing(layout):
        for batch in batches(layout):
            yield batch.slice(0, batch.num_rows - 1)

    monkeypatch.setattr(chunks, "_arrow_batches", losing)
    rep = _ingest(store, GOOD)
    assert not rep.ok and not rep.stored
    assert [(p.code, p.params) for p in rep.file_problems] == [
        ("file.rows_lost", {"counted": 4, "read": 3})
    ]
    assert "4" in rep.messages("vi")[0] and "3" in rep.messages("en")[0]
    assert _nothing_stored(store)


def test_the_guard_catches_duckdb_losing_a_huge_last_row(store, monkeypatch):
    """With the limits lifted, DuckDB's parallel reader drops the 40 MiB last row."""
    from pqtrack.ingest import rowscan

    monkeypatch.setattr(rowscan, "LINE_LIMIT", 1 << 30)
    monkeypatch.setattr(rowscan, "CELL_LIMIT", 1 << 30)
    rep = _ingest(store, [*GOOD, ["18/03/2023", "workshop", "x" * HUGE]])
    assert not rep.stored
    assert [p.code for p in rep.file_problems] == ["file.rows_lost"]
    assert _nothing_stored(store)


def test_rows_stored_must_be_the_rows_checked(store, monkeypatch):
    """The guard's second half: the batch holds every row that was checked."""
    from pqtrack.ingest import staging

    store_chunk = staging.store_chunk

    def short(writer, typed, places, batch_id):
        return store_chunk(writer, typed.slice(1), places, batch_id)

    monkeypatch.setattr(staging, "store_chunk", short)
    rep = _ingest(store, GOOD)
    assert not rep.stored
    assert [(p.code, p.params) for p in rep.file_problems] == [
        ("file.rows_lost", {"counted": 3, "read": 2})
    ]
    assert _nothing_stored(store)


@pytest.mark.parametrize(
    "text",
    [
        'date,indicator,note\r\n15/03/2023,workshop,màn hình 5" to\r\n16/03/2023,workshop,b\r\n',
        "date,indicator,note\r15/03/2023,workshop,a\r16/03/2023,workshop,b\r",
        'date,indicator,note\n15/03/2023,workshop,"a\r\nb ""c"""\n16/03/2023,workshop,\n\n\n',
    ],
    ids=["quote-inside-a-cell", "cr-line-ends", "quoted-breaks"],
)
def test_files_the_count_reads_otherwise_are_stored_whole(store, text):
    rep = ingest.process(store, text.encode(), "t.csv", user="test", today=TODAY)
    assert rep.stored and rep.rows_read == 2
    assert store.scalar("SELECT count(*) FROM records") == 2


def test_a_file_with_no_data_rows_is_refused_not_stored_empty(store):
    rep = ingest.process(store, b"date,indicator\r\n,\r\n\r\n", "t.csv", today=TODAY)
    assert not rep.stored
    assert [p.code for p in rep.file_problems] == ["file.no_rows"]
    assert _nothing_stored(store)
