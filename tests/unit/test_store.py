"""Batches, duplicates, all-or-nothing, rollback, original bytes, audit."""

from __future__ import annotations

import hashlib

import pytest

from pqtrack.ingest import chunks, rules, staging
from pqtrack.ingest import pipeline as ingest
from pqtrack.store import Store, StoreError
from tests.support import TODAY

GOOD = "date,indicator,beneficiary_name,beneficiary_type\r\n15/03/2023,product_standard,A,HTX\r\n"
BAD = GOOD + "16/03/2023,product_standard,,\r\n"


def content_snapshot(store) -> list:
    """Every table's content, for 'unchanged' comparisons."""
    return [
        store.query_rows(f"SELECT * FROM {t} ORDER BY ALL")  # noqa: S608 - fixed names
        for t in ("records", "batches", "files", "audit", "meta")
    ]


def test_refused_file_leaves_store_unchanged(store):
    assert ingest.process(store, GOOD.encode(), "a.csv", today=TODAY).stored
    before = content_snapshot(store)
    rep = ingest.process(store, BAD.encode(), "b.csv", today=TODAY)
    assert not rep.stored and rep.problem_count == 2
    assert content_snapshot(store) == before


def test_same_file_twice_names_earlier_batch(store):
    first = ingest.process(store, GOOD.encode(), "a.csv", today=TODAY)
    again = ingest.process(store, GOOD.encode(), "copy.csv", today=TODAY)
    assert not again.stored
    assert [p.code for p in again.file_problems] == ["file.duplicate_file"]
    assert again.file_problems[0].params["batch_id"] == first.batch_id
    assert "a.csv" in again.file_problems[0].message("en")
    assert again.stage.problem_count == 0


def test_rollback_removes_rows_and_allows_reupload(store):
    rep = ingest.process(store, GOOD.encode(), "a.csv", user="an", today=TODAY)
    assert store.rollback(rep.batch_id, "binh") == 1
    assert store.scalar("SELECT count(*) FROM records") == 0
    b = store.batch(rep.batch_id)
    assert b["status"] == "rolled_back" and b["rolled_back_by"] == "binh"
    assert ingest.process(store, GOOD.encode(), "a.csv", today=TODAY).stored


def test_rollback_twice_is_refused(store):
    rep = ingest.process(store, GOOD.encode(), "a.csv", today=TODAY)
    store.rollback(rep.batch_id, "x")
    try:
        store.rollback(rep.batch_id, "x")
    except StoreError as exc:
        assert exc.code == "store.already_rolled_back"
    else:
        raise AssertionError("second rollback accepted")


def test_original_bytes_are_kept_content_addressed(store):
    data = "\ufeff".encode() + GOOD.encode()
    rep = ingest.process(store, data, "gốc.csv", today=TODAY)
    name, content = store.file_bytes(rep.batch_id)
    assert name == "gốc.csv" and content == data
    assert store.batch(rep.batch_id)["content_hash"] == hashlib.sha256(data).hexdigest()


def test_audit_records_ingest_and_rollback_with_user(store):
    rep = ingest.process(store, GOOD.encode(), "a.csv", user="an", today=TODAY)
    store.rollback(rep.batch_id, "binh")
    log = store.audit_log()
    assert list(log["action"]) == ["rollback", "ingest"]
    assert list(log["user_name"]) == ["binh", "an"]


def test_data_version_changes_on_every_write(store):
    v0 = store.data_version()
    rep = ingest.process(store, GOOD.encode(), "a.csv", today=TODAY)
    v1 = store.data_version()
    store.rollback(rep.batch_id, None)
    assert v0 < v1 < store.data_version()


def test_store_reopens_with_data_and_schema_version(tmp_path):
    s = Store(tmp_path / "s.duckdb")
    ingest.process(s, GOOD.encode(), "a.csv", today=TODAY)
    version = s.schema_version()
    s.close()
    again = Store(tmp_path / "s.duckdb")
    assert again.scalar("SELECT count(*) FROM records") == 1
    assert again.schema_version() == version


def test_transient_mode_releases_the_file(tmp_path):
    import duckdb

    s = Store(tmp_path / "t.duckdb", keep_open=False)
    ingest.process(s, GOOD.encode(), "a.csv", today=TODAY)
    con = duckdb.connect(str(tmp_path / "t.duckdb"))  # would fail if the file were held
    assert con.execute("SELECT count(*) FROM records").fetchone()[0] == 1
    con.close()


