"""The help page's data: the plan's targets, the indicators due once, the template's columns."""

from __future__ import annotations

import pandas as pd

from pqtrack.domain import plan
from pqtrack.i18n import t
from pqtrack.presentation import views


def targets_table(lang: str) -> pd.DataFrame:
    """Return every indicator with its unit, its target in each phase and what it counts."""
    rows = []
    for code in plan.indicators():
        first, second = (plan.target_for(code, p) for p in plan.PHASE_CODES)
        rows.append(
            {
                t("ui.col.indicator", lang): first.label(lang),
                t("ui.col.unit", lang): first.unit(lang),
                plan.phase(plan.PHASE_CODES[0]).label: first.target,
                plan.phase(plan.PHASE_CODES[1]).label: second.target,
                t("ui.help.counts", lang): t(f"ui.help.count.{code}", lang),
            }
        )
    return pd.DataFrame(rows)


def due_once(lang: str) -> list[str]:
    """Return the labels of the last phase's targets due once, at the phase's end."""
    last = plan.targets(plan.PHASE_CODES[-1])
    return [tg.label(lang) for tg in last if tg.due == "phase_end"]


def data_dictionary(lang: str) -> pd.DataFrame:
    """Return the template's columns with meaning and rules."""
    return views.data_dictionary(lang)
