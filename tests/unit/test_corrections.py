"""Files that correct stored records: counted, shown field by field, versioned, undone."""

from __future__ import annotations

import threading
from datetime import date

import pytest

from pqtrack.domain.filters import RecordFilter
from pqtrack.figures import queries
from pqtrack.ingest import pipeline
from pqtrack.store import Store, StoreError, locks, versions

HEAD = "record_id,date,indicator,quantity,beneficiary_name,beneficiary_type,note\r\n"
TODAY = date(2028, 1, 1)
FIRST = ("A1,15/03/2023,product_standard,3,Co A,DN,\r\n"
         "A2,16/03/2023,workshop,2,Co B,DN,\r\n")  # fmt: skip
FIX = ("A1,15/03/2023,product_standard,5,Co A,DN,checked again\r\n"
       "N1,20/04/2023,workshop,1,Co C,DN,\r\n")  # fmt: skip


@pytest.fixture()
def store(tmp_path):
    s = Store(tmp_path / "c.duckdb")
    yield s
    s.close()


def send(store, rows: str, **kw):
    return pipeline.process(store, (HEAD + rows).encode(), kw.pop("name", "f.csv"), user="an",
                            today=TODAY, **kw)  # fmt: skip


def quantities(store) -> dict[str, int]:
    return dict(store.query_rows("SELECT record_id, quantity FROM records ORDER BY 1"))


def test_without_corrections_a_stored_id_is_refused_as_before(store):
    first = send(store, FIRST).batch_id
    report = send(store, FIX, name="g.csv")
    assert not report.stored
    assert report.stage.problems[["row", "code", "detail"]].values.tolist() == [
        [2, "rule.record_id_exists", str(first)]
    ]


def test_a_correction_file_is_previewed_field_by_field_and_stored_as_new_versions(store):
    first = send(store, FIRST).batch_id
    preview = send(store, FIX, name="g.csv", commit=False, correct=True)
    assert preview.ok and preview.stage.corrections == 1 and preview.rows_read == 2
    assert preview.stage.changes.values.tolist() == [
        [2, "A1", "quantity", "3", "5"],
        [2, "A1", "note", None, "checked again"],
    ]
    assert preview.stage.versions == {"A1": first}
    fixed = send(store, FIX, name="g.csv", correct=True, expected=preview.stage.versions)
    assert fixed.stored
    assert quantities(store) == {"A1": 5, "A2": 2, "N1": 1}
    assert store.batch(fixed.batch_id)["change"] == "correct"
    history = versions.history(store, "A1")
    assert [(h["action"], h["batch_id"], h["quantity"]) for h in history] == [
        ("added", first, 3), ("corrected", fixed.batch_id, 5),
    ]  # fmt: skip
    store.wait_for_summary()
    totals = queries.beneficiary_totals(store, RecordFilter(phase="2021-2025"))
    assert totals["quantity"] == 8
    # Rolling back the correction brings the replaced version back; the new row goes.
    with pytest.raises(StoreError) as err:
        store.rollback(first, "an")
    assert err.value.params == {"batch_id": first, "later": fixed.batch_id}
    store.rollback(fixed.batch_id, "an")
    assert quantities(store) == {"A1": 3, "A2": 2}
    assert [h["action"] for h in versions.history(store, "A1")] == [
        "added", "corrected", "restored",
    ]  # fmt: skip
    store.wait_for_summary()
    assert queries.beneficiary_totals(store, RecordFilter(phase="2021-2025"))["quantity"] == 5


def test_a_version_changed_since_the_preview_is_refused_whole(store):
    send(store, FIRST)
    preview = send(store, FIX, name="g.csv", commit=False, correct=True)
    other = send(store, "A1,15/03/2023,product_standard,4,Co A,DN,other fix\r\n",
                 name="h.csv", correct=True)  # fmt: skip
    assert other.stored
    late = send(store, FIX, name="g.csv", correct=True, expected=preview.stage.versions)
    assert not late.stored
    assert late.stage.problems[["row", "code", "detail"]].values.tolist() == [
        [2, "rule.version_changed", str(other.batch_id)]
    ]
    assert quantities(store) == {"A1": 4, "A2": 2}  # nothing half-written


def test_two_corrections_of_one_record_at_once_one_wins_the_other_is_refused(store):
    send(store, FIRST)
    files = [f"A1,15/03/2023,product_standard,{q},Co A,DN,\r\n" for q in (7, 8)]
    previews = [send(store, f, name=f"p{i}.csv", commit=False, correct=True)
                for i, f in enumerate(files)]  # fmt: skip
    results = [None, None]
    gate = threading.Barrier(2)

    def run(i: int) -> None:
        gate.wait()
        results[i] = send(store, files[i], name=f"p{i}.csv", correct=True,
                          expected=previews[i].stage.versions)  # fmt: skip

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    won = [r for r in results if r.stored]
    lost = [r for r in results if not r.stored]
    assert len(won) == 1 and len(lost) == 1
    assert lost[0].stage.problems["code"].tolist() == ["rule.version_changed"]
    assert quantities(store)["A1"] in (7, 8)
    assert [h["action"] for h in versions.history(store, "A1")] == ["added", "corrected"]


def test_a_voided_record_is_not_corrected_and_locks_refuse_whole_files(store):
    send(store, FIRST)
    void = versions.void(store, "A2", "an", "twice")
    again = send(store, "A2,16/03/2023,workshop,2,Co B,DN,\r\n", name="v.csv", correct=True)
    assert again.stage.problems[["code", "detail"]].values.tolist() == [
        ["rule.record_id_voided", str(void)]
    ]
    locks.lock(store, "2021-2025", "admin", "final report sent")
    moved = send(
        store,
        "A1,15/03/2026,product_standard,3,Co A,DN,\r\nB9,15/03/2027,workshop,1,Co D,DN,\r\n",
        name="m.csv",
        correct=True,
    )
    assert not moved.stored
    assert moved.stage.problems[["row", "column", "code"]].values.tolist() == [
        [2, "record_id", "rule.phase_locked_stored"]
    ]
    new = send(store, "B8,15/03/2024,workshop,1,Co D,DN,\r\n", name="n.csv")
    assert new.stage.problems[["row", "column", "value", "code", "detail"]].values.tolist() == [
        [2, "date", "15/03/2024", "rule.phase_locked", "2021-2025 (final report sent)"]
    ]
    assert "locked" in new.messages("en")[0]
    assert quantities(store) == {"A1": 3}
