"""Partials of a partitioned universe combine into exactly what one pass over the whole gives."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from targeting.icp.spec import IcpSpec
from targeting.selection.partials import (
    combine_aggregates,
    merge_stats,
    nearest_quantile,
    partition_aggregates,
    partition_stats,
)
from targeting.selection.partition_keys import ids_with_hashes, key_hashes, later_repeats, shared_hashes
from targeting.selection.sizing import universe_stats
from targeting.selection.suggestions import candidate_edits

SPEC = IcpSpec.model_validate(
    {
        "name": "parts",
        "version": 1,
        "target_size": {"min": 2, "max": 3},
        "filters": [{"field": "employees", "between": [10, 500]}, {"field": "industry", "in": ["saas", "fintech"]}],
        "scoring": {
            "min_score": 1,
            "tiers": {"A": 2, "B": 1},
            "criteria": [
                {"field": "employees", "gte": 100, "points": 1},
                {"field": "tags", "contains_any": ["b2b"], "points": 1},
            ],
        },
    }
)
AS_OF = date(2026, 1, 1)


def _accounts(rows: list[tuple[int | None, str | None, list[str] | None]]) -> pl.DataFrame:
    from targeting.columns import ACCOUNT_SCHEMA
    from targeting.importing.canonical_rows import conform

    frame = pl.DataFrame(
        {
            "account_id": [f"a{i}" for i in range(len(rows))],
            "employees": [r[0] for r in rows],
            "industry": [r[1] for r in rows],
            "tags": [r[2] for r in rows],
        },
        schema={"account_id": pl.String, "employees": pl.Int64, "industry": pl.String, "tags": pl.List(pl.String)},
    )
    return conform(frame.lazy(), ACCOUNT_SCHEMA).collect()


row = st.tuples(
    st.one_of(st.none(), st.integers(0, 800)),
    st.sampled_from([None, "saas", "SaaS", "fintech", "retail"]),
    st.one_of(st.none(), st.lists(st.sampled_from(["b2b", "B2B", "ai"]), max_size=2)),
)


def _split(frame: pl.DataFrame, cuts: list[int]) -> list[pl.DataFrame]:
    bounds = [0, *sorted({min(c, frame.height) for c in cuts}), frame.height]
    return [frame.slice(lo, hi - lo) for lo, hi in zip(bounds, bounds[1:], strict=False)]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 5000), min_size=1, max_size=30), st.floats(0, 1))
def test_nearest_quantile_is_polars_nearest(values, q):
    histogram: dict[int, int] = {}
    for v in values:
        histogram[v] = histogram.get(v, 0) + 1
    expected = pl.Series(values).quantile(q, interpolation="nearest")
    assert nearest_quantile(histogram, q) == expected


@settings(max_examples=40, deadline=None)
@given(st.lists(row, min_size=1, max_size=40), st.lists(st.integers(0, 40), max_size=5))
def test_merged_statistics_and_sums_equal_one_pass(rows, cuts):
    whole = _accounts(rows)
    one = universe_stats(whole.lazy(), SPEC, with_coverage=False)
    parts = _split(whole, cuts)
    merged = merge_stats(partition_stats(p.lazy(), SPEC) for p in parts)
    assert merged.quartiles == one.quartiles
    assert merged.value_counts == one.value_counts
    assert {f: {k: sorted(v) for k, v in s.items()} for f, s in merged.spellings.items()} == {
        f: {k: sorted(v) for k, v in s.items()} for f, s in one.spellings.items()
    }
    candidates = candidate_edits(SPEC, merged)
    assert candidates == candidate_edits(SPEC, one)
    sums = combine_aggregates(partition_aggregates(p.lazy(), SPEC, merged, candidates, AS_OF, None)[0] for p in parts)
    single = partition_aggregates(whole.lazy(), SPEC, one, candidates, AS_OF, None)[0]
    assert sums == single


def test_an_empty_histogram_has_no_quantile():
    with pytest.raises(ValueError, match="empty"):
        nearest_quantile({}, 0.5)


def test_repeated_ids_are_dropped_by_every_later_partition_only():
    parts = [pl.LazyFrame({"account_id": ids}) for ids in (["a", "b"], ["c", "a"], ["a", "b", "d"], [])]
    shared = shared_hashes([key_hashes(p) for p in parts])
    found = [ids_with_hashes(p, shared) for p in parts]
    assert found == [["a", "b"], ["a"], ["a", "b"], []]
    assert later_repeats(found) == [[], ["a"], ["a", "b"], []]


def test_distinct_ids_share_no_hash():
    parts = [pl.LazyFrame({"account_id": [f"x{i}" for i in range(k, k + 50)]}) for k in (0, 50, 100)]
    assert shared_hashes([key_hashes(p) for p in parts]).is_empty()
    assert shared_hashes([]).is_empty()
