"""Originals beside the store: repaired when sent again, purged (audited) after a rollback."""

from __future__ import annotations

import hashlib

import pytest

from pqtrack.domain.missing import MISSING
from pqtrack.ingest import pipeline as ingest
from pqtrack.store import StoreError, purging
from pqtrack.tfp import macro
from tests.support import TODAY
from tests.unit.test_cli import cli

GOOD = "date,indicator,beneficiary_name,beneficiary_type\r\n15/03/2023,product_standard,A,HTX\r\n"


def _kept(store, data: bytes):
    return store.originals_folder / hashlib.sha256(data).hexdigest()


def _stored_then_rolled_back(store, data: bytes = GOOD.encode()) -> int:
    rep = ingest.process(store, data, "a.csv", user="an", today=TODAY)
    assert rep.stored, rep.messages("en")
    store.rollback(rep.batch_id, "an")
    return rep.batch_id


# -- repaired when the same bytes are stored again --------------------------------------------


def test_a_tampered_original_is_rewritten_when_the_same_bytes_are_stored_again(store):
    data = GOOD.encode()
    first = _stored_then_rolled_back(store, data)
    _kept(store, data).write_bytes(b"changed on disk")
    again = ingest.process(store, data, "a-lai.csv", today=TODAY)
    assert again.stored
    assert _kept(store, data).read_bytes() == data
    assert store.file_bytes(again.batch_id) == ("a-lai.csv", data)
    assert store.file_bytes(first) == ("a.csv", data)  # the earlier batch's copy is back too


def test_a_missing_original_is_written_when_the_same_bytes_are_stored_again(store):
    data = GOOD.encode()
    _stored_then_rolled_back(store, data)
    _kept(store, data).unlink()
    again = ingest.process(store, data, "a-lai.csv", today=TODAY)
    assert again.stored
    assert store.file_bytes(again.batch_id) == ("a-lai.csv", data)


@pytest.mark.parametrize("damage", ["tampered", "missing"])
@pytest.mark.parametrize("how", ["check", "process"])
def test_an_active_batchs_damaged_original_is_repaired_by_the_same_bytes(store, damage, how):
    """Sent again while its batch is active, the file is refused as a duplicate (the
    preview refuses it too, so the page never stores it) but its original is put right."""
    data = GOOD.encode()
    batch = ingest.process(store, data, "a.csv", today=TODAY).batch_id
    if damage == "tampered":
        _kept(store, data).write_bytes(b"changed on disk")
    else:
        _kept(store, data).unlink()
    with pytest.raises(StoreError):
        store.file_bytes(batch)
    send = ingest.check if how == "check" else ingest.process
    again = send(store, data, "a-lai.csv", today=TODAY)
    assert [p.code for p in again.file_problems] == ["file.duplicate_file"]
    assert store.file_bytes(batch) == ("a.csv", data)
    assert len(store.batches()) == 1


def test_an_intact_original_is_not_written_again(store, monkeypatch):
    data = GOOD.encode()
    _stored_then_rolled_back(store, data)
    from pqtrack.store import originals

    writes: list[str] = []
    real = originals.os.replace
    monkeypatch.setattr(originals.os, "replace", lambda a, b: writes.append(b) or real(a, b))
    assert ingest.process(store, data, "a-lai.csv", today=TODAY).stored
    assert writes == []


# -- purge --------------------------------------------------------------------------------------


def test_purge_deletes_the_file_keeps_the_hash_and_is_audited(store):
    data = GOOD.encode()
    batch = _stored_then_rolled_back(store, data)
    assert purging.purge_original(store, batch, "admin1") == "a.csv"
    assert not _kept(store, data).exists()
    assert store.batch(batch)["content_hash"] == hashlib.sha256(data).hexdigest()
    event = store.audit_log(1).iloc[0]
    assert (event["action"], event["user_name"], event["batch_id"]) == (
        "purge_original",
        "admin1",
        batch,
    )
    with pytest.raises(StoreError) as err:
        store.file_bytes(batch)
    assert err.value.code == "store.original_purged"
    assert err.value.params["user"] == "admin1"
    assert "purged by admin1" in _message(err.value, "en")
    assert list(purging.purged(store)) == [batch]


