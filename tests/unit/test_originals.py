"""Originals beside the store: repaired when the same bytes are sent again."""

from __future__ import annotations

import hashlib

import pytest

from pqtrack import ingest
from pqtrack.store import StoreError
from tests.conftest import TODAY

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
