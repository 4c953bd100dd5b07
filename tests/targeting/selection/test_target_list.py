"""target_list.py: the aggregation row adds up over parts, and a sunk list is the held one."""

from __future__ import annotations

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from targeting import memory
from targeting.icp.spec import parse_icp
from targeting.icp.spelling import spoken_like_the_data
from targeting.selection.scoring import score_accounts
from targeting.selection.sizing import universe_stats
from targeting.selection.suggestions import candidate_edits
from targeting.selection.target_list import aggregation_exprs, select_targets, summarize
from tests.targeting.selection.test_suggestions import AS_OF, SPEC, generated_universe

UNIVERSE = generated_universe(900, seed=5)


@pytest.mark.parametrize("parts", [1, 2, 7])
def test_the_rows_of_the_parts_sum_to_the_summary_of_the_whole(parts):
    spec = parse_icp(SPEC.format(low=40, high=60))
    whole = select_targets(UNIVERSE, spec, as_of=AS_OF).summary
    spoken, _ = spoken_like_the_data(spec)
    stats = universe_stats(UNIVERSE, spoken, with_coverage=False)  # the whole universe's statistics
    candidates = candidate_edits(spoken, stats)
    frame = UNIVERSE.collect()
    size = -(-frame.height // parts)
    rows = [
        score_accounts(frame.slice(i * size, size).lazy(), spoken, AS_OF, spellings=stats.spellings)
        .select(aggregation_exprs(spoken, stats, candidates, AS_OF))
        .collect()
        for i in range(parts)
    ]
    summed = pl.concat(rows).sum().row(0, named=True)
    assert summarize(spoken, stats, candidates, summed) == whole
    assert whole.suggestions and whole.targets > 0


def test_a_streamed_list_goes_to_the_sink_and_equals_the_list_held_in_memory(tmp_path, monkeypatch):
    spec = parse_icp(SPEC.format(low=40, high=60))
    held = select_targets(UNIVERSE, spec, as_of=AS_OF)
    monkeypatch.setattr(memory, "IN_MEMORY_ROWS", 0)
    path = tmp_path / "targets.parquet"
    streamed = select_targets(UNIVERSE, spec, as_of=AS_OF, sink=lambda plan: plan.sink_parquet(path, lazy=True))
    assert streamed.targets is None and streamed.summary == held.summary
    assert_frame_equal(pl.read_parquet(path), held.targets)
    without_sink = select_targets(UNIVERSE, spec, as_of=AS_OF)  # a library caller gets the list back
    assert_frame_equal(without_sink.targets, held.targets)
