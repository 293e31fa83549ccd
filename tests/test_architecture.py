"""docs/architecture.md holds true of the package: every module is listed in it, no two modules
import each other, and a module imports inside a function only where the page says why."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from support.paths import ROOT

DOC = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
MODULES = {".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__"): p
           for p in sorted((ROOT / "toolkit").rglob("*.py"))}


def _top_level_imports(path: Path) -> set[str]:
    """The toolkit modules ``path`` imports when it is imported (not those only type checkers read)."""
    found = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("toolkit"):
            for alias in node.names:
                name = f"{node.module}.{alias.name}"
                found.add(name if name in MODULES else node.module)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("toolkit")}
    return found & set(MODULES)


def test_every_module_is_listed() -> None:
    listed = set(re.findall(r"^(?:\| |- )`([a-z_.]+)`", DOC, re.M))  # a table's row or a list's item
    packages = {m for m, p in MODULES.items() if p.name == "__init__.py" and m != "toolkit"}
    missing = [m for m in MODULES if m not in packages and m not in listed and m.rpartition(".")[2] not in listed]
    assert missing == [], "add a line for each to docs/architecture.md"


def test_no_import_cycle() -> None:
    graph = {m: _top_level_imports(p) for m, p in MODULES.items()}
    state: dict[str, int] = {}

    def visit(m: str, path: list[str]) -> None:
        state[m] = 1
        for n in sorted(graph[m]):
            assert state.get(n) != 1, " -> ".join([*path[path.index(n):], n]) if n in path else n
            if n not in state:
                visit(n, [*path, n])
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m, [m])


def test_imports_inside_functions_only_where_the_page_says_why() -> None:
    section = DOC.split("## Imports inside functions", 1)[1].split("\n## ", 1)[0]
    named = set(re.findall(r"`(toolkit(?:\.[a-z_]+)+)`", section))
    inside = set()
    for m, path in MODULES.items():
        for fn in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)) and any(
                    isinstance(n, (ast.Import, ast.ImportFrom)) for n in ast.walk(fn)):
                inside.add(m)
    assert inside - named == set(), "move the import to the top, or say why in docs/architecture.md"
