"""The reporting year's commands: ``lock`` and ``unlock`` a phase, list ``locks``."""

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
    for name, func in (("lock", run_lock), ("unlock", run_unlock)):
        s = subparsers.add_parser(name, help=t(f"cli.year.help_{name}", lang))
        s.add_argument("phase", choices=plan.PHASE_CODES)
        s.add_argument("--reason", required=True)
        s.add_argument("--user", default=None)
        s.add_argument("--db", type=Path, default=None, help="store file (PQTRACK_DB)")
        s.set_defaults(func=func)
    s = subparsers.add_parser("locks", help=t("cli.year.help_locks", lang))
    s.add_argument("--json", action="store_true")
    s.add_argument("--db", type=Path, default=None, help="store file (PQTRACK_DB)")
    s.set_defaults(func=run_locks)


def _store(args: argparse.Namespace):  # noqa: ANN202 - the store type is imported lazily
    from pqtrack.store import Store

    return Store(args.db or default_db_path())


def run_lock(args: argparse.Namespace) -> int:
    """Lock a phase; return the exit code."""
    from pqtrack.service import locks

    store = _store(args)
    try:
        locks.lock_phase(store, args.phase, args.user or os_user(), args.reason)
    finally:
        store.close()
    print(t("cli.year.locked", env_lang(), phase=args.phase))
    return 0


def run_unlock(args: argparse.Namespace) -> int:
    """Unlock a phase; return the exit code."""
    from pqtrack.service import locks

    store = _store(args)
    try:
        locks.unlock_phase(store, args.phase, args.user or os_user(), args.reason)
    finally:
        store.close()
    print(t("cli.year.unlocked", env_lang(), phase=args.phase))
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
