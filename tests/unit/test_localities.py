"""Locality crosswalk: spellings, date rule, former communes, approximation flags."""

from __future__ import annotations

import json
import re
import time
import unicodedata
from datetime import date, datetime

import pytest

from pqtrack.domain import localities as loc
from pqtrack.i18n import t
from pqtrack.paths import PROJECT_ROOT
from pqtrack.text import fold, strip_diacritics

GEO = PROJECT_ROOT / "data" / "geo"
BEFORE = date(2024, 5, 10)
AFTER = date(2025, 8, 15)


def _features(name: str) -> list[dict]:
    with (GEO / name).open(encoding="utf-8") as fh:
        return [f["properties"] for f in json.load(fh)["features"]]


COMMUNES = _features("communes.geojson")
DISTRICTS = _features("districts_approx.geojson")
CROSSING = {"Xã Nhơn Mỹ", "Phường Mỹ Xuyên", "Xã Tân Long"}
# Names that are both a former district and a 2025 ward/commune.
AMBIGUOUS = {
    "Sóc Trăng": ("Thành phố Sóc Trăng", "Phường Sóc Trăng"),
    "Kế Sách": ("Huyện Kế Sách", "Xã Kế Sách"),
    "Mỹ Tú": ("Huyện Mỹ Tú", "Xã Mỹ Tú"),
    "Cù Lao Dung": ("Huyện Cù Lao Dung", "Xã Cù Lao Dung"),
    "Long Phú": ("Huyện Long Phú", "Xã Long Phú"),
    "Mỹ Xuyên": ("Huyện Mỹ Xuyên", "Phường Mỹ Xuyên"),
    "Ngã Năm": ("Thị xã Ngã Năm", "Phường Ngã Năm"),
    "Vĩnh Châu": ("Thị xã Vĩnh Châu", "Phường Vĩnh Châu"),
    "Trần Đề": ("Huyện Trần Đề", "Xã Trần Đề"),
}


def test_geo_files_hold_43_communes_and_11_districts():
    assert len(COMMUNES) == 43
    assert len(DISTRICTS) == 11
    assert sum(c["type"] == "phường" for c in COMMUNES) == 8
    assert {c["fullName"] for c in COMMUNES if c["crossesFormerDistrictBorder"]} == CROSSING


def test_geo_readme_keeps_source_licence_caveat_and_attribution():
    text = " ".join((GEO / "README.md").read_text(encoding="utf-8").split())
    plain = re.sub(r"\s*>\s*", " ", text)
    assert "github.com/thanglequoc/vietnamese-provinces-database" in text
    assert "cd58063299585146ded3981f2272946ef19ced54" in text
    assert "Copyright (c) 2021 Thang Le Quoc" in text
    assert "The above copyright notice and this permission notice shall be included" in text
    assert "upstream terms unclear" in text
    assert "cannot grant rights that the upstream publisher did not give" in text
    assert loc.ATTRIBUTION in plain


def test_attribution_in_both_languages():
    assert t("map.attribution", "en") == loc.ATTRIBUTION
    assert loc.attribution("en") == loc.ATTRIBUTION
    vi = loc.attribution("vi")
    assert vi != loc.ATTRIBUTION
    for part in ("Thang Le Quoc", "MIT", "sapnhap.bando.com.vn", "gần đúng"):
        assert part in vi
    assert loc.REORG_DATE == date(2025, 7, 1)


@pytest.mark.parametrize(
    "typed",
    [
        "Huyện Mỹ Tú",
        "huyện mỹ tú",
        "HUYỆN MỸ TÚ",
        "Huyen My Tu",
        "H. Mỹ Tú",
        "H.Mỹ Tú",
        "h mỹ tú",
        "  Huyện   Mỹ  Tú ",
    ],
)
@pytest.mark.parametrize("on", [BEFORE, AFTER, None])
def test_district_prefix_spellings_match_the_district(typed, on):
    assert loc.match_locality(typed, on) == loc.LocalityMatch(
        "Huyện Mỹ Tú", None, "district", False
    )


@pytest.mark.parametrize(
    "typed",
    ["TP Sóc Trăng", "TP. Sóc Trăng", "tp.soc trang", "TPSóc Trăng", "Thành phố Sóc Trăng",
     "thanh pho soc trang", "THÀNH PHỐ SÓC TRĂNG", "T.P. Sóc Trăng"],
)  # fmt: skip
def test_city_spellings_match_the_former_city(typed):
    for on in (BEFORE, AFTER):
        found = loc.match_locality(typed, on)
        assert (found.district, found.commune, found.status) == (
            "Thành phố Sóc Trăng",
            None,
            "district",
        )


