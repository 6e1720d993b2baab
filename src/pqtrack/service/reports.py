"""The phase report, for the overview page's download and ``pqtrack report``."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pqtrack.report import build
from pqtrack.store import Store


def report_bytes(
    store: Store, phase_code: str, as_of: date, lang: str = "vi", user: str | None = None
) -> bytes:
    """Return the phase report workbook as bytes (for a download button)."""
    return build.report_bytes(store, phase_code, as_of, lang, user)


def file_name(phase_code: str, as_of: date, lang: str = "vi") -> str:
    """Return the report's download file name, e.g. ``bao-cao_2021-2025_2025-10-01.xlsx``."""
    return build.report_file_name(phase_code, as_of, lang)


def write_report(
    store: Store, phase_code: str, as_of: date, lang: str, user: str | None, out: Path
) -> None:
    """Write the phase report workbook to the file ``out``."""
    build.build_report(store, phase_code, as_of, lang, user, out=out)


def to_pdf(xlsx: Path) -> Path | None:
    """Convert a report workbook to PDF beside it; None when LibreOffice is not installed."""
    return build.to_pdf(xlsx)
