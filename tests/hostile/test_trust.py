"""docs/trust.md names, for every promise, the test that holds it: each must be in tests/hostile and exist."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = "tests/hostile/"
# `tests/hostile/test_x.py::test_name`, `tests/hostile/test_x.py` or `::test_name` (the file named before it).
REFERENCE = re.compile(r"`((?:tests/[\w/]+\.py)?(?:::\w+)?)`")


def promises() -> list[tuple[str, list[str]]]:
    """Each table row of docs/trust.md: its promise and the tests its last cell names."""
    rows = []
    for line in (ROOT / "docs" / "trust.md").read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")] if line.startswith("|") else []
        if len(cells) < 2 or cells[0] in ("promise", "") or set(cells[0]) <= set("-: "):
            continue
        rows.append((cells[0], [ref for ref in REFERENCE.findall(cells[-1]) if ref]))
    return rows


def defined_tests(path: Path) -> set[str]:
    return {
        node.name
        for node in ast.parse(path.read_text(encoding="utf-8")).body
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")
    }


def test_every_test_docs_trust_md_names_lives_in_tests_hostile_and_exists():
    rows = promises()
    assert len(rows) >= 30  # the page's tables were read, not skipped
    for promise, references in rows:
        assert references, f"no test named for: {promise}"
        current = None
        for reference in references:
            file, _, name = reference.partition("::")
            current = file or current
            assert current is not None, (promise, reference)
            assert current.startswith(HOSTILE), f"{current} is not in {HOSTILE} ({promise})"
            path = ROOT / current
            assert path.is_file(), f"{current} does not exist ({promise})"
            if name:
                assert name in defined_tests(path), f"{current}::{name} does not exist ({promise})"


def test_the_check_reads_references_and_definitions():
    assert "test_a_kill_9_while_target_writes_leaves_the_previous_complete_set_and_draft_reads_it" in defined_tests(
        ROOT / HOSTILE / "test_files.py"
    )
    assert "test_no_such_promise" not in defined_tests(ROOT / HOSTILE / "test_files.py")
    found = REFERENCE.findall("| x | `tests/hostile/test_a.py::test_b`, `::test_c` |")
    assert found == ["tests/hostile/test_a.py::test_b", "::test_c"]
