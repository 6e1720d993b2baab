"""The ``report`` subcommand: ``python -m pqtrack report --phase P --out FILE.xlsx``."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from pqtrack.cli.args import env_lang, os_user, parse_date
from pqtrack.domain import plan
from pqtrack.i18n import LANGS, t
from pqtrack.paths import default_db_path


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``report`` subcommand to ``subparsers`` and return its parser."""
    s = subparsers.add_parser("report", help=t("report.cli.help", env_lang()))
    s.add_argument("--phase", choices=plan.PHASE_CODES, required=True)
    s.add_argument("--as-of", type=parse_date, default=None, help="YYYY-MM-DD or DD/MM/YYYY")
    s.add_argument("--lang", choices=LANGS, default=None)
    s.add_argument("--out", type=Path, required=True)
    s.add_argument("--db", type=Path, default=None, help="store file (PQTRACK_DB)")
    s.add_argument("--user", default=None)
    s.add_argument("--pdf", action="store_true", help="also write a PDF (needs LibreOffice)")
    s.set_defaults(func=run)
    return s


def run(args: argparse.Namespace) -> int:
    """Write the phase report workbook; return the exit code."""
    from pqtrack.service import reports  # only when the command runs: store and pandas
    from pqtrack.store import Store

    lang = args.lang or env_lang()
    as_of = args.as_of or date.today()
    store = Store(args.db or default_db_path())
    try:
        reports.write_report(store, args.phase, as_of, lang, args.user or os_user(), args.out)
    finally:
        store.close()
    label = plan.phase(args.phase).label
    print(t("report.cli.written", lang, phase=label, as_of=f"{as_of:%d/%m/%Y}", file=args.out))
    if args.pdf:
        pdf = reports.to_pdf(args.out)
        if pdf is None:
            print(t("report.cli.no_pdf", lang), file=sys.stderr)
            return 1
        print(t("report.cli.pdf_written", lang, file=pdf))
    return 0
