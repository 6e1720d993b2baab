"""The SQL guard: SQL text is built only from literals, allow-listed names and bound values.

It reads the package's source (AST) and follows every piece of SQL text back to where it
comes from: a string literal; a name bound, in its function or module, only to such
pieces; a loop over them; a function returning only them; a parameter every caller in the
package fills with them; or an entry of ``ALLOWED`` (each with its reason). Anything
else — a parameter from outside, an attribute of an object, a call result — fails,
whether it is put in with ``+``, ``%``, an f-string, ``.format`` or ``.join``; no comment
exempts a line.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from pathlib import Path

# Calls that take SQL text as their first argument.
SQL_CALLS = {"execute", "executemany", "sql", "query_df", "query_rows", "scalar"}
SQL_WORDS = re.compile(r"\b(SELECT|INSERT|DELETE|UPDATE|WHERE|FROM|CREATE|DROP|ALTER|JOIN)\b")
# Calls whose result holds no text from outside when their arguments hold none.
PURE_CALLS = {
    "str", "tuple", "list", "dict", "sorted", "reversed", "enumerate", "zip", "range", "ord",
    "fromkeys", "items", "values", "keys", "get", "replace", "strip", "upper", "lower", "split",
    "min", "max",
}  # fmt: skip
NUMBER_CALLS = {"len", "int"}  # numbers (of items, of phases): no text at all
BUILTINS = {"dict", "str", "tuple", "list"}  # as in ``dict.fromkeys(...)``
# What the guard cannot follow, each with why it holds no outside text: ``name.field`` of
# any variable so named, or ``function.parameter``.
ALLOWED: dict[str, str] = {
    "layout.mapping": "column number -> contract column name: ingest maps each header "
    "through its header lookup and keeps only the contract names it gives",
    "layout.ncols": "a number of columns",
    "chunk.width": "a number of columns",
    "breakdown.dimension": "looked up in DIMENSIONS first (a KeyError for anything else)",
}


class Package:
    """The package's modules, their functions and every call, by name."""

    def __init__(self, root: Path, files: Iterable[Path] | None = None) -> None:
        self.root = root
        self.modules = {p: Module(self, p) for p in (files or sorted(root.rglob("*.py")))}
        self.functions: dict[str, list[tuple[Module, ast.FunctionDef]]] = {}
        self.calls: dict[str, list[tuple[Module, ast.Call]]] = {}
        self.classes: set[str] = set()
        for mod in self.modules.values():
            for node in ast.walk(mod.tree):
                if isinstance(node, ast.ClassDef):
                    self.classes.add(node.name)
                elif isinstance(node, ast.FunctionDef):
                    self.functions.setdefault(node.name, []).append((mod, node))
                elif isinstance(node, ast.Call):
                    self.calls.setdefault(_called(node), []).append((mod, node))

    def module_named(self, dotted: str) -> Module | None:
        """Return the package module ``pqtrack.a.b`` if it is one of ours."""
        parts = dotted.split(".")[1:]
        for path in (self.root.joinpath(*parts).with_suffix(".py"),
                     self.root.joinpath(*parts, "__init__.py")):  # fmt: skip
            if path in self.modules:
                return self.modules[path]
        return None


class Module:
    """One source file: its tree and each node's parent."""

    def __init__(self, pkg: Package, path: Path) -> None:
        self.pkg, self.path = pkg, path
        self.tree = ast.parse(path.read_text(encoding="utf-8"))
        self.parent = {c: n for n in ast.walk(self.tree) for c in ast.iter_child_nodes(n)}
        self._bound: dict[tuple[int, str], list[ast.AST]] = {}

    def bound(self, scope: ast.AST, name: str) -> list[ast.AST]:
        """Return what ``scope`` binds to ``name`` (at module level: outside functions)."""
        key = (id(scope), name)
        if key not in self._bound:
            tops = [scope] if not isinstance(scope, ast.Module) else [
                t for t in scope.body if not isinstance(t, ast.FunctionDef | ast.ClassDef)
            ]  # fmt: skip
            self._bound[key] = [v for t in tops for n in ast.walk(t) for v in _binds(n, name)]
        return self._bound[key]

    def scopes(self, node: ast.AST) -> list[ast.AST]:
        """Return the functions enclosing ``node``, innermost first, then the module."""
        out = []
        while node in self.parent:
            node = self.parent[node]
            if isinstance(node, ast.FunctionDef | ast.Lambda):
                out.append(node)
        return [*out, self.tree]


def _called(call: ast.Call) -> str:
    func = call.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")


