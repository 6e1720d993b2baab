"""The reporting year's CLI commands, run as a real subprocess: locks."""

from __future__ import annotations

import json

from tests.unit.test_cli import cli


def test_lock_list_and_unlock_a_phase(tmp_path):
    db = str(tmp_path / "y.duckdb")
    r = cli("lock", "2021-2025", "--reason", "Final report sent 15/01/2026", "--user", "an",
            "--db", db)  # fmt: skip
    assert (r.returncode, r.stdout.strip()) == (0, "Phase 2021-2025 is locked.")
    listed = json.loads(cli("locks", "--json", "--db", db).stdout)
    assert [(x["phase"], x["user"], x["reason"]) for x in listed] == [
        ("2021-2025", "an", "Final report sent 15/01/2026")
    ]
    again = cli("lock", "2021-2025", "--reason", "twice", "--db", db, env_lang="vi")
    assert again.returncode == 1
    assert again.stderr.strip() == "Giai đoạn 2021-2025 đã được khoá từ trước."
    assert cli("unlock", "2021-2025", "--reason", "late fix", "--db", db).returncode == 0
    assert json.loads(cli("locks", "--json", "--db", db).stdout) == []


def test_a_lock_needs_a_reason_and_a_known_phase(tmp_path):
    db = str(tmp_path / "y.duckdb")
    blank = cli("lock", "2021-2025", "--reason", "   ", "--db", db)
    assert blank.returncode == 1 and "Traceback" not in blank.stderr
    assert blank.stderr.strip() == "Give a reason for locking or unlocking the phase."
    unknown = cli("lock", "2019-2020", "--reason", "sent", "--db", db)
    assert unknown.returncode == 2 and "invalid choice" in unknown.stderr


def stored_workshop(tmp_path) -> str:
    """Return a store holding one workshop record, W-7, stored by "an"."""
    db = str(tmp_path / "y.duckdb")
    f = tmp_path / "r.csv"
    f.write_text(
        "record_id,date,indicator,quantity,beneficiary_name,beneficiary_type\r\n"
        "W-7,15/03/2023,workshop,1,Sở KH&CN,other\r\n",
        encoding="utf-8",
    )
    assert cli("ingest", str(f), "--db", db, "--user", "an").returncode == 0
    return db


def test_void_and_history_of_a_record(tmp_path):
    db = stored_workshop(tmp_path)
    r = cli("void", "W-7", "--reason", "Held twice in the file", "--user", "bình", "--db", db)
    assert (r.returncode, r.stdout.strip()) == (0, "Record W-7 is voided (batch #2).")
    rows = json.loads(cli("history", "W-7", "--json", "--db", db).stdout)
    assert [(x["version"], x["action"], x["batch_id"], x["user"], x["reason"]) for x in rows] == [
        (1, "added", 1, "an", None),
        (2, "voided", 2, "bình", "Held twice in the file"),
    ]
    assert rows[0]["record_id"] == "W-7" and rows[0]["date"] == "2023-03-15"
    assert rows[0]["at"] <= rows[1]["at"]
    progress = json.loads(cli("progress", "--phase", "2021-2025", "--json", "--db", db).stdout)
    assert next(x for x in progress if x["indicator"] == "workshop")["actual"] == 0
    vi = cli("history", "W-7", "--db", db, env_lang="vi").stdout
    assert "huỷ" in vi and "15/03/2023" in vi
    again = cli("void", "W-7", "--reason", "x", "--db", db)
    assert again.returncode == 1 and again.stderr.strip() == "Record W-7 was already voided."
    none = cli("history", "NOPE", "--json", "--db", db)
    assert none.returncode == 1 and json.loads(none.stdout) == []


def test_ingest_corrections_replace_stored_records_only_when_asked(tmp_path):
    db = str(tmp_path / "y.duckdb")
    head = "record_id,date,indicator,quantity,beneficiary_name,beneficiary_type\r\n"
    first, fix = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_text(head + "K1,15/03/2023,workshop,1,Sở KH&CN,other\r\n", encoding="utf-8")
    fix.write_text(head + "K1,15/03/2023,workshop,2,Sở KH&CN,other\r\n"
                   "K2,16/03/2023,workshop,1,Sở KH&CN,other\r\n", encoding="utf-8")  # fmt: skip
    assert cli("ingest", str(first), "--db", db).returncode == 0
    refused = cli("ingest", str(fix), "--db", db)
    assert refused.returncode == 1 and "already stored (batch #1)" in refused.stdout
    done = cli("ingest", str(fix), "--corrections", "--json", "--db", db)
    assert done.returncode == 0
    assert json.loads(done.stdout)[0] | {"file": None} == {
        "file": None, "stored": True, "batch_id": 2, "rows": 2, "corrections": 1,
    }  # fmt: skip
    rows = json.loads(cli("history", "K1", "--json", "--db", db).stdout)
    assert [(r["action"], r["quantity"]) for r in rows] == [("added", 1), ("corrected", 2)]


def test_stored_text_in_a_refusal_cannot_drive_the_terminal_and_is_bounded(tmp_path):
    db = stored_workshop(tmp_path)
    hostile = "X\x1b[2J\u202eevil"
    r = cli("void", hostile + "A" * 10_000, "--reason", "x", "--db", db)
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert "\x1b" not in r.stderr and "\u202e" not in r.stderr and "\\x1b[2J" in r.stderr
    assert len(r.stderr) < 1_000
    assert cli("lock", "2021-2025", "--reason", "sent " + hostile, "--db", db).returncode == 0
    for args in (("void", "W-7", "--reason", "x"), ("rollback", "1")):
        r = cli(*args, "--db", db)
        assert r.returncode == 1 and "2021-2025" in r.stderr
        assert "\x1b" not in r.stderr and "\u202e" not in r.stderr and "\\u202eevil" in r.stderr
