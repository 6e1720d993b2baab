"""Beneficiaries already on record, for finding one by name or tax code as a user types."""

from __future__ import annotations

from pqtrack.store import Store
from pqtrack.store.migrations import TAX_CODE_SQL

CHOICES_LIMIT = 50
TYPED_MAX = 200


def beneficiary_choices(store: Store, typed: str, limit: int = CHOICES_LIMIT) -> list[tuple]:
    """Return up to ``limit`` (name, tax code, type) on record whose name or tax code matches."""
    text = " ".join(typed.split())[:TYPED_MAX]
    return store.query_rows(
        f"SELECT n.name, {TAX_CODE_SQL} AS tax_code, any_value(r.beneficiary_type), "
        "count(*) AS turns FROM records r JOIN names n ON n.name_id = r.name_id "
        "LEFT JOIN beneficiaries b ON b.beneficiary_id = r.beneficiary_id "
        "WHERE $q = '' OR contains(lower(strip_accents(n.name)), lower(strip_accents($q))) "
        "OR starts_with(b.beneficiary_key, 't:' || $q) "
        "GROUP BY 1, 2 ORDER BY turns DESC, 1 LIMIT $limit",
        {"q": text, "limit": limit},
    )
