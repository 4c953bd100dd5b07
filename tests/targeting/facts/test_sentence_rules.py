"""Rules over sentences, not words (`every_key`), and the per-key cuts that keep precision (facts.yaml)."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from targeting.errors import InputError
from targeting.facts import account_facts, load_facts, parse_facts
from targeting.facts.spec import FACT_KINDS

AS_OF = date(2026, 12, 1)
SHIPPED = load_facts()


def _keys(description: str | None, tags: list[str] | None = None, spec=SHIPPED) -> set[str]:
    frame = pl.LazyFrame(
        {"account_id": ["a"], "description": [description], "tags": [tags or []]},
        schema={"account_id": pl.String, "description": pl.String, "tags": pl.List(pl.String)},
    )
    return set(account_facts(frame, spec, as_of=AS_OF).collect()["key"])


SPEC = """
every_key:
  people: {not_in: [founder*, previously]}
  markets: {kinds: [pain_points], object_of: [for, help*], modifier_of: [software, API], gap: 1}
  defunct: {kinds: [growth_signals], not_in_text: [acquired by]}
pain_points:
  money: {phrases: [banking, payroll], first_sentences: 1}
  buyers: {phrases: [enterprises], allow: [markets, people]}
growth_signals:
  raise: {phrases: [raised]}
  tagged: {tags: [fintech], values_alone: false}
"""


@pytest.mark.parametrize(
    ("text", "keys"),
    [
        ("Banking for teens.", {"money"}),
        # a person's sentence is no evidence for any key, unless the key allows the group
        ("Our founder previously ran payroll at Gusto.", set()),
        ("The founders sold to enterprises before.", {"buyers"}),
        # the words as what the account serves (up to `gap` words between) or as its product's market
        ("Software for community banking.", set()),
        ("We help payroll teams.", set()),
        ("A banking API.", set()),
        ("A payroll tax API.", set()),  # one word between
        ("Sells to enterprises.", {"buyers"}),  # allows markets: its buyers are its evidence
        # first_sentences: 1 - a later sentence tells of customers, plans, the past
        ("An app for teens. It offers banking.", set()),
        # not_in_text of a group reads its kinds' keys out of the whole text
        ("We raised $2M. Acquired by Stripe in 2020.", set()),
        ("We raised $2M.", {"raise"}),
    ],
)
def test_every_key_groups_read_sentences_out_for_every_key_of_their_kinds(text, keys):
    assert _keys(text, spec=parse_facts(SPEC)) == keys


def test_a_value_not_alone_counts_only_where_there_is_no_text():
    spec = parse_facts(SPEC)
    assert "tagged" in _keys(None, ["fintech"], spec=spec)
    assert "tagged" not in _keys("A budgeting app.", ["fintech"], spec=spec)


def test_allow_naming_no_group_is_one_error_naming_the_value_and_the_groups():
    bad = "every_key:\n  people: {not_in: [founder*]}\npain_points:\n  money: {phrases: [banking], allow: [persons]}\n"
    with pytest.raises(InputError, match=r"facts\.yaml.*'persons'.*groups: people"):
        parse_facts(bad)
    with pytest.raises(InputError, match=r"kinds"):
        parse_facts("every_key:\n  people: {not_in: [ex], kinds: [pains]}\n")
    with pytest.raises(InputError, match=r"object_of"):
        parse_facts("every_key:\n  markets: {object_of: ['*for']}\n")


def _concrete(phrase: str) -> str:
    """A phrase as text would say it: `*` ends the word, `#` is a number."""
    return phrase.replace("*", "").replace("#", "100")


# Every shipped key with phrases, with the groups it does not allow that read whole sentences (`not_in`).
_READ_OUT = [
    (kind, key, group)
    for kind in FACT_KINDS.values()
    for key, rule in getattr(SHIPPED, kind).items()
    if rule.phrases
    for name, group in SHIPPED.every_key.items()
    if name not in rule.allow and kind in group.kinds and group.not_in
]


@settings(max_examples=80, deadline=None)
@given(case=st.sampled_from(_READ_OUT), data=st.data())
def test_a_sentence_holding_a_group_phrase_evidences_no_key_the_group_reads(case, data):
    kind, key, group = case
    rule = getattr(SHIPPED, kind)[key]
    phrase = _concrete(data.draw(st.sampled_from(rule.phrases), label="phrase"))
    context = _concrete(data.draw(st.sampled_from(group.not_in), label="context"))
    text = f"{context} {phrase} in 2026 raised $2M seed round for enterprises."
    assert key not in _keys(text), (context, phrase)


def test_the_shipped_vocabulary_reads_founders_forecasts_links_and_vendors_out():
    assert "customer_traction" not in _keys("Achintya led search at Disney. He scaled it to 70M users.")
    assert "security_reviews" not in _keys("Our founders spent a decade building enterprise software.")
    assert "customer_traction" not in _keys("There are 22M developers globally.")
    assert "customer_traction" not in _keys("Read more at https://example.com/blog/1000-customers-and-fundraise")
    assert "compliance_burden" not in _keys("Generative AI for protein therapeutics.")
    assert "compliance_burden" not in _keys("An AI underwriting copilot for real estate investors.")
    assert "compliance_burden" in _keys("UpEquity underwrites mortgages automatically.")
    assert "raised_funding" not in _keys("Nebia shower. (acquired by Brondell in 2022) We raised $10m in funding.")
    # A regulated word is read where the company says what it is: its first sentence.
    assert "compliance_burden" not in _keys("A scheduling app for clinics. Later we may add payroll.")


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Povio has an in-house team of over 200 developers.", "customer_traction"),  # its staff
        ("Enabling consumers to split the cost of purchases without a credit card.", "compliance_burden"),
        ("Trusted by multi-family offices and wealth managers, Mentum connects data.", "customer_traction"),
        ("Initial investment came from a firm that specializes in funding startups.", "raised_funding"),
        ("A free app for sending big files. It is unlimited.", "security_reviews"),  # "IT" is not "it"
    ],
)
def test_staff_negations_unnamed_bases_and_words_in_other_senses_are_no_evidence(text, key):
    assert key not in _keys(text, ["enterprise"])


def test_a_growing_team_is_headcount_evidence_though_the_people_group_reads_team_sentences_out():
    assert "headcount_growth" in _keys("The company is now a rapidly growing team of over 30 employees.")
    assert "customer_traction" in _keys("Trusted by 100k managers in companies like Netflix.")


@pytest.mark.parametrize(
    ("text", "tags", "key"),
    [
        ("We have raised over $250 million for charity.", [], "raised_funding"),
        ("Our custodial product is now live in the App Store and Google Play.", [], "new_market_expansion"),
        ("A digital bank for Africa's 50m businesses.", [], "customer_traction"),
        ("One of our largest customers sells scheduling software to hospitals.", [], "security_reviews"),
        ("Training patients and their families with health skills.", [], "compliance_burden"),
        ("Clinical skincare tested on diverse skin.", [], "compliance_burden"),
        (None, ["biotech"], "compliance_burden"),  # a pain point is read from text alone
        ("Copilot for Enterprise Software Sales.", ["b2b"], "security_reviews"),
    ],
)
def test_the_fourth_rounds_readings_out(text, tags, key):
    assert key not in _keys(text, tags)
