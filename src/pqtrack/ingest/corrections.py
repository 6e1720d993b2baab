"""A file that corrects stored records: which rows correct which version, and what changes.

A row whose record id is already stored replaces that record's current version with a new
version of this batch; the version it replaces moves to the store's past (nothing is
overwritten). The preview lists each correction field by field; the versions it saw are
checked again when the file is stored, so two corrections of one record cannot both win.
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa

from pqtrack import steps
from pqtrack.store.db import Connection
from pqtrack.store.migrations import TAX_CODE_SQL

SESSION_TABLES: tuple[str, ...] = (
    "corrected (rn INTEGER, record_id VARCHAR, batch_id INTEGER)",
    "changes (rn INTEGER, record_id VARCHAR, field VARCHAR, old VARCHAR, new VARCHAR)",
    "expected_versions (record_id VARCHAR, batch_id INTEGER)",
)
SESSION_NAMES = tuple(t.split(" ", 1)[0] for t in SESSION_TABLES)
# Field changes kept for the preview (the count of corrected rows is always exact).
CHANGES_LIMIT = 2_000

VERSION_CHANGED = "rule.version_changed"
RECORD_ID_VOIDED = "rule.record_id_voided"

# Each field as the stored version holds it (r: records, n: names, b: beneficiaries) and as
# the row gives it (t: typed, s: staged), both as text.
_FIELDS = (
    ("date", "CAST(r.date AS VARCHAR)", "CAST(t.date_v AS VARCHAR)"),
    ("indicator", "r.indicator", "t.indicator_v"),
    ("quantity", "CAST(r.quantity AS VARCHAR)", "CAST(t.quantity_v AS VARCHAR)"),
    ("beneficiary_name", "n.name", "s.beneficiary_name"),
    ("beneficiary_type", "r.beneficiary_type", "t.type_v"),
    ("tax_code", TAX_CODE_SQL, "t.tax_code"),
    ("locality", "r.locality", "t.locality"),
    ("sector", "r.sector", "t.sector"),
    ("standard", "r.standard", "t.standard"),
    ("funding_vnd", "CAST(r.funding_vnd AS VARCHAR)", "CAST(t.funding_v AS VARCHAR)"),
    ("participants", "CAST(r.participants AS VARCHAR)", "CAST(t.participants_v AS VARCHAR)"),
    ("note", "r.note", "t.note"),
)  # fmt: skip
_PAIRS = ", ".join(f"{{'f': '{f}', 'o': {old}, 'n': {new}}}" for f, old, new in _FIELDS)


def begin(cur: Connection, expected: dict[str, int] | None) -> None:
    """Make the session's tables; ``expected``: the versions the preview showed (id → batch)."""
    for table in SESSION_TABLES:
        cur.execute("CREATE OR REPLACE TEMP TABLE " + table)
    if expected:
        cur.executemany("INSERT INTO expected_versions VALUES (?, ?)", list(expected.items()))


def end(cur: Connection) -> None:
    """Drop what :func:`begin` made."""
    for table in SESSION_NAMES:
        cur.execute("DROP TABLE IF EXISTS " + table)


@steps.timed("corrections: compare")
def add_chunk(cur: Connection) -> None:
    """Note the chunk's rows that correct a stored record, and (up to a limit) their changes."""
    cur.execute(
        "INSERT INTO corrected SELECT t.rn, t.final_id, r.batch_id FROM typed t "
        "JOIN records r ON r.record_id = t.final_id"
    )
    room = CHANGES_LIMIT - int(cur.execute("SELECT count(*) FROM changes").fetchall()[0][0])
    if room <= 0:
        return
    cur.execute(
        "INSERT INTO changes SELECT rn, record_id, c.f, c.o, c.n FROM (SELECT t.rn, "
        f"t.final_id AS record_id, unnest([{_PAIRS}]) AS c FROM typed t "
        "JOIN records r ON r.record_id = t.final_id JOIN staged s ON s.rn = t.rn "
        "LEFT JOIN names n ON n.name_id = r.name_id "
        "LEFT JOIN beneficiaries b ON b.beneficiary_id = r.beneficiary_id) "
        "WHERE c.o IS DISTINCT FROM c.n ORDER BY rn LIMIT $room",
        {"room": room},
    )


def check(cur: Connection, *, expected: bool) -> None:
    """Add problems: a voided id (restored by rolling back its void), and, when the preview's
    versions are ``expected``, every row whose stored version changed since."""
    cur.execute(
        "INSERT INTO problems SELECT i.rn, 'record_id', i.final_id, $code, "
        "CAST(v.batch_id AS VARCHAR) FROM ids i JOIN (SELECT p.record_id, max(p.batch_id) "
        "AS batch_id FROM record_past p JOIN batches b USING (batch_id) "
        "WHERE b.status = 'active' AND b.change = 'void' GROUP BY 1) v "
        "ON v.record_id = i.final_id WHERE NOT EXISTS "
        "(SELECT 1 FROM records r WHERE r.record_id = i.final_id)",
        {"code": RECORD_ID_VOIDED},
    )
    if not expected:
        return
    cur.execute(  # corrected now, but not that version (or new in the preview)
        "INSERT INTO problems SELECT c.rn, 'record_id', c.record_id, $code, "
        "CAST(c.batch_id AS VARCHAR) FROM corrected c LEFT JOIN expected_versions e "
        "USING (record_id) WHERE e.batch_id IS DISTINCT FROM c.batch_id",
        {"code": VERSION_CHANGED},
    )
    cur.execute(  # a correction in the preview whose version is gone since
        "INSERT INTO problems SELECT i.rn, 'record_id', i.final_id, $code, "
        "CAST(e.batch_id AS VARCHAR) FROM ids i JOIN expected_versions e "
        "ON e.record_id = i.final_id WHERE i.final_id NOT IN (SELECT record_id FROM corrected)",
        {"code": VERSION_CHANGED},
    )


def count(cur: Connection) -> int:
    """Return how many rows of the file correct a stored record."""
    return int(cur.execute("SELECT count(*) FROM corrected").fetchall()[0][0])


def changes(cur: Connection) -> pd.DataFrame:
    """Return the changes noted (row, record id, field, old, new), by row."""
    rows = cur.execute("SELECT rn, record_id, field, old, new FROM changes ORDER BY rn").fetchall()
    # Object columns: an empty old or new value stays None, as the preview shows it.
    return pd.DataFrame(rows, columns=["row", "record_id", "field", "old", "new"], dtype=object)


def versions(cur: Connection) -> dict[str, int]:
    """Return the stored version each correction replaces: record id → its batch."""
    return dict(cur.execute("SELECT record_id, batch_id FROM corrected").fetchall())


@steps.timed("corrections: retire replaced versions")
def retire(writer: Connection, typed: pa.Table) -> None:
    """Move the versions the chunk's rows replace to the past, in the batch's transaction.

    ``typed`` is read by its Python name, as in ``staging.store_chunk``.
    """
    writer.execute(
        "INSERT INTO record_past SELECT r.* FROM records r "
        "WHERE r.record_id IN (SELECT final_id FROM typed)"
    )
    writer.execute("DELETE FROM records WHERE record_id IN (SELECT final_id FROM typed)")
