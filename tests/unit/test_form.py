"""One record from a form: a one-row file through the same rules, and finding a beneficiary."""

from __future__ import annotations

from datetime import date

from pqtrack.ingest import pipeline
from pqtrack.service import form, versions
from pqtrack.store import Store


def test_a_form_record_is_stored_as_a_one_row_batch_with_the_same_rules(tmp_path):
    store = Store(tmp_path / "f.duckdb")
    fields = {"record_id": "F1", "date": date(2024, 5, 2), "indicator": "workshop",
              "quantity": 1, "beneficiary_name": "Công ty Sóc", "beneficiary_type": "enterprise",
              "tax_code": "2200123456", "note": "=HYPERLINK(\"x\")"}  # fmt: skip
    data = form.record_csv(fields)
    assert b"'=HYPERLINK" in data  # the original is safe to open in Excel
    report = pipeline.process(store, data, form.form_file_name("F1", date(2024, 5, 3)),
                              user="an", today=date(2024, 5, 3))  # fmt: skip
    assert report.stored and store.batch(report.batch_id)["row_count"] == 1
    assert store.query_rows("SELECT note FROM records") == [('=HYPERLINK("x")',)]
    bad = pipeline.process(store, form.record_csv({**fields, "record_id": "F2",
                                                   "date": date(2031, 1, 1)}),
                           "f.csv", user="an", today=date(2024, 5, 3), commit=False)  # fmt: skip
    assert not bad.stored
    assert any("date" in line or "Ngày" in line for line in bad.messages("en"))
    assert form.beneficiary_choices(store, "cong ty soc") == [
        ("Công ty Sóc", "2200123456", "enterprise", 1)
    ]
    assert form.beneficiary_choices(store, "22001")[0][0] == "Công ty Sóc"
    assert form.beneficiary_choices(store, "nobody") == []
    store.close()


def test_the_form_file_name_is_safe_whatever_the_id():
    assert form.form_file_name("../A 1/é", date(2026, 1, 2)) == "bieu-mau____A_1_é_2026-01-02.csv"
    assert form.form_file_name(None, date(2026, 1, 2)) == "bieu-mau_moi_2026-01-02.csv"


def test_the_form_loads_a_records_current_fields_and_none_once_voided(tmp_path):
    store = Store(tmp_path / "c.duckdb")
    fields = {"record_id": "C1", "date": date(2024, 5, 2), "indicator": "workshop",
              "quantity": 2, "locality": "huyện Kế Sách", "funding_vnd": 5_000_000}  # fmt: skip
    assert pipeline.process(store, form.record_csv(fields), "c.csv", user="an").stored
    current = form.current_fields(store, "C1")
    assert current["date"] == date(2024, 5, 2) and current["indicator"] == "workshop"
    assert (current["quantity"], current["funding_vnd"], current["note"]) == (2, 5_000_000, None)
    assert form.current_fields(store, "C2") is None
    versions.void_record(store, "C1", "an", "trùng")
    assert form.current_fields(store, "C1") is None
    store.close()


def test_form_values_become_fields_trimmed_blank_as_none_whole_numbers_as_int():
    cleaned = form.clean_fields({"record_id": "  R1 ", "note": "   ", "quantity": 3.0,
                                 "funding_vnd": 2.5, "date": date(2025, 1, 1)})  # fmt: skip
    assert cleaned["record_id"] == "R1" and cleaned["note"] is None
    assert cleaned["quantity"] == 3 and isinstance(cleaned["quantity"], int)
    assert cleaned["funding_vnd"] == 2.5 and cleaned["indicator"] is None
    assert form.new_record_id(date(2026, 1, 2)).startswith("BM-20260102-")
    assert form.new_record_id(date(2026, 1, 2)) != form.new_record_id(date(2026, 1, 2))
