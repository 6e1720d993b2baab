"""The reporting year's commands: void a record, its history, lock and unlock a phase."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from pqtrack.cli.args import env_lang, os_user
from pqtrack.domain import plan
from pqtrack.i18n import t
from pqtrack.paths import default_db_path
from pqtrack.text import for_terminal


def add_parsers(subparsers: argparse._SubParsersAction) -> None:
    """Add ``lock``, ``unlock`` and ``locks`` to ``subparsers``."""
    lang = env_lang()
    # A change with a reason: lock or unlock a phase, void a record.
    for name, target, func in (("lock", "phase", run_lock), ("unlock", "phase", run_unlock),
                               ("void", "record_id", run_void)):  # fmt: skip
        s = subparsers.add_parser(name, help=t(f"cli.year.help_{name}", lang))
        if target == "phase":
            s.add_argument("phase", choices=plan.PHASE_CODES)
        else:
            s.add_argument(target)
        s.add_argument("--reason", required=True)
        s.add_argument("--user", default=None)
        s.add_argument("--db", type=Path, default=None, help="store file (PQTRACK_DB)")
        s.set_defaults(func=func)
    s = subparsers.add_parser("history", help=t("cli.year.help_history", lang))
    s.add_argument("record_id")
    s.add_argument("--json", action="store_true")
    s.add_argument("--db", type=Path, default=None, help="store file (PQTRACK_DB)")
    s.set_defaults(func=run_history)
    s = subparsers.add_parser("locks", help=t("cli.year.help_locks", lang))
    s.add_argument("--json", action="store_true")
    s.add_argument("--db", type=Path, default=None, help="store file (PQTRACK_DB)")
    s.set_defaults(func=run_locks)


def _store(args: argparse.Namespace):  # noqa: ANN202 - the store type is imported lazily
    from pqtrack.store import Store

    return Store(args.db or default_db_path())


def run_lock(args: argparse.Namespace) -> int:
    """Lock a phase; return the exit code."""
    return _lock_or_unlock(args, lock=True)


def run_unlock(args: argparse.Namespace) -> int:
    """Unlock a phase; return the exit code."""
    return _lock_or_unlock(args, lock=False)


def _lock_or_unlock(args: argparse.Namespace, *, lock: bool) -> int:
    from pqtrack.service import locks

    act = locks.lock_phase if lock else locks.unlock_phase
    store = _store(args)
    try:
        act(store, args.phase, args.user or os_user(), args.reason)
    finally:
        store.close()
    print(t("cli.year.locked" if lock else "cli.year.unlocked", env_lang(), phase=args.phase))
    return 0


def run_locks(args: argparse.Namespace) -> int:
    """Print the locked phases; return the exit code."""
    from pqtrack.service import locks

    store = _store(args)
    try:
        found = locks.locked_phases(store)
    finally:
        store.close()
    if args.json:
        rows = [
            {"phase": k.phase, "locked_at": k.locked_at.isoformat(timespec="seconds"),
             "user": k.locked_by, "reason": k.reason}
            for k in found.values()
        ]  # fmt: skip
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    if not found:
        print(t("cli.year.none_locked", env_lang()))
    for k in found.values():
        print(
            f"{k.phase}  {k.locked_at:%d/%m/%Y %H:%M}  {for_terminal(k.locked_by or '')}  "
            f"{for_terminal(k.reason)}"
        )
    return 0


def run_void(args: argparse.Namespace) -> int:
    """Void a record; return the exit code."""
    from pqtrack.service import versions

    store = _store(args)
    try:
        batch_id = versions.void_record(store, args.record_id, args.user or os_user(), args.reason)
    finally:
        store.close()
    print(
        t("cli.year.voided", env_lang(), record_id=for_terminal(args.record_id), batch_id=batch_id)
    )
    return 0


def run_history(args: argparse.Namespace) -> int:
    """Print a record's versions, oldest first; return the exit code."""
    from pqtrack.service import versions

    store = _store(args)
    try:
        rows = versions.record_history(store, args.record_id)
    finally:
        store.close()
    lang = env_lang()
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0 if rows else 1
    if not rows:
        print(t("cli.year.no_history", lang, record_id=for_terminal(args.record_id)))
        return 1
    from datetime import date, datetime

    from pqtrack.presentation import numbers, views

    for r in rows:
        action = t(f"cli.year.action_{r['action']}", lang)
        reason = f"  ({for_terminal(r['reason'])})" if r["reason"] else ""
        at = numbers.moment(datetime.fromisoformat(r["at"]), lang)
        print(f"{r['version']:>3}  {at}  #{r['batch_id']:<5} {action:<12} {_who(r)}{reason}")
        print(
            f"     {numbers.day(date.fromisoformat(r['date']), lang)}  "
            f"{views.indicator_label(r['indicator'], lang)}  "
            f"{numbers.integer(r['quantity'], lang)}  {for_terminal(r['beneficiary_name'] or '')}"
        )
    return 0


def _who(row: dict) -> str:
    return for_terminal(row["user"] or "")
