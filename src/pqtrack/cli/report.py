"""The ``report`` subcommand: ``python -m pqtrack report --phase P --out FILE.xlsx``."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from pqtrack.cli.args import env_lang, os_user, parse_date, parse_moment
from pqtrack.domain import plan
from pqtrack.i18n import LANGS, t
from pqtrack.paths import default_db_path


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``report`` subcommand to ``subparsers`` and return its parser."""
    s = subparsers.add_parser("report", help=t("report.cli.help", env_lang()))
    s.add_argument("--phase", choices=plan.PHASE_CODES, default=None)
    s.add_argument("--as-of", type=parse_date, default=None, help="YYYY-MM-DD or DD/MM/YYYY")
    s.add_argument("--lang", choices=LANGS, default=None)
    s.add_argument("--out", type=Path, required=True)
    s.add_argument("--db", type=Path, default=None, help="store file (PQTRACK_DB)")
    s.add_argument("--user", default=None)
    s.add_argument("--pdf", action="store_true", help="also write a PDF (needs LibreOffice)")
    lang = env_lang()
    once = s.add_mutually_exclusive_group()
    once.add_argument("--stored-at", type=parse_moment, help=t("cli.help_stored_at", lang))
    once.add_argument("--register", action="store_true", help=t("report.cli.help_register", lang))
    once.add_argument("--reissue", type=int, metavar="ID", help=t("report.cli.help_reissue", lang))
    s.set_defaults(func=run)
    return s


def run(args: argparse.Namespace) -> int:
    """Write the phase report workbook (or register it, or issue a sent one again)."""
    from pqtrack.service import moment, reports, sent  # when the command runs: store, pandas
    from pqtrack.store import Store

    lang = args.lang or env_lang()
    if args.reissue is None and args.phase is None:
        print(t("report.cli.phase_needed", lang), file=sys.stderr)
        return 2
    if args.reissue is not None and (args.phase or args.as_of or args.lang):
        # a sent report is built as it was sent: its phase, date and language
        print(t("report.cli.reissue_as_sent", lang), file=sys.stderr)
        return 2
    store = Store(args.db or default_db_path())
    user = args.user or os_user()
    try:
        if args.reissue is not None:
            done = sent.reissue_report(store, args.reissue, args.out, args.user)
            phase, as_of = done.phase, done.as_of
        else:
            phase, as_of = args.phase, args.as_of or date.today()
            if args.register:
                done = sent.register_report(store, phase, as_of, lang, user, args.out)
            else:
                with moment.as_stood(store, args.stored_at) as then:
                    reports.write_report(then, phase, as_of, lang, user, args.out)
    finally:
        store.close()
    label = plan.phase(phase).label
    print(t("report.cli.written", lang, phase=label, as_of=f"{as_of:%d/%m/%Y}", file=args.out))
    if args.register or args.reissue is not None:
        key = "report.cli.registered" if args.register else "report.cli.reissued"
        print(t(key, lang, id=done.report_id, at=f"{done.stored_at:%d/%m/%Y %H:%M:%S}"))
    if args.pdf:
        pdf = reports.to_pdf(args.out)
        if pdf is None:
            print(t("report.cli.no_pdf", lang), file=sys.stderr)
            return 1
        print(t("report.cli.pdf_written", lang, file=pdf))
    return 0
