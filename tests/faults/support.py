"""Helpers for the fault tests: big valid record files, CLI subprocesses, store invariants."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

PYTHON = sys.executable
INDICATORS = ("workshop", "training_course", "expert_trained")
LOCALITIES = ("Huyện Châu Thành", "TP Sóc Trăng", "Huyện Mỹ Xuyên")


@dataclass(frozen=True)
class RecordFile:
    """A generated valid record file and the figures it must add to the store."""

    data: bytes
    rows: int
    quantity: int
    funding: int
    per_indicator: dict[str, int]


def make_records(n: int, prefix: str, seed: int = 0) -> RecordFile:
    """Return a valid record file of ``n`` rows with ids ``{prefix}-{i}`` (vectorised)."""
    rng = np.random.default_rng(seed)
    days = rng.integers(0, 1000, n).astype("timedelta64[D]")
    dates = pd.to_datetime(np.datetime64("2022-01-01") + days)
    df = pd.DataFrame(
        {
            "record_id": np.char.add(f"{prefix}-", np.arange(n).astype(str)),
            "date": dates.strftime("%Y-%m-%d"),
            "indicator": np.asarray(INDICATORS)[rng.integers(0, len(INDICATORS), n)],
            "quantity": rng.integers(1, 20, n),
            "locality": np.asarray(LOCALITIES)[rng.integers(0, len(LOCALITIES), n)],
            "funding_vnd": rng.integers(0, 10**8, n),
        }
    )
    per = df.groupby("indicator")["quantity"].sum()
    return RecordFile(
        data=df.to_csv(index=False).encode("utf-8"),
        rows=n,
        quantity=int(df["quantity"].sum()),
        funding=int(df["funding_vnd"].sum()),
        per_indicator={str(k): int(v) for k, v in per.items()},
    )


def cli_env(**extra: str) -> dict[str, str]:
    """Return the environment for CLI subprocesses (English messages, no sample seeding)."""
    env = dict(os.environ)
    env.update({"PQTRACK_LANG": "en", "PQTRACK_SEED_SAMPLE": "0", "PYTHONUNBUFFERED": "1"})
    env.update(extra)
    return env


def run_cli(*args: str | Path, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run ``python -m pqtrack ARGS`` to completion and capture its output."""
    return subprocess.run(
        [PYTHON, "-m", "pqtrack", *map(str, args)],
        capture_output=True,
        text=True,
        env=cli_env(),
        timeout=timeout,
        check=False,
    )


# One statement = one snapshot: every figure below comes from the same committed state.
INVARIANTS_SQL = """
SELECT
  (SELECT count(*) FROM records r
     WHERE NOT EXISTS (SELECT 1 FROM batches b
                       WHERE b.batch_id = r.batch_id AND b.status = 'active')) AS orphans,
  (SELECT count(*) FROM batches b
     WHERE b.kind = 'records' AND b.row_count <> (SELECT count(*) FROM
       (SELECT batch_id FROM records UNION ALL SELECT batch_id FROM record_past) v
       WHERE v.batch_id = b.batch_id)
       AND b.status = 'active') AS active_mismatch,
  (SELECT count(*) FROM batches b
     WHERE b.status <> 'active'
       AND EXISTS (SELECT 1 FROM records r WHERE r.batch_id = b.batch_id)) AS rolled_back_with_rows,
  (SELECT count(*) FROM batches b WHERE b.change <> 'void'
     AND NOT EXISTS (SELECT 1 FROM files f WHERE f.content_hash = b.content_hash))
     AS batches_without_file,
  (SELECT count(*) FROM (SELECT record_id FROM records GROUP BY 1 HAVING count(*) > 1))
     AS duplicate_ids,
  (SELECT count(*) FROM batches b WHERE b.status = 'active'
     AND NOT EXISTS (SELECT 1 FROM audit a
                     WHERE a.batch_id = b.batch_id
                       AND a.action = CASE b.change WHEN 'void' THEN 'void' ELSE 'ingest' END))
     AS unaudited,
  (SELECT count(*) FROM records r
     WHERE r.name_id IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM beneficiaries b WHERE b.beneficiary_id = r.beneficiary_id
                       AND (starts_with(b.beneficiary_key, 't:')
                            OR b.beneficiary_key = 'n:' || (SELECT min(n.name_key)
                               FROM names n WHERE n.name_id = r.name_id))))
     AS misnumbered,
  (SELECT count(*) FROM records r WHERE r.name_id IS NULL AND r.beneficiary_id IS NOT NULL
     AND NOT EXISTS (SELECT 1 FROM beneficiaries b WHERE b.beneficiary_id = r.beneficiary_id
                     AND starts_with(b.beneficiary_key, 't:'))) AS numbered_without_key,
  (SELECT count(*) FROM records r WHERE r.name_id IS NOT NULL AND NOT EXISTS
     (SELECT 1 FROM names n WHERE n.name_id = r.name_id)) AS misnamed,
  (SELECT count(*) FROM (SELECT name FROM names GROUP BY 1 HAVING count(*) > 1 UNION ALL
     SELECT CAST(name_id AS VARCHAR) FROM names GROUP BY 1 HAVING count(*) > 1))
     AS name_numbered_twice,
  (SELECT count(*) FROM (SELECT beneficiary_key FROM beneficiaries GROUP BY 1
                         HAVING count(*) > 1 UNION ALL
                         SELECT CAST(beneficiary_id AS VARCHAR) FROM beneficiaries GROUP BY 1
                         HAVING count(*) > 1)) AS key_numbered_twice,
  (SELECT count(*) FROM records) AS records,
  (SELECT COALESCE(sum(quantity), 0) FROM records) AS quantity
"""


def check_invariants(
    cur: duckdb.DuckDBPyConnection, originals: Path | None = None
) -> dict[str, int]:
    """Assert the batch table agrees with the records and their past versions (and, given
    the originals folder, that every batch's original is there whole); return the figures."""
    cols = [
        "orphans",
        "active_mismatch",
        "rolled_back_with_rows",
        "batches_without_file",
        "duplicate_ids",
        "unaudited",
        "misnumbered",
        "numbered_without_key",
        "misnamed",
        "name_numbered_twice",
        "key_numbered_twice",
        "records",
        "quantity",
    ]
    row = dict(zip(cols, cur.execute(INVARIANTS_SQL).fetchone(), strict=True))
    bad = {k: v for k, v in row.items() if k not in ("records", "quantity") and v}
    assert not bad, f"store inconsistent: {bad}"
    if originals is not None:
        kept = cur.execute(
            "SELECT DISTINCT f.content_hash FROM files f JOIN batches b USING (content_hash) "
            "WHERE f.content IS NULL"
        ).fetchall()
        for (digest,) in kept:
            data = (originals / digest).read_bytes()
            assert hashlib.sha256(data).hexdigest() == digest, f"original {digest} damaged"
    return row
