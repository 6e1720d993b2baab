"""How numbers, money, percentages and dates are written, per language (the one home, on Babel).

Vietnamese: ``1.234.567 đ``, ``12,5 %``, ``06/12/2026``; English: ``1,234,567 VND``, ``12.5%``,
``06/12/2026``. Tables, metrics, chart hovers and ticks and the report take their formats from
here; CSV downloads keep plain machine numbers and do not come here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, localcontext

import pandas as pd
from babel import dates as babel_dates
from babel import numbers as babel_numbers
from pandas.io.formats.style import Styler

from pqtrack.domain.missing import MISSING, is_missing  # the rule's home; used here

LOCALES: dict[str, str] = {"vi": "vi_VN", "en": "en"}
# Patterns in the CLDR notation Babel reads. Vietnamese writes a space before ``%`` and the
# đồng as ``đ`` after the amount; English names the currency by its ISO code.
_PERCENT = {"vi": "#,##0.{digits} %", "en": "#,##0.{digits}%"}
_MONEY = {"vi": "#,##0 'đ'", "en": "#,##0 ¤¤"}
DATE_PATTERN = "dd/MM/yyyy"
DATETIME_PATTERN = "dd/MM/yyyy HH:mm"
# The same day and time patterns in the notations of the other libraries that draw them.
DATE_MOMENT = "DD/MM/YYYY"  # Streamlit's DateColumn and date_input
DATETIME_MOMENT = "DD/MM/YYYY HH:mm"
DATE_D3 = "%d/%m/%Y"  # Plotly hover and ticks
DATE_EXCEL = "dd/mm/yyyy"
DATETIME_EXCEL = "dd/mm/yyyy hh:mm"
# Excel number formats are written in the file's own notation (``,`` groups, ``.`` decimals);
# Excel draws them with the separators of the reader's system, so only the text around differs.
_EXCEL_MONEY = {"vi": '#,##0 "đ"', "en": '#,##0 "VND"'}
_EXCEL_PERCENT0 = {"vi": "0 %", "en": "0%"}
_EXCEL_PERCENT = {"vi": "0.0 %", "en": "0.0%"}
_EXCEL_PERCENT2 = {"vi": "0.00 %", "en": "0.00%"}


def locale(lang: str) -> str:
    """Return the Babel locale of a user language (``vi`` → ``vi_VN``, else ``en``)."""
    return LOCALES.get(lang, LOCALES["en"])


def _decimal(value: float | int) -> Decimal:
    """Return ``value`` as a Decimal of its shortest text, so 0.125 rounds as 0.125, not 0.12499…"""
    return Decimal(repr(float(value))) if not isinstance(value, int) else Decimal(value)


def _whole(value: float | int) -> Decimal:
    """Return ``value`` rounded to a whole number, halves away from zero (2.5 → 3)."""
    return _decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP)


def integer(value: float | int | None, lang: str) -> str:
    """Return a whole number with the language's grouping: ``1.234.567`` / ``1,234,567``."""
    if is_missing(value):
        return MISSING
    return babel_numbers.format_decimal(_whole(value), "#,##0", locale=locale(lang))


def decimal(value: float | int | None, lang: str, digits: int = 1, *, trim: bool = False) -> str:
    """Return a number with ``digits`` decimals (``12,5`` / ``12.5``); ``trim`` drops zeros."""
    if is_missing(value):
        return MISSING
    tail = ("#" if trim else "0") * digits
    pattern = f"#,##0.{tail}" if digits else "#,##0"
    with localcontext(rounding=ROUND_HALF_UP):
        return babel_numbers.format_decimal(_decimal(value), pattern, locale=locale(lang))


def money(value: float | int | None, lang: str) -> str:
    """Return an amount in đồng: ``1.234.567 đ`` / ``1,234,567 VND``."""
    if is_missing(value):
        return MISSING
    return babel_numbers.format_currency(
        _whole(value),
        "VND",
        _MONEY.get(lang, _MONEY["en"]),
        locale=locale(lang),
        currency_digits=False,
    )


def percent(value: float | int | None, lang: str, digits: int = 1, *, trim: bool = False) -> str:
    """Return a value given in percent (12.5) as ``12,5 %`` / ``12.5%``; ``trim`` drops zeros."""
    if is_missing(value):
        return MISSING
    pattern = _PERCENT.get(lang, _PERCENT["en"]).format(digits=("#" if trim else "0") * digits)
    if not digits:
        pattern = pattern.replace(".", "")
    with localcontext(rounding=ROUND_HALF_UP):
        return babel_numbers.format_percent(_decimal(value) / 100, pattern, locale=locale(lang))


def day(value: date | datetime | pd.Timestamp | None, lang: str) -> str:
    """Return a date as ``06/12/2026``."""
    if is_missing(value):
        return MISSING
    stamp = pd.Timestamp(value)
    return babel_dates.format_date(stamp.date(), DATE_PATTERN, locale=locale(lang))


