"""Checks over a whole run: repeated sentences, weak evidence, sample copy, one point made twice, the summary."""

from __future__ import annotations

import polars as pl

from messaging.checks.batch import (
    MAX_SHARE,
    batch_issues,
    drafting_summary,
    repeated_sentences,
    said_twice,
)
from messaging.composing.copy_blocks import load_messaging
from messaging.composing.sender import load_sender
from messaging.composing.templates import load_templates
from messaging.drafts import build_drafts

SENDER = load_sender()
OWN = SENDER.model_copy(update={"sample": False, "company": "Stackpilot", "solves": ["tool_sprawl"]})
LINE = "Every extra tool is another integration to maintain this quarter."


def _drafts(bodies: list[str], companies: list[str] | None = None, step: int = 1) -> pl.DataFrame:
    n = len(bodies)
    return pl.DataFrame(
        {
            "contact_id": [f"c{i}" for i in range(n)],
            "company": companies or [f"Co{i}" for i in range(n)],
            "step": [step] * n,
            "body": bodies,
            "facts_used": [["employees"] if i % 2 else [] for i in range(n)],
            "issues": [[] for _ in range(n)],
        },
        schema_overrides={"issues": pl.List(pl.String), "facts_used": pl.List(pl.String)},
    )


def _body(i: int, *extra: str) -> str:
    own = " ".join(SENDER.proof_points)
    return (
        f"Hi Sam,\n\nA line written only for account number {i} here. {' '.join(extra)}\n\n{own}\n\n{SENDER.signature}"
    )


def test_a_sentence_in_more_than_a_tenth_of_first_touches_is_a_warning_and_the_senders_lines_never_are():
    bodies = [_body(i, LINE) if i < 3 else _body(i) for i in range(10)]
    shares = repeated_sentences(_drafts(bodies), SENDER)
    assert shares.filter(pl.col("sentence") == LINE)["drafts"].item() == 3
    assert abs(shares.filter(pl.col("sentence") == LINE)["share"].item() - 0.3) < 1e-9
    assert not shares["sentence"].is_in(SENDER.proof_points).any()  # in all 10, but the sender's own
    flagged = batch_issues(_drafts(bodies), SENDER)["issues"].list.join(" ")
    assert (
        flagged.str.contains("repeated_sentence: 30% of this run's first touches say").to_list()
        == [True] * 3 + [False] * 7
    )
    # One draft in ten is no repetition; a follow-up step is not a first touch.
    once = [_body(i, LINE) if i == 0 else _body(i) for i in range(10)]
    assert batch_issues(_drafts(once), SENDER)["issues"].list.len().sum() == 0
    assert repeated_sentences(_drafts(bodies, step=2), SENDER).is_empty()


def test_one_line_filled_with_each_accounts_name_is_one_sentence():
    bodies = [_body(i, f"It looks like Co{i} uses quite a few tools that overlap.") for i in range(5)]
    top = repeated_sentences(_drafts(bodies), SENDER).row(0, named=True)
    assert top["sentence"] == "It looks like {company} uses quite a few tools that overlap." and top["share"] == 1.0


def test_weak_evidence_and_sample_copy_are_warnings_on_the_drafts_they_concern():
    drafts = _drafts([_body(i) for i in range(3)])
    weak = pl.Series([None, "the tool_sprawl opener rests on a tag", None], dtype=pl.String)
    out = batch_issues(drafts, OWN, sample_copy=True, weak=weak)["issues"]
    assert [any(i.startswith("weak_evidence: ") for i in row) for row in out] == [False, True, False]
    assert all(any(i.startswith("sample_copy: ") for i in row) for row in out)


def test_build_drafts_flags_a_tag_only_pain_and_the_samples_copy_under_the_users_sender():
    targets = pl.DataFrame(
        {
            "account_id": ["a1", "a2"],
            "name": ["Alpha", "Beta"],
            "description": ["We build accounting software.", "We write software for teams."],
            "pain_points": [["compliance_burden"], []],
        }
    )
    contacts = pl.DataFrame(
        {
            "contact_id": ["c1", "c2"],
            "account_id": ["a1", "a2"],
            "first_name": ["Sam", "Ria"],
            "email": ["sam@alpha.com", "ria@beta.com"],
            "persona": ["economic_buyer", "economic_buyer"],
            "sendable": [True, True],
        }
    )
    sender = OWN.model_copy(update={"solves": ["compliance_burden"]})
    spec = load_messaging()
    drafts = build_drafts(
        targets,
        contacts,
        personas=["economic_buyer"],
        persona_rules=None,
        messaging=spec,
        sender=sender,
        templates=load_templates(sender=sender),
    ).drafts
    issues = drafts.select("contact_id", pl.col("issues").list.join(" | "))
    alpha = issues.filter(pl.col("contact_id") == "c1")["issues"]
    beta = issues.filter(pl.col("contact_id") == "c2")["issues"]
    assert alpha.str.contains("weak_evidence: the compliance_burden opener rests on a list value").all()
    assert not beta.str.contains("weak_evidence").any()
    assert issues["issues"].str.contains("sample_copy: ").all()
    # Signed by the sample's own sender, its own copy is the demo: no sample_copy warning.
    demo = build_drafts(
        targets,
        contacts,
        personas=["economic_buyer"],
        persona_rules=None,
        messaging=spec,
        sender=SENDER,
        templates=load_templates(),
    ).drafts
    assert not demo["issues"].list.join(" ").str.contains("sample_copy").any()


def test_the_summary_reports_facts_the_most_repeated_sentence_claims_and_warnings():
    bodies = [_body(i, LINE) if i < 3 else _body(i) for i in range(10)]
    drafts = batch_issues(_drafts(bodies), SENDER)
    summary = drafting_summary(drafts, SENDER)
    assert summary["drafts"] == 10 and summary["with_account_fact"] == 0.5
    assert summary["most_repeated_sentence"] == {"sentence": LINE, "share": 0.3}
    assert summary["claims"]["firmographic"] == 5 and summary["claims"]["pain_point"] == 0
    assert summary["warnings"] == {"repeated_sentence": 3}
    assert MAX_SHARE == 0.10


def test_two_sentences_of_one_draft_making_the_same_point_are_found():
    twice = _drafts(
        [
            _body(
                0,
                "Every extra tool is another integration to maintain.",
                "Each integration to maintain is another tool.",
            ),
            _body(1, "Every extra tool is another integration to maintain.", "Growth tends to add steps faster."),
        ]
    )
    found = said_twice(twice, SENDER)
    assert found["contact_id"].to_list() == ["c0"] and found["shared"][0] == "integration, maintain, tool"
