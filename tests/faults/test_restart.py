"""Restart and upgrade: stored data outlives the process and every schema migration."""

from __future__ import annotations

import json
import subprocess
import textwrap

import duckdb
import pandas as pd
import pytest

from pqtrack.domain.filters import RecordFilter
from pqtrack.figures import listing
from pqtrack.ingest import pipeline as ingest
from pqtrack.store import Store, migrations
from tests.faults.support import PYTHON, check_invariants, cli_env, make_records, run_cli

# A dashboard-like server without Streamlit: opens the store once (as the app does), prints
# its figures, then keeps serving until it is killed.
SERVER = textwrap.dedent(
    """
    import json, sys, time
    from pqtrack.store import Store

    store = Store(sys.argv[1])
    figures = store.query_rows(
        "SELECT count(*), COALESCE(sum(quantity), 0) FROM records"
    )[0]
    print(json.dumps({"version": store.schema_version(), "records": figures[0],
                      "quantity": int(figures[1])}), flush=True)
    while True:
        time.sleep(0.2)
        store.scalar("SELECT count(*) FROM records")
    """
)


def _server_figures(tmp_path, db) -> dict:
    """Start the server process, read its figures, then stop it the hard way (SIGKILL)."""
    script = tmp_path / "server.py"
    script.write_text(SERVER)
    proc = subprocess.Popen(
        [PYTHON, str(script), str(db)],
        env=cli_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline()
        assert line, proc.stderr.read()
        return json.loads(line)
    finally:
        proc.kill()
        proc.wait()


def test_data_survives_close_reopen_and_server_restarts(tmp_path):
    db = tmp_path / "r.duckdb"
    a, b = make_records(1200, "RA", seed=1), make_records(800, "RB", seed=2)
    store = Store(db)
    first = ingest.process(store, a.data, "a.csv", user="t")
    assert first.stored
    store.close()

    # Reopened in this process.
    store = Store(db)
    assert store.scalar("SELECT count(*) FROM records") == a.rows
    store.close()

    # A CLI process adds a batch; a server process sees both, is killed, restarts, sees both.
    b_path = tmp_path / "b.csv"
    b_path.write_bytes(b.data)
    done = run_cli("ingest", b_path, "--db", db)
    assert done.returncode == 0, done.stderr
    expected = {
        "version": migrations.LATEST,
        "records": a.rows + b.rows,
        "quantity": a.quantity + b.quantity,
    }
    assert _server_figures(tmp_path, db) == expected
    assert _server_figures(tmp_path, db) == expected

    listed = run_cli("batches", "--json", "--db", db)
    assert listed.returncode == 0, listed.stderr
    rows = {(b["file_name"], b["row_count"], b["status"]) for b in json.loads(listed.stdout)}
    assert rows == {("a.csv", a.rows, "active"), ("b.csv", b.rows, "active")}

    store = Store(db)
    with store.cursor() as cur:
        figures = check_invariants(cur)
    assert (figures["records"], figures["quantity"]) == (a.rows + b.rows, a.quantity + b.quantity)
    assert store.file_bytes(first.batch_id) == ("a.csv", a.data)
    store.close()


def _build_v1_store(path) -> None:
    """Write a store by hand exactly as schema version 1 left it, holding one batch."""
    con = duckdb.connect(str(path))
    con.execute(migrations.META)
    for stmt in migrations.MIGRATIONS[1]:
        con.execute(stmt)
    con.execute("INSERT INTO meta VALUES ('schema_version', '1')")
    con.execute(
        "INSERT INTO batches (batch_id, kind, file_name, content_hash, user_name, created_at, "
        "row_count, status, encoding, delimiter, is_sample) VALUES (nextval('batch_seq'), "
        "'records', 'old.csv', 'hash-old', 'officer', TIMESTAMP '2024-05-01 09:30:00', 3, "
        "'active', 'utf-8', ',', false)"
    )
    con.execute("INSERT INTO files VALUES ('hash-old', 3, 'old'::BLOB)")
    con.execute(
        "INSERT INTO records (record_id, batch_id, row_number, date, indicator, quantity, "
        "beneficiary_name, beneficiary_type, locality, funding_vnd, beneficiary_key) VALUES "
        "('OLD-1', 1, 2, DATE '2024-04-02', 'workshop', 3, NULL, NULL, 'TP Sóc Trăng', 1000, "
        "NULL), ('OLD-2', 1, 3, DATE '2024-04-20', 'product_standard', 1, 'Công ty A', "
        "'enterprise', NULL, 25000000, 'n:cong ty a')"
    )
    con.execute(
        "INSERT INTO records (record_id, batch_id, row_number, date, indicator, quantity, "
        "beneficiary_name, beneficiary_type, tax_code, locality, beneficiary_key) VALUES "
        "('OLD-3', 1, 4, DATE '2024-05-01', 'management_system', 2, 'Công ty B', "
        "'enterprise', '2200123456', 'TP Sóc Trăng', 't:2200123456')"
    )
    con.execute(
        "INSERT INTO audit VALUES (nextval('audit_seq'), TIMESTAMP '2024-05-01 09:30:00', "
        "'officer', 'ingest', 1, '{\"file_name\": \"old.csv\", \"rows\": 3}')"
    )
    con.close()


def _schema(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute(
        "SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns "
        "WHERE table_schema = 'main' ORDER BY table_name, ordinal_position"
    ).fetchall()


def test_v1_store_is_migrated_to_latest_without_losing_data(tmp_path):
    db = tmp_path / "v1.duckdb"
    _build_v1_store(db)
    before = duckdb.connect(str(db))
    # Version 6 keeps name keys apart, once per name, version 8 the names and version 9 the
    # tax codes: the rest of each record stays.
    old_rows = before.execute(
        "SELECT * EXCLUDE (name_key, beneficiary_key, beneficiary_name, tax_code) FROM records "
        "ORDER BY record_id"
    ).fetchall()
    old_people = before.execute(
        "SELECT record_id, beneficiary_name, tax_code FROM records ORDER BY record_id"
    ).fetchall()
    old_batches = before.execute("SELECT * FROM batches").fetchall()
    old_audit = before.execute("SELECT * FROM audit").fetchall()
    before.close()

    store = Store(db)  # applies every migration above 1
    assert store.schema_version() == migrations.LATEST
    with store.cursor() as cur:
        got = cur.execute(
            "SELECT * EXCLUDE (beneficiary_id, name_id) FROM records ORDER BY record_id"
        )
        assert got.fetchall() == old_rows
        # Version 5 numbered the beneficiary keys; the workshop row has none.
        keys = cur.execute("SELECT * FROM beneficiaries ORDER BY 1").fetchall()
        assert keys == [(1, "n:cong ty a"), (2, "t:2200123456")]
        ids = cur.execute("SELECT beneficiary_id FROM records ORDER BY record_id").fetchall()
        assert ids == [(None,), (1,), (2,)]
        names = cur.execute("SELECT * FROM names ORDER BY 1").fetchall()
        assert names == [(1, "Công ty A", "cong ty a"), (2, "Công ty B", "cong ty b")]
        named = cur.execute("SELECT name_id FROM records ORDER BY record_id").fetchall()
        assert named == [(None,), (1,), (2,)]
        # Version 12 marks each batch's kind of change: an old batch only added records.
        batches = cur.execute("SELECT * EXCLUDE (change, reason) FROM batches").fetchall()
        assert batches == old_batches
        assert cur.execute("SELECT DISTINCT change, reason FROM batches").fetchall() == [
            ("add", None)
        ]
        assert cur.execute("SELECT count(*) FROM record_past").fetchall() == [(0,)]
        assert cur.execute("SELECT * FROM audit").fetchall() == old_audit
        check_invariants(cur)
        migrated_schema = _schema(cur)
    # Names and tax codes read back as they were stored.
    listed = listing.list_records(store, RecordFilter(), limit=10)
    people = sorted(listed[["record_id", "beneficiary_name", "tax_code"]].itertuples(index=False))
    assert [tuple(None if pd.isna(v) else v for v in row) for row in people] == old_people
    # The migrated schema is exactly the one a new store gets.
    fresh = Store(tmp_path / "fresh.duckdb")
    with fresh.cursor() as cur:
        assert migrated_schema == _schema(cur)
    fresh.close()

    # The old data keeps working with new writes: sequences continue, figures add up.
    rec = make_records(300, "NEW", seed=5)
    report = ingest.process(store, rec.data, "new.csv", user="t")
    assert report.stored and report.batch_id == 2
    with store.cursor() as cur:
        figures = check_invariants(cur)
    assert figures["records"] == 3 + rec.rows
    assert figures["quantity"] == 6 + rec.quantity
    store.close()

    # Opening again changes nothing.
    again = Store(db)
    assert again.schema_version() == migrations.LATEST
    assert again.scalar("SELECT count(*) FROM records") == 3 + rec.rows
    again.close()


def test_failed_migration_rolls_back_and_keeps_data(tmp_path, monkeypatch):
    db = tmp_path / "f.duckdb"
    _build_v1_store(db)
    broken = dict(migrations.MIGRATIONS)
    bad = migrations.LATEST + 1
    broken[bad] = ("CREATE TABLE half_done (x INTEGER)", "SELECT * FROM no_such_table")
    monkeypatch.setattr(migrations, "MIGRATIONS", broken)
    with pytest.raises(duckdb.Error):
        Store(db, keep_open=False)
    monkeypatch.undo()

    store = Store(db)
    # Every good migration before the broken one stays applied; the broken one left nothing.
    assert store.schema_version() == migrations.LATEST
    assert store.scalar("SELECT count(*) FROM records") == 3
    assert not store.scalar(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'half_done'"
    )
    store.close()
