"""`intake_tui.core` stays pure: no UI, SQL or HTTP library comes with it (DESIGN.md §2)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from .conftest import REPO

CHECK = """
import sys
import intake_tui.core
import intake_tui.core.engine, intake_tui.core.expressions, intake_tui.core.questionnaire
import intake_tui.core.translations, intake_tui.core.values, intake_tui.core.clock
heavy = sorted(m for m in ("textual", "sqlalchemy", "sqlmodel", "httpx", "fastapi", "rich")
               if m in sys.modules)
print(",".join(heavy))
"""


def test_core_imports_without_textual_sqlalchemy_or_httpx() -> None:
    result = subprocess.run(
        [sys.executable, "-c", CHECK], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == ""


def test_importing_the_cli_loads_no_heavy_library() -> None:
    code = (
        "import sys, intake_tui.cli; "
        "print(','.join(m for m in ('pydantic', 'yaml', 'babel', 'textual') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == ""


def test_the_path_to_the_first_screen_loads_no_data_libraries() -> None:
    # The TUI's first frame must not wait for pydantic, SQLAlchemy or the crypto libraries.
    code = (
        "import sys, intake_tui.ui.app, intake_tui.ui.screens.unlock; "
        "print(','.join(m for m in ('pydantic', 'sqlalchemy', 'sqlmodel', 'cryptography', "
        "'argon2', 'yaml', 'httpx') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == ""


# -- import cycles ---------------------------------------------------------------------------
# No module imports one that imports it back (../shared/STYLE.md): widgets and screens talk up
# with messages and the typed app view (ui/base.py), not with imports of the app. An import
# inside a function counts too (it is a circle that only closes later); one under
# `if TYPE_CHECKING:` does not (it never runs).


def import_graph(root: Path, package: str) -> dict[str, set[str]]:
    """Each module of `package` (a folder under `root`) → the modules of it that it imports."""
    paths = {
        ".".join(p.relative_to(root).with_suffix("").parts).removesuffix(".__init__"): p
        for p in (root / package.replace(".", "/")).rglob("*.py")
    }

    def known(name: str) -> str | None:  # `from a.b import c`: module a.b.c, or else a.b
        while name and name not in paths:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {}
    for module, path in paths.items():
        here = module if path.name == "__init__.py" else module.rpartition(".")[0]
        targets: set[str | None] = set()
        pending: list[ast.AST] = [ast.parse(path.read_text(encoding="utf-8"))]
        while pending:
            node = pending.pop()
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.If) and ast.unparse(child.test) in (
                    "TYPE_CHECKING",
                    "typing.TYPE_CHECKING",
                ):
                    pending.append(ast.Module(child.orelse, []))
                    continue
                if isinstance(child, ast.Import):
                    targets.update(known(alias.name) for alias in child.names)
                elif isinstance(child, ast.ImportFrom):
                    base = child.module or ""
                    if child.level:
                        parent = here.split(".")[: len(here.split(".")) - child.level + 1]
                        base = ".".join([*parent, *([base] if base else [])])
                    targets.update(known(f"{base}.{alias.name}") for alias in child.names)
                pending.append(child)
        graph[module] = {t for t in targets if t is not None and t != module}
    return graph


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The groups of modules that import each other round (strongly connected components)."""
    order: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(module: str) -> None:
        order[module] = low[module] = len(order)
        stack.append(module)
        for target in sorted(graph.get(module, ())):
            if target not in order:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in stack:
                low[module] = min(low[module], order[target])
        if low[module] == order[module]:
            group = []
            while (member := stack.pop()) != module:
                group.append(member)
            if group:
                found.append(sorted([module, *group]))

    for module in sorted(graph):
        if module not in order:
            visit(module)
    return found


def test_the_cycle_finder_sees_an_import_inside_a_function(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from pkg.b import thing\n")
    (package / "b.py").write_text("def thing():\n    from . import a\n")
    (package / "c.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.a import x\n"
        "else:\n    import pkg.b\n"
    )
    graph = import_graph(tmp_path, "pkg")
    assert graph["pkg.c"] == {"pkg.b"}  # pkg.a is only for the type checker
    assert import_cycles(graph) == [["pkg.a", "pkg.b"]]


def test_no_module_imports_one_that_imports_it_back() -> None:
    # The whole package: the ui, cli <-> commands and questionnaire <-> plan.rules once were.
    graph = import_graph(REPO, "intake_tui")
    assert "intake_tui.ui.screens.unlock" in graph["intake_tui.ui.app"]  # inside a method
    assert "intake_tui.core.plan.rules" in graph["intake_tui.core.questionnaire"]  # likewise
    circles = [
        [f"{m} -> {t}" for m in group for t in sorted(graph[m]) if t in group]
        for group in import_cycles(graph)
    ]
    assert circles == []


def test_the_benchmarks_import_no_module_that_imports_them_back() -> None:
    # run.py collects the figures of the other modules; they share summary() from figures.py.
    graph = import_graph(REPO, "benchmarks")
    assert "benchmarks.xlsform" in graph["benchmarks.run"]
    assert import_cycles(graph) == []
