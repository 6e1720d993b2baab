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
