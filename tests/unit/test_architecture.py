"""Layering rules: who may import duckdb and streamlit, thin pages, bound SQL values."""

from __future__ import annotations

import ast
import re
import textwrap
from pathlib import Path

import pytest

from tests import sqlguard

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


def pqtrack_imports(path: Path) -> set[str]:
    """Return the full names of the pqtrack modules a script imports (``from a import b``: a.b).

    Imports under ``if TYPE_CHECKING:`` are only annotations and are left out.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {
        id(n)
        for block in ast.walk(tree)
        if isinstance(block, ast.If) and getattr(block.test, "id", None) == "TYPE_CHECKING"
        for n in ast.walk(block)
    }
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.update(f"{node.module}.{a.name}" for a in node.names)
    return {name for name in found if name.split(".")[0] == "pqtrack"}


PAGE_SCRIPTS = [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py"))]
# The Streamlit glue that pages call for sessions and batches: the service and ui only too.
GLUE_SCRIPTS = [
    PKG / "ui" / name
    for name in ("batches.py", "session.py", "record_form.py", "record_versions.py")
]


@pytest.mark.parametrize("page", PAGE_SCRIPTS + GLUE_SCRIPTS, ids=lambda p: p.name)
def test_pages_import_only_the_service_and_ui(page):
    allowed = ("pqtrack.service", "pqtrack.ui", "pqtrack.i18n")
    used = pqtrack_imports(page)
    assert used, page  # the check is real: the script does use pqtrack
    others = sorted(
        name for name in used if not any(name == a or name.startswith(a + ".") for a in allowed)
    )
    assert others == []


def test_the_page_import_check_sees_lower_layers(tmp_path):
    page = tmp_path / "page.py"
    page.write_text(
        "from pqtrack import ui, service\nfrom pqtrack.ui import session\n"
        "import pqtrack.service.records\nfrom pqtrack import store\n"
        "from pqtrack.figures import queries\nimport pqtrack.domain.plan\n",
        encoding="utf-8",
    )
    assert pqtrack_imports(page) == {
        "pqtrack.ui", "pqtrack.service", "pqtrack.ui.session", "pqtrack.service.records",
        "pqtrack.store", "pqtrack.figures.queries", "pqtrack.domain.plan",
    }  # fmt: skip


def ui_names_used(path: Path) -> set[str]:
    """Return the names a script takes from the ``pqtrack.ui`` facade (``ui.x``, ``from … import``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "pqtrack.ui":
            found.update(a.name for a in node.names)
        elif (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "ui"
        ):
            found.add(node.attr)
    return found


def test_the_ui_facade_has_every_name_pages_and_glue_take_from_it():
    import pqtrack.ui

    scripts = [*PAGE_SCRIPTS, *sorted((PKG / "ui").glob("*.py"))]
    missing = sorted(
        f"{path.name}: {name}"
        for path in scripts
        for name in ui_names_used(path)
        if not hasattr(pqtrack.ui, name) and not (PKG / "ui" / f"{name}.py").exists()
    )
    assert missing == []


def test_sql_is_built_only_from_literals_allow_lists_and_bound_values():
    assert sqlguard.unsafe_sql(sqlguard.Package(PKG)) == {}


def _guard(tmp_path: Path, source: str) -> list[int]:
    """Return the lines the SQL guard flags in a module of ``source`` alone."""
    (tmp_path / "mod.py").write_text(textwrap.dedent(source), encoding="utf-8")
    return sqlguard.unsafe_sql(sqlguard.Package(tmp_path)).get("mod.py", [])


@pytest.mark.parametrize(
    "built",
    [
        '"SELECT * FROM t WHERE x = \'" + name + "\'"',
        "f\"SELECT * FROM t WHERE x = '{name}'\"",
        "\"SELECT * FROM t WHERE x = '{}'\".format(name)",
        "\"SELECT * FROM t WHERE x = '%s'\" % name",
        '" ".join(["SELECT * FROM t WHERE x =", name])',
    ],
)
def test_the_sql_guard_catches_a_value_put_into_sql(tmp_path, built):
    flagged = _guard(
        tmp_path,
        f"""
        def find(cur, name):
            return cur.execute({built}).fetchall()
        """,
    )
    assert flagged == [3]


def test_the_sql_guard_follows_a_value_through_names_and_helpers(tmp_path):
    flagged = _guard(
        tmp_path,
        """
        import os

        WHERE = "WHERE x = " + os.environ["X"]


        def clause(value):
            return "x = " + value


        def order_by(order=os.environ["ORDER"]):
            return " ORDER BY " + order


        def run(cur, name):
            sql = "SELECT * FROM t " + WHERE
            cur.execute(sql)
            cur.execute("SELECT * FROM t WHERE " + clause(name))
            cur.execute("SELECT * FROM t" + order_by())
            cur.execute("SELECT * FROM t WHERE x = " + name)  # noqa: S608 (ruff's, not ours)
        """,
    )
    assert flagged == [4, 16, 17, 18, 19, 20]


def test_the_sql_guard_passes_allow_listed_names_and_bound_values(tmp_path):
    flagged = _guard(
        tmp_path,
        """
        COLUMNS = ("a", "b")
        ORDER = {"new": "date DESC", "old": "date"}


        def column_list(prefix):
            return ", ".join(prefix + c for c in COLUMNS)


        def run(cur, name, order):
            sql = "SELECT " + column_list("t.") + " FROM t WHERE x = ? ORDER BY "
            cur.execute(sql + ORDER[order], [name])
            cur.execute(f"SELECT {column_list('')} FROM t WHERE x = $x", {"x": name})
        """,
    )
    assert flagged == []


def test_numbers_are_written_only_by_the_numbers_module():
    # A grouping format ("%,d", f"{x:,}", "%{y:,.0f}"), a Styler precision or an Excel
    # number format outside pqtrack.presentation.numbers would write numbers its own way.
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
