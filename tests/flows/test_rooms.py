"""flows/ is rooms with one direction: cli -> runs -> commands -> edges -> runner, and no import circle."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FLOWS = ROOT / "flows"
# A room may import the rooms after it in this order, never one before it.
ORDER = ["cli", "runs", "commands", "edges", "runner"]


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, *, top_level_only: bool = False) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else ast.walk(tree)
    names = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return names


MODULES = {_module(path): path for path in FLOWS.rglob("*.py")}


def _room(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def _graph() -> dict[str, set[str]]:
    """flows module -> the flows modules it imports anywhere in its file (inside functions too)."""
    return {
        module: {name for name in _imports(path) if name in MODULES and name != module}
        for module, path in MODULES.items()
    }


def test_every_flows_module_is_in_a_room():
    rooms = {_room(m) for m in MODULES} - {None}
    assert rooms <= set(ORDER), rooms - set(ORDER)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_a_room_imports_only_the_rooms_after_it(module):
    room = _room(module)
    if room is None:
        return
    for imported in _graph()[module]:
        other = _room(imported)
        if other is None or other == room:
            continue
        assert ORDER.index(other) > ORDER.index(room), f"{module} ({room}) imports {imported} ({other})"


def test_no_import_circle():
    _visit_all(_graph())


def test_prefect_is_imported_at_the_top_only_by_the_flow_runs():
    for module, path in MODULES.items():
        top = {name.split(".")[0] for name in _imports(path, top_level_only=True)}
        if _room(module) != "runs":
            assert "prefect" not in top, f"{module} imports Prefect at its top: the in-process path would load it"


def test_a_circle_is_found_where_there_is_one():
    """The circle check itself fails on a circle (so a pass above means something)."""
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}}
    with pytest.raises(AssertionError, match="a -> b -> c -> a"):
        _visit_all(graph)


def _visit_all(graph: dict[str, set[str]]) -> None:
    """Raise naming the first import circle found in `graph`."""
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> None:
        if module in path:
            raise AssertionError("import circle: " + " -> ".join(path[path.index(module) :] + [module]))
        if module in done:
            return
        for imported in sorted(graph[module]):
            visit(imported, [*path, module])
        done.add(module)

    for module in sorted(graph):
        visit(module, [])


def _functions(paths) -> dict[str, str]:
    """Top-level function name -> the file that defines it."""
    names = {}
    for path in paths:
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.FunctionDef):
                names[node.name] = str(path.relative_to(ROOT))
    return names


def test_flows_core_functions_and_commands_do_not_share_names():
    flows = _functions((FLOWS / "runs").glob("*.py"))
    others = _functions(
        [
            *(p for package in ("targeting", "messaging", "campaigns") for p in (ROOT / package).rglob("*.py")),
            *(FLOWS / "commands").glob("*.py"),
            *(FLOWS / "cli").glob("*.py"),
            *(FLOWS / "edges").glob("*.py"),
        ]
    )
    shared = {name: others[name] for name in flows if name in others and not name.startswith("_")}
    assert not shared, f"flow names also defined elsewhere: {shared}"
