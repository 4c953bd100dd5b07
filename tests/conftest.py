"""Shared fixtures. Prefect runs against one temporary database per test session."""

from __future__ import annotations

import os

import pytest
from hypothesis import settings

# No property test is held to a time limit per example: a loaded CI machine misses any fixed one.
# (Tests that set their own `deadline` keep it.)
settings.register_profile("outbound", deadline=None)
settings.load_profile("outbound")

os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")


# Markers that say a test is expensive by nature (the installed command in a subprocess, a real Prefect
# server and worker) put it in the slow tier too: `make test` leaves it out, `make test-slow` and CI run it.
SLOW_BY_NATURE = ("smoke", "server")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if any(item.get_closest_marker(name) for name in SLOW_BY_NATURE):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def prefect_harness():
    """One ephemeral Prefect backend for the session's few flow tests (request it explicitly)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=600):
        yield
