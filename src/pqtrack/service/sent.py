"""Reports sent upward: register one, build it again exactly, and explain what moved since."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import BinaryIO

from pqtrack.domain import plan
from pqtrack.figures import progress
from pqtrack.presentation import year
from pqtrack.store import Store, StoreError, sent, snapshot
from pqtrack.store.sent import SentReport


def _actuals(
    store: Store, phase_code: str, as_of: date, at: datetime | None = None
) -> dict[str, int]:
    rows = progress.phase_progress(store, phase_code, as_of, at)
    return {p.indicator: int(p.actual) for p in rows}


def register_report(
    store: Store,
    phase_code: str,
    as_of: date,
    lang: str,
    user: str | None,
    out: BinaryIO | Path | str,
) -> SentReport:
    """Write the phase report to ``out`` and register it as sent, with its figures."""
    from pqtrack.report import build

    # Read under the write lock: every write stamped before the moment is committed, and each
    # write after it is stamped later, so the copy as of it cannot change; the book is built
    # from the copy while others write.
    with store.write_lock:
        at = store.scalar("SELECT current_localtimestamp()")
    with snapshot.stored_at(store, at) as then:
        figures = _actuals(then, phase_code, as_of)
        build.build_report(then, phase_code, as_of, lang, user, out=out)
    with store.transaction() as cur:
        return sent.register(
            cur, store, phase=phase_code, as_of=as_of, stored_at=at, user=user, lang=lang,
            figures=figures,
        )  # fmt: skip


def reissue_report(
    store: Store, report_id: int, out: BinaryIO | Path | str, user: str | None = None
) -> SentReport:
    """Write registered report ``report_id`` again, from the data as it stood when it was sent."""
    from pqtrack.report import build

    report = sent.report(store, report_id)
    with snapshot.stored_at(store, report.stored_at) as then:
        if _actuals(then, report.phase, report.as_of) != report.figures:
            raise StoreError("store.sent.differs", report_id=report_id)
        build.build_report(then, report.phase, report.as_of, report.lang,
                           user or report.user, out=out)  # fmt: skip
    return report


def sent_reports(store: Store, phase_code: str | None = None) -> list[SentReport]:
    """Return the registered reports (of one phase, or all), oldest first."""
    return sent.reports(store, phase_code)


@dataclass
class Moved:
    """One indicator whose figure moved since a report: as reported, now, and why."""

    indicator: str
    reported: int
    now: int
    batches: list[int] = field(default_factory=list)

    def to_json_dict(self) -> dict:
        """Return the movement as JSON-ready values."""
        return {"indicator": self.indicator, "reported": self.reported, "now": self.now,
                "batches": self.batches}  # fmt: skip


def drift(store: Store, report_id: int) -> tuple[SentReport, list[Moved]]:
    """Return a report and the indicators whose figure moved since, with the batches behind it.

    A batch is named when its own effect on the figure (its storing and, if it was rolled
    back since, its rollback) does not cancel out.
    """
    report = sent.report(store, report_id)
    now = _actuals(store, report.phase, report.as_of)
    moved = {k: v for k, v in now.items() if v != report.figures.get(k, 0)}
    if not moved:
        return report, []
    ph = plan.phase(report.phase)
    net = sent.moved_by(store, report.stored_at, ph.start, min(report.as_of, ph.end))
    out = []
    for indicator, value in sorted(moved.items()):
        batches = sorted(b for b, per in net.items() if per.get(indicator, 0))
        out.append(Moved(indicator, int(report.figures.get(indicator, 0)), value, batches))
    return report, out


def register_report_bytes(
    store: Store, phase_code: str, as_of: date, lang: str, user: str | None
) -> tuple[SentReport, bytes]:
    """Register the phase report as sent and return it with its workbook's bytes."""
    out = io.BytesIO()
    report = register_report(store, phase_code, as_of, lang, user, out)
    return report, out.getvalue()


def reissue_bytes(store: Store, report_id: int, user: str | None = None) -> bytes:
    """Return registered report ``report_id``'s workbook built again exactly as it was sent."""
    out = io.BytesIO()
    reissue_report(store, report_id, out, user)
    return out.getvalue()


def sent_file_name(report: SentReport) -> str:
    """Return the file name of a registered report, with its number."""
    stem = "bao-cao-da-gui" if report.lang == "vi" else "report-sent"
    return f"{stem}_{report.report_id}_{report.phase}_{report.as_of:%Y-%m-%d}.xlsx"


def latest_report(store: Store, phase_code: str) -> SentReport | None:
    """Return the phase's last registered report, or None."""
    found = sent.reports(store, phase_code)
    return found[-1] if found else None


def moved_since(report: SentReport, rows: list) -> list[Moved]:
    """Return the indicators whose figure moved since ``report`` (no batches looked up).

    ``rows``: the phase's progress now, as of the report's as-of date. The cheap first look;
    :func:`drift` names the batches too.
    """
    now = {p.indicator: int(p.actual) for p in rows}
    return [
        Moved(k, int(report.figures.get(k, 0)), v)
        for k, v in sorted(now.items())
        if v != report.figures.get(k, 0)
    ]


def drift_lines(moved: list[Moved], lang: str, batches: bool = True) -> list[str]:
    """Return one sentence per moved indicator: reported → now (change), and the batches."""
    return year.drift_lines(moved, lang, batches)
