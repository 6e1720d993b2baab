"""Progress, pace and status against hand-computed figures."""

from __future__ import annotations

from datetime import date

import pytest

from pqtrack import ingest, plan, progress, service
from tests.conftest import TODAY


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
    rows = {r.indicator: r for r in service.phase_progress(store, "2026-2030", as_of)}
    ps = rows["product_standard"]
    assert (ps.target, ps.actual, ps.percent) == (95, 15, 15.8)
    # expected: 95 × 365/1826 = 18.99 → 15 ≥ 0.7 × 18.99 = 13.29 → at risk
    assert ps.expected == pytest.approx(18.99, abs=0.01) and ps.status == "at_risk"
    # needed: (95 − 15) / (1461 / 365.25 = 4.0 years) = 20.0 per year
    assert ps.needed_per_year == pytest.approx(20.0)
    ws = rows["workshop"]
    # workshop: 1 of 4; expected 4 × 0.19989 = 0.80 → on track
    assert (ws.actual, ws.status) == (1, "on_track")
    phase1 = {r.indicator: r for r in service.phase_progress(store, "2021-2025", TODAY)}
    assert phase1["product_standard"].actual == 7
    assert phase1["product_standard"].status == "not_achieved"
    assert len(phase1) == 9