@pytest.mark.parametrize(
    "typed",
    ["Thị xã Vĩnh Châu", "TX Vĩnh Châu", "TX. Vĩnh Châu", "tx.vinh chau", "thi xa vinh chau"],
)
def test_town_spellings_match_the_former_town(typed):
    found = loc.match_locality(typed, AFTER)
    assert (found.district, found.commune, found.status) == ("Thị xã Vĩnh Châu", None, "district")


@pytest.mark.parametrize(
    "typed", ["Phường Sóc Trăng", "P. Sóc Trăng", "P.Sóc Trăng", "p soc trang", "PHƯỜNG SÓC TRĂNG"]
)
@pytest.mark.parametrize("on", [BEFORE, AFTER, None])
def test_ward_spellings_match_the_ward(typed, on):
    found = loc.match_locality(typed, on)
    assert (found.district, found.commune) == ("Thành phố Sóc Trăng", "Phường Sóc Trăng")
    assert found.status == "commune"


@pytest.mark.parametrize("typed", ["Xã Mỹ Tú", "X. Mỹ Tú", "X.Mỹ Tú", "xa my tu", "XÃ MỸ TÚ"])
@pytest.mark.parametrize("on", [BEFORE, AFTER, None])
def test_commune_spellings_match_the_commune(typed, on):
    found = loc.match_locality(typed, on)
    assert (found.district, found.commune) == ("Huyện Mỹ Tú", "Xã Mỹ Tú")
    assert found.status == ("former_commune" if on == BEFORE else "commune")


@pytest.mark.parametrize(
    ("typed", "on", "district", "commune"),
    [
        ("mỹ tú", BEFORE, "Huyện Mỹ Tú", None),
        ("mỹ tú", AFTER, "Huyện Mỹ Tú", "Xã Mỹ Tú"),
        ("Cù Lao Dung", BEFORE, "Huyện Cù Lao Dung", None),
        ("Cù Lao Dung", AFTER, "Huyện Cù Lao Dung", "Xã Cù Lao Dung"),
        ("huyen tran de", AFTER, "Huyện Trần Đề", None),
        ("Thị xã Vĩnh Châu", BEFORE, "Thị xã Vĩnh Châu", None),
    ],
)
def test_brief_examples(typed, on, district, commune):
    found = loc.match_locality(typed, on)
    assert (found.district, found.commune) == (district, commune)


def test_unicode_forms_and_old_tone_placement_match():
    decomposed = unicodedata.normalize("NFD", "Huyện Mỹ Tú")
    assert decomposed != "Huyện Mỹ Tú"
    assert loc.match_locality(decomposed, BEFORE).district == "Huyện Mỹ Tú"
    assert loc.match_locality("Xã Hòa Tú", AFTER).commune == "Xã Hoà Tú"  # data: "Hoà"
    assert loc.match_locality("Phường Khánh Hòa", AFTER).commune == "Phường Khánh Hoà"


@pytest.mark.parametrize("commune", COMMUNES, ids=lambda c: c["code"])
def test_every_commune_full_name_matches_itself(commune):
    full = commune["fullName"]
    for typed in (full, strip_diacritics(full), strip_diacritics(full).upper()):
        found = loc.match_locality(typed, AFTER)
        assert found.status == "commune", typed
        assert (found.commune, found.district) == (full, commune["formerDistrict"])
        assert found.approximate == (full in CROSSING)
        before = loc.match_locality(typed, BEFORE)
        assert (before.commune, before.district) == (full, commune["formerDistrict"])


@pytest.mark.parametrize("commune", COMMUNES, ids=lambda c: c["code"])
def test_every_commune_matches_with_each_of_its_prefixes(commune):
    short = ("Phường", "P.", "P ", "phuong") if commune["type"] == "phường" else ("Xã", "X.", "xa")
    for prefix in short:
        found = loc.match_locality(f"{prefix}{commune['name']}", AFTER)
        assert found.commune == commune["fullName"], prefix


@pytest.mark.parametrize("district", DISTRICTS, ids=lambda d: d["code"])
def test_every_district_full_name_matches_itself(district):
    full = district["fullName"]
    for typed in (full, strip_diacritics(full), strip_diacritics(full).lower()):
        for on in (BEFORE, AFTER, None):
            assert loc.match_locality(typed, on) == loc.LocalityMatch(full, None, "district", False)


@pytest.mark.parametrize("district", DISTRICTS, ids=lambda d: d["code"])
def test_every_district_matches_with_any_district_prefix(district):
    for prefix in ("Huyện ", "H.", "TX ", "Thị xã ", "TP.", "Thành phố "):
        found = loc.match_locality(prefix + district["name"], AFTER)
        assert (found.district, found.commune) == (district["fullName"], None), prefix


def test_ambiguous_names_are_exactly_the_expected_ones():
    district_names = {fold(d["name"]) for d in DISTRICTS}
    both = {c["name"] for c in COMMUNES if fold(c["name"]) in district_names}
    assert both == set(AMBIGUOUS)


