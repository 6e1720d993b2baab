"""The admin command line: ``python -m pqtrack …`` (also the ``pqtrack`` script)."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from pqtrack.cli import report as report_cli
from pqtrack.cli import sent as sent_cli
from pqtrack.cli import users as users_cli
from pqtrack.cli import year as year_cli
from pqtrack.cli.args import env_lang, os_user, parse_date, parse_moment

# Only light modules here: ``--help`` and a usage error need no data library. Each
# command imports what it uses (pandas, duckdb, the store, Excel writers) when it runs.
from pqtrack.domain import plan
from pqtrack.domain.filters import RecordFilter
from pqtrack.domain.schema import BENEFICIARY_TYPES, template_csv
from pqtrack.i18n import t
from pqtrack.paths import default_db_path
from pqtrack.text import for_terminal

if TYPE_CHECKING:
    from pqtrack.store import Store

EXIT_OK, EXIT_REFUSED, EXIT_USAGE = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser for every subcommand."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", type=Path, default=None, help="store file (PQTRACK_DB)")
    p = argparse.ArgumentParser(prog="pqtrack", description=t("cli.description", env_lang()))
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("ingest", parents=[common], help=t("cli.help_ingest", env_lang()))
    s.add_argument("files", nargs="+", type=Path)
    s.add_argument("--user", default=None)
    s.add_argument("--json", action="store_true")
    s.add_argument("--corrections", action="store_true", help=t("cli.help_corrections", env_lang()))

    s = sub.add_parser("export", parents=[common], help=t("cli.help_export", env_lang()))
    s.add_argument("--out", type=Path, required=True)
    s.add_argument("--format", choices=("csv", "xlsx"), default=None)
    s.add_argument("--phase", choices=plan.PHASE_CODES)
    s.add_argument("--indicator", action="append", choices=plan.indicators())
    s.add_argument("--beneficiary-type", action="append", choices=BENEFICIARY_TYPES)
    s.add_argument("--locality", action="append")
    s.add_argument("--from", dest="date_from", type=parse_date)
    s.add_argument("--to", dest="date_to", type=parse_date)
    s.add_argument("--stored-at", type=parse_moment, help=t("cli.help_stored_at", env_lang()))

    s = sub.add_parser("progress", parents=[common], help=t("cli.help_progress", env_lang()))
    s.add_argument("--phase", choices=plan.PHASE_CODES, required=True)
    s.add_argument("--as-of", type=parse_date, default=None)
    s.add_argument("--json", action="store_true")
    s.add_argument("--stored-at", type=parse_moment, help=t("cli.help_stored_at", env_lang()))

    s = sub.add_parser("batches", parents=[common], help=t("cli.help_batches", env_lang()))
    s.add_argument("--json", action="store_true")

    s = sub.add_parser("rollback", parents=[common], help=t("cli.help_rollback", env_lang()))
    s.add_argument("batch_id", type=int)
    s.add_argument("--user", default=None)

    s = sub.add_parser("purge-original", parents=[common], help=t("cli.help_purge", env_lang()))
    s.add_argument("batch_id", type=int)
    s.add_argument("--user", default=None)

    s = sub.add_parser("tfp", parents=[common], help=t("cli.help_tfp", env_lang()))
    s.add_argument("--macro", type=Path, default=None)
    s.add_argument("--capital-share", type=float, default=None)
    s.add_argument("--depreciation", type=float, default=None)
    s.add_argument("--json", action="store_true")

    users_cli.add_parser(sub, common)
    report_cli.add_parser(sub)
    year_cli.add_parsers(sub)
    sent_cli.add_parsers(sub)

    s = sub.add_parser("template", help=t("cli.help_template", env_lang()))
    s.add_argument("--out", type=Path, required=True)
    s.add_argument("--headers", choices=("vi", "canonical"), default="vi")
    return p


def _open(args: argparse.Namespace) -> Store:
    from pqtrack.store import Store

    return Store(args.db or default_db_path())


def cmd_ingest(args: argparse.Namespace) -> int:
    """Store each file as its own batch; report every problem of refused files."""
    from pqtrack.service import uploads

    lang = env_lang()
    store = _open(args)
    user = args.user or os_user()
    refused = 0
    results = []
    for path in args.files:
        try:
            data = path.read_bytes()
        except OSError as exc:
            refused += 1
            print(t("cli.cannot_read", lang, file=path, error=exc.strerror), file=sys.stderr)
            results.append({"file": str(path), "stored": False, "problems": [str(exc.strerror)]})
            continue
        # a workbook is read as the upload page reads it, and kept as the original
        upload = uploads.read(data, path.name, lang)
        if upload.refused is not None:
            refused += 1
            messages = [upload.refused]
            results.append({"file": str(path), "stored": False, "problems": messages})
            _print_refused(path, messages, 1, args.json, lang)
            continue
        report = uploads.store_upload(store, upload, user, correct=args.corrections)
        for warning in report.warnings:
            print(f"{path}: {for_terminal(warning.message(lang))}", file=sys.stderr)
        if report.stored:
            results.append(
                {
                    "file": str(path),
                    "stored": True,
                    "batch_id": report.batch_id,
                    "rows": report.rows_read,
                    "corrections": report.stage.corrections,
                }
            )
            if not args.json:
                print(
                    t(
                        "cli.stored",
                        lang,
                        file=path,
                        rows=report.rows_read,
                        batch_id=report.batch_id,
                    )
                )
                if report.stage.corrections:
                    print(t("cli.corrected", lang, count=report.stage.corrections))
        else:
            refused += 1
            messages = report.messages(lang)
            results.append({"file": str(path), "stored": False, "problems": messages})
            _print_refused(path, messages, report.problem_count, args.json, lang)
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=2))
    return EXIT_REFUSED if refused else EXIT_OK


def _print_refused(path: Path, messages: list[str], count: int, as_json: bool, lang: str) -> None:
    stream = sys.stderr if as_json else sys.stdout
    print(t("cli.refused", lang, file=path, count=count), file=stream)
    for line in messages:  # they quote the file's values
        print(f"{path}: {for_terminal(line)}", file=stream)


def _filter(args: argparse.Namespace) -> RecordFilter:
    return RecordFilter(
        phase=args.phase,
        date_from=args.date_from,
        date_to=args.date_to,
        indicators=tuple(args.indicator or ()),
        beneficiary_types=tuple(args.beneficiary_type or ()),
        localities=tuple(args.locality or ()),
    )


def cmd_export(args: argparse.Namespace) -> int:
    """Write the filtered records to a CSV or XLSX file."""
    from pqtrack.service import moment, records

    fmt = args.format or ("xlsx" if args.out.suffix.lower() == ".xlsx" else "csv")
    flt = _filter(args)

    with moment.as_stood(_open(args), args.stored_at) as store, args.out.open("wb") as fh:
        rows = records.write_export(store, flt, fh, fmt, env_lang())
    print(t("cli.exported", env_lang(), rows=rows, file=args.out))
    return EXIT_OK


def cmd_progress(args: argparse.Namespace) -> int:
    """Print the phase's targets vs actuals."""
    from pqtrack.service import moment, progress

    lang = env_lang()
    as_of = args.as_of or date.today()
    with moment.as_stood(_open(args), args.stored_at) as store:
        rows = progress.phase_progress(store, args.phase, as_of)
    if args.json:
        print(json.dumps([r.as_dict() for r in rows], ensure_ascii=False, indent=2))
        return EXIT_OK
    for line in progress.terminal_lines(rows, args.phase, as_of, lang):
        print(line)
    return EXIT_OK


