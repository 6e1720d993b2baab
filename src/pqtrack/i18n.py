"""User-facing strings: Vietnamese and English catalogs in ``locales/*.toml``."""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

LANGS: tuple[str, ...] = ("vi", "en")
DEFAULT_LANG = "vi"
_LOCALES = Path(__file__).with_name("locales")


@cache
def catalog() -> dict[str, dict[str, str]]:
    """Return every message as ``{key: {"vi": ..., "en": ...}}`` from all catalog files."""
    merged: dict[str, dict[str, str]] = {}
    for path in sorted(_LOCALES.glob("*.toml")):
        with path.open("rb") as fh:
            data = tomllib.load(fh)
        for key, value in _flatten(data):
            if key in merged:
                raise ValueError(f"message key {key!r} defined twice ({path.name})")
            merged[key] = value
    return merged


def _flatten(data: dict, prefix: str = "") -> list[tuple[str, dict[str, str]]]:
    out: list[tuple[str, dict[str, str]]] = []
    for key, value in data.items():
        full = f"{prefix}{key}"
        if isinstance(value, dict) and set(value) <= set(LANGS) and value:
            out.append((full, value))
        elif isinstance(value, dict):
            out.extend(_flatten(value, full + "."))
    return out


def t(key: str, lang: str = DEFAULT_LANG, /, **params: object) -> str:
    """Return the message ``key`` in ``lang`` with ``params`` filled in."""
    entry = catalog().get(key)
    if entry is None:
        raise KeyError(f"no message {key!r}")
    text = entry.get(lang) or entry[DEFAULT_LANG]
    return text.format(**params) if params else text


def has(key: str) -> bool:
    """Return whether the catalogs hold ``key``."""
    return key in catalog()
