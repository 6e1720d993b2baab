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


def parse_moment(value: str) -> datetime:
    """Return a moment typed as ISO (``2026-03-15T14:30:05``) or ``15/03/2026 14:30[:05]``.

    A day alone means the end of that day: the store as it stood when the day was over.
    """
    text = value.strip()
    for fmt in ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M"):
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        try:
            day = parse_date(text)
        except argparse.ArgumentTypeError:
            raise argparse.ArgumentTypeError(t("cli.bad_moment", env_lang(), value=value)) from None
        return datetime.combine(day, datetime.max.time())
    if len(text) == 10:  # a day alone, in ISO
        return datetime.combine(moment.date(), datetime.max.time())
    if moment.tzinfo is None:
        return moment
    try:  # a moment with its time zone, read in the store's local time
        return moment.astimezone().replace(tzinfo=None)
    except (OverflowError, ValueError):  # past year 1 or 9999 once moved to local time
        raise argparse.ArgumentTypeError(t("cli.bad_moment", env_lang(), value=value)) from None
