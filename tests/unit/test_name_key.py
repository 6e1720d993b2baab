"""A beneficiary name's search key, as the store makes it, against its definition."""

from __future__ import annotations

import duckdb
import pytest

from pqtrack.store.migrations import NAME_KEY_SQL
from pqtrack.text import fold_words

# The key as it is defined: folded, every run of other characters one space, trimmed.
PLAIN = (
    "trim(regexp_replace(lower(strip_accents(replace(replace(x, 'đ', 'd'), 'Đ', 'D'))), "
    "'[^0-9a-z]+', ' ', 'g'))"
)
NAMES = [
    "Công ty TNHH Thủy sản Mỹ Thạnh",
    "Hợp tác xã Hưng Lợi 12",
    "ĐỒNG TÂM",
    "  Cơ sở  Bánh pía\tTân Huê Viên ",
    "Công ty CP (Sóc Trăng) – chi nhánh",
    "HTX  Rau an toàn",
    "a",
    " ",
    "Cơ sở A.B.C",
    "Doanh nghiệp tư nhân 3/2",
    "x ",
    " y",
    "",
    "Ấp Phước Hòa, xã Phú Tân",
]


@pytest.mark.parametrize("name", NAMES)
def test_the_key_is_its_definition_and_the_search_fold(name):
    con = duckdb.connect()
    got, plain = con.execute(
        f"SELECT {NAME_KEY_SQL}, {PLAIN} FROM (SELECT $x AS x)",  # noqa: S608
        {"x": name},
    ).fetchone()
    assert got == plain == fold_words(name)