@pytest.mark.parametrize("bare", sorted(AMBIGUOUS))
def test_bare_ambiguous_name_resolves_by_date(bare):
    district, commune = AMBIGUOUS[bare]
    for typed in (bare, strip_diacritics(bare).lower()):
        assert loc.match_locality(typed, BEFORE) == loc.LocalityMatch(
            district, None, "district", False
        )
        assert loc.match_locality(typed, date(2025, 6, 30)).status == "district"
        on_day = loc.match_locality(typed, loc.REORG_DATE)
        assert (on_day.district, on_day.commune, on_day.status) == (district, commune, "commune")
        assert loc.match_locality(typed, AFTER).commune == commune
        assert loc.match_locality(typed).status == "district"  # no date: the safe claim


def test_prefix_beats_the_date():
    assert loc.match_locality("Huyện Kế Sách", AFTER).commune is None
    assert loc.match_locality("Thị xã Ngã Năm", AFTER).status == "district"
    assert loc.match_locality("Xã Kế Sách", BEFORE).commune == "Xã Kế Sách"
    assert loc.match_locality("Phường Ngã Năm", BEFORE).commune == "Phường Ngã Năm"


@pytest.mark.parametrize(
    ("typed", "commune"),
    [
        ("Phường Mỹ Tú", "Xã Mỹ Tú"),
        ("Xã Sóc Trăng", "Phường Sóc Trăng"),
        ("Thị trấn Nhu Gia", "Xã Nhu Gia"),
        ("TT Ngã Năm", "Phường Ngã Năm"),
    ],
)
def test_wrong_unit_type_word_falls_back_to_the_name(typed, commune):
    assert loc.match_locality(typed, AFTER).commune == commune


@pytest.mark.parametrize("bare", ["Châu Thành", "Thạnh Trị"])
def test_district_only_names_after_reorg_resolve_to_the_district_only(bare):
    found = loc.match_locality(bare, AFTER)
    assert (found.district, found.commune, found.status) == (f"Huyện {bare}", None, "district")


def test_border_crossing_communes_are_approximate():
    for name in ("Nhơn Mỹ", "Mỹ Xuyên", "Tân Long"):
        commune = next(c for c in COMMUNES if c["name"] == name)
        for typed in (commune["fullName"], name, strip_diacritics(commune["fullName"])):
            found = loc.match_locality(typed, AFTER)
            assert found.commune == commune["fullName"]
            assert found.district == commune["formerDistrict"]
            assert found.approximate is True
    flagged = {c["full_name"] for c in loc.communes() if c["approximate"]}
    assert flagged == CROSSING
    others = [c for c in COMMUNES if c["fullName"] not in CROSSING]
    assert not any(loc.match_locality(c["fullName"], AFTER).approximate for c in others)


@pytest.mark.parametrize(
    ("typed", "commune", "district"),
    [
        ("Thị trấn Kế Sách", "Xã Kế Sách", "Huyện Kế Sách"),
        ("TT. Kế Sách", "Xã Kế Sách", "Huyện Kế Sách"),
        ("tt ke sach", "Xã Kế Sách", "Huyện Kế Sách"),
        ("Xã Kế An", "Xã Kế Sách", "Huyện Kế Sách"),
        ("Kế An", "Xã Kế Sách", "Huyện Kế Sách"),
        ("Thị trấn Cù Lao Dung", "Xã An Thạnh", "Huyện Cù Lao Dung"),
        ("Thị trấn Châu Thành", "Xã Phú Tâm", "Huyện Châu Thành"),
        ("Xã Thạnh Trị", "Xã Phú Lộc", "Huyện Thạnh Trị"),
        ("Thị trấn Huỳnh Hữu Nghĩa", "Xã Mỹ Tú", "Huyện Mỹ Tú"),
        # parts of the three communes that crossed a former district border
        ("Xã Song Phụng", "Xã Nhơn Mỹ", "Huyện Long Phú"),
        ("Phường 10", "Phường Mỹ Xuyên", "Thành phố Sóc Trăng"),
        ("Xã Thạnh Tân", "Xã Tân Long", "Huyện Thạnh Trị"),
        # same-named wards told apart by their town
        ("Phường 1 (thành phố Sóc Trăng)", "Phường Phú Lợi", "Thành phố Sóc Trăng"),
        ("Phường 1, TX Ngã Năm", "Phường Ngã Năm", "Thị xã Ngã Năm"),
        ("P.2 - Thị xã Vĩnh Châu", "Phường Vĩnh Châu", "Thị xã Vĩnh Châu"),
    ],
)
def test_former_communes_map_to_their_2025_commune(typed, commune, district):
    found = loc.match_locality(typed, BEFORE)
    assert found == loc.LocalityMatch(district, commune, "former_commune", False)


