"""Refinement from campaign outcomes handed in as a frame: only what the evidence supports changes."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from scipy import stats

from targeting.icp.refine import (
    CHANGE_AT,
    FAMILY_ERROR,
    POINT_LOGIT,
    change_at,
    icp_changes,
    refine_icp,
    refined_icp_text,
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
            "positive": (rng.random(n) < p).astype(int),
            "criteria": [[label for label, m in zip(LABELS, row) if m] for row in met],
        }
    )


def _frame(rows: list[tuple[list[str], int, int]]) -> pl.DataFrame:
    """(criteria met, delivered, positive) blocks -> one row per delivered contact."""
    crit, pos = [], []
    for labels, n, k in rows:
        crit += [labels] * n
        pos += [1] * k + [0] * (n - k)
    return pl.DataFrame({"positive": pos, "criteria": crit})


def test_strong_evidence_moves_points_with_its_evidence_beside_the_line():
    frame = _frame([(["sweet-spot size"], 120, 14), ([], 130, 1)])
    result = refine_icp(SPEC, frame, 0.034 * 0.14, ["c-00000001"])
    size = result.evidence[0]
    assert (size.positive_with, size.delivered_with, size.positive_without, size.delivered_without) == (14, 120, 1, 130)
    assert size.step > 0 and size.p_better > 0.97
    new = result.new_spec
    assert (new.name, new.version, new.parent) == ("mid-market-saas", 2, 1)
    assert new.scoring.criteria[0].points == 2 + size.step
    assert [c.points for c in new.scoring.criteria[1:]] == [1, 1, 1]
    assert new.evidence[0]["criterion"] == "sweet-spot size" and new.evidence[0]["campaigns"] == ["c-00000001"]
    text = refined_icp_text(result)
    line = next(x for x in text.splitlines() if "sweet-spot size" in x and "points" in x)
    assert f"# +{size.step}: 14/120 positive vs 1/130 without, P(better)=" in line
    assert parse_icp(text) == new


def test_weak_evidence_changes_nothing_and_says_so():
    frame = _frame([(["sweet-spot size"], 50, 2), ([], 50, 1)])
    result = refine_icp(SPEC, frame, 0.034 * 0.14, ["c-1"])
    assert result.new_spec is None and not result.changes
    assert all("not enough evidence" in e.comment() for e in result.evidence)
    assert any("not enough evidence" in w for w in result.warnings)


def test_a_high_probability_on_a_couple_of_replies_is_not_enough():
    frame = _frame([(["sweet-spot size"], 20, 2), ([], 200, 0)])
    result = refine_icp(SPEC, frame, 0.034 * 0.14, ["c-1"])
    assert result.evidence[0].positive_with == 2 and result.new_spec is None


def test_strong_negative_evidence_can_make_a_criterion_negative():
    frame = _frame([(["late stage"], 1000, 40), ([], 1000, 60)])
    result = refine_icp(SPEC, frame, 0.034 * 0.14, ["c-1"])
    late = result.evidence[3]
    assert late.step < 0 and not late.disqualifies
    assert result.new_spec.scoring.criteria[3].points == 1 + late.step == round(late.lift / POINT_LOGIT) < 0


def test_correlated_criteria_are_not_double_counted():
    # North America always goes with size: the joint model splits one effect between them, a
    # contrast per criterion would count it twice.
    frame = _frame([(["sweet-spot size", "North America"], 150, 15), ([], 150, 2)])
    result = refine_icp(SPEC, frame, 0.034 * 0.14, ["c-1"])
    size, na = result.evidence[0], result.evidence[1]
    # Inseparable: each moves the same way from what its points claim.
    assert size.lift - 2 * POINT_LOGIT == pytest.approx(na.lift - 1 * POINT_LOGIT, rel=1e-3)
    alone = refine_icp(
        parse_icp(
            "name: x\nscoring:\n  criteria:\n    - {name: sweet-spot size, field: employees, gte: 50, points: 2}\n"
        ),
        frame,
        0.034 * 0.14,
        ["c-1"],
    ).evidence[0]
    assert size.lift + na.lift == pytest.approx(alone.lift, rel=0.35)
    assert size.lift < 0.75 * alone.lift


def test_a_null_world_rarely_changes_anything():
    changed = sum(bool(refine_icp(SPEC, _world(seed, 300, [0, 0, 0, 0]), 0.04, ["c"]).changes) for seed in range(60))
    assert changed <= 3


def test_a_strong_world_usually_finds_the_lift():
    found = sum(
        refine_icp(SPEC, _world(seed, 600, [1.4, 0, 0, 0]), 0.04, ["c"]).evidence[0].step > 0 for seed in range(30)
    )
    assert found >= 12  # 600 contacts at a 4% base rate, a size criterion 80% entangled with another


def test_a_move_is_in_proportion_to_the_shrunk_lift_not_capped():
    result = refine_icp(SPEC, _frame([(["sweet-spot size"], 400, 60), ([], 400, 6)]), 0.034 * 0.14, ["c-1"])
    size = result.evidence[0]
    assert size.new_points == round(size.lift / POINT_LOGIT) and size.step > 2
    stronger = refine_icp(SPEC, _frame([(["sweet-spot size"], 400, 90), ([], 400, 6)]), 0.034 * 0.14, ["c-1"])
    assert stronger.evidence[0].new_points > size.new_points


def test_the_points_already_claimed_are_the_prior_so_weak_new_evidence_keeps_them():
    moved = parse_icp(dump_icp(SPEC).replace("points: 2", "points: 9"))
    # A round where nearly every contact met the criterion: almost no contrast, nothing to move it back.
    result = refine_icp(moved, _frame([(["sweet-spot size"], 95, 12), ([], 5, 0)]), 0.034 * 0.14, ["c-1"])
    assert result.evidence[0].step == 0 and result.new_spec is None


def test_pooling_the_rounds_a_version_rests_on_centres_the_prior_on_the_claims_before_them():
    first = _frame([(["sweet-spot size"], 120, 14), ([], 130, 1)])
    v2 = refine_icp(SPEC, first, 0.034 * 0.14, ["c-1"]).new_spec
    claims = {c.label: c.points for c in SPEC.scoring.criteria}
    # A second round with the same counts, pooled with the first that v2's points already rest on.
    second = _frame([(["sweet-spot size"], 120, 14), ([], 130, 1)])
    pooled = pl.concat([first, second])
    honest = refine_icp(v2, pooled, 0.034 * 0.14, ["c-1", "c-2"], claims=claims).evidence[0]
    both = refine_icp(SPEC, pooled, 0.034 * 0.14, ["c-1", "c-2"]).evidence[0]
    assert honest.lift == pytest.approx(both.lift) and honest.lift_sd == pytest.approx(both.lift_sd)
    # Centred on v2's points, the first round would be counted twice: the lift would be read higher.
    twice = refine_icp(v2, pooled, 0.034 * 0.14, ["c-1", "c-2"]).evidence[0]
    assert twice.lift > honest.lift + 0.05


def test_contacts_whose_campaign_never_scored_a_criterion_are_left_out_of_its_contrast():
    frame = _frame([(["sweet-spot size", "North America"], 60, 9), (["sweet-spot size"], 60, 5), ([], 130, 1)])
    # 100 more contacts from a version without North America: unknown there, all positive-free.
    older = _frame([(["sweet-spot size"], 100, 0)]).with_columns(pl.lit(["North America"]).alias("unknown"))
    pooled = pl.concat([frame.with_columns(pl.lit([], pl.List(pl.String)).alias("unknown")), older])
    result = refine_icp(SPEC, pooled, 0.034 * 0.14, ["c-1", "c-0"])
    size, na = result.evidence[0], result.evidence[1]
    assert (size.delivered_with, size.delivered_without) == (220, 130)
    assert (na.delivered_with, na.positive_with, na.delivered_without, na.positive_without) == (60, 9, 190, 6)
    # Counted as "without", the unknown rows would have made North America look better than it is.
    wrong = refine_icp(SPEC, pl.concat([frame, older.drop("unknown")]), 0.034 * 0.14, ["c-1", "c-0"]).evidence[1]
    assert wrong.delivered_without == 290
    alone = refine_icp(SPEC, frame, 0.034 * 0.14, ["c-1"]).evidence[1]
    assert abs(na.lift - alone.lift) < abs(wrong.lift - alone.lift) and wrong.lift > na.lift


def test_icp_changes_reads_like_a_diff():
    result = refine_icp(SPEC, _frame([(["sweet-spot size"], 120, 14), ([], 130, 1)]), 0.034 * 0.14, ["c-1"])
    lines = icp_changes(SPEC, result.new_spec)
    assert lines == [f"~ criterion sweet-spot size: +2 -> {result.new_spec.scoring.criteria[0].points:+d}"]
    assert icp_changes(None, SPEC) == ["first version"]


NEGATIVE = parse_icp("""name: mid-market-saas
version: 3
parent: 2
scoring:
  criteria:
    - {name: sweet-spot size, field: employees, between: [50, 200], points: 2}
    - {name: late stage, field: funding_stage, in: [series_d_plus], points: -1}
