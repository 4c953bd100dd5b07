"""Review as plain functions: a draft's grounds sentence by sentence, decisions in the store, review_status."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from campaigns.review.decisions import Decision, ReviewLog, drafted_hash
from campaigns.review.grounds import draft_grounds, highlighted, sentences
from campaigns.review.status import progress, review_csv, reviewed_only, sequence_status, with_decisions
from campaigns.store import StoreBusy
from targeting.errors import InputError
from targeting.facts.spec import load_facts

_text = st.text(alphabet=st.sampled_from(list("ab .!?,\n\tInc")), max_size=80)


@settings(max_examples=200)
@given(text=_text)
def test_sentences_joined_back_are_the_paragraphs(text):
    for paragraph, cut in zip(
        [p for p in __import__("re").split(r"\n\s*\n", text.strip()) if p.strip()], sentences(text), strict=False
    ):
        rebuilt = "".join(s + after for s, after in cut)
        assert rebuilt.strip() == paragraph.strip() or not cut


def test_a_company_suffix_does_not_end_a_sentence():
    assert sentences("Tallybeam Inc., 2261 Market Street. Next one!\nLast line") == [
        [("Tallybeam Inc., 2261 Market Street.", " "), ("Next one!", "\n"), ("Last line", "")]
    ]


@settings(max_examples=200)
@given(text=st.text(max_size=60), words=st.lists(st.text(min_size=2, max_size=5), max_size=3))
def test_highlighting_cuts_the_text_and_marks_only_the_words(text, words):
    runs = highlighted(text, words)
    assert "".join(run for run, _ in runs) == text
    assert all(any(run.lower() == w.lower() for w in words) for run, hit in runs if hit)


def test_each_sentence_names_the_fact_it_rests_on_and_the_issue_at_it():
    draft = {
        "subject": "Reporting at Acme",
        "body": "Hi Ada,\n\nAcme runs manual reporting today. We help with free trials.\n\nBye",
        "facts_used": ["pain_points"],
        "issues": ["spam_word: 'free'", "too_short: 12 words"],
    }
    account = {"account_id": "acme.com", "name": "Acme", "description": "Acme runs Manual Reporting by hand."}
    account |= {"pain_points": ["manual_reporting"], "growth_signals": [], "prior_solutions": []}
    grounds = draft_grounds(draft, account, load_facts(None))
    flat = [s for p in grounds.sentences for s in p]
    rests = {s.text: [g.key for g in s.grounds] for s in flat}
    assert rests["Acme runs manual reporting today."] == ["manual_reporting"]
    assert rests["We help with free trials."] == []
    assert next(s for s in flat if s.text == "We help with free trials.").issues == ["spam_word: 'free'"]
    assert grounds.draft_issues == ["too_short: 12 words"]
    assert ("Manual Reporting", True) in grounds.description


@pytest.mark.parametrize("empty", [None, []])
def test_an_account_whose_lists_are_empty_or_null_is_grounded_as_its_targets_row_reads(empty):
    # A YC target carries no tech stack and, often, no prior solutions: one row of such lists has no type.
    draft = {"subject": "Hi", "body": "Hi Ada,\n\nAcme runs manual reporting today.", "facts_used": ["pain_points"]}
    account = {"account_id": "acme.com", "name": "Acme", "description": "Acme runs manual reporting by hand."}
    account |= {column: empty for column in ("tags", "tech_stack", "hiring_roles", "growth_signals", "prior_solutions")}
    account |= {"pain_points": ["manual_reporting"], "employees": None, "signals_at": None}
    grounds = draft_grounds(draft, account, load_facts(None))
    rests = {s.text: [g.key for g in s.grounds] for p in grounds.sentences for s in p}
    assert rests["Acme runs manual reporting today."] == ["manual_reporting"]


def _drafts() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "contact_id": ["c1", "c1", "c2", "c3"],
            "email": ["a@x.com", "a@x.com", "b@y.com", "c@z.com"],
            "step": [1, 2, 1, 1],
            "variant": ["a", "a", "b", "a"],
            "subject": ["s1", "s2", "s3", "s4"],
            "body": ["b1", "b2", "b3", "b4"],
            "issues": [[], [], ["too_short: x"], []],
        },
        schema_overrides={"issues": pl.List(pl.String)},
    )


def test_decisions_are_kept_the_latest_wins_and_a_redraft_starts_afresh(tmp_path):
    log = ReviewLog(tmp_path / "s.duckdb", tmp_path / "d")
    drafts = _drafts()
    log.record(Decision("c1", 1, "a", drafted_hash("s1", "b1"), "approved"))
    log.record(Decision("c1", 2, "a", drafted_hash("s2", "b2"), "rejected", reason="too pushy"))
    log.record(Decision("c1", 2, "a", drafted_hash("s2", "b2"), "approved"))
    log.record(Decision("c2", 1, "b", drafted_hash("s3", "b3"), "edited", subject="s3!", body="b3!", issues=()))
    log.record(Decision("c3", 1, "a", drafted_hash("other", "text"), "approved"))  # made on an older draft
    again = ReviewLog(tmp_path / "s.duckdb", tmp_path / "d")  # a second session
    reviewed = with_decisions(drafts, again.latest())
    assert reviewed["review_status"].to_list() == ["approved", "approved", "edited", "unreviewed"]
    assert reviewed.filter(pl.col("contact_id") == "c2").select("subject", "body", "issues").row(0) == (
        "s3!",
        "b3!",
        [],
    )
    assert progress(reviewed) == {
        "approved": 2,
        "edited": 1,
        "rejected": 0,
        "unreviewed": 1,
        "drafts": 4,
        "contacts": 3,
        "reviewed": 2,  # sequences: c1's two steps and c2's one; c3's draft is undecided
        "sequences_approved": 2,
        "sequences_rejected": 0,
        "partly": 0,
    }
    assert ReviewLog(tmp_path / "s.duckdb", tmp_path / "other").latest().is_empty()  # another folder's batch


@pytest.mark.parametrize(
    ("steps", "expected"),
    [
        (["unreviewed", "unreviewed", "unreviewed"], "unreviewed"),
        (["edited", "unreviewed", "unreviewed"], "partly reviewed"),  # one step edited, the rest not seen
        (["approved", "edited", "approved"], "approved"),
        (["approved", "approved", "rejected"], "rejected"),  # a later step rejected rejects the sequence
        (["unreviewed", "rejected", "unreviewed"], "rejected"),
    ],
)
def test_a_sequence_is_decided_whole(steps, expected):
    frame = pl.DataFrame(
        {"contact_id": ["c1"] * len(steps) + ["c2"], "review_status": [*steps, "approved"]}
    ).with_columns(sequence_status())
    assert frame["sequence_status"].to_list() == [expected] * len(steps) + ["approved"]


def test_a_rejection_needs_a_reason(tmp_path):
    with pytest.raises(InputError, match="needs a reason"):
        ReviewLog(tmp_path / "s.duckdb", tmp_path).record(Decision("c1", 1, "a", "h", "rejected", reason=" "))


def test_reviewed_only_keeps_contacts_whose_every_draft_is_approved(tmp_path):
    log = ReviewLog(tmp_path / "s.duckdb", tmp_path / "d")
    log.record(Decision("c1", 1, "a", drafted_hash("s1", "b1"), "approved"))
    log.record(Decision("c2", 1, "b", drafted_hash("s3", "b3"), "edited", subject="x", body="y"))
    log.record(Decision("c3", 1, "a", drafted_hash("s4", "b4"), "rejected", reason="wrong person"))
    csv = review_csv(with_decisions(_drafts(), log.latest())).cast(pl.String)
    decided = reviewed_only(csv)
    assert decided.approved == ["c2"]  # c1's step 2 is not reviewed
    assert decided.unreviewed_contacts == 1
    assert decided.rejected.to_dicts() == [{"contact_id": "c3", "step": "1", "variant": "a", "reason": "wrong person"}]


def test_a_busy_store_is_one_error(tmp_path):
    path = tmp_path / "s.duckdb"
    ReviewLog(path, tmp_path).check()
    code = textwrap.dedent(
        f"""
        import time
        from campaigns.store import Store
        with Store({str(path)!r}).transaction():
            print("holding", flush=True)
            time.sleep(600)  # held until the test kills it: a loaded machine never sees it let go
        """
    )
    holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        with pytest.raises(StoreBusy, match="store is busy"):
            ReviewLog(path, tmp_path).latest()
    finally:
        holder.kill()
        holder.wait()
