"""Text normalisation shared by header matching, code lookup, name keys and formula checks."""

from __future__ import annotations

import codecs
import re
import unicodedata

# The UTF-8 byte order mark every CSV written for Excel starts with (Excel then reads UTF-8).
BOM = codecs.BOM_UTF8

_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_SPACES = re.compile(r"\s+")


def nfc(value: str) -> str:
    """Return ``value`` NFC-normalised and trimmed."""
    return unicodedata.normalize("NFC", value).strip()


def strip_diacritics(value: str) -> str:
    """Return ``value`` without Vietnamese diacritics (``đ`` becomes ``d``)."""
    decomposed = unicodedata.normalize("NFD", value)
    base = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return base.replace("đ", "d").replace("Đ", "D")


def fold(value: str) -> str:
    """Return a key that ignores case, spaces, punctuation and diacritics."""
    return _NON_ALNUM.sub("", strip_diacritics(value).lower())


def fold_words(value: str) -> str:
    """Return a key that ignores case, diacritics and repeated spaces, keeping word breaks."""
    plain = strip_diacritics(nfc(value)).lower()
    return _SPACES.sub(" ", _NON_ALNUM.sub(" ", plain)).strip()


# What a spreadsheet may run as a formula: a cell whose first visible character folds (NFKC)
# to one of "=+-@" (so full-width ＝ ＋ － ＠ too), spaces and format characters (zero-width
# space, BOM, direction marks) before it not counting; or one that starts with a tab or CR.
# Every character NFKC folds to a trigger, for the ingest's SQL (a test checks the list).
FORMULA_TRIGGERS = (
    "=+-@\u207a\u207c\u208a\u208c\u2a75\u2a76\ufb29\ufe62\ufe63\ufe66\ufe6b\uff0b\uff0d\uff1d\uff20"
)
_TRIGGERS = frozenset("=+-@")


def first_visible(text: str) -> str | None:
    """Return the first character of ``text`` that is not a space or a format character
    (category Cf), NFKC-folded; None when there is none."""
    for ch in text:
        if ch.isspace() or unicodedata.category(ch) == "Cf":
            continue
        return unicodedata.normalize("NFKC", ch)[:1]
    return None


def shows_something(text: str) -> bool:
    """Return whether ``text`` has a character that shows: not a space, control or format."""
    return any(not ch.isspace() and unicodedata.category(ch)[0] != "C" for ch in text)


def formula_like(text: str) -> bool:
    """Return whether a spreadsheet could run ``text`` as a formula (after one leading ``'``)."""
    body = text[1:] if text.startswith("'") else text
    return body[:1] in ("\t", "\r") or first_visible(body) in _TRIGGERS


def for_terminal(text: object) -> str:
    """Return ``text`` with control and format characters written as escapes (``\\x1b``).

    Stored text (a file name from an uploader's browser) then cannot drive the terminal that
    prints it, nor reorder what is shown around it.
    """
    return "".join(
        ch.encode("unicode_escape").decode("ascii")
        if unicodedata.category(ch) in ("Cc", "Cf")
        else ch
        for ch in str(text)
    )