def cmd_batches(args: argparse.Namespace) -> int:
    """List stored batches."""
    from pqtrack.service import batches

    df = batches.history(_open(args))
    if args.json:
        df = df.drop(columns=["content_hash"]).astype(object).where(df.notna(), None)
        for col in ("created_at", "rolled_back_at"):
            df[col] = df[col].map(lambda v: v.isoformat() if v is not None else None)
        print(json.dumps(df.to_dict("records"), ensure_ascii=False, indent=2, default=str))
        return EXIT_OK
    if df.empty:
        print(t("cli.no_batches", env_lang()))
    for b in df.itertuples():
        print(
            f"#{b.batch_id:<5} {b.status:<12} {b.row_count:>8}  {b.created_at:%Y-%m-%d %H:%M}  "
            f"{for_terminal(b.user_name or '-'):<12} {for_terminal(b.file_name)}"
        )
    return EXIT_OK


def cmd_rollback(args: argparse.Namespace) -> int:
    """Roll back one batch."""
    from pqtrack.service import batches

    removed = batches.rollback(_open(args), args.batch_id, args.user or os_user())
    print(t("cli.rolled_back", env_lang(), batch_id=args.batch_id, rows=removed))
    return EXIT_OK


def cmd_purge_original(args: argparse.Namespace) -> int:
    """Delete the original file of a rolled-back batch (audited; the batch keeps its hash)."""
    from pqtrack.service import batches

    name = batches.purge_original(_open(args), args.batch_id, args.user or os_user())
    print(t("cli.purged", env_lang(), batch_id=args.batch_id, file=name))
    return EXIT_OK


