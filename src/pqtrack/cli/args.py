"""Argument helpers shared by the CLI's subcommands: language, dates, the acting user."""

from __future__ import annotations

import argparse
import getpass
import os
from datetime import date, datetime

from pqtrack.i18n import t


def env_lang() -> str:
    """Return the CLI's language: ``PQTRACK_LANG`` (vi by default, en on request)."""
    return "en" if os.environ.get("PQTRACK_LANG", "vi").lower().startswith("en") else "vi"


def parse_date(value: str) -> date:
    """Return a date typed as YYYY-MM-DD or DD/MM/YYYY (argparse type)."""
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise argparse.ArgumentTypeError(t("cli.bad_date", env_lang(), value=value))


def os_user() -> str:
    """Return the operating-system user running the command (for the audit log)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "cli"
