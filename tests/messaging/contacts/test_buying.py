"""Personas relative to the product: the functions that buy it, and a contact with two roles."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from messaging.composing.copy_blocks import load_messaging
from messaging.composing.sender import load_sender
from messaging.composing.templates import load_templates
from messaging.contacts.classify import classify_contacts, load_persona_rules, with_buying_functions
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
    # Drafted in its second role, the co-founder's `rule` says so and why, after the title's rule.
    cto = decided.filter(pl.col("contact_id") == "cto").row(0, named=True)
    second = "; drafted in its second role, technical evaluator (persona economic_buyer "
    assert (second in cto["rule"]) == (expected.get("cto") == "technical_evaluator"), cto["rule"]
    assert cto["rule"].startswith("founders and owners buy")


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


def test_contacts_that_arrive_classified_get_the_senders_buying_functions_too():
    """A list `outbound personas` (or a CRM) classified: its compliance people become the buyers."""
    contacts = pl.DataFrame(
        {
            "contact_id": [f"c{i}" for i in range(len(TITLES))],
            "account_id": ["a"] * len(TITLES),
            "first_name": ["Sam"] * len(TITLES),
            "email": [f"c{i}@a.com" for i in range(len(TITLES))],
            "email_status": ["valid"] * len(TITLES),
            "title": TITLES,
        }
    )
    pre = classify_contacts(contacts, RULES)  # persona, seniority, function, rule as `outbound personas` writes
    raw = dict(zip(TITLES, _personas(buying_rules(RULES, ["legal"])).values()))
    for arrived in (pre, pre.drop("seniority", "function", "rule")):  # with its columns, or read from the title
        read = classified_contacts(arrived, None, allow_role=False, allow_free_mail=False, buying_functions=["legal"])
        got = dict(zip(*read.select("title", "persona").collect().to_dict(as_series=False).values()))
        assert got == raw, arrived.columns
    # Without the field nothing changes: the persona given is the persona drafted.
    kept = classified_contacts(pre, None, allow_role=False, allow_free_mail=False).collect()
    assert kept["persona"].to_list() == pre["persona"].to_list()
    # The rule says why a persona changed.
    read = classified_contacts(pre, None, allow_role=False, allow_free_mail=False, buying_functions=["legal"]).collect()
    rule = dict(zip(read["title"], read["rule"]))
    assert "buys the product" in rule["Chief Compliance Officer"] and "buys" not in rule["Procurement Manager"]


def test_a_persona_given_by_hand_outside_the_buying_functions_is_kept():
    given = pl.DataFrame(
        {
            "contact_id": ["a", "b"],
            "email": ["a@x.com", "b@x.com"],
            "title": ["Head of Sales", "Compliance Lead"],
            "persona": ["user", "gatekeeper"],
        }
    )
    read = classified_contacts(given, None, allow_role=False, allow_free_mail=False, buying_functions=["legal"])
    # Sales is no buying function here; a gatekeeper given by hand stays one.
    assert read.collect()["persona"].to_list() == ["user", "gatekeeper"]


LABELLED_TITLES = pl.read_csv(Path(__file__).resolve().parents[2] / "data" / "titles_labelled.csv", infer_schema=False)[
    "title"
].to_list()


@settings(max_examples=40, deadline=None)
@given(
    titles=st.lists(st.sampled_from(LABELLED_TITLES), min_size=1, max_size=8),
    functions=st.lists(st.sampled_from(["legal", "finance", "security", "sales", "hr", "it"]), min_size=1, unique=True),
)
def test_reading_a_classified_list_agrees_with_classifying_its_titles(titles, functions):
    frame = pl.DataFrame({"contact_id": [str(i) for i in range(len(titles))], "title": titles})
    direct = classify_contacts(frame, buying_rules(RULES, functions))["persona"].to_list()
    reread = with_buying_functions(classify_contacts(frame, RULES), functions, RULES)
    assert reread["persona"].to_list() == direct


# A compliance product at an account with a CEO and a Chief Compliance Officer, both economic buyers
# under `buying_functions: [legal]`: the slot goes to the product's own buyer (docs/personas.md).
SLOT_TITLES = ["CEO", "Chief Compliance Officer", "VP Compliance", "CFO", "Compliance Manager", "Head of Finance"]


@settings(max_examples=10, deadline=None)
@given(st.permutations(range(len(SLOT_TITLES))), st.integers(min_value=1, max_value=2))
def test_a_persona_slot_goes_to_the_buying_function_first(ids, per_persona):
    rows = [(f"c{ids[i]}", "a", title) for i, title in enumerate(SLOT_TITLES)]
    frame = pl.DataFrame([{"contact_id": c, "account_id": a, "email": f"{c}@a.com", "title": t} for c, a, t in rows])
    people = classified_contacts(frame, None, allow_role=False, allow_free_mail=False, buying_functions=["legal"])
    icp, targets = ["economic_buyer", "champion"], pl.DataFrame({"account_id": ["a"]})
    decided = draft_decisions(people, targets, icp, per_persona=per_persona, buying_functions=["legal"]).collect()
    for persona in icp:
        group = decided.filter(pl.col("persona") == persona).sort("contact_id")
        # The product's own people first; among equals the lower contact id (equal addresses).
        expected = group.sort(pl.col("function") != "legal", "contact_id")["contact_id"].head(per_persona)
        drafted = group.filter(pl.col("reason").is_null())["contact_id"]
        assert sorted(drafted) == sorted(expected), group.select("contact_id", "title", "reason")
        assert group.filter(pl.col("reason").is_null() & (pl.col("function") != "legal")).height <= max(
            0, per_persona - group.filter(pl.col("function") == "legal").height
        )
    # Without the field the order is the address, then the contact id, as before.
    plain = draft_decisions(people, targets, icp, per_persona=per_persona).collect()
    for persona in icp:
        group = plain.filter(pl.col("persona") == persona).sort("contact_id")
        assert (
            group.filter(pl.col("reason").is_null())["contact_id"].to_list()
            == group["contact_id"].head(per_persona).to_list()
        )


def test_a_list_classified_without_functions_still_gives_the_slot_to_the_buying_function():
    # A CRM's list with a persona but no function column: the function is read from the title.
    given = pl.DataFrame(
        {
            "contact_id": ["a1", "a2"],
            "account_id": ["a", "a"],
            "email": ["ceo@a.com", "cco@a.com"],
            "title": ["CEO", "Chief Compliance Officer"],
            "persona": ["economic_buyer", "procurement"],
        }
    )
    people = classified_contacts(given, None, allow_role=False, allow_free_mail=False, buying_functions=["legal"])
    assert people.collect()["function"].to_list() == ["executive", "legal"]
    decided = draft_decisions(
        people, pl.DataFrame({"account_id": ["a"]}), ["economic_buyer"], buying_functions=["legal"]
    )
    drafted = decided.collect().filter(pl.col("reason").is_null())
    assert drafted["contact_id"].to_list() == ["a2"]