def _params(fn: ast.FunctionDef | ast.Lambda) -> list[str]:
    a = fn.args
    return [p.arg for p in [*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg] if p]


def _binds(node: ast.AST, name: str) -> list[ast.AST]:
    """Return what ``node`` binds to ``name`` (for a loop: what it iterates)."""

    def hit(target: ast.AST) -> bool:
        return any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(target))

    if isinstance(node, ast.Assign) and any(hit(t) for t in node.targets):
        for t in node.targets:  # ``a, b = f()``: only ``f``'s returned item at a's place
            if isinstance(t, ast.Tuple) and any(hit(e) for e in t.elts):
                k = next(i for i, e in enumerate(t.elts) if hit(e))
                if isinstance(node.value, ast.Tuple):
                    return [node.value.elts[k]]
                return [ast.Subscript(value=node.value, slice=ast.Constant(k))]
        return [node.value]
    if isinstance(node, ast.AnnAssign | ast.AugAssign) and hit(node.target):
        return [node.value] if node.value else []
    if isinstance(node, ast.For | ast.comprehension) and hit(node.target):
        counted = isinstance(node.iter, ast.Call) and _called(node.iter) == "enumerate"
        first = isinstance(node.target, ast.Tuple) and hit(node.target.elts[0])
        return [ast.Constant(0)] if counted and first else [node.iter]  # enumerate's count
    if isinstance(node, ast.NamedExpr) and node.target.id == name:
        return [node.value]
    if isinstance(node, ast.ImportFrom) and node.module:
        return [node for a in node.names if (a.asname or a.name) == name]
    return []