def test_distinct_beneficiaries_by_tax_code_else_name(store):
    text = (
        "date,indicator,beneficiary_name,beneficiary_type,tax_code\r\n"
        "15/03/2023,management_system,Công ty A,DN,2200000001\r\n"
        "16/03/2023,management_system,CÔNG TY A (chi nhánh),DN,2200000001\r\n"
        "17/03/2023,management_system,HTX Mỹ Hương,HTX,\r\n"
        "18/03/2023,management_system,htx  my huong,HTX,\r\n"
        "19/03/2023,management_system,HTX Khác,HTX,\r\n"
    )
    ingest.process(store, text.encode(), "d.csv", today=TODAY)
    from pqtrack.domain.filters import RecordFilter
    from pqtrack.figures import queries

    totals = queries.beneficiary_totals(store, RecordFilter())
    assert totals["turns"] == 5 and totals["beneficiaries"] == 3


def test_ingest_reports_its_steps_in_order(store):
    steps: list[str] = []
    rep = ingest.process(store, GOOD.encode(), "a.csv", today=TODAY, on_step=steps.append)
    assert rep.stored and steps == ["read", "check", "store"]
    steps.clear()
    ingest.check(store, GOOD.replace("15/03", "16/03").encode(), "b.csv", on_step=steps.append)
    assert steps == ["read", "check"]


def test_original_is_kept_beside_the_store_not_inside_it(store):
    data = GOOD.encode()
    rep = ingest.process(store, data, "a.csv", today=TODAY)
    digest = hashlib.sha256(data).hexdigest()
    kept = store.path.with_name(store.path.name + ".originals") / digest
    assert kept.read_bytes() == data
    assert store.scalar("SELECT content FROM files WHERE content_hash = ?", [digest]) is None
    assert store.scalar("SELECT size FROM files WHERE content_hash = ?", [digest]) == len(data)
    # the same file after a rollback reuses the kept copy
    store.rollback(rep.batch_id, "an")
    again = ingest.process(store, data, "a-lai.csv", today=TODAY)
    assert store.file_bytes(again.batch_id) == ("a-lai.csv", data)