def cmd_template(args: argparse.Namespace) -> int:
    """Write the empty upload template."""
    # Straight from the record contract (what the upload service hands the page too):
    # the service package would load pandas and the store for a header line.
    args.out.write_bytes(template_csv(args.headers))
    print(t("cli.template_written", env_lang(), file=args.out))
    return EXIT_OK


def cmd_tfp(args: argparse.Namespace) -> int:
    """Print the TFP decomposition of ``--macro FILE``, else of the current macro data."""
    from pqtrack.service import display, macro, tfp

    lang = env_lang()
    if args.macro:  # a file named on the command line: no store is opened
        data = macro.read_file(args.macro)
        frame, problems = data.frame, data.problems
    else:
        # The store's uploaded macro data, as the page and the report use (never creates one).
        path = args.db or default_db_path()
        current = macro.current(_open(args) if path.exists() else None)
        frame, problems = current.frame, list(current.problems)
    if problems:
        for problem in problems:
            print(problem.message(lang), file=sys.stderr)
        return EXIT_REFUSED
    depreciation = tfp.DEFAULT_DEPRECIATION if args.depreciation is None else args.depreciation
    try:
        result = tfp.estimate(frame, args.capital_share, depreciation)
    except ValueError as exc:
        print(t("cli.bad_parameter", lang, error=exc), file=sys.stderr)
        return EXIT_USAGE
    payload = result.to_json_dict()
    if args.json:
        print(json.dumps(payload, ensure_ascii=False, allow_nan=False, indent=2))
        return EXIT_OK

    def pct(value: float | None, digits: int = 2) -> str:
        return display.percent(value, lang, digits, trim=True)  # a missing value: MISSING

    for year in payload["years"]:
        print(
            f"{year['year']}  GRDP {pct(year['gdp_growth'])}  K {pct(year['capital_growth'])}  "
            f"L {pct(year['labour_growth'])}  TFP {pct(year['tfp_growth'])}  "
            f"{pct(year['tfp_share'], 1)}"
        )
    for ph in payload["phases"]:
        print(f"{ph['phase']}: TFP {pct(ph['tfp_share'], 1)}")
    return EXIT_OK


COMMANDS = {
    "ingest": cmd_ingest,
    "export": cmd_export,
    "progress": cmd_progress,
    "batches": cmd_batches,
    "rollback": cmd_rollback,
    "purge-original": cmd_purge_original,
    "template": cmd_template,
    "tfp": cmd_tfp,
    "user": users_cli.run,
    "report": report_cli.run,
    "lock": year_cli.run_lock,
    "unlock": year_cli.run_unlock,
    "locks": year_cli.run_locks,
    "void": year_cli.run_void,
    "history": year_cli.run_history,
    "reports": sent_cli.run_reports,
    "drift": sent_cli.run_drift,
}


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except OSError as exc:
        print(t("cli.os_error", env_lang(), error=exc), file=sys.stderr)
        return EXIT_REFUSED
    except Exception as exc:
        from pqtrack.store import StoreError  # a command that failed; the store may be unused

        if not isinstance(exc, StoreError):
            raise
        params = {k: _shown(v) for k, v in exc.params.items()}
        print(t(exc.code, env_lang(), **params), file=sys.stderr)
        return EXIT_REFUSED


SHOWN_MAX = 200  # characters of a typed or stored value quoted in a refusal


def _shown(value: object) -> object:
    """Return a text value as a refusal quotes it: cut to a length, controls escaped."""
    if not isinstance(value, str):
        return value
    return for_terminal(value if len(value) <= SHOWN_MAX else value[:SHOWN_MAX] + "…")
