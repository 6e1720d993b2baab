"""One test per rule of the record contract (shared/spec/records.md)."""

from __future__ import annotations

import pytest

from pqtrack.ingest import pipeline as ingest
from tests.support import TODAY, csv_text

HEADER = ["record_id", "date", "indicator", "quantity", "beneficiary_name", "beneficiary_type",
          "tax_code", "locality", "sector", "standard", "funding_vnd", "participants", "note"]  # fmt: skip


def row(**kw: str) -> list[str]:
    base = {"date": "15/03/2023", "indicator": "product_standard", "beneficiary_name": "Công ty A",
            "beneficiary_type": "enterprise"}  # fmt: skip
    base.update(kw)
    return [base.get(h, "") for h in HEADER]


def check(store, *rows: list[str], header: list[str] = HEADER):
    data = csv_text(header, list(rows)).encode("utf-8")
    return ingest.process(store, data, "t.csv", user="test", today=TODAY)


def codes(report) -> list[tuple[int, str, str]]:
    df = report.stage.problems
    return list(zip(df["row"], df["column"], df["code"], strict=True))


def test_valid_row_is_stored(store):
    rep = check(store, row())
    assert rep.ok and rep.stored and rep.rows_read == 1
    assert store.scalar("SELECT count(*) FROM records") == 1


@pytest.mark.parametrize("value", ["2023-03-15", "15/03/2023", "5/3/2023", "05/03/2023"])
def test_date_formats_accepted(store, value):
    assert check(store, row(date=value)).ok


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("", "rule.date_missing"),
        ("31/02/2023", "rule.date_format"),
        ("2023/03/15", "rule.date_format"),
        ("15-03-2023", "rule.date_format"),
        ("31/12/2020", "rule.date_range"),
        ("01/01/2031", "rule.date_range"),
        ("28/11/2026", "rule.date_future"),
    ],
)
def test_date_rules(store, value, code):
    rep = check(store, row(date=value))
    assert (2, "date", code) in codes(rep)
    assert not rep.stored


def test_date_today_is_allowed(store):
    assert check(store, row(date="27/11/2026")).ok


def test_indicator_is_case_insensitive(store):
    rep = check(store, row(indicator="Product_Standard"))
    assert rep.ok
    assert store.scalar("SELECT indicator FROM records") == "product_standard"


@pytest.mark.parametrize(
    ("value", "code"), [("", "rule.indicator_missing"), ("san_pham", "rule.indicator_unknown")]
)
def test_indicator_rules(store, value, code):
    assert (2, "indicator", code) in codes(check(store, row(indicator=value)))


@pytest.mark.parametrize(("value", "stored"), [("", 1), ("3", 3), ("1.000", 1000)])
def test_quantity_default_and_values(store, value, stored):
    assert check(store, row(quantity=value)).ok
    assert store.scalar("SELECT quantity FROM records") == stored


@pytest.mark.parametrize("value", ["0", "-1", "1,5", "abc", "2.5"])
def test_quantity_must_be_whole_and_positive(store, value):
    assert (2, "quantity", "rule.quantity_invalid") in codes(check(store, row(quantity=value)))


@pytest.mark.parametrize(
    "indicator",
    ["product_standard", "management_system", "lab_17025", "award_participation", "award_winner"],
)
def test_name_and_type_required_for_beneficiary_indicators(store, indicator):
    rep = check(store, row(indicator=indicator, beneficiary_name="", beneficiary_type=""))
    found = codes(rep)
    assert (2, "beneficiary_name", "rule.name_required") in found
    assert (2, "beneficiary_type", "rule.type_required") in found


@pytest.mark.parametrize("indicator", ["workshop", "training_course", "expert_trained"])
def test_name_optional_for_events(store, indicator):
    assert check(store, row(indicator=indicator, beneficiary_name="", beneficiary_type="")).ok


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("enterprise", "enterprise"),
        ("Doanh nghiệp", "enterprise"),
        ("doanh nghiep", "enterprise"),
        ("HỘ KINH DOANH", "household_business"),
        ("hop tac xa", "cooperative"),
        ("Tổ hợp tác", "cooperative_group"),
        ("khác", "other"),
        ("HTX", "cooperative"),
    ],
)
def test_beneficiary_type_words(store, value, code):
    assert check(store, row(beneficiary_type=value)).ok
    assert store.scalar("SELECT beneficiary_type FROM records") == code


def test_beneficiary_type_unknown(store):
    rep = check(store, row(beneficiary_type="công ty"))
    assert (2, "beneficiary_type", "rule.type_unknown") in codes(rep)


@pytest.mark.parametrize("value", ["2200123456", "2200123456-001"])
def test_tax_code_valid(store, value):
    assert check(store, row(tax_code=value)).ok


@pytest.mark.parametrize("value", ["220012345", "2.2E+09", "2200123456-1", "22001234567"])
def test_tax_code_invalid(store, value):
    assert (2, "tax_code", "rule.tax_code_invalid") in codes(check(store, row(tax_code=value)))


