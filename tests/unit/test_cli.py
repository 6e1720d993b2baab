"""The admin CLI, run as a real subprocess: exit codes, JSON output, messages, no tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

GOOD = "date,indicator,beneficiary_name,beneficiary_type\r\n15/03/2023,product_standard,A,HTX\r\n"


def cli(*args: str, env_lang: str = "en") -> subprocess.CompletedProcess:
    import os

    env = {**os.environ, "PQTRACK_LANG": env_lang}
    return subprocess.run(
        [sys.executable, "-m", "pqtrack", *args], capture_output=True, text=True, env=env,
        timeout=120,
    )  # fmt: skip


@pytest.fixture
def db(tmp_path):
    return str(tmp_path / "cli.duckdb")


def test_ingest_progress_batches_rollback(tmp_path, db):
    f = tmp_path / "good.csv"
    f.write_text(GOOD, encoding="utf-8")
    r = cli("ingest", str(f), "--db", db, "--user", "an")
    assert r.returncode == 0 and "batch #1" in r.stdout
    r = cli("progress", "--phase", "2021-2025", "--as-of", "2025-12-31", "--json", "--db", db)
    rows = json.loads(r.stdout)
    ps = next(x for x in rows if x["indicator"] == "product_standard")
    assert (ps["target"], ps["actual"], ps["percent"], ps["phase"]) == (75, 1, 1.3, "2021-2025")
    assert len(rows) == 9
    batches = json.loads(cli("batches", "--json", "--db", db).stdout)
    assert batches[0]["batch_id"] == 1 and batches[0]["user_name"] == "an"
    assert cli("rollback", "1", "--db", db).returncode == 0
    r = cli("progress", "--phase", "2021-2025", "--json", "--db", db)
    assert all(x["actual"] == 0 for x in json.loads(r.stdout))


def test_refused_file_lists_every_problem_and_exits_non_zero(tmp_path, db):
    bad = tmp_path / "bad.csv"
    bad.write_text(GOOD + "31/02/2023,foo,,\r\n", encoding="utf-8")
    good = tmp_path / "ok.csv"
    good.write_text(GOOD.replace("15/03", "16/03"), encoding="utf-8")
    r = cli("ingest", str(bad), str(good), "--db", db)
    assert r.returncode == 1
    lines = [ln for ln in r.stdout.splitlines() if ln.startswith(str(bad) + ": Row")]
    assert len(lines) == 2 and "Row 3, column date" in lines[0] + lines[1]
    assert "ok.csv: stored 1 rows" in r.stdout
    assert "Traceback" not in r.stderr


@pytest.mark.parametrize("content", [b"", b"\x00\x01\x02binary", b"PK\x03\x04zip", b"x;y\n1;2\n"])
def test_garbage_never_gives_a_traceback(tmp_path, db, content):
    f = tmp_path / "junk.csv"
    f.write_bytes(content)
    r = cli("ingest", str(f), "--db", db)
    assert r.returncode == 1 and "Traceback" not in r.stderr + r.stdout


def test_missing_file_is_a_message(tmp_path, db):
    r = cli("ingest", str(tmp_path / "nope.csv"), "--db", db)
    assert r.returncode == 1 and "Traceback" not in r.stderr and "nope.csv" in r.stderr


def test_export_and_template(tmp_path, db):
    f = tmp_path / "good.csv"
    f.write_text(GOOD, encoding="utf-8")
    cli("ingest", str(f), "--db", db)
    out = tmp_path / "out.csv"
    r = cli("export", "--out", str(out), "--beneficiary-type", "cooperative", "--db", db)
    assert r.returncode == 0
    assert out.read_bytes().startswith(b"\xef\xbb\xbfrecord_id,date")
    assert out.read_bytes().count(b"\r\n") == 2
    xl = tmp_path / "out.xlsx"
    assert cli("export", "--out", str(xl), "--db", db).returncode == 0
    assert xl.read_bytes()[:2] == b"PK"
    tpl = tmp_path / "tpl.csv"
    assert cli("template", "--out", str(tpl)).returncode == 0
    assert tpl.read_text(encoding="utf-8-sig").startswith("Mã bản ghi,Ngày,Chỉ tiêu")


def test_vietnamese_messages_by_default(tmp_path, db):
    f = tmp_path / "good.csv"
    f.write_text(GOOD, encoding="utf-8")
    r = cli("ingest", str(f), "--db", db, env_lang="vi")
    assert "đã lưu 1 dòng thành đợt #1" in r.stdout


def test_tfp_json_contract():
    r = cli("tfp", "--json")
    out = json.loads(r.stdout)
    years = {y["year"]: y for y in out["years"]}
    assert 2020 not in years  # the base year has no growth
    assert years[2021]["tfp_share"] is None and years[2021]["flag"]
    assert years[2022]["gdp_growth"] == pytest.approx(7.71, abs=0.01)
    y = years[2022]
    # TFP growth = G_Y − b_K·G_K − (1 − b_K)·G_L with the default b_K = 0.3524
    expected = y["gdp_growth"] - 0.3524 * y["capital_growth"] - 0.6476 * y["labour_growth"]
    assert y["tfp_growth"] == pytest.approx(expected, abs=0.01)
    assert {p["phase"] for p in out["phases"]} >= {"2021-2025"}


def test_tfp_capital_share_override_moves_result():
    low = json.loads(cli("tfp", "--json", "--capital-share", "0.25").stdout)
    high = json.loads(cli("tfp", "--json", "--capital-share", "0.5").stdout)
    lo = next(p for p in low["phases"] if p["phase"] == "2021-2025")["tfp_share"]
    hi = next(p for p in high["phases"] if p["phase"] == "2021-2025")["tfp_share"]
    assert lo != hi


def test_tfp_bad_parameter_is_a_message():
    r = cli("tfp", "--capital-share", "1.5")
    assert r.returncode == 2 and "Traceback" not in r.stderr


def test_store_path_that_is_not_a_store_is_a_message(tmp_path):
    notdb = tmp_path / "notes.duckdb"
    notdb.write_text("just some text, not a database")
    for target in (str(tmp_path), str(notdb)):
        r = cli("batches", "--db", target)
        assert r.returncode == 1 and "Traceback" not in r.stderr
        assert "Cannot open the store" in r.stderr


def test_ingest_takes_a_workbook_as_the_upload_page_does(tmp_path, db):
    from pqtrack.ingest import pipeline as ingest
    from pqtrack.ingest import workbook
    from pqtrack.store import Store
    from tests import xlsx_craft

    sent = xlsx_craft.ordinary(
        [
            ["Ngày", "Chỉ tiêu", "Tên đơn vị", "Loại hình", "Ghi chú"],
            ["15/03/2023", "product_standard", "Công ty A", "doanh nghiệp", "tôm khô"],
            ["02/04/2024", "management_system", "HTX B", "hợp tác xã", ""],
        ]
    )
    f = tmp_path / "bao-cao.xlsx"
    f.write_bytes(sent)
    r = cli("ingest", str(f), "--db", db, "--user", "an")
    assert r.returncode == 0 and "stored 2 rows" in r.stdout, r.stdout + r.stderr
    page_db = tmp_path / "page.duckdb"
    page_store = Store(page_db)  # what the upload page does with the same workbook
    rec = workbook.record_file(sent, f.name)
    report = ingest.process(page_store, rec.data, rec.name, user="an", original=rec.original)
    assert report.stored
    page_store.close()
    exports = []
    for target in (db, str(page_db)):
        out = tmp_path / f"{len(exports)}.csv"
        assert cli("export", "--out", str(out), "--db", target).returncode == 0
        exports.append(out.read_bytes())
        store = Store(target)
        assert store.file_bytes(1) == ("bao-cao.xlsx", sent)  # the workbook is the original
        store.close()
    assert exports[0] == exports[1] and exports[0].count(b"\r\n") == 3


def test_ingest_refuses_a_workbook_bomb_with_the_pages_message(tmp_path, db):
    from tests import xlsx_craft

    f = tmp_path / "bom.xlsx"
    f.write_bytes(xlsx_craft.one_cell_bomb(20 * xlsx_craft.MIB))
    r = cli("ingest", str(f), "--db", db, "--json")
    assert r.returncode == 1 and "Traceback" not in r.stderr
    (result,) = json.loads(r.stdout)
    assert result["stored"] is False
    (problem,) = result["problems"]
    assert problem.startswith('Part "xl/worksheets/sheet1.xml" of the Excel file unpacks to 1,0')
    assert problem.endswith(
        "times its packed size (limit 100 times): an abnormal archive, not read."
    )
    r = cli("ingest", str(f), "--db", db, env_lang="vi")
    assert 'bom.xlsx: Phần "xl/worksheets/sheet1.xml" của tệp Excel giải nén ra lớn gấp' in r.stdout


def test_progress_json_says_not_yet_due_for_a_target_due_once(db):
    r = cli("progress", "--phase", "2026-2030", "--as-of", "2026-11-27", "--json", "--db", db)
    rows = {x["indicator"]: x for x in json.loads(r.stdout)}
    assert rows["tfp_assessment"]["status"] == "not_yet_due"
    assert rows["tfp_assessment"]["due_year"] == 2030
    assert rows["workshop"]["status"] == "behind" and rows["workshop"]["due_year"] is None
    text = cli("progress", "--phase", "2026-2030", "--as-of", "2026-11-27", "--db", db).stdout
    assert "Not yet due" in text


def test_progress_text_writes_percentages_the_language_s_way(tmp_path, db):
    f = tmp_path / "good.csv"
    f.write_text(GOOD, encoding="utf-8")
    assert cli("ingest", str(f), "--db", db).returncode == 0
    args = ("progress", "--phase", "2021-2025", "--as-of", "2025-12-31", "--db", db)
    vi = cli(*args, env_lang="vi").stdout
    line = next(x for x in vi.splitlines() if "product_standard" in x)
    assert "1,3 %" in line and "1.3%" not in line  # 1 of 75
    en = cli(*args).stdout
    assert "1.3%" in next(x for x in en.splitlines() if "product_standard" in x)


def test_batches_list_shows_control_characters_in_names_escaped(tmp_path, db):
    # A file name comes from the uploader's browser: an escape sequence in it must not reach
    # the operator's terminal (colours, title, clipboard) when the batches are listed.
    f = tmp_path / "\x1b]0;pwned\x07\x1b[2Jx\u202egnp.csv"
    f.write_text(GOOD, encoding="utf-8")
    assert cli("ingest", str(f), "--db", db).returncode == 0
    out = cli("batches", "--db", db).stdout
    assert "#1" in out
    assert not any(ch in out for ch in "\x1b\x07\u202e")
    assert "\\x1b]0;pwned\\x07\\x1b[2Jx\\u202egnp.csv" in out


def test_ingest_messages_show_control_characters_of_cell_values_escaped(tmp_path, db):
    # Files come from outside; a value quoted in a message (a warning or a refusal) must not
    # send escape sequences to the operator's terminal.
    f = tmp_path / "hostile.csv"
    f.write_text(
        "date,indicator,beneficiary_name,beneficiary_type,locality\r\n"
        "15/03/2023,product_standard,A,HTX,\x1b]0;pwned\x07X\r\n"
        "15/03/2023,nonsense\x1b[31m,A,HTX,\r\n",
        encoding="utf-8",
    )
    r = cli("ingest", str(f), "--db", db)
    assert r.returncode == 1
    assert "nonsense\\x1b[31m" in r.stdout
    assert "\\x1b]0;pwned\\x07X" in r.stderr + r.stdout
    assert "\x1b" not in r.stdout + r.stderr


def test_tfp_text_writes_missing_values_as_a_dash_and_numbers_the_language_s_way():
    vi = cli("tfp", env_lang="vi").stdout
    assert "None" not in vi and vi.strip()
    year = next(x for x in vi.splitlines() if x.startswith("2022"))
    assert "%" in year and not any(f"{d}." in year for d in "0123456789")
    assert "," in year  # Vietnamese decimals
    en = cli("tfp").stdout
    assert "None" not in en
    assert "." in next(x for x in en.splitlines() if x.startswith("2022"))


HEAVY = {"pandas", "numpy", "pyarrow", "duckdb", "openpyxl", "xlsxwriter", "babel", "argon2"}


def imported_by(*args: str) -> set[str]:
    """Return the top-level packages ``python -m pqtrack ARGS`` imports (``-X importtime``)."""
    import os

    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "pqtrack", *args], capture_output=True,
        text=True, env={**os.environ, "PQTRACK_LANG": "en"}, timeout=120,
    )  # fmt: skip
    assert "Traceback" not in done.stderr
    return {
        line.rsplit("|", 1)[1].strip().split(".")[0]
        for line in done.stderr.splitlines()
        if line.startswith("import time:")
    }


@pytest.mark.parametrize("args", [["--help"], ["report", "--help"], ["user", "add", "--help"]])
def test_help_imports_no_data_library(args):
    modules = imported_by(*args)
    assert "pqtrack" in modules  # the listing is real
    assert modules & HEAVY == set()


def test_template_imports_no_data_library(tmp_path):
    """The template is the record contract's header line: no pandas, no store for it."""
    out = tmp_path / "mau.csv"
    modules = imported_by("template", "--out", str(out))
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")  # the file is written
    assert "pqtrack" in modules
    assert modules & HEAVY == set()


def test_tfp_of_a_named_macro_file_does_not_open_the_store():
    shipped = Path(__file__).resolve().parents[2] / "data" / "macro" / "soc_trang_macro.csv"
    assert "duckdb" not in imported_by("tfp", "--json", "--macro", str(shipped))
