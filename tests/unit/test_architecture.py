"""Layering rules: who may import duckdb and streamlit, thin pages, bound SQL values."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PKG = ROOT / "src" / "pqtrack"
GLUE = PKG / "ui"  # the one Streamlit glue package: cached store, widgets, session


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module.split(".")[0])
    return found


def package_files() -> list[Path]:
    return sorted(PKG.rglob("*.py"))


def test_only_the_store_imports_duckdb():
    offenders = [
        p.relative_to(ROOT) for p in package_files()
        if "duckdb" in imports(p) and PKG / "store" not in p.parents
    ]  # fmt: skip
    assert offenders == []


def test_package_does_not_import_streamlit_except_glue():
    offenders = [
        p.relative_to(ROOT) for p in package_files()
        if "streamlit" in imports(p) and GLUE not in p.parents
    ]  # fmt: skip
    assert offenders == []


def test_pages_hold_no_sql_and_no_duckdb():
    sql = re.compile(r"\b(SELECT|INSERT|DELETE|UPDATE)\b[^\"]*\b(FROM|INTO|SET|WHERE)\b")
    for page in [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py"))]:
        if not page.exists():
            continue
        text = page.read_text(encoding="utf-8")
        assert "duckdb" not in imports(page), page
        assert not sql.search(text), page


def _formatted_sql_values(path: Path) -> list[int]:
    """Lines where an f-string / format / % builds SQL from something not allow-listed."""
    bad = []
    tree = ast.parse(path.read_text(encoding="utf-8"))
    lines = path.read_text(encoding="utf-8").splitlines()
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            text = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
            if re.search(r"\b(SELECT|INSERT|DELETE|UPDATE|WHERE|FROM)\b", text):
                line = lines[node.lineno - 1]
                if "noqa: S608" not in line and "allow-list" not in line:
                    bad.append(node.lineno)
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "format"
            and isinstance(node.func.value, ast.Constant)
            and re.search(r"\b(SELECT|INSERT|DELETE|UPDATE)\b", str(node.func.value.value))
        ):
            bad.append(node.lineno)
    return bad


def test_sql_values_are_never_formatted_into_strings():
    offenders = {
        str(p.relative_to(ROOT)): lines
        for p in package_files()
        if (lines := _formatted_sql_values(p))
    }
    assert offenders == {}


def test_the_sql_check_catches_a_formatted_value(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text('def f(con, name):\n    con.execute(f"SELECT * FROM t WHERE n = {name}")\n')
    assert _formatted_sql_values(bad) == [2]


def test_numbers_are_written_only_by_the_numbers_module():
    # A grouping format ("%,d", f"{x:,}", "%{y:,.0f}"), a Styler precision or an Excel
    # number format outside pqtrack.numbers would write numbers its own way.
    spec = re.compile(
        r"%,[0-9.]*[df]|\{[^{}]*:,[.0-9]*[df]?\}|format\(precision=|#,##0|0\.0%|dd/mm/yyyy"
    )
    offenders = [
        f"{path.relative_to(ROOT)}: {match.group(0)}"
        for path in [*package_files(), *sorted((ROOT / "pages").glob("*.py"))]
        if path.name != "numbers.py"
        for match in spec.finditer(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
