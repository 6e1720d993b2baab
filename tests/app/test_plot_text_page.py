"""The beneficiaries page draws a record's sector and standard as text, never as markup."""

from __future__ import annotations

from pqtrack.ingest import pipeline as ingest
from tests.app.support import app, csv_bytes, open_store

EVIL = '<b>x</b><a href="javascript:alert(1)">y</a>'


def test_record_text_reaches_the_browser_escaped_in_every_figure(empty_db):
    row = f"E-1,15/03/2023,product_standard,2,Công ty A,doanh nghiệp,,,{EVIL},{EVIL},"
    assert ingest.process(open_store(empty_db), csv_bytes([row]), "x.csv", user="t").stored
    at = app("beneficiaries", phase="2021-2025")
    assert not at.exception
    specs = [el.proto.spec for el in at.get("plotly_chart")]
    assert len(specs) >= 6  # by type, then one per breakdown tab
    assert sum("&lt;a href" in s for s in specs) == 2  # the sector and the standard figures
    assert not [s for s in specs if "<a href" in s or "<b>x" in s]
