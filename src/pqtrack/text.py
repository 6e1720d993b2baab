"""Text normalisation shared by header matching, code lookup and name keys."""

from __future__ import annotations

import re
import unicodedata

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
