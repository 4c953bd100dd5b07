"""Refinement from campaign outcomes handed in as a frame: only what the evidence supports changes."""

from __future__ import annotations

import numpy as np
import polars as pl

from targeting.icp.reading import SURE, read_contrast
from targeting.icp.refine import (
    MAX_STEP,
    POINT_LOGIT,
    icp_changes,
    refine_on_outcomes,
    refined_icp_text,
    unchanged_icp_text,
)
from targeting.icp.spec import dump_icp, parse_icp

SPEC = parse_icp("""name: mid-market-saas
version: 1
scoring:
  min_score: 1
  criteria:
    - {name: sweet-spot size, field: employees, between: [50, 200], points: 2}
    - {name: North America, field: country, in: [US, CA], points: 1}
    - {field: tech_stack, contains_any: [hubspot], points: 1}
    - {name: late stage, field: funding_stage, in: [series_d_plus], points: 1}
""")
LABELS = [c.label for c in SPEC.scoring.criteria]


def _world(seed: int, n: int, lifts: list[float], base: float = 0.04) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    met = rng.random((n, len(LABELS))) < 0.5
    met[:, 1] = np.where(rng.random(n) < 0.8, met[:, 0], met[:, 1])  # North America mostly goes with size
    p = 1 / (1 + np.exp(-(np.log(base / (1 - base)) + met @ np.array(lifts))))
    return pl.DataFrame(
        {
            "replied": (rng.random(n) < p).astype(int),
            "criteria": [[label for label, m in zip(LABELS, row) if m] for row in met],
        }
    )


def _frame(rows: list[tuple[list[str], int, int]]) -> pl.DataFrame:
    """(criteria met, delivered, genuine replies) blocks -> one row per delivered contact."""
    crit, replied = [], []
    for labels, n, k in rows:
        crit += [labels] * n
        replied += [1] * k + [0] * (n - k)
    return pl.DataFrame({"replied": replied, "criteria": crit})


RATE = 0.034


def test_strong_evidence_moves_points_at_most_two_with_a_sentence_beside_the_line():
    frame = _frame([(["sweet-spot size"], 120, 14), ([], 130, 1)])
    result = refine_on_outcomes(SPEC, frame, RATE, ["c-00000001"])
    size = result.evidence[0]
    assert (size.replies_with, size.delivered_with, size.replies_without, size.delivered_without) == (14, 120, 1, 130)
    assert size.step == MAX_STEP and size.p_better > SURE
    new = result.new_spec
    assert (new.name, new.version, new.parent) == ("mid-market-saas", 2, 1)
    assert new.scoring.criteria[0].points == 2 + MAX_STEP
    assert [c.points for c in new.scoring.criteria[1:]] == [1, 1, 1]
    assert new.evidence[0]["criterion"] == "sweet-spot size" and new.evidence[0]["campaigns"] == ["c-00000001"]
    text = refined_icp_text(result)
    line = next(x for x in text.splitlines() if "sweet-spot size" in x and "points" in x)
    assert "# Raised sweet-spot size from +2 to +4: accounts meeting it replied 15 times as often" in line
    assert "(14 of 120 with it, 1 of 130 without; over 99% sure the difference is real)" in line
    assert parse_icp(text) == new


def test_the_reading_refine_acts_on_is_the_one_reading_of_its_counts():
    frame = _frame([(["sweet-spot size"], 120, 14), ([], 130, 1)])
    size = refine_on_outcomes(SPEC, frame, RATE, ["c-1"]).evidence[0]
    assert size.reading == read_contrast(14, 120, 1, 130, RATE)


def test_weak_evidence_changes_nothing_and_the_same_version_is_written_marked_unchanged():
    frame = _frame([(["sweet-spot size"], 50, 2), ([], 50, 1)])
    result = refine_on_outcomes(SPEC, frame, RATE, ["c-1"])
    assert result.new_spec is None and not result.changes
    assert all("stays at" in e.sentence() for e in result.evidence)
    assert any("marked unchanged" in w for w in result.warnings)
    text = unchanged_icp_text(result)
    assert text.startswith("# UNCHANGED by `outbound icp refine` from v1")
    assert parse_icp(text) == SPEC and refined_icp_text(result) == text
    assert "sweet-spot size stays at +2: not enough evidence yet (2 of 50 with it, 1 of 50 without;" in text


