"""The per-phase summary answers exactly what the live queries over ``records`` answer."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from benchmarks.generate import generate
from pqtrack.domain import plan
from pqtrack.domain.filters import RecordFilter
from pqtrack.figures import queries
from pqtrack.ingest import pipeline as ingest
from pqtrack.store import Store, distinct, migrations, summary
from tests.support import TODAY, again_under_new_ids

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "sample" / "du-lieu-minh-hoa_illustrative-sample.csv"
PHASES = list(plan.PHASE_CODES)


def _no_rebuild(cur) -> None:
    raise AssertionError("the summary was rebuilt, not added to")


@pytest.fixture(scope="module")
def filled(tmp_path_factory) -> Store:
    """A store holding the sample, 3,000 generated records (all dimensions, blanks) and two
    small later batches added to the summary one by one: 600 records of beneficiaries already
    there (same places, types, years) and 400 records of mostly new ones."""
    work = tmp_path_factory.mktemp("summary")
    csv_path = work / "gen.csv"
    generate(csv_path, 3_000, TODAY, seed=7)
    later = work / "later.csv"
    generate(later, 400, TODAY, seed=8)
    s = Store(work / "s.duckdb")
    for path in (SAMPLE, csv_path):
        rep = ingest.process(s, path.read_bytes(), path.name, today=TODAY)
        assert rep.stored, rep.problems.head()
    for path in (
        again_under_new_ids(csv_path, work / "again.csv", 600, "L"),
        again_under_new_ids(later, later, 400, "M"),
    ):
        with pytest.MonkeyPatch.context() as mp:  # a whole rebuild would leave it stale
            mp.setattr(summary, "refresh", _no_rebuild)
            rep = ingest.process(s, path.read_bytes(), path.name, today=TODAY)
        assert rep.stored, rep.problems.head()
        assert _fresh(s)
    yield s
    s.close()


def _fresh(store: Store) -> bool:
    with store.cursor() as cur:
        return summary.read(cur, PHASES[0], [], {}) is not None


def _live(store: Store, fn):
    """Run ``fn`` with the summary marked stale, then restore it."""
    with store.cursor() as cur:
        saved = cur.execute("SELECT version FROM summary_state").fetchall()
        cur.execute("DELETE FROM summary_state")
    try:
        assert not _fresh(store)
        return fn()
    finally:
        with store.cursor() as cur:
            cur.executemany("INSERT INTO summary_state VALUES (?)", saved)


def _same(store: Store, fn) -> object:
    """Return ``fn()`` from the summary, checked against the live query: distinct
    beneficiaries counted with bitmaps, and again with hash sets."""
    assert _fresh(store)
    got = fn()
    wants = [_live(store, fn)]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(distinct, "BITMAP_BUDGET", 0)
        wants.append(_live(store, fn))
    for want in wants:
        if isinstance(got, pd.DataFrame):
            pd.testing.assert_frame_equal(got, want)
        elif isinstance(got, tuple):
            pd.testing.assert_frame_equal(got[0], want[0])
            assert got[1] == want[1]
        else:
            assert got == want
    return got


INDICATOR_SETS = [(), ("management_system",), ("management_system", "product_standard")]


@pytest.mark.parametrize("phase", PHASES)
@pytest.mark.parametrize("dimension", list(queries.DIMENSIONS))
def test_breakdowns_match_live(filled, phase, dimension):
    for inds in INDICATOR_SETS:
        flt = RecordFilter(phase=phase, indicators=inds)
        got = _same(filled, lambda f=flt: queries.breakdown(filled, dimension, f))
        if phase == "2021-2025":
            assert len(got) > 0


@pytest.mark.parametrize("phase", PHASES)
def test_totals_and_map_match_live(filled, phase):
    for inds in [*INDICATOR_SETS, tuple(plan.indicators())]:
        flt = RecordFilter(phase=phase, indicators=inds)
        tot = _same(filled, lambda f=flt: queries.beneficiary_totals(filled, f))
        if phase == "2021-2025":
            assert tot["turns"] > 0 and tot["beneficiaries"] > 0
        for level in queries.MAP_LEVELS:
            _same(filled, lambda f=flt, lv=level: queries.map_values(filled, lv, f))


@pytest.mark.parametrize("phase", PHASES)
def test_progress_and_pacing_match_live(filled, phase):
    ph = plan.phase(phase)
    for end in (ph.end, min(TODAY, ph.end), date(ph.start.year + 2, 6, 30)):
        got = _same(filled, lambda e=end: queries.actuals(filled, ph.start, e))
        _same(filled, lambda e=end: queries.cumulative(filled, ph.start, e))
        if phase == "2021-2025":
            assert got["actual"].sum() > 0


@pytest.mark.parametrize("phase", PHASES)
def test_one_indicator_and_one_unit_totals_match_live(filled, phase):
    seen = 0
    for field, column in (
        ("beneficiary_types", "beneficiary_type"),
        ("localities", "locality"),
        ("sectors", "sector"),
    ):
        values = [
            r[0]
            for r in filled.query_rows(
                f"SELECT DISTINCT {column} FROM records WHERE {column} IS NOT NULL"  # noqa: S608
            )
        ]
        for ind in ("management_system", "product_standard"):
            for value in [*values[:4], "không có"]:
                flt = RecordFilter(phase=phase, indicators=(ind,), **{field: (value,)})
                seen += _same(filled, lambda f=flt: queries.beneficiary_totals(filled, f))["turns"]
    if phase == "2021-2025":
        assert seen > 0


def test_other_filters_are_answered_live(filled):
    flt = RecordFilter(phase=PHASES[0], beneficiary_types=("cooperative",))
    assert len(_same(filled, lambda: queries.breakdown(filled, "locality", flt))) > 0
    assert _same(filled, lambda: queries.beneficiary_totals(filled, flt))["turns"] > 0


def _records(store: Store) -> pd.DataFrame:
    return store.query_df("SELECT * FROM records")


def test_live_totals_count_distinct_beneficiaries_like_pandas(filled):
    recs = _records(filled)
    recs = recs[recs["date"].between(pd.Timestamp(2021, 1, 1), pd.Timestamp(2025, 12, 31))]
    places = tuple(recs["locality"].dropna().value_counts().index[:2])
    cases = {
        RecordFilter(phase=PHASES[0], beneficiary_types=("cooperative",)): recs[
            recs["beneficiary_type"] == "cooperative"
        ],
        RecordFilter(phase=PHASES[0], localities=places): recs[recs["locality"].isin(places)],
        RecordFilter(phase=PHASES[0], indicators=("management_system", "product_standard")): recs[
            recs["indicator"].isin(["management_system", "product_standard"])
        ],
        RecordFilter(phase=PHASES[0], beneficiary_types=("no-such-type",)): recs.iloc[0:0],
    }
    for flt, want in cases.items():
        got = queries.beneficiary_totals(filled, flt)
        assert got["turns"] == len(want)
        assert got["beneficiaries"] == want["beneficiary_id"].nunique()
        assert got["quantity"] == want["quantity"].sum()
    assert cases[next(iter(cases))]["beneficiary_id"].nunique() > 10


def test_live_map_counts_unplaced_beneficiaries_like_pandas(filled):
    recs = _records(filled)
    recs = recs[recs["date"].between(pd.Timestamp(2021, 1, 1), pd.Timestamp(2025, 12, 31))]
    recs = recs[recs["beneficiary_type"] == "enterprise"]
    flt = RecordFilter(phase=PHASES[0], beneficiary_types=("enterprise",))
    for level in queries.MAP_LEVELS:
        _, rest = queries.map_values(filled, level, flt)
        unplaced = recs[recs[level].isna() & recs["locality"].notna()]
        assert rest["turns"] == len(unplaced)
        assert rest["beneficiaries"] == unplaced["beneficiary_id"].nunique()
        assert rest["no_locality"] == recs["locality"].isna().sum()
    assert rest["beneficiaries"] > 0


def test_live_totals_on_a_store_with_no_beneficiary(tmp_path):
    s = Store(tmp_path / "s.duckdb")
    flt = RecordFilter(phase=PHASES[0], beneficiary_types=("cooperative",))
    assert queries.beneficiary_totals(s, flt) == {
        "turns": 0, "quantity": 0, "beneficiaries": 0, "funding_vnd": 0
    }  # fmt: skip
    assert queries.map_values(s, "commune", flt)[1]["beneficiaries"] == 0


def test_a_small_batch_is_added_then_rolled_back(filled, tmp_path, monkeypatch):
    flt = RecordFilter(phase="2021-2025")
    before = queries.beneficiary_totals(filled, flt)
    generate(tmp_path / "src.csv", 200, TODAY, seed=9)
    path = again_under_new_ids(tmp_path / "src.csv", tmp_path / "n.csv", 50, "N")
    monkeypatch.setattr(summary, "refresh", _no_rebuild)
    rep = ingest.process(filled, path.read_bytes(), path.name, today=TODAY)
    assert rep.stored
    assert _fresh(filled)
    after = queries.beneficiary_totals(filled, flt)
    assert after["turns"] > before["turns"]
    assert after == _live(filled, lambda: queries.beneficiary_totals(filled, flt))
    monkeypatch.undo()
    filled.rollback(rep.batch_id, "tester")  # rebuilt whole: back to where it was
    assert _fresh(filled)
    assert queries.beneficiary_totals(filled, flt) == before


def test_summary_follows_ingest_and_rollback(tmp_path):
    s = Store(tmp_path / "s.duckdb")
    flt = RecordFilter(phase="2021-2025")
    assert _fresh(s)
    assert queries.beneficiary_totals(s, flt)["turns"] == 0
    rep = ingest.process(s, SAMPLE.read_bytes(), SAMPLE.name, today=TODAY)
    assert _fresh(s)
    stored = queries.beneficiary_totals(s, flt)
    assert stored["turns"] > 0
    assert stored == _live(s, lambda: queries.beneficiary_totals(s, flt))
    s.rollback(rep.batch_id, "tester")
    assert _fresh(s)
    assert queries.beneficiary_totals(s, flt)["turns"] == 0
    s.record_event("tester", "login_failed", {})  # not a records change
    assert _fresh(s)


def test_a_store_from_before_the_summary_gets_one_on_upgrade(tmp_path):
    path = tmp_path / "old.duckdb"
    s = Store(path)
    ingest.process(s, SAMPLE.read_bytes(), SAMPLE.name, today=TODAY)
    want = queries.breakdown(s, "district", RecordFilter(phase="2021-2025"))
    with s.cursor() as cur:  # back to the shape version 3 had
        cur.execute("ALTER TABLE records ADD COLUMN beneficiary_name VARCHAR")
        cur.execute("ALTER TABLE records ADD COLUMN name_key VARCHAR")
        cur.execute("ALTER TABLE records ADD COLUMN beneficiary_key VARCHAR")
        cur.execute("ALTER TABLE records ADD COLUMN tax_code VARCHAR")
        cur.execute(
            "UPDATE records SET tax_code = substr(b.beneficiary_key, 3) FROM beneficiaries b "
            "WHERE b.beneficiary_id = records.beneficiary_id AND b.beneficiary_key LIKE 't:%'"
        )
        cur.execute(
            "UPDATE records SET beneficiary_name = n.name, name_key = n.name_key FROM names n "
            "WHERE n.name_id = records.name_id"
        )
        cur.execute(
            "UPDATE records SET beneficiary_key = b.beneficiary_key FROM beneficiaries b "
            "WHERE b.beneficiary_id = records.beneficiary_id"
        )
        cur.execute("DROP TABLE summary")
        cur.execute("DROP TABLE summary_state")
        cur.execute("DROP TABLE summary_reach")
        cur.execute("DROP TABLE beneficiaries")
        cur.execute("DROP TABLE names")
        cur.execute("ALTER TABLE records DROP COLUMN name_id")
        cur.execute("ALTER TABLE records DROP COLUMN beneficiary_id")
        cur.execute("DROP TABLE login_attempts")  # version 10's login counters
        cur.execute("DROP TABLE login_clients")
        cur.execute("DROP TABLE phase_locks")  # versions 11-13: locks, versions, reports sent
        cur.execute("DROP TABLE record_past")
        cur.execute("ALTER TABLE batches DROP COLUMN change")
        cur.execute("ALTER TABLE batches DROP COLUMN reason")
        cur.execute("DROP TABLE reports_sent")
        cur.execute("DROP SEQUENCE report_seq")
        cur.execute(next(sql for sql in migrations.MIGRATIONS[3] if "login_failures" in sql))
        cur.execute("UPDATE meta SET value = '3' WHERE key = 'schema_version'")
    s.close()
    s = Store(path)
    assert s.schema_version() == migrations.LATEST
    assert _fresh(s)
    got = queries.breakdown(s, "district", RecordFilter(phase="2021-2025"))
    pd.testing.assert_frame_equal(got, want)
    s.close()


def test_dashboard_rebuilds_in_the_background(tmp_path):
    s = Store(tmp_path / "s.duckdb", keep_open=False, summary_in_background=True)
    rep = ingest.process(s, SAMPLE.read_bytes(), SAMPLE.name, today=TODAY)
    assert rep.stored
    s.wait_for_summary(timeout=60)
    assert _fresh(s)
    assert s.refresh_summary() is False  # already current: nothing to rebuild
    s.rollback(rep.batch_id, "tester")
    s.wait_for_summary(timeout=60)
    assert _fresh(s)
    assert queries.beneficiary_totals(s, RecordFilter(phase="2021-2025"))["turns"] == 0


def test_a_failed_rebuild_keeps_the_batch_and_queries_read_records(tmp_path, monkeypatch):
    def broken(cur):
        raise RuntimeError("disk full")

    s = Store(tmp_path / "s.duckdb")
    monkeypatch.setattr(summary, "refresh", broken)
    rep = ingest.process(s, SAMPLE.read_bytes(), SAMPLE.name, today=TODAY)
    assert rep.stored
    assert not _fresh(s)
    flt = RecordFilter(phase="2021-2025")
    want = s.scalar(
        "SELECT count(*) FROM records WHERE date BETWEEN DATE '2021-01-01' AND DATE '2025-12-31'"
    )
    assert want > 0
    assert queries.beneficiary_totals(s, flt)["turns"] == want
    monkeypatch.undo()
    assert s.refresh_summary() is True
    assert _fresh(s)
    assert queries.beneficiary_totals(s, flt)["turns"] == want


def test_an_added_later_record_moves_the_phase_end(tmp_path):
    header = "date,indicator,beneficiary_name,beneficiary_type\r\n"
    first = "".join(f"1{i}/03/2022,product_standard,Đơn vị {i},HTX\r\n" for i in range(6))
    s = Store(tmp_path / "s.duckdb")
    assert ingest.process(s, (header + first).encode(), "a.csv", today=TODAY).stored
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(summary, "refresh", _no_rebuild)
        later = header + "01/06/2023,product_standard,Đơn vị 1,HTX\r\n"
        assert ingest.process(s, later.encode(), "b.csv", today=TODAY).stored
    assert _fresh(s)
    ph = plan.phase("2021-2025")
    upto = queries.actuals(s, ph.start, date(2023, 1, 1))  # the new record lies after: live
    assert int(upto["turns"].sum()) == 6
    whole = _same(s, lambda: queries.actuals(s, ph.start, ph.end))
    assert int(whole["turns"].sum()) == 7 and int(whole["beneficiaries"].sum()) == 6


def test_totals_of_any_indicator_set_come_from_the_summary(filled, monkeypatch):
    sets = [("management_system", "product_standard"), ("workshop", "lab_17025", "award_winner")]
    want = {
        inds: _live(
            filled,
            lambda i=inds: queries.beneficiary_totals(
                filled, RecordFilter(phase=PHASES[0], indicators=i)
            ),
        )
        for inds in sets
    }

    def no_records(*args, **kwargs):
        raise AssertionError("the records were read")

    monkeypatch.setattr(queries, "_from_records", no_records)
    for inds in sets:
        got = queries.beneficiary_totals(filled, RecordFilter(phase=PHASES[0], indicators=inds))
        assert got == want[inds] and got["beneficiaries"] > 0
