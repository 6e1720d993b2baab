"""Formula neutralising: the first visible character, folded, decides; in every export."""

from __future__ import annotations

import csv
import io
import sys
import unicodedata

import openpyxl
import pandas as pd
import pytest

from pqtrack.domain.filters import RecordFilter
from pqtrack.figures import listing
from pqtrack.ingest import pipeline as ingest
from pqtrack.presentation import views
from pqtrack.report import export
from pqtrack.store import Store
from pqtrack.text import FORMULA_TRIGGERS, formula_like
from pqtrack.tfp import export as tfp_export
from pqtrack.tfp import macro
from pqtrack.tfp import model as tfp
from tests.support import TODAY, csv_text

HOSTILE = [
    "\u3000=1+1",  # ideographic space
    "\u200b=1",  # zero-width space
    "\ufeff@SUM(A1)",  # a BOM
    "\u200e\u00a0-2+3",  # a direction mark, then a no-break space
    "＝1+1",
    "＋84 912",
    "－1+1",
    "＠SUM(A1)",
    "﹦1",
]
PLAIN = ["Công ty A", "ISO 9001", "1-2", "a=b", "\u2212 giảm", "Ấn tượng", "  x"]


@pytest.mark.parametrize("text", HOSTILE + ["=1", "+84", "-1", "@x", "\t1", "'＝1"])
def test_formula_like_sees_folded_and_hidden_starts(text):
    assert formula_like(text)


@pytest.mark.parametrize("text", [*PLAIN, "", "'", "\u3000", "'x"])
def test_formula_like_leaves_plain_text(text):
    assert not formula_like(text)


def test_the_ingest_list_of_triggers_is_every_character_that_folds_to_one():
    folds = {
        c
        for c in map(chr, range(sys.maxunicode + 1))
        if unicodedata.normalize("NFKC", c)[:1] in "=+-@"
    }
    assert set(FORMULA_TRIGGERS) == folds


def test_neutralise_prefixes_exactly_the_risky_cells():
    values = [*HOSTILE, *PLAIN, None, "'\u200b=1", "   =", "\u3000\u3000\u3000x"]
    out = export.neutralise(pd.Series(values, dtype=object))
    expected = [v if v is None or not formula_like(v) else "'" + v for v in values]
    assert [None if pd.isna(v) else v for v in out] == expected
    assert sum(str(v).startswith("'") for v in out) == len(HOSTILE) + 2


HEADER = [
    "record_id",
    "date",
    "indicator",
    "quantity",
    "beneficiary_name",
    "beneficiary_type",
    "note",
]


def _load(store) -> None:
    rows = [[f"R{i}", "15/03/2023", "workshop", "1", "", "", v] for i, v in enumerate(HOSTILE)]
    rows.append(["RX", "15/03/2023", "product_standard", "1", "\u200b=HYPERLINK(1)", "HTX", "x"])
    rep = ingest.process(store, csv_text(HEADER, rows).encode(), "in.csv", today=TODAY)
    assert rep.stored, rep.messages("en")


def test_records_csv_neutralises_folded_and_hidden_formulas_and_round_trips(store, tmp_path):
    _load(store)
    data = export.csv_bytes(store, RecordFilter())
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    notes = {r["record_id"]: r["note"] for r in rows}
    assert [notes[f"R{i}"] for i in range(len(HOSTILE))] == ["'" + v for v in HOSTILE]
    assert {r["beneficiary_name"] for r in rows if r["record_id"] == "RX"} == {
        "'\u200b=HYPERLINK(1)"
    }
    # the apostrophe is taken off again on import: the same values come back
    sql = f"SELECT record_id, note, beneficiary_name FROM {listing.RECORD_ROWS} ORDER BY 1"  # noqa: S608
    other = Store(tmp_path / "other.duckdb")
    assert ingest.process(other, data, "export.csv", today=TODAY).stored
    assert other.query_rows(sql) == store.query_rows(sql)


def test_table_downloads_neutralise_folded_and_hidden_formulas():
    text = views.csv_download(pd.DataFrame({"Giá trị": HOSTILE + PLAIN})).decode("utf-8-sig")
    cells = [r[0] for r in csv.reader(io.StringIO(text))][1:]
    assert cells == ["'" + v for v in HOSTILE] + PLAIN


def test_tfp_csv_neutralises_a_hidden_formula_in_the_source():
    data = (
        b"year,grdp,capital_stock,labour,source\n2020,100,200,50,yearbook\n"
        + "2021,110,210,51,\u200b＝HYPERLINK(1)\n".encode()
    )
    frame = macro.parse_macro_bytes(data).frame
    raw = tfp_export.csv_bytes(tfp.compute(frame, 0.4, 0.05), frame)
    rows = list(csv.DictReader(io.StringIO(raw[3:].decode("utf-8"))))
    assert rows[0]["source"] == "'\u200b＝HYPERLINK(1)"


def test_workbooks_hold_such_text_as_text_cells_never_formulas(store):
    _load(store)
    wb = openpyxl.load_workbook(io.BytesIO(export.xlsx_bytes(store, RecordFilter(), "en")))
    cells = [c for row in wb.active.iter_rows(min_row=2) for c in row if c.value in HOSTILE]
    assert len(cells) == len(HOSTILE) and {c.data_type for c in cells} == {"s"}
