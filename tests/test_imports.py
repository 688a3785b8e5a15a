"""The shape of the package: no import circle, a dozen modules at the top, none over ~400 lines."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import ROOT

KG = ROOT / "kg"
MOST_LINES = 420  # "about 400"


def _modules() -> dict[str, Path]:
    found = {}
    for path in KG.rglob("*.py"):
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        found[name.removesuffix(".__init__")] = path
    return found


def _imports(modules: dict[str, Path]) -> dict[str, set[str]]:
    """Each module's kg modules, imported anywhere in it (a function's lazy import too)."""
    edges: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                for alias in node.names:
                    full = f"{node.module}.{alias.name}"
                    edges[name].add(full if full in modules else node.module)
            elif isinstance(node, ast.Import):
                edges[name].update(a.name for a in node.names)
        edges[name] &= set(modules)
    return edges


def _circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in sorted(edges[node]):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_no_module_imports_itself_back() -> None:
    edges = _imports(_modules())
    assert _circles(edges) == []
    # The finder finds one when there is one.
    assert _circles({**edges, "kg.text": {"kg.graph.iri"}}) == [["kg.graph.iri", "kg.text"]]


def test_the_stages_import_down_never_up() -> None:
    edges = _imports(_modules())
    for name, imported in edges.items():
        if name.startswith("kg.extract"):
            assert not {m for m in imported if m.startswith(("kg.graph", "kg.write"))}, name
        if name.startswith("kg.write"):
            assert not {m for m in imported if m.startswith(("kg.build", "kg.cli"))}, name
        if not name.startswith(("kg.cli", "kg.__main__")):
            assert not {m for m in imported if m.startswith("kg.cli")}, name


def test_a_dozen_modules_at_the_top_none_over_about_400_lines() -> None:
    modules = _modules()
    top = sorted(path.name for path in modules.values() if path.parent == KG)
    assert len(top) <= 12, top
    long = {
        n: lines
        for n, p in modules.items()
        if (lines := len(p.read_text().splitlines())) > MOST_LINES
    }
    assert long == {}
