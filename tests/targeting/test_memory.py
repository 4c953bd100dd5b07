import os

import pytest
from hypothesis import given
from hypothesis import strategies as st

from targeting import memory

MB = 2**20


@given(st.integers(0, 2 * memory.IN_MEMORY_ROWS), st.integers(0, 10**11) | st.none(), st.integers(0, 10**5) | st.none())
def test_a_universe_holds_only_within_its_rows_and_a_text_files_bytes_within_the_budget(rows, size, budget):
    holds = memory.holds_in_memory(rows, text_bytes=size, budget_mb=budget)
    fits = size is None or budget is None or size * memory.HELD_BYTES_PER_TEXT_BYTE <= budget * MB
    assert holds == (rows <= memory.IN_MEMORY_ROWS and fits)


def test_a_wide_universe_on_a_small_machine_streams_where_a_large_machine_holds_it():
    rows, yc_csv = 3_000_000, 2_094_523_597  # the 3M-row YC directory CSV of the benchmark
    assert memory.holds_in_memory(rows, text_bytes=yc_csv, budget_mb=8_035)  # a third of 24 GB
    assert not memory.holds_in_memory(rows, text_bytes=yc_csv, budget_mb=3_072)  # the 3 GB floor
    assert memory.holds_in_memory(rows, budget_mb=3_072)  # rows alone say nothing of width
    assert not memory.holds_in_memory(memory.IN_MEMORY_ROWS + 1, text_bytes=1, budget_mb=10**6)


@pytest.mark.parametrize(("value", "budget"), [("8035", 8035), ("0", 0), ("", None), ("lots", None), (None, None)])
def test_the_streaming_budget_is_the_one_the_process_set(monkeypatch, value, budget):
    monkeypatch.delenv("POLARS_OOC_MEMORY_BUDGET_FRACTION", raising=False)
    if value is None:
        monkeypatch.delenv("POLARS_OOC_MEMORY_BUDGET_MB", raising=False)
    else:
        monkeypatch.setenv("POLARS_OOC_MEMORY_BUDGET_MB", value)
    assert memory.streaming_budget_mb() == budget


def test_a_budget_given_as_a_fraction_is_that_share_of_the_machines_memory(monkeypatch):
    monkeypatch.delenv("POLARS_OOC_MEMORY_BUDGET_MB", raising=False)
    monkeypatch.setenv("POLARS_OOC_MEMORY_BUDGET_FRACTION", "0.25")
    physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    assert memory.streaming_budget_mb() == int(0.25 * physical) // MB
    monkeypatch.setenv("POLARS_OOC_MEMORY_BUDGET_MB", "100")  # a figure in MB is read first
    assert memory.streaming_budget_mb() == 100
