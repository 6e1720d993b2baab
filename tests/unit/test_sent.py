"""Reports sent: registered figures, an exact reissue, and the batches that moved each figure."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest

from pqtrack.ingest import pipeline
from pqtrack.service import sent as service_sent
from pqtrack.store import Store, StoreError, versions

HEAD = "record_id,date,indicator,quantity,beneficiary_name,beneficiary_type\r\n"
AS_OF = date(2025, 12, 31)


@pytest.fixture()
def store(tmp_path):
    s = Store(tmp_path / "s.duckdb")
    yield s
    s.close()


def ingest(store, rows: str) -> int:
    report = pipeline.process(store, (HEAD + rows).encode(), "f.csv", user="an",
                              today=date(2028, 1, 1))  # fmt: skip
    assert report.stored, report
    return report.batch_id


def indicator_actuals(xlsx: bytes) -> dict[str, object]:
    """Return the report's indicator sheet as {indicator label: actual}."""
    ws = openpyxl.load_workbook(io.BytesIO(xlsx), data_only=True).worksheets[1]
    return {row[1]: row[4] for row in ws.iter_rows(min_row=5, values_only=True) if row[1]}


def test_a_report_is_issued_again_exactly_and_drift_names_the_batches(store):
    old = ingest(store, "A1,15/03/2023,product_standard,3,Co A,DN\r\n"
                        "A2,16/03/2023,workshop,2,Co B,DN\r\n"
                        "A3,17/03/2023,workshop,1,Co C,DN\r\n")  # fmt: skip
    first = io.BytesIO()
    sent = service_sent.register_report(store, "2021-2025", AS_OF, "en", "an", first)
    assert sent.figures["product_standard"] == 3 and sent.figures["workshop"] == 3
    void = versions.void(store, "A2", "an", "held twice")
    added = ingest(store, "B1,17/03/2024,product_standard,4,Co D,DN\r\n")
    gone = ingest(store, "C1,18/03/2024,expert_trained,5,Co E,DN\r\n")
    store.rollback(gone, "an")  # stored and rolled back after the report: no net move
    later = ingest(store, "D1,19/03/2026,product_standard,9,Co F,DN\r\n")  # next phase
    again = io.BytesIO()
    service_sent.reissue_report(store, sent.report_id, again)
    shown = indicator_actuals(first.getvalue())
    assert shown["Products and goods supported to apply standards or meet regulations"] == 3
    assert indicator_actuals(again.getvalue()) == shown
    report, moved = service_sent.drift(store, sent.report_id)
    assert report.report_id == sent.report_id
    assert [m.to_json_dict() for m in moved] == [
        {"indicator": "product_standard", "reported": 3, "now": 7, "batches": [added]},
        {"indicator": "workshop", "reported": 3, "now": 1, "batches": [void]},
    ]
    assert later not in moved[0].batches and old not in moved[0].batches
    listed = service_sent.sent_reports(store, "2021-2025")
    assert [r.report_id for r in listed] == [sent.report_id]
    assert store.audit_log()["action"].str.contains("register_report").any()


def test_rolling_back_an_old_batch_after_the_report_is_named(store):
    old = ingest(store, "A1,15/03/2023,product_standard,3,Co A,DN\r\n")
    sent = service_sent.register_report(store, "2021-2025", AS_OF, "vi", "an", io.BytesIO())
    store.rollback(old, "an")
    _, moved = service_sent.drift(store, sent.report_id)
    assert [(m.indicator, m.reported, m.now, m.batches) for m in moved] == [
        ("product_standard", 3, 0, [old])
    ]
    out = io.BytesIO()
    service_sent.reissue_report(store, sent.report_id, out)  # the batch is back, as it stood
    assert service_sent.drift(store, sent.report_id)[1] == moved


def test_an_unknown_report_is_refused(store):
    with pytest.raises(StoreError) as err:
        service_sent.drift(store, 42)
    assert (err.value.code, err.value.params) == ("store.sent.none", {"report_id": 42})


@pytest.mark.parametrize(
    "damaged", ["{not json", "[1, 2]", '{"workshop": "x"}', '{"workshop": true}', "null"]
)
def test_damaged_figures_of_a_sent_report_are_named_not_a_traceback(store, damaged):
    from pqtrack.store import sent

    ingest(store, "A1,15/03/2023,product_standard,3,Co A,DN\r\n")
    done = service_sent.register_report(store, "2021-2025", AS_OF, "en", "an", io.BytesIO())
    with store.cursor() as cur:
        cur.execute("UPDATE reports_sent SET figures = ?", [damaged])
    for read in (
        lambda: sent.reports(store),
        lambda: service_sent.drift(store, done.report_id),
        lambda: service_sent.reissue_report(store, done.report_id, io.BytesIO()),
    ):
        with pytest.raises(StoreError) as err:
            read()
        assert (err.value.code, err.value.params) == (
            "store.sent.damaged",
            {"report_id": done.report_id},
        )


