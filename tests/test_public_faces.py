"""Each room's public face resolves, and imports point one way: the core never imports Prefect or flows."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ROOMS = sorted(
    str(init.parent.relative_to(ROOT)).replace("/", ".")
    for package in ("targeting", "messaging", "campaigns")
    for init in (ROOT / package).rglob("__init__.py")
)


def test_every_room_is_found():
    assert {"targeting.importing", "targeting.icp", "targeting.selection", "messaging.contacts"} <= set(ROOMS)


@pytest.mark.parametrize("package", ROOMS)
def test_every_public_name_resolves(package):
    module = importlib.import_module(package)
    assert module.__doc__, f"{package} says what the room is for"
    for name in getattr(module, "__all__", []):
        assert getattr(module, name) is not None, name
    if hasattr(module, "__getattr__"):
        with pytest.raises(AttributeError, match="no_such_name"):
            module.no_such_name  # noqa: B018


def _imported_names(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names.append(node.module or "")
    return names


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("targeting", {"prefect", "flows", "messaging", "campaigns"}),
        ("messaging", {"prefect", "flows", "campaigns"}),
        ("campaigns", {"prefect", "flows"}),
    ],
)
def test_imports_point_one_way(package, forbidden):
    for path in (ROOT / package).rglob("*.py"):
        for name in _imported_names(path):
            assert name.split(".")[0] not in forbidden, f"{path.relative_to(ROOT)} imports {name}"


def test_the_sample_stays_out_of_the_production_path():
    for package in ("targeting", "messaging", "campaigns"):
        for path in (ROOT / package).rglob("*.py"):
            if "sample" in path.relative_to(ROOT).parts:
                continue
            for name in _imported_names(path):
                assert not name.startswith("targeting.sample"), f"{path.relative_to(ROOT)} imports {name}"
