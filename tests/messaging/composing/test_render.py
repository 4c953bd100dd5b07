"""Rendering: every shipped template yields a short, complete email; steps, variants and facts are right."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from messaging.checks.lint import lint_drafts
from messaging.checks.spam_words import SPAM_WORDS
from messaging.composing.copy_blocks import copy_blocks, load_messaging
from messaging.composing.render import render_drafts
from messaging.composing.sender import load_sender
from messaging.composing.templates import load_templates
from targeting.columns import PERSONAS
from targeting.vocabulary import GROWTH_SIGNALS, PAIN_POINTS, PRIOR_SOLUTIONS

SPEC, SENDER, TEMPLATES = load_messaging(), load_sender(), load_templates()
LIST = pl.List(pl.String)
SCHEMA = {
    "contact_id": pl.String,
    "persona": pl.String,
    "first_name": pl.String,
    "name": pl.String,
    "industry": pl.String,
} | {c: LIST for c in ("tech_stack", "hiring_roles", "pain_points", "growth_signals", "prior_solutions")}


def _contacts(rows: list[dict]) -> pl.LazyFrame:
    base = {
        "first_name": "Jordan",
        "name": "Acme Analytics",
        "industry": "saas",
        "tech_stack": ["salesforce"],
        "hiring_roles": ["sales"],
    }
    return copy_blocks(pl.DataFrame([{**base, **r} for r in rows], schema=SCHEMA).lazy(), SPEC)


def _every_shape() -> list[dict]:
    """Each persona with each pain point (with and without signals) and with no facts at all."""
    rows = []
    for persona in PERSONAS:
        for i, pain in enumerate([*PAIN_POINTS, None]):
            rows.append(
                {
                    "contact_id": f"{persona}-{i}",
                    "persona": persona,
                    "pain_points": [pain] if pain else [],
                    "growth_signals": [GROWTH_SIGNALS[i % len(GROWTH_SIGNALS)]] if pain and i % 2 else [],
                    "prior_solutions": [PRIOR_SOLUTIONS[i % len(PRIOR_SOLUTIONS)]] if pain and i % 3 else [],
                    "tech_stack": ["hubspot"] if i % 2 else [],
                    "hiring_roles": ["customer_success"] if i % 2 else [],
                    "industry": "saas" if pain else None,
                }
            )
    return rows


@pytest.fixture(scope="module")
def every_draft() -> pl.DataFrame:
    rows = _every_shape()
    # Twice over so every contact meets both step-1 variants.
    rows += [{**r, "contact_id": r["contact_id"] + "-x"} for r in rows]
    return render_drafts(_contacts(rows), TEMPLATES, SENDER, steps=3)


def test_every_shipped_template_is_rendered_for_every_persona(every_draft):
    rendered = set(every_draft.select("persona", "step", "variant").unique().iter_rows())
    assert rendered == set(TEMPLATES.code)


def test_every_draft_is_50_to_150_words_with_address_and_opt_out(every_draft):
    # Counted as the lint counts: the compliance footer (address, opt-out line) is not copy.
    footer = len(SENDER.postal_address.split()) + len(SENDER.opt_out_line.split())
    words = every_draft["body"].str.count_matches(r"\S+") - footer
    assert words.min() >= 50 and words.max() <= 150
    assert every_draft["body"].str.contains(SENDER.postal_address, literal=True).all()
    assert every_draft["body"].str.contains(SENDER.opt_out_line, literal=True).all()


def test_drafts_are_plain_text_with_one_ask_and_no_leftovers(every_draft):
    for column in ("subject", "body"):
        assert not every_draft[column].str.contains(r"\{|\}|None|sample ").any()
    assert every_draft["subject"].str.len_chars().min() > 0
    assert not every_draft["body"].str.starts_with("Subject:").any()
    assert (every_draft["body"].str.count_matches(r"https?://") <= 1).all()
    assert (every_draft["body"].str.count_matches(r"\?") <= 2).all()


def test_no_spam_words_in_shipped_copy(every_draft):
    text = pl.concat([every_draft["subject"], every_draft["body"]]).str.to_lowercase()
    found = [w for w in SPAM_WORDS if w.isalpha() and text.str.contains(rf"\b{w}\b").any()]
    assert found == []


def test_a_contact_without_facts_uses_none(every_draft):
    no_facts = every_draft.filter(pl.col("contact_id").str.ends_with(f"-{len(PAIN_POINTS)}"))
    assert no_facts["facts_used"].list.len().max() == 0
    assert no_facts["subject"].str.contains("(?i)Acme Analytics|day-to-day operations|Jordan").all()


def test_facts_used_lists_only_facts_the_template_used():
    rows = _contacts(
        [
            {
                "contact_id": "c1",
                "persona": "economic_buyer",
                "pain_points": ["churn_risk"],
                "growth_signals": ["new_office"],
                "prior_solutions": ["agency"],
            }
        ]
    )
    out = render_drafts(rows, TEMPLATES, SENDER, steps=3).sort("step", "variant")
    by_step = dict(zip(out["step"], out["facts_used"].to_list()))
    # step 1 uses opener, angle, problem and bridge; step 2 the topic and a follow-up line (none of
    # whose facts this account has but the industry, which it names only beside a country); step 3 the topic.
    assert by_step[1] == ["growth_signals", "pain_points", "prior_solutions"]
    assert by_step[2] == ["pain_points"]
    assert by_step[3] == ["pain_points"]


def test_direct_fact_variables_count_only_when_known(tmp_path: Path):
    folder = tmp_path / "templates" / "user"
    folder.mkdir(parents=True)
    for variant in ("a", "b"):
        text = (
            "Subject: {{ company }}\n\nHi {{ first_name }}, {% if tech %}on {{ tech }}{% endif %} in {{ industry }}.\n"
        )
        (folder / f"step1_{variant}.txt.j2").write_text(text)
    templates = load_templates(tmp_path)
    rows = _contacts(
        [
            {"contact_id": "c1", "persona": "user", "tech_stack": ["bigquery"], "first_name": None},
            {"contact_id": "c2", "persona": "user", "tech_stack": [], "industry": None},
        ]
    )
    out = render_drafts(rows, templates, SENDER, steps=1).sort("contact_id")
    assert out["body"].to_list() == ["Hi there, on BigQuery in SaaS.", "Hi Jordan,  in ."]
    assert out["facts_used"].to_list() == [["industry", "tech_stack"], []]


# Two renders an example, each about a second whatever the size (the plan, not the rows): a few examples.
@settings(max_examples=8, deadline=None)
@given(
    ids=st.lists(st.text("abcdef0123456789", min_size=1, max_size=8), min_size=1, max_size=40, unique=True),
    steps=st.integers(1, 3),
)
def test_every_contact_gets_each_step_once_with_balanced_variants(ids, steps):
    rows = _contacts([{"contact_id": i, "persona": "champion", "pain_points": ["tool_sprawl"]} for i in ids])
    out = render_drafts(rows, TEMPLATES, SENDER, steps=steps)
    assert out.height == len(ids) * steps
    assert out.group_by("contact_id").agg(pl.col("step").sort()).get_column("step").to_list() == [
        list(range(1, steps + 1))
    ] * len(ids)
    counts = out.filter(pl.col("step") == 1)["variant"].value_counts()
    assert counts["count"].max() - counts["count"].min() <= 1 if counts.height == 2 else len(ids) == 1
    # The same input gets the same variants, whatever the row order.
    again = render_drafts(rows.reverse(), TEMPLATES, SENDER, steps=steps)
    assert again.sort("contact_id", "step").select("variant").equals(out.sort("contact_id", "step").select("variant"))


def test_empty_input_renders_nothing():
    out = render_drafts(_contacts([]), TEMPLATES, SENDER, steps=3)
    assert out.height == 0 and {"subject", "body", "facts_used", "variant"} <= set(out.columns)


def test_shipped_drafts_pass_lint_except_the_honest_no_fact_warning(every_draft):
    linted = lint_drafts(every_draft, postal_address=SENDER.postal_address, opt_out_line=SENDER.opt_out_line)
    codes = linted["issues"].explode().drop_nulls().str.extract(r"^([a-z_]+)").unique().to_list()
    assert set(codes) <= {"no_account_fact"}
    no_fact = linted.filter(pl.col("issues").list.len() > 0)
    assert (no_fact["facts_used"].list.len() == 0).all()
