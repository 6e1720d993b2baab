"""How pages write figures and typed text: the presentation's one formatter, for the pages.

Pages import only the service and ``pqtrack.ui``; these are the number, date and
markdown-escaping rules every page, report and CLI line shares (``pqtrack.presentation``).
"""

from __future__ import annotations

from pqtrack.presentation.numbers import MISSING, day, decimal, integer, moment, percent
from pqtrack.presentation.views import csv_download, md_escape

__all__ = ["MISSING", "csv_download", "day", "decimal", "integer", "md_escape", "moment", "percent"]
