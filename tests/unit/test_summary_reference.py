"""The summary's fast paths against a plain pandas reference computed from the records.

The summary is built by bitmaps by place, by a pass per group (the fallback when those
bitmaps exceed the budget), with hash sets (the fallback past the bitmaps' budget) and added
to batch by batch; the reach table by a bit mask of indicators, or by lists past the mask's
bits. Each must equal what plain pandas makes of the records, on varied data: blanks, unplaced
localities, ids that start far from zero and leave gaps, more indicators than the mask holds.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from benchmarks.generate import generate
from pqtrack.domain import plan
from pqtrack.domain.filters import RecordFilter
from pqtrack.figures import queries
from pqtrack.ingest import pipeline as ingest
from pqtrack.store import Store, distinct, summary
from tests.support import TODAY, again_under_new_ids

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "sample" / "du-lieu-minh-hoa_illustrative-sample.csv"


def _text(col: pd.Series) -> pd.Series:
    return col.map(lambda v: None if pd.isna(v) else str(v)).astype(object)


def _rows(phase: str, dim: str, part: pd.DataFrame, by_indicator: bool, value, counted=True):
    """The summary rows of one group over ``part``, plainly with pandas."""
    if part.empty:
        return []
    keyed = part.assign(
        _scope=part["indicator"] if by_indicator else "*",
        _value=_text(part[value]) if value else None,
    )
    sums = keyed.groupby(["_scope", "_value"], dropna=False).agg(
        turns=("quantity", "size"),
        quantity=("quantity", "sum"),
        beneficiaries=("beneficiary_id", "nunique"),
        funding=("funding_vnd", lambda f: f.sum(min_count=1)),
        last=("date", "max"),
    )
    return [
        (
            phase,
            scope,
            dim,
            None if pd.isna(val) else val,
            int(g.turns),
            int(g.quantity),
            int(g.beneficiaries) if counted else None,
            None if pd.isna(g.funding) else int(g.funding),
            g.last.date(),
        )
        for (scope, val), g in sums.iterrows()
    ]


def reference(store: Store) -> tuple[Counter, Counter]:
    """Return the summary rows and the reach rows plain pandas makes of the records."""
    recs = store.query_df("SELECT * FROM records")
    recs["year"] = recs["date"].dt.year
    recs["day"] = recs["date"].dt.strftime("%Y-%m-%d")
    rows, reach = [], []
    for ph in plan.PHASES:
        part = recs[recs["date"].between(pd.Timestamp(ph.start), pd.Timestamp(ph.end))]
        last = part["date"].max()
        rows.append(  # the marker: one per phase, even an empty one
            (
                ph.code,
                "*",
                "total",
                None,
                len(part),
                int(part["quantity"].sum()),
                int(part["beneficiary_id"].nunique()),
                int(part["funding_vnd"].sum()),
                None if pd.isna(last) else last.date(),
            )
        )
        rows += _rows(ph.code, "total", part, True, None)
        for dim in summary.SUMMARY_DIMENSIONS:  # each a column of ``recs`` by that name
            rows += _rows(ph.code, dim, part, True, dim)
        rows += _rows(ph.code, "date", part, True, "day", counted=False)
        placed, unplaced = part[part["locality"].notna()], part[part["locality"].isna()]
        for by_indicator in (False, True):
            for level in ("district", "commune"):
                rows += _rows(ph.code, f"map_{level}", placed, by_indicator, level)
            rows += _rows(ph.code, "no_locality", unplaced, by_indicator, None)
        known = part[part["beneficiary_id"].notna()]
        sets = known.groupby("beneficiary_id")["indicator"].agg(lambda s: tuple(sorted(set(s))))
        reach += [(ph.code, inds, n) for inds, n in sets.value_counts().items()]
    return Counter(rows), Counter(reach)


def _tables(cur) -> tuple[Counter, Counter]:
    rows = cur.execute("SELECT * FROM summary").fetchall()
    reach = cur.execute("SELECT * FROM summary_reach").fetchall()
    return Counter(rows), Counter((p, tuple(i), n) for p, i, n in reach)


def _rebuilt(store: Store) -> tuple[Counter, Counter]:
    """Return the summary and reach tables as a rebuild makes them (then rolled back)."""
    with store.cursor() as cur:
        cur.execute("BEGIN TRANSACTION")
        try:
            summary.refresh(cur)
            return _tables(cur)
        finally:
            cur.execute("ROLLBACK")


def _stored(store: Store) -> tuple[Counter, Counter]:
    with store.cursor() as cur:
        return _tables(cur)


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Store:
    """The sample, 1,500 generated records, then 300 of them again under new ids, 200
    records of mostly new beneficiaries and 6 in unknown places, added to the summary."""
    work = tmp_path_factory.mktemp("reference")
    gen, later = work / "gen.csv", work / "later.csv"
    generate(gen, 1_500, TODAY, seed=11)
    generate(later, 200, TODAY, seed=12)
    s = Store(work / "s.duckdb")
    for path in (SAMPLE, gen):
        assert ingest.process(s, path.read_bytes(), path.name, today=TODAY).stored
    unknown = work / "unknown.csv"  # localities no map places
    unknown.write_text(
        "date,indicator,beneficiary_name,beneficiary_type,locality\r\n"
        + "".join(
            f"1{i}/03/2023,workshop,Đơn vị {i},HTX,Ấp Không Tên {i % 2}\r\n" for i in range(6)
        ),
        encoding="utf-8",
    )
    again = again_under_new_ids(gen, work / "again.csv", 300, "A")
    for path in (again, again_under_new_ids(later, later, 200, "B"), unknown):
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(summary, "refresh", pytest.fail)  # added, not rebuilt
            assert ingest.process(s, path.read_bytes(), path.name, today=TODAY).stored
        with s.cursor() as cur:
            assert summary.is_fresh(cur)
    yield s
    s.close()


def _spy(monkeypatch) -> list[str]:
    """Record which way each distinct count is made: by place, bitmap or hash set."""
    used: list[str] = []
    count_sql, by_place = distinct.count_sql, summary._count_by_place

    def counting(*a):
        sql, params = count_sql(*a)
        used.append("bitmap" if params else "hash set")
        return sql, params

    def placing(*a):
        made = by_place(*a)
        used.append("by place" if made else "not by place")
        return made

    monkeypatch.setattr(distinct, "count_sql", counting)
    monkeypatch.setattr(summary, "_count_by_place", placing)
    return used


def test_summary_added_batch_by_batch_equals_the_plain_reference(store):
    rows, reach = reference(store)
    assert _stored(store) == (rows, reach)
    assert len(rows) > 500 and sum(reach.values()) > 10
    dims = {r[2] for r in rows}
    assert {"total", "year", "date", "map_commune", "no_locality"} <= dims
    assert any(r[2] == "map_district" and r[3] is None for r in rows)  # unplaced localities
    assert any(r[2] == "sector" and r[3] is None for r in rows)  # blanks


@pytest.mark.parametrize("budget", ["default", "no place bitmaps", "none"])
def test_every_rebuild_path_equals_the_plain_reference(store, monkeypatch, budget):
    used = _spy(monkeypatch)
    if budget == "no place bitmaps":
        monkeypatch.setattr(summary, "_count_by_place", lambda *a: used.append("fallback"))
    if budget == "none":
        monkeypatch.setattr(distinct, "BITMAP_BUDGET", 0)
    assert _rebuilt(store) == reference(store)
    want = {
        "default": {"by place", "bitmap"},
        "no place bitmaps": {"fallback", "bitmap"},
        "none": {"not by place", "hash set"},
    }
    assert set(used) == want[budget]


def _spread_ids(store: Store, lo: int, step: int) -> None:
    """Renumber the beneficiaries ``lo``, ``lo + step``, …: far from zero, with gaps."""
    with store.cursor() as cur:
        for table in ("records", "beneficiaries"):
            cur.execute(
                f"UPDATE {table} SET beneficiary_id = $lo + (beneficiary_id - 1) * $step",  # noqa: S608
                {"lo": lo, "step": step},
            )


def test_ids_far_from_zero_with_gaps_count_the_same(tmp_path, monkeypatch):
    path = tmp_path / "gen.csv"
    generate(path, 600, TODAY, seed=13)
    s = Store(tmp_path / "s.duckdb")
    assert ingest.process(s, path.read_bytes(), path.name, today=TODAY).stored
    _spread_ids(s, 3_000_001, 97)
    with s.cursor() as cur:
        lo, hi = distinct.id_range(cur)
    assert lo == 3_000_001 and hi - lo > 10_000
    # A budget between the rebuild's groups: its bitmaps by place do not fit, the passes
    # with fewer groups take bitmaps, those with more take hash sets.
    per_group = (hi - lo) // 8 + 1
    monkeypatch.setattr(distinct, "BITMAP_BUDGET", per_group * 40)
    used = _spy(monkeypatch)
    assert _rebuilt(s) == reference(s)
    assert {"not by place", "bitmap", "hash set"} <= set(used)
    monkeypatch.undo()
    assert _rebuilt(s) == reference(s)  # by place, over the spread range
    flt = RecordFilter(phase="2021-2025", beneficiary_types=("cooperative",))
    live = queries.beneficiary_totals(s, flt)
    recs = s.query_df(
        "SELECT * FROM records WHERE beneficiary_type = 'cooperative' "
        "AND date BETWEEN DATE '2021-01-01' AND DATE '2025-12-31'"
    )
    assert live["beneficiaries"] == recs["beneficiary_id"].nunique() > 0
    s.close()


@pytest.mark.parametrize("indicators", [summary.MASK_INDICATORS, summary.MASK_INDICATORS + 1])
def test_reach_by_mask_and_past_its_bits_equals_the_plain_reference(tmp_path, indicators):
    path = tmp_path / "gen.csv"
    generate(path, 400, TODAY, seed=14)
    s = Store(tmp_path / "s.duckdb")
    assert ingest.process(s, path.read_bytes(), path.name, today=TODAY).stored
    with s.cursor() as cur:  # more indicators than the contract has, to reach the mask's end
        cur.execute(
            "UPDATE records SET indicator = 'i' || lpad(CAST(row_number % $n AS VARCHAR), 2, '0')",
            {"n": indicators},
        )
        cur.execute("BEGIN TRANSACTION")
        summary.refresh(cur)
        cur.execute("COMMIT")
    rows, reach = reference(s)
    assert _stored(s) == (rows, reach)
    assert len({i for _, inds, _ in reach for i in inds}) == indicators
    assert any(len(inds) > 1 for _, inds, _ in reach)
    for pick in (("i00", f"i{indicators - 1:02d}"), ("i01", "i02", "i03")):
        flt = RecordFilter(phase="2021-2025", indicators=pick)
        got = queries.beneficiary_totals(s, flt)
        ph = plan.phase("2021-2025")
        recs = s.query_df("SELECT * FROM records")
        recs = recs[
            recs["date"].between(pd.Timestamp(ph.start), pd.Timestamp(ph.end))
            & recs["indicator"].isin(pick)
        ]
        assert got["beneficiaries"] == recs["beneficiary_id"].nunique() > 0
        assert got["turns"] == len(recs)
    s.close()


def test_distinct_count_keeps_to_its_budget():
    assert distinct.count_sql("x", None, 1) == ("count(DISTINCT x)", {})
    sql, params = distinct.count_sql("x", (1, 80_000), 10)
    assert sql.startswith("COALESCE(bit_count(bitstring_agg(x,") and params == {
        "id_lo": 1,
        "id_hi": 80_000,
    }
    per_group = 80_000 // 8
    assert distinct.count_sql("x", (1, 80_000), distinct.BITMAP_BUDGET // per_group + 1)[1] == {}


def test_the_summary_stays_exact_through_corrections_voids_and_rollbacks(tmp_path):
    from pqtrack.store import versions

    gen = tmp_path / "gen.csv"
    generate(gen, 600, TODAY, seed=21)
    s = Store(tmp_path / "y.duckdb")
    first = ingest.process(s, gen.read_bytes(), gen.name, today=TODAY)
    assert first.stored
    # The first 150 rows again under their own ids with other values: corrections.
    lines = gen.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    header, rows = lines[0], lines[1:151]
    other = tmp_path / "other.csv"
    generate(other, 150, TODAY, seed=22)
    fresh = other.read_text(encoding="utf-8-sig").splitlines(keepends=True)[1:]
    ids = [r.split(",", 1)[0] for r in rows]
    fixed = [i + "," + f.split(",", 1)[1] for i, f in zip(ids, fresh, strict=True)]
    fix = tmp_path / "fix.csv"
    fix.write_text(header + "".join(fixed), encoding="utf-8")
    done = ingest.process(s, fix.read_bytes(), fix.name, today=TODAY, correct=True)
    assert done.stored and done.stage.corrections == 150

    def exact() -> None:
        s.wait_for_summary()
        with s.cursor() as cur:
            assert summary.is_fresh(cur)
        assert _stored(s) == reference(s)

    exact()
    bare = [i.strip('"') for i in ids]
    void = versions.void(s, bare[0], "t", "wrong")  # a corrected record
    versions.void(s, lines[200].split(",", 1)[0].strip('"'), "t", "twice")  # an uncorrected one
    exact()
    s.rollback(void, "t")
    exact()
    s.rollback(done.batch_id, "t")  # the correction: the first versions come back
    exact()
    assert s.scalar("SELECT count(*) FROM records WHERE batch_id = ?", [first.batch_id]) == 599
    s.close()
