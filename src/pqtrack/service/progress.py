"""Progress and pacing of a phase: figures, the overview's cards and sentences, the CLI's lines.

Light on purpose (no chart or workbook library): ``pqtrack progress`` imports it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from pqtrack.domain import plan
from pqtrack.domain.progress import Progress
from pqtrack.figures import progress as figures
from pqtrack.figures import queries
from pqtrack.i18n import t
from pqtrack.presentation import numbers, views
from pqtrack.service.tables import Table
from pqtrack.store import Store


def phase_progress(store: Store, phase_code: str, as_of: date) -> list[Progress]:
    """Return every indicator's progress in a phase as of a date."""
    return figures.phase_progress(store, phase_code, as_of)


def cumulative_series(store: Store, phase_code: str, as_of: date) -> pd.DataFrame:
    """Return the cumulative actual per indicator and day within the phase up to ``as_of``."""
    ph = plan.phase(phase_code)
    return queries.cumulative(store, ph.start, min(as_of, ph.end))


@dataclass(frozen=True)
class Card:
    """One indicator's card on the overview, every text written in the user's language."""

    indicator: str
    title: str
    metric_label: str
    value: str
    delta: str
    badge: str
    badge_color: str
    expected: str | None  # the pace due by today; None once the phase ended or not yet due
    needed: str


def cards(rows: list[Progress], phase_code: str, as_of: date, lang: str) -> list[Card]:
    """Return the overview cards of ``rows`` (from :func:`phase_progress`)."""
    finished = views.phase_finished(phase_code, as_of)
    out = []
    for row in rows:
        unit = plan.target_for(row.indicator, phase_code).unit(lang)
        expected = None
        if not finished and row.status != "not_yet_due":
            expected = t(
                "ui.card.expected", lang, expected=numbers.decimal(row.expected, lang, 1), unit=unit
            )
        out.append(
            Card(
                indicator=row.indicator,
                title=views.indicator_label(row.indicator, lang),
                metric_label=t("ui.card.actual_of_target", lang, unit=unit),
                value=f"{numbers.integer(row.actual, lang)} / {numbers.integer(row.target, lang)}",
                delta=numbers.percent(row.percent, lang),
                badge=views.status_label(row.status, lang),
                badge_color=views.STATUS_BADGES[row.status],
                expected=expected,
                needed=views.needed_text(row, lang),
            )
        )
    return out


def summary(rows: list[Progress], phase_code: str, as_of: date, lang: str) -> str:
    """Return the one-line summary of the phase's standing."""
    return views.summary_sentence(rows, phase_code, as_of, lang)


def progress_table(rows: list[Progress], lang: str) -> Table:
    """Return the progress rows as a table, with the kinds of its percent and amount columns."""
    kinds = {
        t("ui.col.percent", lang): "pct",
        t("ui.col.expected", lang): "dec",
        t("ui.col.funding_vnd", lang): "money",
    }
    return Table(views.progress_table(rows, lang), kinds)


def terminal_lines(rows: list[Progress], phase_code: str, as_of: date, lang: str) -> list[str]:
    """Return the phase's targets vs actuals as lines for a terminal (title first)."""
    title = t(
        "cli.progress_title", lang, phase=plan.phase(phase_code).label, as_of=f"{as_of:%d/%m/%Y}"
    )
    return [title] + [
        f"  {r.indicator:<20} {numbers.integer(r.actual, lang):>6} / "
        f"{numbers.integer(r.target, lang):<5} {numbers.percent(r.percent, lang, 1):>7}  "
        f"{t('status.' + r.status, lang)}"
        for r in rows
    ]