""")


def test_strong_negative_evidence_on_a_negative_criterion_makes_it_a_disqualifier():
    frame = _frame([(["late stage"], 300, 0), ([], 300, 30)])
    result = refine_icp(NEGATIVE, frame, 0.034 * 0.14, ["c-1"])
    late = result.evidence[1]
    assert late.disqualifies and late.new_points <= -3
    new = result.new_spec
    assert [c.label for c in new.scoring.criteria] == ["sweet-spot size"]
    (rule,) = new.disqualifiers
    assert (rule.field, rule.value) == ("funding_stage", ["series_d_plus"])
    assert "0/300 positive vs 30/300 without" in rule.reason
    assert new.evidence[0]["change"] == "disqualifier"
    text = refined_icp_text(result)
    line = next(x for x in text.splitlines() if "series_d_plus" in x and "reason" in x)
    assert "# from criterion late stage: now a disqualifier" in line
    assert parse_icp(text) == new
    assert "- criterion late stage" in icp_changes(NEGATIVE, new)
    assert "+ disqualifier funding_stage in [series_d_plus]" in icp_changes(NEGATIVE, new)


def _explore(gong_n: int, gong_k: int, other_n: int, other_k: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Explore-share outcomes and the accounts' attributes: `gong` in tech_stack on the first block."""
    n = gong_n + other_n
    positive = [1] * gong_k + [0] * (gong_n - gong_k) + [1] * other_k + [0] * (other_n - other_k)
    ids = [f"a{i}" for i in range(n)]
    outcomes = pl.DataFrame({"positive": positive, "criteria": [[]] * n, "segment": ["explore"] * n, "account_id": ids})
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
    result = refine_icp(SPEC, outcomes, 0.034 * 0.14, ["c-1"], attributes)
    (proposal,) = result.proposals
    assert (proposal.field, proposal.value, proposal.positive_with, proposal.delivered_with) == (
        "tech_stack",
        "gong",
        12,
        60,
    )
    assert proposal.tried >= 3 and proposal.p_better > 1 - 0.03 / proposal.tried
    new = result.new_spec
    added = new.scoring.criteria[-1]
    assert (added.label, added.field, added.value, added.points) == (
        "tech_stack gong (proposed)",
        "tech_stack",
        ["gong"],
        proposal.points,
    )
    assert new.evidence[-1]["change"] == "proposed" and new.evidence[-1]["positive_with"] == 12
    text = refined_icp_text(result)
    line = next(x for x in text.splitlines() if "gong" in x and "points" in x)
    assert "# proposed +" in line and "12/60 positive vs 2/240 without" in line
    assert parse_icp(text) == new


