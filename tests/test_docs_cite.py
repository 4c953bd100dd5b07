"""The docs and the campaign report cite only files that are in the repository."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# A path a reader would look up in the repository: it starts with one of the repository's own top-level
# folders (`docs/campaigns.md`, `targeting/icp/reading.py`), in backticks or a Markdown link.
TOP = sorted(
    p.name for p in ROOT.iterdir() if p.is_dir() and not p.name.startswith((".", "_")) and p.name != "demo-out"
)
# A pattern (`tests/flows/commands/test_<command>.py`, `bench/data/universe-*/*.parquet`) is not a file.
CITED = re.compile(r"(?<![\w./-])((?:" + "|".join(map(re.escape, TOP)) + r")/[\w./-]*[\w])(?![\w./-]*[*<])")


def _texts() -> list[Path]:
    return [
        *sorted(ROOT.glob("*.md")),
        *sorted((ROOT / "docs").glob("*.md")),
        *sorted((ROOT / "campaigns/report").glob("*.py")),
    ]


def _cited(text: str) -> set[str]:
    return set(CITED.findall(text))


def test_every_repository_path_the_docs_and_the_report_cite_exists():
    missing = [
        f"{path.relative_to(ROOT)}: {cited}"
        for path in _texts()
        for cited in sorted(_cited(path.read_text(encoding="utf-8")))
        if not (ROOT / cited).exists()
    ]
    assert missing == []


def test_the_check_sees_a_path_that_is_not_there():
    text = "see `docs/nowhere.md`, targeting/icp/reading.py and `tests/flows/commands/test_<command>.py`."
    assert _cited(text) == {"docs/nowhere.md", "targeting/icp/reading.py"}
    assert not (ROOT / "docs/nowhere.md").exists()
