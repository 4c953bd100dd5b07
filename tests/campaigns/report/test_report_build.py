"""report.json from what the store holds: totals, arms, criteria, the plan-only report."""

from __future__ import annotations

import json

import polars as pl
import pytest
from statsmodels.stats.proportion import proportion_confint

from campaigns.report import build_report
from campaigns.report.stats import Prior
from campaigns.results.outcomes import RANK
from campaigns.store import Store

ARM_KEYS = {
    "name",
    "planned",
    "delivered",
    "replies",
    "positive",
    "meetings",
    "rate",
    "reply_rate",
    "ci_low",
    "ci_high",
    "p_better",
    "verdict",
    "next_round_n",
}
TOTAL_KEYS = {
    "planned",
    "sent",
    "delivered",
    "bounced",
    "replies",
    "positive",
    "meetings",
    "auto_replies",
    "unsubscribed",
}


def _contacts(segments, outcomes, criteria, personas=None, variants=None, simulated=False) -> pl.DataFrame:
    n = len(segments)
    return pl.DataFrame(
        {
            "campaign_id": ["c-1"] * n,
            "contact_id": [f"k{i}" for i in range(n)],
            "email": [f"p{i}@x{i}.com" for i in range(n)],
            "account_id": [f"x{i}.com" for i in range(n)],
            "company": [f"X{i}" for i in range(n)],
            "persona": personas or ["champion"] * n,
            "segment": segments,
            "variant": variants or ["a", "b"] * (n // 2) + ["a"] * (n % 2),
            "drafts": ['[{"step": 1, "subject": "Hi", "body": "Hello"}]'] * n,
            "criteria": [json.dumps(c) if c is not None else None for c in criteria],
            "outcome_rank": pl.Series([None if o is None else RANK[o] for o in outcomes], dtype=pl.Int32),
            "simulated": [simulated] * n,
        }
    )


META = {
    "campaign_id": "c-1",
    "name": "q1-test",
    "icp": "mid-market-saas",
    "version": 1,
    "design": {"segments": [{"segment": "A"}, {"segment": "explore"}]},
}


@pytest.fixture
def frame() -> pl.DataFrame:
    # A: 20 contacts: 2 meetings, 2 positive, 1 replied, 1 auto-reply, 1 bounced, 13 no reply.
    a = ["meeting"] * 2 + ["positive"] * 2 + ["replied", "auto_reply", "bounced"] + ["no_reply"] * 13
    # explore: 10 contacts: 1 unsubscribed, 1 not sent, 1 with no outcome yet, 7 no reply.
    e = ["unsubscribed", "not_sent", None] + ["no_reply"] * 7
    crit = [["size"]] * 10 + [["size", "crm"]] * 10 + [["crm"]] * 5 + [[]] * 5
    return _contacts(["A"] * 20 + ["explore"] * 10, a + e, crit)


def test_report_has_product_md_fields_and_hand_checked_totals(frame):
    report = build_report(META, frame, Prior(), ["size", "crm", "never met"])
    assert {
        "campaign_id",
        "icp",
        "version",
        "simulated",
        "prior",
        "totals",
        "segments",
        "criteria",
        "personas",
        "variants",
    } <= set(report)
    assert report["totals"] == {
        "planned": 30,
        "sent": 28,
        "delivered": 27,
        "bounced": 1,
        "replies": 5,
        "positive": 4,
        "meetings": 2,
        "auto_replies": 1,
        "unsubscribed": 1,
    }
    assert report["simulated"] is False and report["results"] is True
    for key in ("segments", "criteria", "personas", "variants"):
        for row in report[key]:
            assert ARM_KEYS <= set(row), (key, row)
            assert row["verdict"] in ("likely_better", "likely_worse", "not_enough_evidence", "no_comparison")
            # No probability without a comparison, and a comparison always has one.
            assert (row["p_better"] is None) == (row["verdict"] == "no_comparison")
    a, explore = report["segments"]
    assert (a["name"], a["delivered"], a["positive"], a["replies"], a["meetings"]) == ("A", 19, 4, 5, 2)
    assert a["rate"] == pytest.approx(4 / 19, abs=1e-6) and a["reply_rate"] == pytest.approx(5 / 19, abs=1e-6)
    low, high = proportion_confint(4, 19, method="wilson")
    assert (a["ci_low"], a["ci_high"]) == pytest.approx((low, high), abs=1e-6)
    # 19 delivered against the explore share's 8: the rest is too small for a comparison.
    assert a["p_better"] is None and a["verdict"] == "no_comparison" and "no comparison" in a["sentence"]
    assert (explore["delivered"], explore["positive"], explore["sent"], explore["unsubscribed"]) == (8, 0, 8, 1)
    assert explore["replies"] == 0 and explore["reasons"]["unsubscribe"] == 1


def test_criteria_contrast_contacts_that_met_each_criterion_with_the_rest(frame):
    report = build_report(META, frame, Prior(), ["size", "crm", "never met"])
    size, crm, never = report["criteria"]
    assert (size["name"], size["planned"], size["delivered"], size["positive"]) == ("size", 20, 19, 4)
    assert size["rest"] == {
        "delivered": 8,
        "replies": 0,
        "positive": 0,
        "reply_rate": 0.0,
        "rate": 0.0,
        "posterior_mean": pytest.approx(Prior().reply_rate * 40 / 48, abs=1e-6),
    }
    # crm: k10-k19 of A (all no reply) and k20-k24 of explore (unsubscribed, not sent, no outcome, 2 no reply).
    assert (crm["planned"], crm["delivered"], crm["positive"]) == (15, 13, 0)
    assert never["delivered"] == 0 and never["rate"] is None and never["verdict"] == "no_comparison"
    assert never["p_better"] is None and "nothing delivered yet" in never["sentence"]


def test_bounces_per_segment_are_a_data_problem(frame):
    report = build_report(META, frame, Prior(), [])
    a = report["segments"][0]
    assert a["bounce_rate"] == pytest.approx(1 / 20)
    assert report["data_problems"] == []
    bouncy = frame.with_columns(
        pl.when(pl.col("contact_id").is_in(["k10", "k11"]))
        .then(RANK["bounced"])
        .otherwise(pl.col("outcome_rank"))
        .alias("outcome_rank")
    )
    problems = build_report(META, bouncy, Prior(), [])["data_problems"]
    assert [p["segment"] for p in problems] == ["A"] and "3 of 20 emails bounced" in problems[0]["problem"]


def test_a_campaign_without_results_is_a_report_of_the_plan_and_says_so():
    frame = _contacts(["A"] * 4, [None] * 4, [[]] * 4)
    report = build_report(META, frame, Prior(), ["size"])
    assert report["results"] is False and "no results ingested yet" in report["notes"][0]
    assert report["totals"]["planned"] == 4 and report["totals"]["delivered"] == 0
    assert report["segments"][0]["rate"] is None and report["segments"][0]["verdict"] == "no_comparison"


def test_simulated_results_are_marked(frame):
    assert build_report(META, frame.with_columns(pl.lit(True).alias("simulated")), Prior(), [])["simulated"] is True


def test_the_store_hands_the_report_each_contact_once_at_its_highest_outcome(store: Store):
    events = pl.DataFrame(
        {
            "contact_id": ["k0", "k0", "k1", "k2"],
            "email": ["ann@acme.com", "ann@acme.com", "bob@acme.com", "cy@beta.io"],
            "outcome": ["replied", "meeting", "bounced", "auto_reply"],
            "outcome_rank": [RANK["replied"], RANK["meeting"], RANK["bounced"], RANK["auto_reply"]],
            "step": [1, 2, 1, 1],
            "reply_text": [None] * 4,
            "event_at": [None] * 4,
            "inbox": [None] * 4,
            "source_row": [1, 2, 3, 4],
        }
    )
    store.record_outcomes(
        "c-0000abcd",
        events,
        source_hash="h1",
        preset="canonical",
        rows=4,
        simulated=True,
        ledger=pl.DataFrame(schema={"kind": pl.String, "key": pl.String, "reason": pl.String}),
    )
    contacts = store.contact_outcomes(["c-0000abcd"])
    assert contacts.height == 6
    assert dict(zip(contacts["contact_id"], contacts["outcome_rank"])) == {
        "k0": RANK["meeting"],
        "k1": RANK["bounced"],
        "k2": RANK["auto_reply"],
        "k3": None,
        "k4": None,
        "k5": None,
    }
    report = build_report({**META, "campaign_id": "c-0000abcd"}, contacts, Prior(), [])
    assert report["simulated"] is True
    assert report["totals"] == {
        "planned": 6,
        "sent": 3,
        "delivered": 2,
        "bounced": 1,
        "replies": 1,
        "positive": 1,
        "meetings": 1,
        "auto_replies": 1,
        "unsubscribed": 0,
    }


def _block(segment: str, persona: str, criteria: list[str], replies: int, delivered: int) -> dict:
    return {
        "segment": [segment] * delivered,
        "persona": [persona] * delivered,
        "criteria": [criteria] * delivered,
        "outcomes": ["replied"] * replies + ["no_reply"] * (delivered - replies),
    }


def test_equal_counts_give_equal_numbers_in_every_section_and_in_refine():
    from targeting.icp.refine import refine_icp
    from targeting.icp.spec import parse_icp

    # 3 of 15 against 7 of 81 for a segment, a persona and a criterion alike (the example).
    blocks = [_block("A", "economic_buyer", ["enterprise"], 3, 15), _block("B", "champion", [], 7, 81)]
    segments = [x for b in blocks for x in b["segment"]]
    frame = _contacts(
        segments,
        [x for b in blocks for x in b["outcomes"]],
        [x for b in blocks for x in b["criteria"]],
        personas=[x for b in blocks for x in b["persona"]],
    )
    report = build_report(META, frame, Prior(), ["enterprise"])
    seg = report["segments"][0]
    persona = next(r for r in report["personas"] if r["name"] == "economic_buyer")
    criterion = report["criteria"][0]
    numbers = {
        (r["replies"], r["delivered"], r["p_better"], r["lift"], r["verdict"]) for r in (seg, persona, criterion)
    }
    assert numbers == {(3, 15, seg["p_better"], seg["lift"], seg["verdict"])} and seg["p_better"] is not None
    spec = parse_icp(
        "name: t\nscoring:\n  criteria:\n    - {name: enterprise, field: employees, gte: 1000, points: 1}\n"
    )
    pooled = pl.DataFrame(
        {
            "replied": [int(o == "replied") for b in blocks for o in b["outcomes"]],
            "criteria": [x for b in blocks for x in b["criteria"]],
        }
    )
    evidence = refine_icp(spec, pooled, Prior().reply_rate, ["c-1"]).evidence[0]
    assert round(evidence.p_better, 4) == criterion["p_better"] and round(evidence.lift, 4) == criterion["lift"]


def test_a_persona_planned_alone_is_no_comparison_never_a_probability():
    frame = _contacts(["A"] * 30, ["replied"] * 5 + ["no_reply"] * 25, [[]] * 30, personas=["economic_buyer"] * 30)
    (persona,) = build_report(META, frame, Prior(), [])["personas"]
    assert persona["rest"]["delivered"] == 0 and persona["p_better"] is None and persona["verdict"] == "no_comparison"
    assert "no comparison" in persona["sentence"] and "P(better)" not in persona["sentence"]


def test_a_clear_difference_reads_as_a_sentence_and_a_tiny_one_is_not_testable_here():
    big = _contacts(
        ["A"] * 60 + ["B"] * 150,
        ["replied"] * 12 + ["no_reply"] * 48 + ["replied"] * 6 + ["no_reply"] * 144,
        [[]] * 210,
    )
    a = build_report(META, big, Prior(), [])["segments"][0]
    assert a["verdict"] == "likely_better"
    assert a["sentence"].startswith("Segment A answered 5.0 times as often as the rest (12 of 60 answered")
    assert "sure the difference is real" in a["sentence"]
    close = _contacts(
        ["A"] * 100 + ["B"] * 100, ["replied"] * 5 + ["no_reply"] * 95 + ["replied"] * 5 + ["no_reply"] * 95, [[]] * 200
    )
    even = build_report(META, close, Prior(), [])["segments"][0]
    assert even["verdict"] == "not_enough_evidence" and even["next_round_n"] is None and even["testable"] is False
    assert "not testable at this scale" in even["sentence"]


def test_replies_are_counted_by_reason_per_segment_and_persona():
    frame = _contacts(
        ["A"] * 4 + ["B"] * 2, ["replied", "replied", "positive", "unsubscribed", "replied", "no_reply"], [[]] * 6
    )
    frame = frame.with_columns(
        pl.Series(
            "reply_text", ["Wrong person, ask my colleague", "We already use Gong", None, None, "Kein Interesse", None]
        )
    )
    report = build_report(META, frame, Prior(), [])
    a, b = report["segments"]
    assert {k: v for k, v in a["reasons"].items() if v} == {
        "wrong_person": 1,
        "already_use": 1,
        "positive": 1,
        "unsubscribe": 1,
    }
    assert {k: v for k, v in b["reasons"].items() if v} == {"not_interested": 1}
    assert report["reasons"]["unsubscribe"] == 1 and report["totals"]["unsubscribed"] == 1
    assert report["personas"][0]["reasons"]["wrong_person"] == 1


def test_with_several_contacts_per_account_segments_and_criteria_count_accounts():
    # Two people at each of 20 accounts; at 5 accounts both answered: 5 accounts, not 10 trials.
    n = 40
    frame = _contacts(["A"] * n, ["replied", "replied"] * 5 + ["no_reply"] * 30, [["size"]] * n).with_columns(
        pl.Series("account_id", [f"x{i // 2}.com" for i in range(n)])
    )
    per_contact = build_report(META, frame, Prior(), ["size"])
    per_account = build_report({**META, "design": {**META["design"], "per_account": 2}}, frame, Prior(), ["size"])
    assert (per_contact["segments"][0]["replies"], per_contact["segments"][0]["delivered"]) == (10, 40)
    assert (per_account["segments"][0]["replies"], per_account["segments"][0]["delivered"]) == (5, 20)
    assert per_account["criteria"][0]["delivered"] == 20 and per_account["unit"] == "account"
    assert per_account["personas"][0]["delivered"] == 40  # a persona is a person's, not an account's