def test_a_tiny_side_is_no_comparison_and_moves_nothing():
    frame = _frame([(["sweet-spot size"], 200, 30), ([], 6, 0)])
    size = refine_on_outcomes(SPEC, frame, RATE, ["c-1"]).evidence[0]
    assert size.p_better is None and size.step == 0
    assert "no comparison, only 6 contacts without it" in size.sentence()


def test_a_high_probability_on_a_couple_of_replies_is_not_enough():
    frame = _frame([(["sweet-spot size"], 20, 2), ([], 200, 0)])
    result = refine_on_outcomes(SPEC, frame, RATE, ["c-1"])
    assert result.evidence[0].replies_with == 2 and result.new_spec is None


def test_strong_negative_evidence_lowers_a_criterion_at_most_two_points():
    frame = _frame([(["late stage"], 300, 2), ([], 300, 30)])
    result = refine_on_outcomes(SPEC, frame, RATE, ["c-1"])
    late = result.evidence[3]
    assert late.step == -MAX_STEP and result.new_spec.scoring.criteria[3].points == 1 - MAX_STEP
    assert late.sentence().startswith(
        "Lowered late stage from +1 to -1: accounts meeting it replied 15 times less often"
    )
    assert not result.new_spec.disqualifiers  # points stay on the ICP's scale: no criterion turns into a rule


def test_a_criterion_already_where_its_lift_puts_it_stays():
    moved = parse_icp(dump_icp(SPEC).replace("points: 2", "points: 9"))
    frame = _frame([(["sweet-spot size"], 120, 14), ([], 130, 1)])
    size = refine_on_outcomes(moved, frame, RATE, ["c-1"]).evidence[0]
    assert size.reading.verdict == "likely_better" and size.lift / POINT_LOGIT < 9
    assert size.step == 0 and "its points already say as much" in size.sentence()


def test_correlated_criteria_do_not_both_take_the_credit():
    # North America nearly always goes with size: only size has an effect; the contrast of North America
    # alone looks strong, the criteria read together give the credit to size, so North America stays.
    rng = np.random.default_rng(3)
    n = 1200
    size = rng.random(n) < 0.5
    na = np.where(rng.random(n) < 0.85, size, rng.random(n) < 0.5)
    replied = (rng.random(n) < np.where(size, 0.12, 0.02)).astype(int)
    frame = pl.DataFrame(
        {
            "replied": replied,
            "criteria": [
                [label for label, m in (("sweet-spot size", s), ("North America", a)) if m] for s, a in zip(size, na)
            ],
        }
    )
    result = refine_on_outcomes(SPEC, frame, RATE, ["c-1"])
    size_e, na_e = result.evidence[0], result.evidence[1]
    assert size_e.step > 0
    r = na_e.reading
    assert read_contrast(r.k_with, r.n_with, r.k_without, r.n_without, RATE).verdict == "likely_better"
    assert r.verdict != "likely_better" and na_e.step == 0
    assert "North America stays at +1" in na_e.sentence()


def test_a_null_world_rarely_changes_anything():
    changed = sum(
        bool(refine_on_outcomes(SPEC, _world(seed, 300, [0, 0, 0, 0]), 0.04, ["c"]).changes) for seed in range(60)
    )
    assert changed <= 6


def test_a_strong_world_usually_finds_the_lift():
    found = sum(
        refine_on_outcomes(SPEC, _world(seed, 600, [1.4, 0, 0, 0]), 0.04, ["c"]).evidence[0].step > 0
        for seed in range(30)
    )
    assert found >= 20


def test_contacts_whose_campaign_never_scored_a_criterion_are_left_out_of_its_contrast():
    frame = _frame([(["sweet-spot size", "North America"], 60, 9), (["sweet-spot size"], 60, 5), ([], 130, 1)])
    # 100 more contacts from a version without North America: unknown there, none replied.
    older = _frame([(["sweet-spot size"], 100, 0)]).with_columns(pl.lit(["North America"]).alias("unknown"))
    pooled = pl.concat([frame.with_columns(pl.lit([], pl.List(pl.String)).alias("unknown")), older])
    result = refine_on_outcomes(SPEC, pooled, RATE, ["c-1", "c-0"])
    size, na = result.evidence[0], result.evidence[1]
    assert (size.delivered_with, size.delivered_without) == (220, 130)
    assert (na.delivered_with, na.replies_with, na.delivered_without, na.replies_without) == (60, 9, 190, 6)
    wrong = refine_on_outcomes(SPEC, pl.concat([frame, older.drop("unknown")]), RATE, ["c-1", "c-0"]).evidence[1]
    assert wrong.delivered_without == 290 and wrong.lift > na.lift


