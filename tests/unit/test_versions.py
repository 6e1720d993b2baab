"""Record versions: voids, history, and rollbacks that bring the replaced version back."""

from __future__ import annotations

from datetime import date

import pytest

from pqtrack.figures import queries
from pqtrack.ingest import pipeline
from pqtrack.store import Store, StoreError, locks, versions

HEAD = "record_id,date,indicator,quantity,beneficiary_name,beneficiary_type,tax_code\r\n"


@pytest.fixture()
def store(tmp_path):
    s = Store(tmp_path / "v.duckdb")
    yield s
    s.close()


def ingest(store, rows: str, user: str = "an"):
    report = pipeline.process(
        store, (HEAD + rows).encode(), "f.csv", user=user, today=date(2028, 1, 1)
    )
    assert report.stored, report
    return report.batch_id


def current(store) -> dict[str, tuple]:
    rows = store.query_rows("SELECT record_id, batch_id, quantity FROM records ORDER BY 1")
    return {r[0]: (r[1], r[2]) for r in rows}


def test_a_void_leaves_the_figures_and_stays_in_the_history(store):
    first = ingest(store, "A1,15/03/2023,product_standard,3,Co A,DN,0301234567\r\n"
                          "A2,16/03/2023,product_standard,2,Co B,DN,\r\n")  # fmt: skip
    void = versions.void(store, "A1", "bình", "  Counted twice\n(also in A2) ")
    assert current(store) == {"A2": (first, 2)}
    assert store.scalar("SELECT sum(quantity) FROM records") == 2
    history = versions.history(store, "A1")
    assert [
        (h["version"], h["action"], h["batch_id"], h["user"], h["reason"]) for h in history
    ] == [
        (1, "added", first, "an", None),
        (2, "voided", void, "bình", "Counted twice (also in A2)"),
    ]
    assert history[1]["quantity"] == 3 and history[1]["tax_code"] == "0301234567"
    assert history[1]["date"] == "2023-03-15" and history[1]["beneficiary_name"] == "Co A"
    with pytest.raises(StoreError) as err:
        versions.void(store, "A1", "an", "again")
    assert err.value.code == "store.void.already"
    with pytest.raises(StoreError) as err:
        versions.void(store, "ZZ", "an", "none")
    assert err.value.code == "store.void.no_record"


def test_rolling_back_a_void_restores_the_record_and_the_first_batch_waits_for_it(store):
    first = ingest(store, "A1,15/03/2023,product_standard,3,Co A,DN,\r\n")
    void = versions.void(store, "A1", "an", "wrong")
    with pytest.raises(StoreError) as err:
        store.rollback(first, "an")
    assert (err.value.code, err.value.params) == (
        "store.rollback_later",
        {"batch_id": first, "later": void},
    )
    assert store.rollback(void, "an") == 0  # no current version left the records
    assert current(store) == {"A1": (first, 3)}
    assert [h["action"] for h in versions.history(store, "A1")] == ["added", "voided", "restored"]
    assert store.rollback(first, "an") == 1
    assert current(store) == {}
    assert [h["action"] for h in versions.history(store, "A1")][-1] == "rolled_back"
    # The id is free again once its batch is rolled back.
    again = ingest(store, "A1,15/03/2023,product_standard,5,Co A,DN,\r\n")
    assert current(store) == {"A1": (again, 5)}
    assert [h["action"] for h in versions.history(store, "A1")] == [
        "added", "voided", "restored", "rolled_back", "added",
    ]  # fmt: skip


def test_the_summary_stays_exact_through_a_void_and_its_rollback(store):
    from pqtrack.domain.filters import RecordFilter

    ingest(store, "A1,15/03/2023,product_standard,3,Co A,DN,\r\n"
                  "A2,16/03/2023,product_standard,2,Co B,DN,\r\n")  # fmt: skip
    flt = RecordFilter(phase="2021-2025")
    void = versions.void(store, "A1", "an", "twice")
    store.wait_for_summary()
    assert queries.beneficiary_totals(store, flt)["quantity"] == 2
    assert queries.beneficiary_totals(store, flt)["beneficiaries"] == 1
    store.rollback(void, "an")
    store.wait_for_summary()
    assert queries.beneficiary_totals(store, flt)["quantity"] == 5


def test_a_record_in_a_locked_phase_is_not_voided(store):
    ingest(store, "A1,15/03/2023,product_standard,3,Co A,DN,\r\n")
    locks.lock(store, "2021-2025", "admin", "Final report sent")
    with pytest.raises(StoreError) as err:
        versions.void(store, "A1", "an", "twice")
    assert err.value.code == "store.lock.void"
    assert err.value.params["date"] == "15/03/2023"
    assert current(store) != {}
    assert versions.history(store, "A1")[-1]["action"] == "added"


@pytest.mark.parametrize("reason", ["\u200b", "\u202e\u200f", "\x1b", "\x00 \t", "\ufeff"])
def test_a_reason_that_shows_nothing_is_no_reason(store, reason):
    ingest(store, "A1,15/03/2023,product_standard,3,Co A,DN,\r\n")
    with pytest.raises(StoreError) as err:
        versions.void(store, "A1", "an", reason)
    assert err.value.code == "store.void.no_reason"
    with pytest.raises(StoreError) as err:
        locks.lock(store, "2021-2025", "admin", reason)
    assert err.value.code == "store.lock.no_reason"
    assert versions.history(store, "A1")[-1]["action"] == "added"
    assert locks.locks(store) == {}
    versions.void(store, "A1", "an", "\u202bسبب\u202c twice")  # marks around words: a reason


def test_a_record_id_is_found_as_typed_on_any_keyboard(store):
    import unicodedata

    first = ingest(store, "HỘI-1,15/03/2023,product_standard,3,Co A,DN,\r\n")
    typed = " " + unicodedata.normalize("NFD", "HỘI-1") + "\u00a0"  # decomposed, padded
    assert [h["batch_id"] for h in versions.history(store, typed)] == [first]
    void = versions.void(store, typed, "an", "twice")
    assert [h["action"] for h in versions.history(store, "HỘI-1")] == ["added", "voided"]
    assert versions.history(store, typed)[-1]["batch_id"] == void