def test_the_batches_behind_each_move_equal_a_recount_at_every_moment(store):
    """drift reads only the records each event touched; a recount of everything agrees."""
    from pqtrack.domain import plan
    from pqtrack.figures import queries
    from pqtrack.store import sent

    def correct(rows: str) -> int:
        done = pipeline.process(store, (HEAD + rows).encode(), "c.csv", user="an",
                                today=date(2028, 1, 1), correct=True)  # fmt: skip
        assert done.stored, done
        return done.batch_id

    ingest(store, "A1,15/03/2023,product_standard,3,Co A,DN\r\n"
                  "A2,16/03/2023,workshop,2,Co B,DN\r\nA3,17/03/2023,workshop,1,Co C,DN\r\n")  # fmt: skip
    report = service_sent.register_report(store, "2021-2025", AS_OF, "en", "an", io.BytesIO())
    c1 = correct("A1,15/03/2023,workshop,5,Co A,DN\r\n")  # another indicator
    c2 = correct("A2,16/03/2026,workshop,2,Co B,DN\r\n"  # out of the window
                 "A3,17/03/2023,workshop,4,Co C,DN\r\n")  # fmt: skip
    v = versions.void(store, "A3", "an", "twice")
    b = ingest(store, "B1,17/03/2024,expert_trained,6,Co D,DN\r\n")
    store.rollback(v, "an")
    c3 = correct("B1,17/03/2024,expert_trained,6,Co E,DN\r\n")  # no figure moves
    store.rollback(c3, "an")
    store.rollback(b, "an")  # stored and rolled back since: cancels out
    ph = plan.phase("2021-2025")
    recount: dict[int, dict[str, int]] = {}
    events = store.query_rows(
        "SELECT m, batch_id FROM (SELECT created_at AS m, batch_id FROM batches WHERE "
        "created_at > $at UNION ALL SELECT rolled_back_at, batch_id FROM batches "
        "WHERE rolled_back_at > $at) ORDER BY 1, 2",
        {"at": report.stored_at},
    )

    def figures(at) -> dict[str, int]:
        df = queries.actuals(store, ph.start, AS_OF, at)
        return {r.indicator: int(r.actual) for r in df.itertuples()}

    before = figures(report.stored_at)
    for at, batch in events:
        after = figures(at)
        for k in set(before) | set(after):
            delta = after.get(k, 0) - before.get(k, 0)
            if delta:
                per = recount.setdefault(batch, {})
                per[k] = per.get(k, 0) + delta
        before = after
    recount = {x: {k: d for k, d in per.items() if d} for x, per in recount.items()}
    recount = {x: per for x, per in recount.items() if per}
    moved = sent.moved_by(store, report.stored_at, ph.start, AS_OF)
    assert moved == recount
    assert moved == {c1: {"product_standard": -3, "workshop": 5}, c2: {"workshop": -2 + 3}}


def test_registering_a_report_does_not_hold_up_a_write_while_it_is_built(store, monkeypatch):
    import threading

    from pqtrack.report import build

    ingest(
        store, "A1,15/03/2023,product_standard,3,Co A,DN\r\nA2,16/03/2023,workshop,2,Co B,DN\r\n"
    )
    plain = build.build_report
    voided: list = []

    def slow_build(*args, **kwargs):  # another editor voids a record while the book is built
        worker = threading.Thread(
            target=lambda: voided.append(versions.void(store, "A1", "b", "x"))
        )
        worker.start()
        worker.join(timeout=10)
        return plain(*args, **kwargs)

    monkeypatch.setattr(build, "build_report", slow_build)
    out = io.BytesIO()
    sent = service_sent.register_report(store, "2021-2025", AS_OF, "en", "an", out)
    assert len(voided) == 1  # the void went through at once
    assert sent.figures["product_standard"] == 3  # the report: as stored when it was asked for
    assert (
        indicator_actuals(out.getvalue())[
            "Products and goods supported to apply standards or meet regulations"
        ]
        == 3
    )
    _, moved = service_sent.drift(store, sent.report_id)
    assert [(m.indicator, m.now, m.batches) for m in moved] == [("product_standard", 0, voided)]