def test_an_explore_attribute_without_a_real_difference_is_not_proposed():
    outcomes, attributes = _explore(60, 2, 240, 8)
    assert refine_icp(SPEC, outcomes, 0.034 * 0.14, ["c-1"], attributes).proposals == []


def test_without_the_accounts_nothing_is_proposed():
    outcomes, _ = _explore(60, 12, 240, 2)
    result = refine_icp(SPEC, outcomes, 0.034 * 0.14, ["c-1"])
    assert result.proposals == [] and result.new_spec is None


def test_many_criteria_need_a_higher_probability_to_move():
    assert change_at(11) == pytest.approx(1 - FAMILY_ERROR / 11)
    assert change_at(11) > change_at(4) >= change_at(1) == CHANGE_AT

    def spec(n: int):
        rows = "".join(f"    - {{name: c{i}, field: employees, gte: {i}, points: 1}}\n" for i in range(n))
        return parse_icp("name: m\nscoring:\n  criteria:\n" + rows)

    many, few = spec(40), spec(4)
    labels = [c.label for c in many.scoring.criteria]
    # c0 alone: a contrast whose P(lift > its 1 point) clears the threshold for 4 criteria but not for 40.
    for k in range(3, 20):
        frame = pl.DataFrame(
            {"positive": [1] * k + [0] * (60 - k) + [1] * 3 + [0] * 57, "criteria": [[labels[0]]] * 60 + [[]] * 60}
        )
        c0 = refine_icp(many, frame, 0.034 * 0.14, ["c-1"]).evidence[0]
        if change_at(4) <= stats.norm.sf(POINT_LOGIT, c0.lift, c0.lift_sd) < change_at(40):
            assert c0.step == 0
            assert refine_icp(few, frame, 0.034 * 0.14, ["c-1"]).evidence[0].step > 0
            break
    else:
        pytest.fail("no contrast landed between the two thresholds")
