"""The hostile suite's shared workspace: the user's own sender, a target list in out/, drafts in drafts/."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.flows.conftest import invoke_ok, new_workspace


@pytest.fixture(scope="session")
def ws(tmp_path_factory) -> Path:
    """A sample workspace of 1,200 accounts with the user's own sender, targeted into out/ and drafted into drafts/."""
    directory = new_workspace(tmp_path_factory.mktemp("hostile-ws"), accounts=1200, own=True)
    invoke_ok(
        *("target", "--accounts", directory / "accounts.csv", "--icp", directory / "icp.yaml"),
        *("--out", directory / "out", "--no-prefect"),
    )
    invoke_ok(
        *("draft", "--targets", directory / "out" / "targets.parquet", "--contacts", directory / "contacts.csv"),
        *("--workspace", directory, "--out", directory / "drafts", "--no-prefect"),
    )
    return directory