@pytest.mark.parametrize(
    "value", ["15000000", "15.000.000", "15,000,000", "15.000.000 đ", "15 000 000", "15000000.00"]
)
def test_money_formats(store, value):
    assert check(store, row(funding_vnd=value)).ok
    assert store.scalar("SELECT funding_vnd FROM records") == 15_000_000


@pytest.mark.parametrize("value", ["-5", "15.5", "mười lăm", "15.00.000"])
def test_money_invalid(store, value):
    assert (2, "funding_vnd", "rule.funding_invalid") in codes(check(store, row(funding_vnd=value)))


def test_participants_whole_non_negative(store):
    assert check(store, row(indicator="workshop", participants="0")).ok
    rep = check(store, row(indicator="workshop", participants="-3", record_id="x2"))
    assert (2, "participants", "rule.participants_invalid") in codes(rep)


def test_record_id_too_long(store):
    rep = check(store, row(record_id="x" * 65))
    assert (2, "record_id", "rule.record_id_too_long") in codes(rep)


def test_record_id_duplicate_in_file_names_first_row(store):
    rep = check(store, row(record_id="A"), row(record_id="B"), row(record_id="A"))
    df = rep.stage.problems
    hit = df[df["code"] == "rule.record_id_duplicate"]
    assert list(hit["row"]) == [4] and list(hit["detail"]) == ["2"]


def test_record_id_repeated_more_than_once_names_each_later_row(store):
    ids = ["A", "B", "A", "B", "A", "C"]
    rep = check(store, *(row(record_id=i) for i in ids))
    df = rep.stage.problems
    hit = df[df["code"] == "rule.record_id_duplicate"].sort_values("row")
    assert list(hit["row"]) == [4, 5, 6] and list(hit["detail"]) == ["2", "3", "2"]


def test_record_id_already_stored(store):
    assert check(store, row(record_id="A")).stored
    rep = check(store, row(record_id="A", note="other file"))
    assert (2, "record_id", "rule.record_id_exists") in codes(rep)
    assert store.scalar("SELECT count(*) FROM records") == 1


def test_store_assigns_missing_record_ids(store):
    rep = check(store, row(), row(beneficiary_name="Công ty B"))
    ids = [r[0] for r in store.query_rows("SELECT record_id FROM records ORDER BY row_number")]
    assert rep.ok and len(set(ids)) == 2 and all(i.endswith(("-2", "-3")) for i in ids)


def test_extra_cells_beyond_header_are_an_error(store):
    text = "date,indicator\r\n15/03/2023,workshop\r\n16/03/2023,workshop,lost value\r\n"
    rep = ingest.process(store, text.encode(), "x.csv", today=TODAY)
    assert (3, None, "rule.extra_values") in [
        (r, c if isinstance(c, str) else None, k) for r, c, k in codes(rep)
    ]
    assert not rep.stored


def test_blank_trailing_columns_and_blank_rows_ignored(store):
    text = "date,indicator,,\r\n15/03/2023,workshop,,\r\n,,,\r\n\r\n16/03/2023,workshop,,\r\n"
    rep = ingest.process(store, text.encode(), "x.csv", today=TODAY)
    assert rep.ok and rep.rows_read == 2
    rows = store.query_rows("SELECT row_number FROM records ORDER BY row_number")
    assert [r[0] for r in rows] == [2, 5]


def test_blank_line_keeps_spreadsheet_row_numbers_in_errors(store):
    text = "date,indicator\n15/03/2023,workshop\n\n\n99/99/2023,workshop\n"
    rep = ingest.process(store, text.encode(), "x.csv", today=TODAY)
    assert codes(rep) == [(5, "date", "rule.date_format")]


def test_missing_required_column_refuses_file(store):
    rep = check(store, ["15/03/2023"], header=["date"])
    assert [p.code for p in rep.file_problems] == ["file.missing_column"]
    assert rep.file_problems[0].params["code"] == "indicator"


def test_unknown_column_is_a_warning_naming_it(store):
    rep = ingest.process(
        store, "date,indicator,Cột lạ\r\n15/03/2023,workshop,x\r\n".encode(), "x.csv", today=TODAY
    )
    assert rep.ok
    assert [(w.code, w.params["column"]) for w in rep.warnings] == [
        ("file.unknown_column", "Cột lạ")
    ]


def test_every_problem_listed_and_nothing_stored(store):
    rep = check(
        store,
        row(date="32/01/2023"),
        row(indicator="nope"),
        row(quantity="0", tax_code="1"),
    )
    assert rep.problem_count == 4
    assert sorted(r for r, _, _ in codes(rep)) == [2, 3, 4, 4]
    assert store.scalar("SELECT count(*) FROM records") == 0
    assert store.scalar("SELECT count(*) FROM batches") == 0


def test_messages_name_row_column_value_in_both_languages(store):
    rep = check(store, row(date="31/02/2023"))
    vi, en = rep.messages("vi")[0], rep.messages("en")[0]
    assert vi.startswith('Dòng 2, cột Ngày (date), giá trị "31/02/2023"')
    assert en.startswith('Row 2, column date, value "31/02/2023"')