class Guard:
    """Decides whether an expression can carry text from outside into SQL."""

    def __init__(self, pkg: Package) -> None:
        self.pkg = pkg
        self.seen: set[object] = set()

    def safe(self, node: ast.AST | None, mod: Module) -> bool:
        """Whether ``node`` yields only literal text and allow-listed pieces."""
        key = (mod.path, id(node))
        if node is None or key in self.seen:
            return True  # nothing, or a cycle whose other paths decide
        self.seen.add(key)
        try:
            return self._safe(node, mod)
        finally:
            self.seen.discard(key)

    def _all(self, nodes: Iterable[ast.AST | None], mod: Module) -> bool:
        return all(self.safe(n, mod) for n in nodes)

    def _safe(self, node: ast.AST, mod: Module) -> bool:
        if isinstance(node, ast.Constant):
            return True
        if isinstance(node, ast.JoinedStr):
            return self._all(
                (v.value for v in node.values if isinstance(v, ast.FormattedValue)), mod
            )
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Mod):
            return self._all((node.left, node.right), mod)
        if isinstance(node, ast.Tuple | ast.List | ast.Set):
            return self._all(node.elts, mod)
        if isinstance(node, ast.Dict):
            return self._all([*node.keys, *node.values], mod)
        if isinstance(node, ast.BoolOp):
            return self._all(node.values, mod)
        if isinstance(node, ast.IfExp):
            return self._all((node.body, node.orelse), mod)
        if isinstance(node, ast.GeneratorExp | ast.ListComp | ast.SetComp):
            return self.safe(node.elt, mod)
        if isinstance(node, ast.DictComp):
            return self._all((node.key, node.value), mod)
        if (
            isinstance(node, ast.Subscript)
            and isinstance(node.value, ast.Call)
            and isinstance(node.slice, ast.Constant)
        ):
            return self._call(node.value, mod, node.slice.value)
        if isinstance(node, ast.Subscript | ast.Starred):
            return self.safe(node.value, mod)  # a lookup in an allow-list yields its items
        if isinstance(node, ast.Attribute):
            return self._attribute(node, mod)
        if isinstance(node, ast.Call):
            return self._call(node, mod)
        if isinstance(node, ast.Name):
            return self._name(node.id, node, mod)
        return False

    def _attribute(self, node: ast.Attribute, mod: Module) -> bool:
        """``module.NAME`` is followed into that module; ``item.field`` of a safe item is safe."""
        if isinstance(node.value, ast.Name):
            dotted = f"{node.value.id}.{node.attr}"
            if dotted in ALLOWED:
                return True
            other = self._module_of(node.value.id, node, mod)
            if other is not None:
                return self._name(node.attr, other.tree, other)
        return self.safe(node.value, mod)

    def _module_of(self, name: str, node: ast.AST, mod: Module) -> Module | None:
        for imp in (n for s in mod.scopes(node) for n in ast.walk(s)):
            if isinstance(imp, ast.ImportFrom) and imp.module:
                for a in imp.names:
                    if (a.asname or a.name) == name:
                        return self.pkg.module_named(f"{imp.module}.{a.name}")
        return None

    def _call(self, node: ast.Call, mod: Module, item: object = None) -> bool:
        name = _called(node)
        args = [*node.args, *(k.value for k in node.keywords)]
        if name in NUMBER_CALLS:
            return True
        if isinstance(node.func, ast.Attribute) and (
            name in PURE_CALLS or name in {"format", "join"}
        ):
            return self.safe(node.func.value, mod) and self._all(args, mod)
        if name in PURE_CALLS or name in self.pkg.classes:
            return self._all(args, mod)  # a record of ours holds what it is given
        found = self.pkg.functions.get(name, [])
        returns = [
            (m, r.value) for m, fn in found for r in ast.walk(fn) if isinstance(r, ast.Return)
        ]  # a function of ours: safe when everything it returns is
        if isinstance(item, int):  # one item of the tuples it returns
            returns = [
                (m, v.elts[item] if isinstance(v, ast.Tuple) and item < len(v.elts) else v)
                for m, v in returns
            ]
        return bool(returns) and all(self.safe(v, m) for m, v in returns)

    def _name(self, name: str, node: ast.AST, mod: Module) -> bool:
        if name in BUILTINS:
            return True
        for scope in mod.scopes(node) if node is not mod.tree else [mod.tree]:
            if not isinstance(scope, ast.Module) and name in _params(scope):
                return self._parameter(scope, name, mod)
            values = mod.bound(scope, name)
            if values:
                return all(self._value(v, name, mod) for v in values)
        return False  # a builtin or a name from nowhere: not allow-listed

    def _value(self, value: ast.AST, name: str, mod: Module) -> bool:
        if isinstance(value, ast.ImportFrom):  # followed into our own modules only
            alias = next(a for a in value.names if (a.asname or a.name) == name)
            other = self.pkg.module_named(value.module or "")
            return other is not None and self._name(alias.name, other.tree, other)
        return self.safe(value, mod)

    def _parameter(self, fn: ast.AST, name: str, mod: Module) -> bool:
        """A parameter is safe when every call in the package passes a safe value (or none)."""
        if isinstance(fn, ast.Lambda):
            return False
        if fn.name in SQL_CALLS or f"{fn.name}.{name}" in ALLOWED:
            return True  # the gateway's SQL: each call of it is checked
        params = _params(fn)
        index = params.index(name) - (1 if params[:1] in (["self"], ["cls"]) else 0)
        calls = self.pkg.calls.get(fn.name, [])
        if not calls:
            return False
        positional = [p.arg for p in [*fn.args.posonlyargs, *fn.args.args]]
        defaults = dict(zip(reversed(positional), reversed(fn.args.defaults), strict=False))
        defaults |= {p.arg: d for p, d in zip(fn.args.kwonlyargs, fn.args.kw_defaults, strict=True)}
        for m, call in calls:
            given = [k.value for k in call.keywords if k.arg == name]
            if not given and 0 <= index < len(call.args):
                given = [call.args[index]]
            if any(isinstance(a, ast.Starred) for a in call.args[: index + 1]) or any(
                k.arg is None for k in call.keywords
            ):
                return False  # ``*args`` or ``**kwargs``: the value cannot be followed
            if not given:
                given = [defaults.get(name)]
            if not self._all(given, m):
                return False
        return True


def _sql_text(node: ast.AST) -> bool:
    return any(
        isinstance(n, ast.Constant) and isinstance(n.value, str) and SQL_WORDS.search(n.value)
        for n in ast.walk(node)
    )


def _assembles(node: ast.AST) -> bool:
    """Whether ``node`` assembles text: f-string, ``+``, ``%``, ``.format`` or ``.join``."""
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(v, ast.FormattedValue) for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Mod):
        return True
    return isinstance(node, ast.Call) and _called(node) in {"format", "join"}


def unsafe_sql(pkg: Package) -> dict[str, list[int]]:
    """Return, per file, the lines where SQL text is built from something not allow-listed."""
    guard = Guard(pkg)
    out: dict[str, list[int]] = {}
    for path, mod in pkg.modules.items():
        bad: set[int] = set()
        for node in ast.walk(mod.tree):
            if isinstance(node, ast.Call) and _called(node) in SQL_CALLS and node.args:
                expr = node.args[0]
            elif _assembles(node) and _sql_text(node):
                expr = node
            else:
                continue
            if not guard.safe(expr, mod):
                bad.add(expr.lineno)
        if bad:
            out[path.name if path.parent == pkg.root else str(path.relative_to(pkg.root))] = sorted(
                bad
            )
    return out
