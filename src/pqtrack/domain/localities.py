"""Locality crosswalk: former districts (before July 2025) and the 2025 wards/communes.

The data come from ``data/geo`` (see its README for source and licence). A typed
locality name is matched ignoring case, diacritics, spaces, punctuation and the unit
prefix ("Huyện", "H.", "Thị xã", "TX", "Thành phố", "TP", "Phường", "P.", "Xã",
"Thị trấn", "TT", ...).

Resolution rules, in order:

- a district prefix (huyện, thị xã, thành phố and their short forms) looks only at the
  11 former districts; a commune prefix (phường, xã, thị trấn) only at communes, 2025 or
  former;
- a bare name that is both a former district and a 2025 commune ("Mỹ Tú", "Kế Sách",
  "Sóc Trăng", ...) is the district before 1 July 2025 and the commune from then on;
  with no date it is the district, the claim that holds either way;
- a 2025 commune maps up to its former district; the three communes that straddle a
  former district border (Nhơn Mỹ, Mỹ Xuyên, Tân Long) are flagged approximate;
- a district name (prefixed or bare) resolves to the district only, whatever the date;
- a pre-2025 commune (``formerUnits``, e.g. "Thị trấn Kế Sách", "Xã Kế An") maps to the
  2025 commune that absorbed it and to its own former district, only when the name is
  unambiguous (a trailing "(huyện ...)" or ", TP Sóc Trăng" may disambiguate it);
- anything else is unmatched.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache, lru_cache
from pathlib import Path

from pqtrack.i18n import t
from pqtrack.paths import PROJECT_ROOT, data_dir
from pqtrack.text import fold, nfc

REORG_DATE = date(2025, 7, 1)

ATTRIBUTION = (
    "Administrative boundaries: Vietnamese Provinces Database GIS dataset (Thang Le Quoc, "
    "MIT License), derived from the Vietnam Administrative Units Reference Map "
    "(sapnhap.bando.com.vn), NXB Tài nguyên – Môi trường và Bản đồ Việt Nam. "
    "District outlines approximated from 2025 communes."
)

LEVELS: tuple[str, ...] = ("commune", "district")
N_COMMUNES = 43
N_DISTRICTS = 11

_FILES = {"commune": "communes.geojson", "district": "districts_approx.geojson"}

# Folded prefix -> (level, unit type). Longer forms are tried before their short forms.
_PREFIXES: tuple[tuple[str, str, str | None], ...] = (
    ("thanhpho", "district", None),
    ("thitran", "commune", "thị trấn"),
    ("phuong", "commune", "phường"),
    ("huyen", "district", None),
    ("thixa", "district", None),
    ("xa", "commune", "xã"),
    ("tp", "district", None),
    ("tx", "district", None),
    ("tt", "commune", "thị trấn"),
    ("h", "district", None),
    ("p", "commune", "phường"),
    ("x", "commune", "xã"),
)

# Former communes that went into a 2025 commune assigned to another former district
# (data/geo/README.md, "Why the district outlines are approximate").
_FORMER_UNIT_DISTRICT = {
    ("Xã Nhơn Mỹ", "Xã Song Phụng"): "Huyện Long Phú",
    ("Phường Mỹ Xuyên", "Phường 10"): "Thành phố Sóc Trăng",
    ("Xã Tân Long", "Xã Thạnh Tân"): "Huyện Thạnh Trị",
}

# A bare "Sóc Trăng" after a comma or in brackets names the province, not the city.
_PROVINCE_CORES = frozenset({"soctrang", "cantho"})

_SPLIT = re.compile(r"[,;()\[\]]|\s[-–]\s")
_WORD = re.compile(r"[^\W_]")
_UNIT = re.compile(r"[^,(]+(?:\([^)]*\))?")
_UNCHANGED = "giunguyen"


@dataclass(frozen=True)
class LocalityMatch:
    """Where a typed locality name points: a former district and, if known, a 2025 commune."""

    district: str | None
    commune: str | None
    status: str  # "district" | "commune" | "former_commune" | "unmatched"
    approximate: bool


UNMATCHED = LocalityMatch(None, None, "unmatched", False)


@dataclass(frozen=True)
class _Former:
    name: str
    unit_type: str
    commune: str
    district: str


@dataclass(frozen=True)
class _Parsed:
    level: str | None
    unit_type: str | None
    core: str


@dataclass(frozen=True)
class _Index:
    districts: tuple[dict, ...]
    communes: tuple[dict, ...]
    district_by_core: dict[str, dict]
    communes_by_core: dict[str, tuple[dict, ...]]
    former_by_core: dict[str, tuple[_Former, ...]]


def geo_dir() -> Path:
    """Return the folder holding the boundary files (``data/geo``)."""
    folder = data_dir() / "geo"
    if not (folder / _FILES["commune"]).exists():
        folder = PROJECT_ROOT / "data" / "geo"
    return folder


@cache
def _raw(level: str) -> dict:
    if level not in _FILES:
        raise ValueError(f"unknown map level {level!r}; use one of {LEVELS}")
    with (geo_dir() / _FILES[level]).open(encoding="utf-8") as fh:
        return json.load(fh)


def geojson(level: str) -> dict:
    """Return a copy of the GeoJSON FeatureCollection for ``level`` ("commune" | "district")."""
    return copy.deepcopy(_raw(level))


@lru_cache(maxsize=65536)
def _parse(text: str) -> tuple[_Parsed, ...]:
    """Return the readings of ``text``: bare first, then each prefix it may start with."""
    key = fold(text)
    if not key:
        return ()
    readings = [_Parsed(None, None, key)]
    for prefix, level, unit_type in _PREFIXES:
        if key.startswith(prefix) and len(key) > len(prefix):
            readings.append(_Parsed(level, unit_type, key[len(prefix) :]))
    return tuple(readings)


def _split(text: str) -> tuple[str, list[str]]:
    """Return the main part of ``text`` and its qualifiers (after commas or in brackets)."""
    parts = [p.strip() for p in _SPLIT.split(text)]
    parts = [p for p in parts if _WORD.search(p)]
    if not parts:
        return "", []
    return parts[0], parts[1:]


def _commune_reading(text: str) -> _Parsed | None:
    """Return the reading of ``text`` as a typed commune name ("Xã Kế An" -> xã, "kean")."""
    return next((r for r in _parse(text) if r.level == "commune"), None)


def _former_units(commune: dict, district_by_core: dict[str, dict]) -> list[tuple[str, _Former]]:
    """Return the pre-2025 communes merged into ``commune`` as (name key, unit) pairs."""
    raw = commune["formerUnits"]
    items = [commune["fullName"]] if fold(raw) == _UNCHANGED else _UNIT.findall(raw)
    out = []
    for item in items:
        main, quals = _split(item)
        reading = _commune_reading(main)
        if reading is None or reading.unit_type is None:
            raise ValueError(f"former unit {item!r} of {commune['fullName']} has no type")
        named = [d for d in (_qualifier_district(q, district_by_core) for q in quals) if d]
        district = (
            (named[0] if named else None)
            or _FORMER_UNIT_DISTRICT.get((commune["fullName"], main))
            or commune["formerDistrict"]
        )
        out.append((reading.core, _Former(main, reading.unit_type, commune["fullName"], district)))
    return out


def _qualifier_district(text: str, district_by_core: dict[str, dict]) -> str | None:
    """Return the former district named by a qualifier such as "huyện Châu Thành"."""
    for reading in _parse(text):
        if reading.level == "commune":
            continue
        if reading.level is None and reading.core in _PROVINCE_CORES:
            continue
        found = district_by_core.get(reading.core)
        if found is not None:
            return found["fullName"]
    return None


@cache
def _index() -> _Index:
    dists = tuple(f["properties"] for f in _raw("district")["features"])
    comms = tuple(f["properties"] for f in _raw("commune")["features"])
    if len(dists) != N_DISTRICTS or len(comms) != N_COMMUNES:
        raise ValueError(f"expected {N_DISTRICTS} districts and {N_COMMUNES} communes")
    district_by_core = {fold(d["name"]): d for d in dists}
    district_names = {d["fullName"] for d in dists}
    communes_by_core: dict[str, list[dict]] = {}
    former_by_core: dict[str, list[_Former]] = {}
    for c in comms:
        if c["formerDistrict"] not in district_names:
            raise ValueError(f"{c['fullName']}: unknown former district {c['formerDistrict']}")
        communes_by_core.setdefault(fold(c["name"]), []).append(c)
        seen = set()
        for core, unit in _former_units(c, district_by_core):
            seen.add(unit.district)
            former_by_core.setdefault(core, []).append(unit)
        if seen != set(c["formerDistricts"]):
            raise ValueError(f"{c['fullName']}: former units span {seen}, not the listed ones")
    return _Index(
        districts=dists,
        communes=comms,
        district_by_core=district_by_core,
        communes_by_core={k: tuple(v) for k, v in communes_by_core.items()},
        former_by_core={k: tuple(v) for k, v in former_by_core.items()},
    )


def _district_match(district: dict) -> LocalityMatch:
    return LocalityMatch(district["fullName"], None, "district", False)


def _commune_match(commune: dict) -> LocalityMatch:
    return LocalityMatch(
        commune["formerDistrict"],
        commune["fullName"],
        "commune",
        bool(commune["crossesFormerDistrictBorder"]),
    )


def _former_match(units: Iterable[_Former], qualifiers: set[str]) -> LocalityMatch | None:
    """Return the match for former communes, or None when they point to several places."""
    targets = {(u.commune, u.district) for u in units}
    if qualifiers:
        narrowed = {tg for tg in targets if tg[1] in qualifiers}
        targets = narrowed or targets
    if len(targets) != 1:
        return None
    commune, district = targets.pop()
    return LocalityMatch(district, commune, "former_commune", False)


def _resolve(reading: _Parsed, after: bool | None, qualifiers: set[str]) -> LocalityMatch | None:
    """Return the match for one reading of a name, or None if it names nothing known."""
    idx = _index()
    district = idx.district_by_core.get(reading.core)
    comms = idx.communes_by_core.get(reading.core, ())
    formers = idx.former_by_core.get(reading.core, ())

    if reading.level == "district":
        return _district_match(district) if district else None

    if reading.level == "commune":
        typed_c = [c for c in comms if c["type"] == reading.unit_type]
        typed_f = [f for f in formers if f.unit_type == reading.unit_type]
        if not typed_c and not typed_f:  # wrong type word: fall back to the name alone
            typed_c, typed_f = list(comms), list(formers)
        return _pick_commune(typed_c, typed_f, after, qualifiers)

    if district and comms:
        return _commune_match(comms[0]) if after and len(comms) == 1 else _district_match(district)
    if district:
        return _district_match(district)
    return _pick_commune(list(comms), list(formers), after, qualifiers)


def _pick_commune(
    comms: list[dict], formers: list[_Former], after: bool | None, qualifiers: set[str]
) -> LocalityMatch | None:
    """Return a 2025 or former commune match; before July 2025 the former unit comes first."""
    via_commune = _commune_match(comms[0]) if len(comms) == 1 else None
    via_former = _former_match(formers, qualifiers) if formers else None
    if after is False:
        return via_former or via_commune
    return via_commune or via_former


@lru_cache(maxsize=65536)
def _match(name: str, after: bool | None) -> LocalityMatch:
    main, quals = _split(nfc(name))
    if not main:
        return UNMATCHED
    idx = _index()
    qualifiers = {q for q in (_qualifier_district(x, idx.district_by_core) for x in quals) if q}
    for reading in _parse(main):
        found = _resolve(reading, after, qualifiers)
        if found is not None:
            return found
    return UNMATCHED


def match_locality(name: str, on: date | None = None) -> LocalityMatch:
    """Return the former district and 2025 commune that ``name``, dated ``on``, points to."""
    if not isinstance(name, str):
        return UNMATCHED
    if isinstance(on, datetime):
        on = on.date()
    after = None if on is None else on >= REORG_DATE
    return _match(name, after)


def match_many(pairs: Iterable[tuple[str, bool]]) -> dict[tuple[str, bool], LocalityMatch]:
    """Return the match of each distinct (name, dated on/after 1 July 2025) pair."""
    out: dict[tuple[str, bool], LocalityMatch] = {}
    for name, after in pairs:
        key = (name, after)
        if key not in out:
            out[key] = _match(name, bool(after)) if isinstance(name, str) else UNMATCHED
    return out


def districts() -> list[dict]:
    """Return the 11 former districts in code order, with their approximation notes."""
    return [
        {
            "code": d["code"],
            "name": d["name"],
            "full_name": d["fullName"],
            "name_en": d["nameEn"],
            "type": d["type"],
            "approximate": bool(d["approximate"]),
            "approx_note": d["approxNote"],
            "communes": list(d["communes2025"]),
        }
        for d in sorted(_index().districts, key=lambda d: d["code"])
    ]


def communes() -> list[dict]:
    """Return the 43 wards/communes in force since 1 July 2025, in code order."""
    return [
        {
            "code": c["code"],
            "name": c["name"],
            "full_name": c["fullName"],
            "name_en": c["nameEn"],
            "type": c["type"],
            "former_district": c["formerDistrict"],
            "former_district_code": c["formerDistrictCode"],
            "former_districts": list(c["formerDistricts"]),
            "approximate": bool(c["crossesFormerDistrictBorder"]),
            "former_units": c["formerUnits"],
        }
        for c in sorted(_index().communes, key=lambda c: c["code"])
    ]


def units(level: str) -> list[dict]:
    """Return ``communes()`` or ``districts()`` for ``level`` ("commune" | "district")."""
    if level == "commune":
        return communes()
    if level == "district":
        return districts()
    raise ValueError(f"unknown map level {level!r}; use one of {LEVELS}")


def attribution(lang: str = "vi") -> str:
    """Return the boundary data attribution in ``lang``."""
    return t("map.attribution", lang)