def test_a_failed_store_removes_the_original_it_wrote(store, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("power cut")

    before = content_snapshot(store)
    monkeypatch.setattr(staging, "store_chunk", boom)
    with pytest.raises(RuntimeError):
        ingest.process(store, GOOD.encode(), "a.csv", today=TODAY)
    assert content_snapshot(store) == before
    folder = store.path.with_name(store.path.name + ".originals")
    assert not folder.exists() or not any(folder.iterdir())


def test_a_failure_as_the_batch_is_named_stores_nothing(store, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("power cut")

    before = content_snapshot(store)
    monkeypatch.setattr(Store, "audit", staticmethod(boom))  # the last step before COMMIT
    with pytest.raises(RuntimeError):
        ingest.process(store, GOOD.encode(), "a.csv", today=TODAY)
    assert content_snapshot(store) == before
    assert _originals(store) == []
    monkeypatch.undo()
    assert ingest.process(store, GOOD.encode(), "a.csv", today=TODAY).stored


def _originals(store) -> list[str]:
    folder = store.path.with_name(store.path.name + ".originals")
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_a_refused_file_leaves_no_original_behind(store):
    rep = ingest.process(store, BAD.encode(), "b.csv", today=TODAY)
    assert not rep.stored
    assert _originals(store) == []


def test_a_failed_check_leaves_no_original_behind(store, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("check failed")

    monkeypatch.setattr(rules, "check_rows", boom)
    with pytest.raises(RuntimeError):
        ingest.process(store, GOOD.encode(), "a.csv", today=TODAY)
    assert _originals(store) == []


def test_an_original_that_cannot_be_written_stores_nothing(store, monkeypatch):
    from pqtrack.store import originals

    def disk_full(fd):
        raise OSError(28, "No space left on device")

    before = content_snapshot(store)
    monkeypatch.setattr(originals.os, "fsync", disk_full)
    with pytest.raises(OSError):
        ingest.process(store, GOOD.encode(), "a.csv", today=TODAY)
    assert content_snapshot(store) == before
    assert _originals(store) == []


def test_a_changed_original_is_reported_not_served(store):
    data = GOOD.encode()
    rep = ingest.process(store, data, "a.csv", today=TODAY)
    kept = store.path.with_name(store.path.name + ".originals") / hashlib.sha256(data).hexdigest()
    kept.write_bytes(data + b"tampered")
    with pytest.raises(StoreError) as err:
        store.file_bytes(rep.batch_id)
    assert err.value.code == "store.original_missing"
    assert err.value.params["batch_id"] == rep.batch_id


@pytest.mark.parametrize("chunk_rows", [1_000_000, 2], ids=["one-chunk", "chunks-of-2"])
def test_a_beneficiary_is_its_tax_code_else_its_name_across_chunks_and_batches(
    tmp_path, monkeypatch, chunk_rows
):
    monkeypatch.setattr(chunks, "CHUNK_ROWS", chunk_rows)
    store = Store(tmp_path / "s.duckdb")
    head = "date,indicator,beneficiary_name,beneficiary_type,tax_code\r\n"
    rows = [
        "01/03/2023,management_system,Công ty A,DN,2200000001",
        "02/03/2023,management_system,Công ty A,DN,",
        "03/03/2023,management_system,CÔNG TY A (chi nhánh),DN,2200000001",
        "04/03/2023,management_system,cong ty a,DN,",
        "05/03/2023,management_system,Công ty A,DN,2200000002",
        "06/03/2023,workshop,,,",
    ]
    assert ingest.process(store, (head + "\r\n".join(rows)).encode(), "a.csv", today=TODAY).stored
    keys = dict(store.query_rows("SELECT beneficiary_key, beneficiary_id FROM beneficiaries"))
    assert sorted(keys) == ["n:cong ty a", "t:2200000001", "t:2200000002"]
    assert sorted(keys.values()) == [1, 2, 3]
    by_row = "SELECT beneficiary_id FROM records ORDER BY date"
    t1, n, t2 = keys["t:2200000001"], keys["n:cong ty a"], keys["t:2200000002"]
    assert [i for (i,) in store.query_rows(by_row)] == [t1, n, t1, n, t2, None]
    names = "SELECT n.name FROM records r LEFT JOIN names n USING (name_id) ORDER BY r.date"
    assert [x for (x,) in store.query_rows(names)] == [
        "Công ty A", "Công ty A", "CÔNG TY A (chi nhánh)", "cong ty a", "Công ty A", None
    ]  # fmt: skip
    # A later file finds the stored numbers, by tax code and by name key.
    later = head + "07/03/2024,management_system,Khác,DN,2200000002\r\n"
    later += "08/03/2024,management_system,CONG TY A,DN,\r\n"
    assert ingest.process(store, later.encode(), "b.csv", today=TODAY).stored
    assert store.scalar("SELECT count(*) FROM beneficiaries") == 3
    assert [i for (i,) in store.query_rows(by_row)][-2:] == [t2, n]


def test_each_beneficiary_key_is_numbered_once_across_batches(store):
    head = "date,indicator,beneficiary_name,beneficiary_type\r\n"
    first = (
        head
        + "15/03/2023,product_standard,Hợp tác xã Á,HTX\r\n16/03/2023,management_system,HTX B,HTX\r\n"
    )
    second = (
        head
        + "17/03/2023,management_system,HỢP TÁC XÃ A,HTX\r\n18/03/2023,management_system,HTX C,HTX\r\n"
    )
    assert ingest.process(store, first.encode(), "a.csv", today=TODAY).stored
    rep = ingest.process(store, second.encode(), "b.csv", today=TODAY)
    assert rep.stored
    numbers = "SELECT beneficiary_key, beneficiary_id FROM beneficiaries ORDER BY 2"
    key = dict(store.query_rows(numbers))
    # The first file's two keys take 1 and 2 (in the order of their hash), the second's new one 3.
    assert sorted(key) == ["n:hop tac xa a", "n:htx b", "n:htx c"]
    assert {key["n:hop tac xa a"], key["n:htx b"]} == {1, 2} and key["n:htx c"] == 3
    want = [key["n:hop tac xa a"], key["n:htx b"], key["n:hop tac xa a"], 3]
    ids = store.query_rows("SELECT record_id, beneficiary_id FROM records ORDER BY date")
    assert [i for _, i in ids] == want
    # A rolled-back batch leaves its numbers; sending it again reuses them.
    store.rollback(rep.batch_id, "x")
    assert ingest.process(store, second.encode(), "b.csv", today=TODAY).stored
    assert dict(store.query_rows(numbers)) == key
    assert [
        i for (i,) in store.query_rows("SELECT beneficiary_id FROM records ORDER BY date")
    ] == want


def test_a_locality_is_placed_by_the_reorganisation_day_of_its_record(store):
    """Records of the same place before and from 1 July 2025 get the old or the new unit."""
    data = (
        "date,indicator,beneficiary_name,beneficiary_type,locality\r\n"
        "30/06/2025,product_standard,A,HTX,Mỹ Tú\r\n"
        "01/07/2025,product_standard,B,HTX,Mỹ Tú\r\n"
    ).encode()
    assert ingest.process(store, data, "reorg.csv", today=TODAY).stored
    rows = store.query_rows("SELECT date, district, commune FROM records ORDER BY date")
    (_, before_district, before_commune), (_, after_district, after_commune) = rows
    assert before_district is not None and before_commune is None
    assert after_commune == "Xã Mỹ Tú"
