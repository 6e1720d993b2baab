"""The ``user`` command: add, list and disable accounts, reset passwords, lift login locks."""

from __future__ import annotations

import argparse
import getpass
import sys

from pqtrack.cli.args import env_lang, os_user
from pqtrack.i18n import t
from pqtrack.paths import default_db_path
from pqtrack.text import for_terminal

EXIT_OK, EXIT_REFUSED = 0, 1


def add_parser(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add ``user`` and its subcommands to ``subparsers``."""
    s = subparsers.add_parser("user", help=t("cli.help_user", env_lang()))
    users = s.add_subparsers(dest="user_command", required=True)
    u = users.add_parser("add", parents=[common])
    u.add_argument("name")
    u.add_argument("--role", choices=("viewer", "editor", "admin"), required=True)
    u.add_argument("--password-stdin", action="store_true")
    u.add_argument("--user", default=None)
    u = users.add_parser("list", parents=[common])
    u.add_argument("--json", action="store_true")
    u = users.add_parser("disable", parents=[common])
    u.add_argument("name")
    u.add_argument("--user", default=None)
    u = users.add_parser("unlock", parents=[common])
    u.add_argument("name")
    u.add_argument("--client", default=None)
    u.add_argument("--user", default=None)
    u = users.add_parser("reset-password", parents=[common])
    u.add_argument("name")
    u.add_argument("--password-stdin", action="store_true")
    u.add_argument("--user", default=None)


def _read_password(args: argparse.Namespace) -> str | None:
    lang = env_lang()
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass(t("auth.prompt_password", lang))
    if first != getpass.getpass(t("auth.prompt_again", lang)):
        print(t("auth.password_mismatch", lang), file=sys.stderr)
        return None
    return first


def run(args: argparse.Namespace) -> int:
    """Add, list, disable accounts, reset passwords and lift login locks."""
    from pqtrack.service import accounts, auth

    lang = env_lang()
    from pqtrack.store import Store

    store = Store(args.db or default_db_path())
    if args.user_command == "list":
        df = accounts.users(store)
        if args.json:
            print(df.to_json(orient="records", date_format="iso", force_ascii=False))
        for u in df.itertuples():
            state = "" if u.active else " (disabled)"
            print(f"{for_terminal(u.user_name):<24} {u.role:<8}{state}")
        return EXIT_OK
    by = args.user or os_user()
    if args.user_command == "disable":
        auth.disable_user(store, args.name, by)
        print(t("auth.user_disabled", lang, name=args.name))
        return EXIT_OK
    if args.user_command == "unlock":
        cleared = auth.unlock(store, args.name, by, args.client)
        print(t("auth.unlocked", lang, name=args.name, count=cleared))
        return EXIT_OK
    password = _read_password(args)
    if password is None:
        return EXIT_REFUSED
    if args.user_command == "add":
        auth.add_user(store, args.name, args.role, password, by)
        print(t("auth.user_added", lang, name=args.name, role=args.role))
    else:
        auth.reset_password(store, args.name, password, by)
        print(t("auth.password_reset", lang, name=args.name))
    return EXIT_OK