def test_icp_changes_reads_like_a_diff():
    result = refine_on_outcomes(SPEC, _frame([(["sweet-spot size"], 120, 14), ([], 130, 1)]), RATE, ["c-1"])
    lines = icp_changes(SPEC, result.new_spec)
    assert lines == [f"~ criterion sweet-spot size: +2 -> {result.new_spec.scoring.criteria[0].points:+d}"]
    assert icp_changes(None, SPEC) == ["first version"]


def test_positive_replies_are_read_where_a_frame_has_no_genuine_replies():
    frame = _frame([(["sweet-spot size"], 120, 14), ([], 130, 1)]).rename({"replied": "positive"})
    result = refine_on_outcomes(SPEC, frame, RATE, ["c-1"])
    assert result.evidence[0].outcome == "positive" and result.evidence[0].step > 0
    assert "replied positively" in result.evidence[0].sentence()


def test_wrong_person_and_already_use_replies_are_evidence_on_personas_and_prior_solutions():
    spec = parse_icp(
        "name: t\nscoring:\n  criteria:\n"
        "    - {name: outgrowing spreadsheets, field: prior_solutions, contains_any: [spreadsheets], points: 1}\n"
    )
    frame = pl.DataFrame(
        {
            "replied": [1, 1, 1, 1] + [0] * 40,
            "criteria": [["outgrowing spreadsheets"], [], [], ["outgrowing spreadsheets"]]
            + [[]] * 20
            + [["outgrowing spreadsheets"]] * 20,
            "persona": ["economic_buyer", "economic_buyer", "champion", "champion"] + ["champion"] * 40,
            "reason": ["already_use", "wrong_person", "wrong_person", "positive"] + [None] * 40,
        }
    )
    result = refine_on_outcomes(spec, frame, RATE, ["c-1"])
    assert result.evidence[0].already_use == (1, 0)
    assert "(1 with it and 0 without said they already use a tool)" in result.evidence[0].sentence()
    assert result.personas == [
        "champion: 1 of 2 replies said they are the wrong person to ask (42 delivered); "
        "check which titles the persona rules put there",
        "economic_buyer: 1 of 2 replies said they are the wrong person to ask (2 delivered); "
        "check which titles the persona rules put there",
    ]


