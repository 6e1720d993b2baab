"""rowscan counts rows, widths and too-long cells as the CSV readers read them."""

from __future__ import annotations

import csv
import io
import random

import pyarrow as pa
import pyarrow.csv as pa_csv
import pytest

from pqtrack.ingest import rowscan

PIECES = ["a", ",", '"', '"', "\n", "\r\n", "\r", " ", "ệ"]


def _random_files(seed: int, count: int, width: int = 40) -> list[str]:
    rnd = random.Random(seed)
    return ["".join(rnd.choices(PIECES, k=rnd.randint(1, width))) for _ in range(count)]


def _csv_rows(text: str) -> list[list[str]]:
    body = text.rstrip("\r\n")
    return list(csv.reader(io.StringIO(body, newline=""))) if body else []


def test_arrow_reads_what_the_count_reads():
    """On every small file Arrow reads, the two counts agree."""
    rnd = random.Random(2)
    compared = 0
    for _ in range(3000):
        width = rnd.randint(1, 3)
        lines = [
            ",".join("".join(rnd.choices(PIECES, k=rnd.randint(0, 4))) for _ in range(width))
            for _ in range(rnd.randint(1, 5))
        ]
        data = "\n".join(lines).encode()
        body = pa.py_buffer(data).slice(0, rowscan.body_end(data))
        try:
            table = pa_csv.read_csv(
                body,
                read_options=pa_csv.ReadOptions(column_names=[f"c{i}" for i in range(width)]),
                parse_options=pa_csv.ParseOptions(
                    newlines_in_values=True, ignore_empty_lines=False
                ),
            )
        except pa.ArrowInvalid:
            continue
        compared += 1
        assert rowscan.scan(data, 0, ",").rows == table.num_rows, data
    assert compared > 500


@pytest.mark.parametrize("block", [7, 1 << 20], ids=["tiny-blocks", "real-blocks"])
def test_rows_widths_and_long_cells_match_the_csv_module(monkeypatch, block):
    """Across scan blocks too: a quote, a CRLF or a cell cut by a block's end changes nothing."""
    monkeypatch.setattr(rowscan, "_BLOCK", block)
    monkeypatch.setattr(rowscan, "CELL_LIMIT", 3)
    for text in _random_files(4, 4000):
        rows = _csv_rows(text)
        found = rowscan.scan(text.encode(), 0, ",", widest=True)
        assert found.rows == len(rows), text
        if any(rows):
            assert found.widest == max(len(r) for r in rows), text
        long = [
            (i + 1, j, len(c)) for i, r in enumerate(rows) for j, c in enumerate(r) if len(c) > 3
        ]
        assert [(r.row, r.column, r.length) for r in found.too_long] == long, text


def test_a_row_over_the_line_limit_names_its_longest_cell(monkeypatch):
    monkeypatch.setattr(rowscan, "_BLOCK", 5)
    monkeypatch.setattr(rowscan, "LINE_LIMIT", 20)
    monkeypatch.setattr(rowscan, "CELL_LIMIT", 10)
    data = 'h\r\na,"bb,\r\nb",' + "c" * 30 + ",d\r\ne\r\n"
    found = rowscan.scan(data.encode(), 0, ",")
    assert found.rows == 3
    assert [(r.row, r.column, r.line, r.shown) for r in found.too_long] == [
        (2, 2, True, "c" * 30 + "…")
    ]


def test_a_bom_and_final_line_breaks_are_no_rows():
    assert rowscan.scan(b"\xef\xbb\xbfh\r\nx\r\n\r\n\n", 3, ",").rows == 2
    assert rowscan.scan(b"\r\n\r\n", 0, ",").rows == 0
