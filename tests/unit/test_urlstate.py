"""Filter values in the URL are codes, dropped when empty or default."""

from datetime import date

from pqtrack.ui import urlstate


def test_codes_parser_keeps_known_codes_once():
    parse = urlstate.codes_parser(["enterprise", "cooperative"])
    assert parse(["cooperative", "x", "cooperative"]) == ["cooperative"]
    assert parse(["hợp tác xã"]) is None


def test_dates_are_iso_and_malformed_ones_ignored():
    assert urlstate.parse_dates(["2024-01-02", "2024-03-04", "2025-01-01"]) == (
        date(2024, 1, 2),
        date(2024, 3, 4),
    )
    assert urlstate.parse_dates(["02/01/2024"]) is None


def test_encode_drops_defaults_and_empties():
    assert urlstate.encode("vi", "vi") is None
    assert urlstate.encode([]) is None
    assert urlstate.encode("  ".strip()) is None
    assert urlstate.encode(["a", "b"]) == ["a", "b"]
    assert urlstate.encode((date(2024, 1, 2),)) == ["2024-01-02"]
    assert urlstate.encode("2021-2025", "2026-2030") == "2021-2025"
