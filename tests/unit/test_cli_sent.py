"""Sent reports and figures as they stood, through the CLI as a real subprocess."""

from __future__ import annotations

import argparse
import io
import json
import time
from datetime import datetime

import openpyxl
import pytest

from pqtrack.cli.args import parse_moment
from tests.unit.test_cli import cli

HEAD = "record_id,date,indicator,quantity,beneficiary_name,beneficiary_type\r\n"


def write(tmp_path, name: str, rows: str):
    path = tmp_path / name
    path.write_text(HEAD + rows, encoding="utf-8")
    return str(path)


def actuals(xlsx) -> dict[str, object]:
    ws = openpyxl.load_workbook(io.BytesIO(xlsx.read_bytes()), data_only=True)["Indicators"]
    return {r[1]: r[4] for r in ws.iter_rows(min_row=5, values_only=True) if r[1]}


def test_register_change_everything_then_reissue_and_drift(tmp_path):
    db = str(tmp_path / "s.duckdb")
    a = write(tmp_path, "a.csv", "A1,15/03/2023,product_standard,3,Co A,enterprise\r\n"
                                 "A2,16/03/2023,workshop,2,Co B,enterprise\r\n"
                                 "A3,17/03/2023,expert_trained,4,Co C,enterprise\r\n")  # fmt: skip
    assert cli("ingest", a, "--db", db).returncode == 0  # batch 1
    sent_file = tmp_path / "sent.xlsx"
    r = cli("report", "--phase", "2021-2025", "--as-of", "2025-12-31", "--lang", "en",
            "--out", str(sent_file), "--register", "--user", "an", "--db", db)  # fmt: skip
    assert r.returncode == 0 and "Registered as sent report #1" in r.stdout
    fix = write(tmp_path, "fix.csv", "A1,15/03/2023,product_standard,5,Co A,enterprise\r\n")
    assert cli("ingest", fix, "--corrections", "--db", db).returncode == 0  # batch 2
    assert cli("void", "A2", "--reason", "held twice", "--db", db).returncode == 0  # batch 3
    new = write(tmp_path, "new.csv", "N1,20/05/2024,expert_trained,6,Co D,enterprise\r\n")
    assert cli("ingest", new, "--db", db).returncode == 0  # batch 4
    gone = write(tmp_path, "gone.csv", "G1,21/05/2024,workshop,9,Co E,enterprise\r\n")
    assert cli("ingest", gone, "--db", db).returncode == 0  # batch 5
    assert cli("rollback", "5", "--db", db).returncode == 0

    listed = json.loads(cli("reports", "--json", "--db", db).stdout)
    assert [(x["id"], x["phase"], x["as_of"], x["user"]) for x in listed] == [
        (1, "2021-2025", "2025-12-31", "an")
    ]
    figures = listed[0]["figures"]
    assert (figures["product_standard"], figures["workshop"], figures["expert_trained"]) == (
        3,
        2,
        4,
    )

    again = tmp_path / "again.xlsx"
    r = cli("report", "--reissue", "1", "--out", str(again), "--db", db)
    assert r.returncode == 0, r.stderr
    assert actuals(again) == actuals(sent_file)
    label = "Products and goods supported to apply standards or meet regulations"
    assert actuals(again)[label] == 3

    drift = json.loads(cli("drift", "1", "--json", "--db", db).stdout)
    assert drift == {
        "report_id": 1,
        "indicators": [
            {"indicator": "expert_trained", "reported": 4, "now": 10, "batches": [4]},
            {"indicator": "product_standard", "reported": 3, "now": 5, "batches": [2]},
            {"indicator": "workshop", "reported": 2, "now": 0, "batches": [3]},
        ],
    }
    vi = cli("drift", "1", "--db", db, env_lang="vi").stdout
    assert "báo cáo 3, hiện nay 5 (do đợt #2)" in vi


def progress(db: str, *extra: str) -> dict[str, int]:
    r = cli("progress", "--phase", "2021-2025", "--as-of", "2025-12-31", "--json",
            "--db", db, *extra)  # fmt: skip
    assert r.returncode == 0, r.stderr
    return {x["indicator"]: x["actual"] for x in json.loads(r.stdout)}


def test_figures_stored_at_a_moment_equal_what_the_cli_printed_then(tmp_path):
    db = str(tmp_path / "s.duckdb")
    printed: list[tuple[str, dict]] = []

    def note() -> None:
        shown = progress(db)
        time.sleep(0.02)
        printed.append((datetime.now().isoformat(), shown))
        time.sleep(0.02)

    note()
    a = write(tmp_path, "a.csv", "A1,15/03/2023,product_standard,3,Co A,enterprise\r\n"
                                 "A2,16/03/2023,workshop,2,Co B,enterprise\r\n")  # fmt: skip
    cli("ingest", a, "--db", db)
    note()
    fix = write(tmp_path, "fix.csv", "A1,15/03/2023,product_standard,7,Co A,enterprise\r\n")
    cli("ingest", fix, "--corrections", "--db", db)
    note()
    cli("void", "A2", "--reason", "twice", "--db", db)
    note()
    cli("rollback", "2", "--db", db)
    note()
    assert [p[1]["product_standard"] for p in printed] == [0, 3, 7, 7, 3]
    assert [p[1]["workshop"] for p in printed] == [0, 2, 2, 0, 0]
    for at, shown in printed:
        assert progress(db, "--stored-at", at) == shown, at
    # The export as it stood after the correction holds the corrected quantity.
    out = tmp_path / "then.csv"
    r = cli("export", "--out", str(out), "--stored-at", printed[2][0], "--db", db)
    assert r.returncode == 0, r.stderr
    text = out.read_text(encoding="utf-8-sig")
    assert "A1" in text and ",7," in text and "A2" in text


def test_a_bad_moment_is_a_usage_error_in_the_users_language(tmp_path):
    r = cli("progress", "--phase", "2021-2025", "--stored-at", "hôm qua",
            "--db", str(tmp_path / "s.duckdb"), env_lang="vi")  # fmt: skip
    assert (
        r.returncode == 2 and "Thời điểm không hợp lệ" in r.stderr and "Traceback" not in r.stderr
    )
    r = cli("report", "--out", str(tmp_path / "x.xlsx"), "--db", str(tmp_path / "s.duckdb"))
    assert r.returncode == 2 and "--phase" in r.stderr
    r = cli("report", "--reissue", "9", "--out", str(tmp_path / "x.xlsx"),
            "--db", str(tmp_path / "s.duckdb"))  # fmt: skip
    assert r.returncode == 1 and r.stderr.strip() == "There is no sent report #9."


@pytest.mark.parametrize(
    "value", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00", "2026-02-30T10:00"]
)
def test_a_moment_out_of_range_is_refused_not_a_traceback(value):
    with pytest.raises(argparse.ArgumentTypeError) as err:
        parse_moment(value)
    assert value in str(err.value)


def test_a_reissue_takes_no_phase_date_or_language(tmp_path):
    r = cli("report", "--reissue", "1", "--phase", "2021-2025", "--out", str(tmp_path / "x.xlsx"),
            "--db", str(tmp_path / "s.duckdb"))  # fmt: skip
    assert r.returncode == 2 and "--phase" in r.stderr and "Traceback" not in r.stderr
