"""Personas relative to the product: the functions that buy it, and a contact with two roles."""

from __future__ import annotations

import polars as pl
import pytest

from messaging.composing.copy_blocks import load_messaging
from messaging.composing.sender import load_sender
from messaging.composing.templates import load_templates
from messaging.contacts.classify import classify_contacts, load_persona_rules
from messaging.contacts.persona_rules import buying_rules
from messaging.drafts import build_drafts, classified_contacts, draft_decisions
from targeting.errors import InputError

RULES = load_persona_rules()
TITLES = [
    "Chief Compliance Officer",
    "GRC Lead",
    "Compliance Manager",
    "VP Compliance",
    "Compliance Analyst",
    "Procurement Manager",
    "Executive Assistant to the CEO",
    "Legal Secretary",
    "Administrative Assistant",
    "Secretary",
]


def _personas(rules) -> dict[str, str]:
    out = classify_contacts(pl.DataFrame({"title": TITLES}), rules)
    return dict(zip(out["title"], out["persona"]))


def test_a_compliance_products_buyers_are_its_compliance_people_not_procurement():
    default, compliance = _personas(RULES), _personas(buying_rules(RULES, ["legal"]))
    assert default["Chief Compliance Officer"] == default["Compliance Manager"] == "procurement"  # unchanged
    assert compliance["Chief Compliance Officer"] == compliance["VP Compliance"] == "economic_buyer"
    assert compliance["Compliance Manager"] == compliance["GRC Lead"] == "champion"
    assert compliance["Compliance Analyst"] == "user"
    assert compliance["Procurement Manager"] == "procurement"
    # Assistants and secretaries gatekeep whatever the product.
    for title in ("Executive Assistant to the CEO", "Legal Secretary", "Administrative Assistant", "Secretary"):
        assert default[title] == compliance[title] == "gatekeeper", title


def test_a_buying_function_the_rules_do_not_know_is_one_line_with_did_you_mean():
    with pytest.raises(InputError, match=r"field 'buying_functions': 'legl' .* did you mean 'legal'\?$"):
        buying_rules(RULES, ["legl"])
    assert buying_rules(RULES, []) == RULES


def _people(*rows: tuple[str, str, str]) -> pl.LazyFrame:
    frame = pl.DataFrame(
        [
            {"contact_id": c, "account_id": a, "first_name": "Sam", "email": f"{c}@{a}.com", "title": t}
            for c, a, t in rows
        ]
    )
    return classified_contacts(frame, None, allow_role=False, allow_free_mail=False)


@pytest.mark.parametrize(
    ("icp", "expected"),
    [
        # The CEO holds the economic buyer's slot: the technical co-founder is drafted as an evaluator.
        (["economic_buyer", "technical_evaluator"], {"ceo": "economic_buyer", "cto": "technical_evaluator"}),
        # An ICP without economic buyers still reaches the technical co-founder, as an evaluator.
        (["technical_evaluator"], {"cto": "technical_evaluator"}),
        # Only economic buyers: one per account, the CEO (first by contact id); the co-founder waits.
        (["economic_buyer"], {"ceo": "economic_buyer"}),
    ],
)
def test_a_technical_co_founder_is_drafted_in_the_role_the_account_still_needs(icp, expected):
    people = _people(("ceo", "a", "CEO"), ("cto", "a", "Co-Founder & CTO"))
    decided = draft_decisions(people, pl.DataFrame({"account_id": ["a"]}), icp).collect()
    drafted = decided.filter(pl.col("reason").is_null())
    assert dict(zip(drafted["contact_id"], drafted["persona"])) == expected


def test_alone_at_its_account_the_technical_co_founder_is_its_economic_buyer():
    people = _people(("cto", "b", "Founder & CTO"), ("vpe", "b", "VP Engineering"))
    decided = draft_decisions(people, pl.DataFrame({"account_id": ["b"]}), ["economic_buyer", "technical_evaluator"])
    drafted = decided.collect().filter(pl.col("reason").is_null())
    assert dict(zip(drafted["contact_id"], drafted["persona"])) == {
        "cto": "economic_buyer",
        "vpe": "technical_evaluator",
    }


def test_the_senders_buying_functions_reach_the_drafts():
    sender = load_sender().model_copy(update={"sample": False, "buying_functions": ["legal"]})
    contacts = pl.DataFrame(
        {
            "contact_id": ["c1"],
            "account_id": ["a"],
            "first_name": ["Sam"],
            "email": ["sam@a.com"],
            "email_status": ["valid"],
            "title": ["Chief Compliance Officer"],
        }
    )
    kwargs = dict(
        personas=["economic_buyer"], persona_rules=None, messaging=load_messaging(), templates=load_templates()
    )
    drafted = build_drafts(pl.DataFrame({"account_id": ["a"]}), contacts, sender=sender, **kwargs)
    assert drafted.drafts["persona"].unique().to_list() == ["economic_buyer"]
    plain = build_drafts(pl.DataFrame({"account_id": ["a"]}), contacts, sender=load_sender(), **kwargs)
    assert plain.drafts.is_empty() and plain.skipped["reason"][0] == "persona procurement not in ICP personas"