def test_every_former_unit_resolves_unless_its_name_is_shared():
    owners: dict[str, set[str]] = {}
    for c in COMMUNES:
        for unit in re.findall(r"[^,(]+(?:\([^)]*\))?", c["formerUnits"]):
            owners.setdefault(fold(unit.split("(")[0]), set()).add(c["fullName"])
    checked = 0
    for c in COMMUNES:
        if fold(c["formerUnits"]) == "giunguyen":
            continue
        for unit in re.findall(r"[^,(]+(?:\([^)]*\))?", c["formerUnits"]):
            unit = unit.strip()
            found = loc.match_locality(unit, BEFORE)
            if "(" in unit or len(owners[fold(unit)]) == 1:
                assert found.commune == c["fullName"], unit
                checked += 1
            else:
                assert found.status == "unmatched", unit
    assert checked > 90


@pytest.mark.parametrize("typed", ["Phường 1", "P.2", "Phường 3"])
def test_shared_former_ward_names_without_town_are_unmatched(typed):
    assert loc.match_locality(typed, BEFORE) == loc.UNMATCHED


@pytest.mark.parametrize(
    "typed",
    ["Hà Nội", "Quận 1", "Ninh Kiều", "Tỉnh Sóc Trăng", "Huyện Nhu Gia", "TP Cần Thơ", "", "   ",
     "Xã", "Huyện", "-", "Mỹ Tú Tú"],
)  # fmt: skip
def test_unknown_names_are_unmatched(typed):
    for on in (BEFORE, AFTER, None):
        found = loc.match_locality(typed, on)
        assert found == loc.LocalityMatch(None, None, "unmatched", False)


def test_non_text_is_unmatched_and_datetimes_are_accepted():
    assert loc.match_locality(None, AFTER).status == "unmatched"  # type: ignore[arg-type]
    assert loc.match_locality("Mỹ Tú", datetime(2025, 7, 1, 8, 30)).commune == "Xã Mỹ Tú"
    assert loc.match_locality("Mỹ Tú", datetime(2025, 6, 30, 23, 59)).commune is None


def test_match_many_agrees_with_match_locality():
    pairs = [("Mỹ Tú", False), ("Mỹ Tú", True), ("P. Sóc Trăng", True), ("xyz", False)]
    result = loc.match_many(pairs + pairs)
    assert set(result) == set(pairs)
    assert result[("Mỹ Tú", False)] == loc.match_locality("Mỹ Tú", BEFORE)
    assert result[("Mỹ Tú", True)] == loc.match_locality("Mỹ Tú", AFTER)
    assert result[("Mỹ Tú", True)].commune == "Xã Mỹ Tú"
    assert result[("xyz", False)].status == "unmatched"


def test_match_many_is_fast_for_thousands_of_distinct_pairs():
    names = [c["fullName"] for c in COMMUNES] + [d["fullName"] for d in DISTRICTS]
    pairs = [(f"{names[i % len(names)]}{' ' * (i // len(names))}", i % 2 == 0) for i in range(4000)]
    pairs += [(f"Ấp Số {i}, xã Không Có", True) for i in range(2000)]
    start = time.perf_counter()
    result = loc.match_many(pairs)
    elapsed = time.perf_counter() - start
    assert len(result) == len(set(pairs))
    assert sum(m.status != "unmatched" for m in result.values()) == 4000
    assert elapsed < 3.0, f"{elapsed:.2f}s for {len(pairs)} pairs"


def test_reference_lists():
    comms = loc.communes()
    dists = loc.districts()
    assert len(comms) == 43 and len({c["code"] for c in comms}) == 43
    assert len(dists) == 11 and len({d["code"] for d in dists}) == 11
    assert {d["full_name"] for d in dists} == {c["former_district"] for c in comms}
    assert sum(d["approximate"] for d in dists) == 6
    assert {d["full_name"] for d in dists if not d["approximate"]} == {
        "Huyện Châu Thành", "Huyện Mỹ Tú", "Huyện Cù Lao Dung", "Huyện Trần Đề", "Thị xã Vĩnh Châu"
    }  # fmt: skip
    my_tu = next(c for c in comms if c["full_name"] == "Xã Mỹ Tú")
    assert (my_tu["name"], my_tu["code"], my_tu["former_district"]) == (
        "Mỹ Tú",
        "31567",
        "Huyện Mỹ Tú",
    )
    comms[0]["full_name"] = "changed"
    assert loc.communes()[0]["full_name"] != "changed"


@pytest.mark.parametrize(("level", "count"), [("commune", 43), ("district", 11)])
def test_geojson_levels(level, count):
    gj = loc.geojson(level)
    assert gj["type"] == "FeatureCollection"
    assert len(gj["features"]) == count
    gj["features"].clear()
    assert len(loc.geojson(level)["features"]) == count
    with pytest.raises(ValueError):
        loc.geojson("province")
