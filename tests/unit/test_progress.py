"""Progress, pace and status against hand-computed figures."""

from __future__ import annotations

from datetime import date

import pytest

from pqtrack.domain import plan, progress
from pqtrack.ingest import pipeline as ingest
from pqtrack.service.progress import phase_progress
from tests.support import TODAY


def test_elapsed_share_and_years_remaining_hand_computed():
    ph = plan.phase("2026-2030")  # 1826 days (2028 is a leap year)
    # 2026-07-01 is day 182 of the phase: 182/1826 = 0.099671...
    assert progress.elapsed_share(ph, date(2026, 7, 1)) == pytest.approx(182 / 1826)
    # days left after 2026-07-01 to 2030-12-31: 1644 → 1644/365.25 = 4.5010 years
    assert progress.years_remaining(ph, date(2026, 7, 1)) == pytest.approx(1644 / 365.25)
    assert progress.elapsed_share(ph, date(2025, 1, 1)) == 0.0
    assert progress.elapsed_share(ph, date(2031, 1, 1)) == 1.0


@pytest.mark.parametrize(
    ("actual", "status"),
    [(10, "achieved"), (2, "on_track"), (1.4, "at_risk"), (1.3, "behind")],
)
def test_status_from_pacing(actual, status):
    ph = plan.phase("2026-2030")
    # expected = 2.0: on track at ≥ 2, at risk at ≥ 1.4 (70 %), behind below
    assert progress.status_for(actual, 10, 2.0, ph, date(2027, 1, 1)) == status


def test_finished_phase_is_achieved_or_not():
    ph = plan.phase("2021-2025")
    assert progress.status_for(74, 75, 75, ph, date(2026, 3, 1)) == "not_achieved"
    assert progress.status_for(75, 75, 75, ph, date(2026, 3, 1)) == "achieved"


def test_phase_progress_from_store_hand_computed(store):
    text = (
        "date,indicator,quantity,beneficiary_name,beneficiary_type\r\n"
        "01/03/2026,product_standard,10,A,DN\r\n"
        "01/06/2026,product_standard,5,B,DN\r\n"
        "31/12/2025,product_standard,7,C,DN\r\n"  # phase 1: not counted in phase 2
        "02/06/2026,workshop,1,,\r\n"
    )
    assert ingest.process(store, text.encode(), "p.csv", today=TODAY).stored
    as_of = date(2026, 12, 31)  # one full year of five: expected = 20 % of target
    rows = {r.indicator: r for r in phase_progress(store, "2026-2030", as_of)}
    ps = rows["product_standard"]
    assert (ps.target, ps.actual, ps.percent) == (95, 15, 15.8)
    # expected: 95 × 365/1826 = 18.99 → 15 ≥ 0.7 × 18.99 = 13.29 → at risk
    assert ps.expected == pytest.approx(18.99, abs=0.01) and ps.status == "at_risk"
    # needed: (95 − 15) / (1461 / 365.25 = 4.0 years) = 20.0 per year
    assert ps.needed_per_year == pytest.approx(20.0)
    ws = rows["workshop"]
    # workshop: 1 of 4; expected 4 × 0.19989 = 0.80 → on track
    assert (ws.actual, ws.status) == (1, "on_track")
    phase1 = {r.indicator: r for r in phase_progress(store, "2021-2025", TODAY)}
    assert phase1["product_standard"].actual == 7
    assert phase1["product_standard"].status == "not_achieved"
    assert len(phase1) == 9


def _tfp(as_of: date, actual: int = 0) -> progress.Progress:
    rows = progress.compute("2026-2030", as_of, {"tfp_assessment": {"actual": actual}})
    return next(r for r in rows if r.indicator == "tfp_assessment")


def test_the_plan_file_says_which_targets_are_due_once():
    due_once = {(t.indicator, t.phase) for t in plan.targets() if t.due == "phase_end"}
    assert due_once == {("tfp_assessment", "2021-2025"), ("tfp_assessment", "2026-2030")}
    assert all(t.due == "pro_rata" for t in plan.targets() if t.indicator != "tfp_assessment")
    assert plan.due_year(plan.target_for("tfp_assessment", "2026-2030")) == 2030
    assert plan.due_year(plan.target_for("workshop", "2026-2030")) is None


def test_a_target_due_once_is_not_yet_due_in_the_first_year_of_its_phase():
    first_year = _tfp(date(2026, 11, 27))
    assert first_year.status == "not_yet_due"  # was "behind" with pro-rata pacing
    assert first_year.expected == 0.0 and first_year.due_year == 2030
    assert _tfp(date(2029, 12, 31)).status == "not_yet_due"
    assert _tfp(date(2027, 5, 1), actual=1).status == "achieved"  # done early is done


def test_a_target_due_once_is_judged_from_its_due_year():
    # In 2030 the whole target is due by the year's end: half of it by 1 July.
    mid = _tfp(date(2030, 7, 1))
    assert mid.expected == pytest.approx(182 / 365, abs=0.01) and mid.status == "behind"
    assert _tfp(date(2030, 7, 1), actual=1).status == "achieved"
    assert _tfp(date(2031, 1, 2)).status == "not_achieved"
    # Paced targets are unchanged: a workshop with none held in 2026 is behind.
    rows = progress.compute("2026-2030", date(2026, 11, 27), {})
    assert next(r for r in rows if r.indicator == "workshop").status == "behind"


def test_summary_counts_have_a_not_yet_due_bucket():
    counts = progress.summary_counts(progress.compute("2026-2030", date(2026, 11, 27), {}))
    assert counts["not_yet_due"] == 1 and sum(counts.values()) == 9


def test_a_bad_due_value_in_the_plan_file_names_row_column_and_value(tmp_path):
    bad = tmp_path / "plan-targets.csv"
    text = plan.plan_file().read_text(encoding="utf-8").replace(",pro_rata", ",monthly", 1)
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=r"row 2, column due: 'monthly'"):
        plan._load(bad)
