"""Reports sent upward: ``reports`` lists them, ``drift`` says what moved since one."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from pqtrack.cli.args import env_lang
from pqtrack.domain import plan
from pqtrack.i18n import t
from pqtrack.paths import default_db_path
from pqtrack.text import for_terminal


def add_parsers(subparsers: argparse._SubParsersAction) -> None:
    """Add ``reports`` and ``drift`` to ``subparsers``."""
    lang = env_lang()
    s = subparsers.add_parser("reports", help=t("cli.sent.help_reports", lang))
    s.add_argument("--phase", choices=plan.PHASE_CODES, default=None)
    s.add_argument("--json", action="store_true")
    s.add_argument("--db", type=Path, default=None, help="store file (PQTRACK_DB)")
    s.set_defaults(func=run_reports)
    s = subparsers.add_parser("drift", help=t("cli.sent.help_drift", lang))
    s.add_argument("report_id", type=int)
    s.add_argument("--json", action="store_true")
    s.add_argument("--db", type=Path, default=None, help="store file (PQTRACK_DB)")
    s.set_defaults(func=run_drift)


def run_reports(args: argparse.Namespace) -> int:
    """Print the registered reports; return the exit code."""
    from pqtrack.presentation import numbers
    from pqtrack.service import sent
    from pqtrack.store import Store

    store = Store(args.db or default_db_path())
    try:
        found = sent.sent_reports(store, args.phase)
    finally:
        store.close()
    if args.json:
        print(json.dumps([r.to_json_dict() for r in found], ensure_ascii=False, indent=2))
        return 0
    lang = env_lang()
    if not found:
        print(t("cli.sent.none", lang))
    for r in found:
        print(
            t("cli.sent.line", lang, id=r.report_id, phase=r.phase,
              as_of=numbers.day(r.as_of, lang), at=numbers.moment(r.stored_at, lang),
              user=for_terminal(r.user or ""))
        )  # fmt: skip
    return 0


def run_drift(args: argparse.Namespace) -> int:
    """Print what moved since a registered report; return the exit code."""
    from pqtrack.presentation import numbers, views
    from pqtrack.service import sent
    from pqtrack.store import Store

    store = Store(args.db or default_db_path())
    try:
        report, moved = sent.drift(store, args.report_id)
    finally:
        store.close()
    if args.json:
        payload = {"report_id": report.report_id,
                   "indicators": [m.to_json_dict() for m in moved]}  # fmt: skip
        print(json.dumps(payload, ensure_ascii=False, indent=2))
        return 0
    lang = env_lang()
    if not moved:
        print(t("cli.sent.no_drift", lang, id=report.report_id))
    for m in moved:
        batches = ", ".join(f"#{b}" for b in m.batches)
        print(
            t("cli.sent.drift_line", lang, indicator=views.indicator_label(m.indicator, lang),
              reported=numbers.integer(m.reported, lang), now=numbers.integer(m.now, lang),
              batches=batches)
        )  # fmt: skip
    return 0