def moment(value: datetime | pd.Timestamp | None, lang: str) -> str:
    """Return a date and time as ``06/12/2026 14:05``."""
    if is_missing(value):
        return MISSING
    stamp = pd.Timestamp(value).to_pydatetime()
    return babel_dates.format_datetime(stamp, DATETIME_PATTERN, locale=locale(lang))


# -- charts (Plotly) ----------------------------------------------------------------------------


def separators(lang: str) -> str:
    """Return Plotly's ``layout.separators``: the decimal mark then the grouping mark."""
    loc = locale(lang)
    return babel_numbers.get_decimal_symbol(loc) + babel_numbers.get_group_symbol(loc)


def percent_suffix(lang: str) -> str:
    """Return what follows a percentage: `` %`` in Vietnamese, ``%`` in English."""
    return " %" if lang == "vi" else "%"


def hover_number(ref: str, digits: int = 0) -> str:
    """Return a Plotly hover field with grouping, e.g. ``%{y:,.0f}`` (marks from separators)."""
    return "%{" + f"{ref}:,.{digits}f" + "}"


def hover_percent(ref: str, lang: str, digits: int = 1) -> str:
    """Return a Plotly hover field for a value in percent, e.g. ``%{y:,.1f} %``."""
    return hover_number(ref, digits) + percent_suffix(lang)


def hover_day(ref: str) -> str:
    """Return a Plotly hover field for a date, e.g. ``%{x|%d/%m/%Y}``."""
    return "%{" + f"{ref}|{DATE_D3}" + "}"


# -- tables (Streamlit) -------------------------------------------------------------------------

KINDS: tuple[str, ...] = ("int", "dec", "dec2", "dec4", "money", "pct", "day", "moment", "code")


def formatter(kind: str, lang: str) -> Callable[[object], str]:
    """Return the function that writes one table cell of ``kind`` (see :data:`KINDS`)."""
    writers: dict[str, Callable[[object], str]] = {
        "int": lambda v: integer(v, lang),  # type: ignore[arg-type]
        "dec": lambda v: decimal(v, lang, 1),  # type: ignore[arg-type]
        "dec2": lambda v: decimal(v, lang, 2),  # type: ignore[arg-type]
        "dec4": lambda v: decimal(v, lang, 4),  # type: ignore[arg-type]
        "money": lambda v: money(v, lang),  # type: ignore[arg-type]
        "pct": lambda v: percent(v, lang),  # type: ignore[arg-type]
        "day": lambda v: day(v, lang),  # type: ignore[arg-type]
        "moment": lambda v: moment(v, lang),  # type: ignore[arg-type]
        "code": lambda v: MISSING if is_missing(v) else str(v),  # ids and years: no grouping
    }
    return writers[kind]


def styled(df: pd.DataFrame | Styler, kinds: Mapping[str, str], lang: str) -> Styler:
    """Return the table with its cells written per ``kinds`` (header → kind); values stay typed.

    Streamlit shows a Styler's text and still sorts by the numbers underneath, which no
    ``column_config`` format can do with Vietnamese marks.
    """
    styler = df if isinstance(df, Styler) else df.style
    # Every number column gets a writer: Streamlit would otherwise show pandas' own
    # (``1234.500000``) for the columns left out.
    chosen = {**auto_kinds(styler.data), **kinds}
    present = {c: formatter(k, lang) for c, k in chosen.items() if c in styler.data.columns}
    return styler.format(present, na_rep=MISSING) if present else styler


def auto_kinds(df: pd.DataFrame) -> dict[str, str]:
    """Return a kind for every number column of a table: whole numbers ``int``, others ``dec2``."""
    out: dict[str, str] = {}
    for col in df.columns:
        series = df[col]
        if pd.api.types.is_bool_dtype(series) or not pd.api.types.is_numeric_dtype(series):
            continue
        out[col] = "int" if pd.api.types.is_integer_dtype(series) else "dec2"
    return out


# -- the report (xlsxwriter) --------------------------------------------------------------------


def excel_formats(lang: str) -> dict[str, str]:
    """Return the report's number formats by kind (Excel draws the marks per reader's system)."""
    return {
        "int": "#,##0",
        "money": _EXCEL_MONEY.get(lang, _EXCEL_MONEY["en"]),
        "dec": "#,##0.0",
        "dec2": "#,##0.00",
        "dec4": "#,##0.0000",
        "pct0": _EXCEL_PERCENT0.get(lang, _EXCEL_PERCENT0["en"]),
        "pct": _EXCEL_PERCENT.get(lang, _EXCEL_PERCENT["en"]),
        "pct2": _EXCEL_PERCENT2.get(lang, _EXCEL_PERCENT2["en"]),
        "day": DATE_EXCEL,
        "moment": DATETIME_EXCEL,
    }