def _explore(gong_n: int, gong_k: int, other_n: int, other_k: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Explore-share outcomes and the accounts' attributes: `gong` in tech_stack on the first block."""
    n = gong_n + other_n
    positive = [1] * gong_k + [0] * (gong_n - gong_k) + [1] * other_k + [0] * (other_n - other_k)
    ids = [f"a{i}" for i in range(n)]
    outcomes = pl.DataFrame({"replied": positive, "criteria": [[]] * n, "segment": ["explore"] * n, "account_id": ids})
    attributes = pl.DataFrame(
        {
            "account_id": ids,
            "industry": ["saas" if i % 2 else "fintech" for i in range(n)],
            "tech_stack": [["gong", "slack"] if i < gong_n else ["slack"] for i in range(n)],
        }
    )
    return outcomes, attributes


def test_an_attribute_that_stands_out_in_the_explore_share_is_proposed_with_its_evidence():
    outcomes, attributes = _explore(60, 12, 240, 2)
    result = refine_on_outcomes(SPEC, outcomes, RATE, ["c-1"], attributes)
    (proposal,) = result.proposals
    assert (proposal.field, proposal.value, proposal.replies_with, proposal.delivered_with) == (
        "tech_stack",
        "gong",
        12,
        60,
    )
    assert (
        proposal.tried >= 3 and proposal.p_better > 1 - (1 - SURE) / proposal.tried and 1 <= proposal.points <= MAX_STEP
    )
    new = result.new_spec
    added = new.scoring.criteria[-1]
    assert (added.label, added.field, added.value, added.points) == (
        "tech_stack gong (proposed)",
        "tech_stack",
        ["gong"],
        proposal.points,
    )
    assert new.evidence[-1]["change"] == "proposed" and new.evidence[-1]["replies_with"] == 12
    text = refined_icp_text(result)
    line = next(x for x in text.splitlines() if "gong" in x and "points" in x)
    assert "# Proposed tech_stack gong at +" in line and "replied 12 of 60 times, 2 of 240 without" in line
    assert parse_icp(text) == new


def test_an_explore_attribute_without_a_real_difference_is_not_proposed():
    outcomes, attributes = _explore(60, 2, 240, 8)
    assert refine_on_outcomes(SPEC, outcomes, RATE, ["c-1"], attributes).proposals == []


def test_without_the_accounts_nothing_is_proposed():
    outcomes, _ = _explore(60, 12, 240, 2)
    result = refine_on_outcomes(SPEC, outcomes, RATE, ["c-1"])
    assert result.proposals == [] and result.new_spec is None


def test_with_the_accounts_the_refined_list_s_size_is_checked_against_the_band():
    from targeting.columns import ACCOUNT_SCHEMA

    spec = parse_icp(
        "name: t\ntarget_size: {min: 2, max: 3}\nscoring:\n  min_score: 2\n  criteria:\n"
        "    - {name: big, field: employees, gte: 100, points: 1}\n"
        "    - {name: us, field: country, in: [US], points: 1}\n"
    )
    rows = [{"account_id": f"a{i}", "employees": 50 + 100 * (i % 2), "country": "US"} for i in range(8)]
    base = {name: None for name in ACCOUNT_SCHEMA}
    accounts = pl.DataFrame([base | r for r in rows], schema=ACCOUNT_SCHEMA)
    frame = _frame([(["us"], 150, 30), ([], 150, 2)])
    result = refine_on_outcomes(spec, frame, RATE, ["c-1"], accounts)
    # us moves +1 -> +3: every US account now clears min_score 2 on its own: 8 targets instead of 4.
    assert result.new_spec.scoring.criteria[1].points == 3
    size = result.list_size
    assert (size["before"]["targets"], size["after"]["targets"]) == (4, 8)
    assert size["after"]["verdict"] == "too_broad"
    assert any("the refined list has 8 accounts (was 4), above the ICP's band of 2-3" in w for w in result.warnings)


def test_a_spending_plan_is_strict_at_the_first_look_and_spends_the_family_error_once(monkeypatch):
    from targeting.icp import refine

    monkeypatch.setattr(refine, "FAMILY_ERROR", 0.3)
    monkeypatch.setattr(refine, "SPENDING", "flat")
    assert refine.change_at(40, 1) == refine.change_at(40, 3) == refine.change_at(40)
    monkeypatch.setattr(refine, "SPENDING", "rising")
    looks = [refine.change_at(40, k) for k in range(1, refine.SPENDING_LOOKS + 1)]
    assert looks == sorted(looks, reverse=True) and looks[0] > refine.change_at(40, None)
    assert abs(sum(40 * (1 - p) for p in looks) - 0.3) < 1e-9
    assert refine.change_at(40, refine.SPENDING_LOOKS + 2) == looks[-1]
    assert min(refine.change_at(2, k) for k in range(1, 5)) >= SURE


def test_a_criterion_that_stays_says_which_way_its_evidence_leans():
    # "regulated industry stays at +2: not enough evidence yet (...; 92% sure)" read as a point in its
    # favour where the report had P(better) 0.08: 92% sure accounts meeting it answer less often.
    frame = _frame([(["sweet-spot size"], 50, 1), ([], 50, 4)])
    size = refine_on_outcomes(SPEC, frame, RATE, ["c-1"]).evidence[0]
    assert size.step == 0 and size.p_better < 0.5
    assert f"{size.reading.sure:.0%} sure accounts meeting it replied less often)" in size.sentence()
    frame = _frame([(["sweet-spot size"], 50, 4), ([], 50, 1)])
    size = refine_on_outcomes(SPEC, frame, RATE, ["c-1"]).evidence[0]
    assert size.step == 0 and "sure accounts meeting it replied more often)" in size.sentence()