def test_a_purge_by_no_named_user_says_so_the_way_every_missing_value_is_written(store):
    batch = _stored_then_rolled_back(store, GOOD.encode())
    purging.purge_original(store, batch, None)
    with pytest.raises(StoreError) as err:
        store.file_bytes(batch)
    assert err.value.params["user"] == MISSING


def _message(exc: StoreError, lang: str) -> str:
    from pqtrack.i18n import t

    return t(exc.code, lang, **exc.params)


def test_purge_of_an_active_batch_is_refused_and_changes_nothing(store):
    data = GOOD.encode()
    rep = ingest.process(store, data, "a.csv", today=TODAY)
    audit = len(store.audit_log())
    with pytest.raises(StoreError) as err:
        purging.purge_original(store, rep.batch_id, "admin1")
    assert err.value.code == "store.purge_active"
    assert _kept(store, data).read_bytes() == data
    assert len(store.audit_log()) == audit
    assert store.file_bytes(rep.batch_id) == ("a.csv", data)


def test_purge_is_refused_when_an_active_batch_sent_the_same_bytes(store):
    data = GOOD.encode()
    old = _stored_then_rolled_back(store, data)
    new = ingest.process(store, data, "a-lai.csv", today=TODAY).batch_id
    with pytest.raises(StoreError) as err:
        purging.purge_original(store, old, "admin1")
    assert (err.value.code, err.value.params["other"]) == ("store.purge_shared", new)
    assert store.file_bytes(new) == ("a-lai.csv", data)


def test_purge_twice_and_of_an_unknown_batch_are_refused(store):
    batch = _stored_then_rolled_back(store)
    purging.purge_original(store, batch, "admin1")
    for target, code in ((batch, "store.already_purged"), (999, "store.no_batch")):
        with pytest.raises(StoreError) as err:
            purging.purge_original(store, target, "admin1")
        assert err.value.code == code


def test_a_failed_delete_purges_nothing(store, monkeypatch):
    data = GOOD.encode()
    batch = _stored_then_rolled_back(store, data)
    from pqtrack.store import originals

    def refuse(folder, digest):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(originals, "remove", refuse)
    with pytest.raises(PermissionError):
        purging.purge_original(store, batch, "admin1")
    assert purging.purged(store) == {}
    assert store.file_bytes(batch) == ("a.csv", data)


def test_a_macro_batch_original_kept_inside_the_store_is_purged_too(store):
    data = macro.default_macro_file().read_bytes()
    frame = macro.parse_macro_bytes(data).frame
    digest = hashlib.sha256(data).hexdigest()
    batch = store.store_macro(frame, "macro.csv", data, digest, "an")
    store.rollback(batch, "an")
    purging.purge_original(store, batch, "admin1")
    assert store.scalar("SELECT content FROM files WHERE content_hash = ?", [digest]) is None
    with pytest.raises(StoreError) as err:
        store.file_bytes(batch)
    assert err.value.code == "store.original_purged"


def test_cli_purge_original(tmp_path):
    db = str(tmp_path / "cli.duckdb")
    f = tmp_path / "good.csv"
    f.write_text(GOOD, encoding="utf-8")
    assert cli("ingest", str(f), "--db", db).returncode == 0
    r = cli("purge-original", "1", "--db", db, "--user", "admin1")
    assert r.returncode == 1 and "is active" in r.stderr and "Traceback" not in r.stderr
    assert cli("rollback", "1", "--db", db).returncode == 0
    r = cli("purge-original", "1", "--db", db, "--user", "admin1")
    assert r.returncode == 0 and "good.csv" in r.stdout
    assert not any((tmp_path / "cli.duckdb.originals").iterdir())
