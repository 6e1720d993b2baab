"""Counting distinct beneficiaries: a bitmap over the id range when it fits, else a hash set.

Beneficiary ids are whole numbers handed out in order (``beneficiaries``), so the distinct
ids of a group are the set bits of a bitmap over the id range, faster than
``count(DISTINCT)``. Each group holds a bitmap of its own, so a grouped count uses them only
while all of them fit in ``BITMAP_BUDGET`` bytes; beyond it, and before the first id, it
falls back to ``count(DISTINCT)``. Bitmaps kept per group count a union of groups too: the
bits set in any of them.
"""

from __future__ import annotations

import duckdb

BITMAP_BUDGET = 256 << 20

_BITMAP = "bitstring_agg({ids}, $id_lo, $id_hi)"
_BITS_SET = "COALESCE(bit_count({bitmap}), 0)"
# Fallback when the bitmaps would not fit the budget (or no id was handed out yet).
_HASH_SET = "count(DISTINCT {ids})"


def id_range(cur: duckdb.DuckDBPyConnection) -> tuple[int, int] | None:
    """Return the (lowest, highest) beneficiary id handed out, None before the first."""
    lo, hi = cur.execute(
        "SELECT min(beneficiary_id), max(beneficiary_id) FROM beneficiaries"
    ).fetchall()[0]
    return None if hi is None else (int(lo), int(hi))


def bitmap_sql(ids: str, ids_range: tuple[int, int] | None, groups: int) -> tuple[str, dict] | None:
    """Return SQL gathering the ``ids`` of each of ``groups`` groups in a bitmap, and its
    params; None when there are no ids yet or the bitmaps would not fit the budget.

    ``ids`` is an allow-listed expression over beneficiary ids (never user text).
    """
    if ids_range is None:
        return None
    lo, hi = ids_range
    if groups * ((hi - lo) // 8 + 1) > BITMAP_BUDGET:
        return None
    return _BITMAP.format(ids=ids), {"id_lo": lo, "id_hi": hi}


def count_sql(ids: str, ids_range: tuple[int, int] | None, groups: int) -> tuple[str, dict]:
    """Return SQL counting the distinct ``ids`` of each of ``groups`` groups, and its params:
    bits set in a bitmap when they fit the budget, else a hash set.

    ``ids`` is an allow-listed expression over beneficiary ids (never user text).
    """
    found = bitmap_sql(ids, ids_range, groups)
    if found is None:
        return _HASH_SET.format(ids=ids), {}
    return _BITS_SET.format(bitmap=found[0]), found[1]


def count_bitmaps_sql(bitmaps: str) -> str:
    """Return SQL counting the ids set in any of a group's ``bitmaps`` (see :func:`bitmap_sql`)."""
    return _BITS_SET.format(bitmap=f"bit_or({bitmaps})")
