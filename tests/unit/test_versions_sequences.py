"""Random sequences of add, correct, void and rollback on a few records, against a model.

After every step the current records, the summary-backed figure, the figure read as the
store stood at that moment, each record's history and every rollback's refusal must agree
with a plain model: a record's version is that of the latest active batch holding it,
none if that is a void; a rollback is refused while a later active batch holds a version
of one of its records. At the end, the figure at each moment passed is read again.
"""

from __future__ import annotations

import random
from datetime import date

import pytest

from pqtrack.domain import plan
from pqtrack.figures import queries
from pqtrack.ingest import pipeline
from pqtrack.store import Store, StoreError, versions

HEAD = "record_id,date,indicator,quantity,beneficiary_name,beneficiary_type\r\n"
PHASE = plan.phase("2021-2025")
VOID = "void"


def _model(batches: dict[int, dict]) -> dict[str, int]:
    latest: dict[str, object] = {}
    for b in sorted(batches):
        if batches[b]["active"]:
            latest.update(batches[b]["rows"])
    return {k: v for k, v in latest.items() if v != VOID}


def _figure(store: Store, at=None) -> int:
    df = queries.actuals(store, PHASE.start, PHASE.end, at)
    return int(df.loc[df["indicator"] == "product_standard", "actual"].sum())


def _store(store: Store, rows: dict[str, int], step: int, correct: bool) -> int:
    body = "".join(f"{i},15/03/2023,product_standard,{q},Co {step},DN\r\n" for i, q in rows.items())
    done = pipeline.process(store, (HEAD + body).encode(), f"f{step}.csv", user="an",
                            today=date(2028, 1, 1), correct=correct)  # fmt: skip
    assert done.stored, done.messages("en")
    return done.batch_id


@pytest.mark.parametrize("seed", [3, 11])
def test_random_sequences_agree_with_the_model_at_every_step(tmp_path, seed):
    rnd = random.Random(seed)
    store = Store(tmp_path / "q.duckdb")
    batches: dict[int, dict] = {}
    moments = []
    for step in range(18):
        current = _model(batches)
        op = rnd.choice(["add", "correct", "void", "rollback", "rollback"])
        if op == "add" or not current and op in ("correct", "void"):
            rows = {f"R{step}": rnd.randint(1, 9)}
            batches[_store(store, rows, step, False)] = {"rows": rows, "active": True}
        elif op == "correct":
            ids = rnd.sample(sorted(current), min(len(current), rnd.randint(1, 2)))
            rows = {i: rnd.randint(1, 9) for i in ids}
            batches[_store(store, rows, step, True)] = {"rows": rows, "active": True}
        elif op == "void":
            rid = rnd.choice(sorted(current))
            batches[versions.void(store, rid, "an", "why")] = {"rows": {rid: VOID}, "active": True}
        elif active := [b for b in batches if batches[b]["active"]]:
            b = rnd.choice(active)
            later = [x for x in active if x > b and batches[x]["rows"].keys() & batches[b]["rows"]]
            if later:
                with pytest.raises(StoreError) as err:
                    store.rollback(b, "an")
                assert err.value.params == {"batch_id": b, "later": min(later)}
            else:
                store.rollback(b, "an")
                batches[b]["active"] = False
        want = _model(batches)
        assert dict(store.query_rows("SELECT record_id, quantity FROM records")) == want
        store.wait_for_summary()
        at = store.scalar("SELECT current_localtimestamp()")
        assert _figure(store) == _figure(store, at) == sum(want.values())
        moments.append((at, sum(want.values())))
        for rid in {r for b in batches.values() for r in b["rows"]}:
            history = versions.history(store, rid)
            assert [h["version"] for h in history] == list(range(1, len(history) + 1))
            if rid in want:
                assert history[-1]["action"] in ("added", "corrected", "restored")
                assert history[-1]["quantity"] == want[rid]
            else:
                assert history[-1]["action"] in ("voided", "rolled_back")
    assert [(at, _figure(store, at)) for at, _ in moments] == moments
    store.close()
