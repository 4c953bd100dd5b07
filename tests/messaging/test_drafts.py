"""build_drafts: who is drafted, who is skipped and why; every input contact accounted for exactly once."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from messaging.composing.copy_blocks import load_messaging
from messaging.composing.sender import load_sender
from messaging.composing.templates import load_templates
from messaging.contacts.classify import classify_contacts, load_persona_rules
from messaging.drafts import DRAFT_COLUMNS, SKIPPED_COLUMNS, build_drafts
from targeting.errors import InputError

SPEC, SENDER, TEMPLATES = load_messaging(), load_sender(), load_templates()
ICP_PERSONAS = ["economic_buyer", "champion", "technical_evaluator"]
# Each example builds a whole draft set (about a second at any size): the property tests draw a few, each
# with up to 25 contacts over 12 ids and 4 accounts, so duplicates, caps and suppression meet in every one.
EXAMPLES = 10
LIST = pl.List(pl.String)
CONTACT_SCHEMA = {
    "contact_id": pl.String,
    "account_id": pl.String,
    "first_name": pl.String,
    "last_name": pl.String,
    "email": pl.String,
    "persona": pl.String,
    "sendable": pl.Boolean,
    "skip_reason": pl.String,
    "email_flag": pl.String,
}


def _targets(*ids: str) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "account_id": list(ids),
            "name": [f"Company {i}" for i in ids],
            "industry": ["saas"] * len(ids),
            "tech_stack": [["hubspot"]] * len(ids),
            "hiring_roles": [["sales"]] * len(ids),
            "pain_points": [["pipeline_visibility"]] * len(ids),
            "growth_signals": [["hiring_sales"]] * len(ids),
            "prior_solutions": [["crm_reports"]] * len(ids),
        },
        schema_overrides={
            c: LIST for c in ("tech_stack", "hiring_roles", "pain_points", "growth_signals", "prior_solutions")
        },
    )


def _contact(contact_id: str, account_id: str | None = "a1", persona: str | None = "champion", **extra) -> dict:
    return {
        "contact_id": contact_id,
        "account_id": account_id,
        "first_name": "Sam",
        "last_name": "Lee",
        "email": f"{contact_id}@example.com",
        "persona": persona,
        "sendable": True,
        "skip_reason": None,
        "email_flag": None,
        **extra,
    }


def _build(targets: pl.DataFrame, contacts: list[dict], **options):
    frame = pl.DataFrame(contacts, schema=CONTACT_SCHEMA)
    kwargs = {
        "personas": ICP_PERSONAS,
        "persona_rules": None,
        "messaging": SPEC,
        "sender": SENDER,
        "templates": TEMPLATES,
    }
    return build_drafts(targets, frame, **(kwargs | options))


def _reasons(result) -> dict[str, str]:
    return dict(result.skipped.select("contact_id", "reason").iter_rows())


def test_drafts_have_the_contract_columns_and_types():
    result = _build(_targets("a1"), [_contact("c1")])
    assert tuple(result.drafts.columns) == DRAFT_COLUMNS
    assert tuple(result.skipped.columns) == SKIPPED_COLUMNS
    assert result.drafts["step"].dtype == pl.Int64 and result.drafts["step"].to_list() == [1, 2, 3]
    row = result.drafts.row(0, named=True)
    assert (row["source"], row["fallback_reason"], row["company"]) == ("template", None, "Company a1")
    # Champion step 1: the pipeline_visibility opener/problem (a pain the sample sender solves), the
    # hiring_sales angle (names the role), the crm_reports bridge (names HubSpot from the stack).
    assert row["facts_used"] == ["tech_stack", "hiring_roles", "growth_signals", "pain_points", "prior_solutions"]
    assert "HubSpot" in row["body"] and "CRM reports" not in row["body"]
    assert result.drafts["issues"].dtype == LIST


def test_a_draft_carries_its_contact_s_title_and_the_persona_rule_that_decided():
    people = [{**_contact(c, a), "title": t} for c, a, t in [("c1", "a1", "VP of Sales"), ("c2", "a2", "CEO")]]
    contacts = pl.DataFrame(people, schema=CONTACT_SCHEMA | {"title": pl.String}).drop("persona")
    options = {"personas": ICP_PERSONAS, "persona_rules": None, "messaging": SPEC, "sender": SENDER}
    result = build_drafts(_targets("a1", "a2"), contacts, templates=TEMPLATES, **options)
    first = result.drafts.filter(pl.col("step") == 1).sort("contact_id")
    classified = classify_contacts(contacts, load_persona_rules()).sort("contact_id")
    assert first["title"].to_list() == ["VP of Sales", "CEO"]
    assert first.select("persona", "rule").rows() == classified.select("persona", "rule").rows()
    assert first["rule"].null_count() == 0
    assert list(DRAFT_COLUMNS[-2:]) == ["title", "rule"]  # appended: the older columns keep their place


@pytest.mark.parametrize(
    ("contact", "reason"),
    [
        (_contact("c1", account_id="elsewhere"), "account not in target list"),
        (_contact("c1", account_id=None), "account not in target list"),
        (_contact("c1", persona="user"), "persona user not in ICP personas"),
        (_contact("c1", persona=None), "persona unclassified not in ICP personas"),
        (_contact("c1", sendable=False, skip_reason="role address"), "role address"),
        (_contact("c1", sendable=False), "email not sendable"),
    ],
)
def test_each_skip_reason(contact, reason):
    result = _build(_targets("a1"), [contact])
    assert result.drafts.height == 0
    assert _reasons(result) == {"c1": reason}


def test_first_reason_that_applies_is_recorded():
    # Outside the target list *and* in the wrong persona *and* unsendable: the account reason wins.
    contact = _contact("c1", account_id="zz", persona="user", sendable=False, skip_reason="invalid email")
    assert _reasons(_build(_targets("a1"), [contact])) == {"c1": "account not in target list"}


def test_one_contact_per_persona_per_account_prefers_a_verified_email():
    contacts = [
        _contact("c1", email_flag="catch_all"),
        _contact("c2"),
        _contact("c3", email_flag="unknown"),
        _contact("c4", persona="economic_buyer"),
    ]
    result = _build(_targets("a1"), contacts)
    assert set(result.drafts["contact_id"]) == {"c2", "c4"}
    assert set(_reasons(result)) == {"c1", "c3"}
    assert "already has 1 contact(s)" in _reasons(result)["c1"]


def test_per_persona_and_account_caps_follow_icp_priority():
    contacts = [
        _contact("t1", persona="technical_evaluator"),
        _contact("c1"),
        _contact("c2"),
        _contact("e1", persona="economic_buyer"),
    ]
    two_each = _build(_targets("a1"), contacts, per_persona=2)
    assert set(two_each.drafts["contact_id"]) == {"t1", "c1", "c2", "e1"}
    capped = _build(_targets("a1"), contacts, per_persona=2, max_per_account=2)
    assert set(capped.drafts["contact_id"]) == {"e1", "c1"}
    assert _reasons(capped) == {
        "t1": "account already has 2 contact(s) drafted",
        "c2": "account already has 2 contact(s) drafted",
    }


def test_duplicate_and_missing_contact_ids_are_skipped_once():
    result = _build(
        _targets("a1"),
        [_contact("c1"), _contact("c1", persona="economic_buyer"), _contact(None, persona="economic_buyer")],
    )
    assert result.drafts["contact_id"].unique().to_list() == ["c1"]
    assert result.skipped["reason"].to_list() == ["duplicate contact_id", "missing contact_id"]


def test_lint_fills_issues_for_generic_copy():
    bare = pl.DataFrame({"account_id": ["a1"], "name": ["Plain Co"]})
    result = _build(bare, [_contact("c1")])
    assert result.drafts["facts_used"].list.len().max() == 0
    assert all(any(i.startswith("no_account_fact") for i in issues) for issues in result.drafts["issues"])
    specific = _build(_targets("a1"), [_contact("c1")])
    assert specific.drafts["issues"].list.len().max() == 0


def test_broken_or_missing_template_stops_before_drafting():
    with pytest.raises(InputError, match="step 4"):
        _build(_targets("a1"), [_contact("c1")], steps=4)


def test_lazy_inputs_are_accepted():
    frame = pl.DataFrame([_contact("c1")], schema=CONTACT_SCHEMA).lazy()
    result = build_drafts(
        _targets("a1").lazy(),
        frame,
        personas=ICP_PERSONAS,
        persona_rules=None,
        messaging=SPEC,
        sender=SENDER,
        templates=TEMPLATES,
    )
    assert result.drafts.height == 3


contact_rows = st.lists(
    st.fixed_dictionaries(
        {
            "contact_id": st.one_of(st.none(), st.sampled_from([f"c{i}" for i in range(12)])),
            "account_id": st.one_of(st.none(), st.sampled_from(["a1", "a2", "a3", "zz"])),
            "persona": st.one_of(
                st.none(), st.sampled_from(["economic_buyer", "champion", "technical_evaluator", "user", "procurement"])
            ),
            "sendable": st.booleans(),
            "email_flag": st.sampled_from([None, "catch_all", "unknown"]),
        }
    ),
    max_size=25,
)


@settings(max_examples=EXAMPLES, deadline=None)
@given(
    rows=contact_rows,
    per_persona=st.integers(1, 2),
    cap=st.one_of(st.none(), st.integers(1, 3)),
    steps=st.integers(1, 3),
)
def test_every_contact_is_drafted_or_skipped_exactly_once(rows, per_persona, cap, steps):
    contacts = [
        _contact(r["contact_id"], r["account_id"], r["persona"], sendable=r["sendable"], email_flag=r["email_flag"])
        for r in rows
    ]
    result = _build(_targets("a1", "a2", "a3"), contacts, per_persona=per_persona, max_per_account=cap, steps=steps)
    drafted = result.drafts.group_by("contact_id").agg(
        pl.len().alias("n"), pl.col("persona").first(), pl.col("account_id").first()
    )
    assert drafted.height + result.skipped.height == len(rows)
    assert (drafted["n"] == steps).all()
    assert result.skipped["reason"].null_count() == 0
    assert set(drafted["persona"]) <= set(ICP_PERSONAS)
    per_account = drafted.group_by("account_id", "persona").len()
    assert per_account.is_empty() or per_account["len"].max() <= per_persona
    if cap is not None and not drafted.is_empty():
        assert drafted.group_by("account_id").len()["len"].max() <= cap


def _raw_contacts() -> pl.DataFrame:
    """Canonical contacts as imported: titles and email statuses, no persona or sendability yet."""
    return pl.DataFrame(
        {
            "contact_id": ["1", "2", "3", "4", "5", "6"],
            "account_id": ["a1", "a1", "a1", "a1", "a1", "gone"],
            "first_name": ["Ana", "Ben", "Cy", "Di", "Ed", "Flo"],
            "last_name": ["A", "B", "C", "D", "E", "F"],
            "title": [
                "CEO",
                "Head of Sales Operations",
                "Staff Software Engineer",
                "Office Manager",
                "Astronaut",
                "CFO",
            ],
            "email": ["ana@acme.com", "info@acme.com", "cy@gmail.com", "di@acme.com", "ed@acme.com", "flo@gone.com"],
            "email_status": ["valid", "valid", "valid", "catch_all", None, "valid"],
        }
    )


def test_raw_contacts_are_classified_and_checked_for_sendability():
    from messaging.contacts.classify import load_persona_rules

    rules = load_persona_rules()
    strict = build_drafts(
        _targets("a1"),
        _raw_contacts(),
        personas=ICP_PERSONAS,
        persona_rules=rules,
        messaging=SPEC,
        sender=SENDER,
        templates=TEMPLATES,
    )
    assert strict.drafts["contact_id"].unique().to_list() == ["1"]
    reasons = _reasons(strict)
    assert reasons["2"].startswith("role address") and reasons["3"].startswith("free mail")
    assert reasons["4"] == "persona gatekeeper not in ICP personas"
    assert reasons["5"] == "persona unclassified not in ICP personas"
    assert reasons["6"] == "account not in target list"
    lenient = build_drafts(
        _targets("a1"),
        _raw_contacts(),
        personas=ICP_PERSONAS,
        persona_rules=rules,
        messaging=SPEC,
        sender=SENDER,
        templates=TEMPLATES,
        allow_role=True,
        allow_free_mail=True,
    )
    assert set(lenient.drafts["contact_id"]) == {"1", "2", "3"}
    assert lenient.drafts["contact_id"].n_unique() + lenient.skipped.height == _raw_contacts().height


def test_without_rules_the_shipped_persona_rules_classify():
    result = build_drafts(
        _targets("a1"),
        _raw_contacts(),
        personas=ICP_PERSONAS,
        persona_rules=None,
        messaging=SPEC,
        sender=SENDER,
        templates=TEMPLATES,
    )
    assert result.drafts["contact_id"].unique().to_list() == ["1"]


@settings(max_examples=EXAMPLES, deadline=None)
@given(
    rows=contact_rows,
    blocked=st.sets(st.sampled_from([f"c{i}@example.com" for i in range(12)] + ["a2", "example.org"])),
)
def test_a_suppressed_contact_is_never_drafted_nor_exported(rows, blocked):
    from messaging.exports import FORMATS, export_campaign

    contacts = [_contact(r["contact_id"], r["account_id"], r["persona"], sendable=r["sendable"]) for r in rows]
    result = _build(_targets("a1", "a2", "a3"), contacts, suppressed=sorted(blocked))
    hit = lambda c: c["email"] in blocked or c["account_id"] in blocked  # noqa: E731
    assert not any(hit(row) for row in result.drafts.select("email", "account_id").to_dicts())
    for fmt in FORMATS:
        exported = export_campaign(result.drafts, fmt)
        email_column = next(c for c in exported.columns if "email" in c.lower())
        assert not set(exported[email_column].to_list()) & blocked
    reasons = _reasons(result)
    for contact in contacts:
        if (
            hit(contact)
            and contact["contact_id"] is not None
            and reasons.get(contact["contact_id"]) not in (None, "duplicate contact_id")
        ):
            assert reasons[contact["contact_id"]] == "on the do-not-contact list"


def test_a_key_line_with_a_placeholder_the_account_lacks_is_named_and_the_draft_falls_back(tmp_path):
    """messaging.yaml's compliance opener for everyone names {industry}: one account has no industry."""
    from messaging.composing.copy_blocks import load_messaging
    from messaging.composing.sender import load_sender
    from messaging.composing.templates import load_templates
    from messaging.drafts import build_drafts

    shipped = (Path(__file__).resolve().parents[2] / "messaging" / "defaults" / "messaging.yaml").read_text()
    own = shipped.replace(
        "    opener:\n      economic_buyer:\n        - 'When a company describes its work",
        "    opener:\n      economic_buyer:\n        - In {industry}, compliance work grows with every customer.\n"
        "        - 'When a company describes its work",
        1,
    )
    path = tmp_path / "messaging.yaml"
    path.write_text(own)
    spec = load_messaging(path)
    assert spec.pain_points["compliance_burden"].opener["economic_buyer"][0].startswith("In {industry}")
    targets = pl.DataFrame(
        {
            "account_id": ["a", "b"],
            "name": ["Acme", "Beta"],
            "industry": ["fintech", None],
            "pain_points": [["compliance_burden"], ["compliance_burden"]],
        }
    )
    contacts = pl.DataFrame(
        {
            "contact_id": ["c1", "c2"],
            "account_id": ["a", "b"],
            "first_name": ["Sam", "  Ana "],
            "email": ["sam@acme.io", "ana@beta.io"],
            "email_status": ["valid", "valid"],
            "title": ["CEO", "CEO"],
        }
    )
    sender = load_sender().model_copy(update={"sample": False, "solves": ["compliance_burden"]})
    result = build_drafts(
        targets,
        contacts,
        personas=["economic_buyer"],
        persona_rules=None,
        messaging=spec,
        sender=sender,
        templates=load_templates(),
        steps=1,
        messaging_file=path,
    )
    # The check names the file, the line, the key and the placeholder, and the accounts that lack it.
    line = own.splitlines().index("        - In {industry}, compliance work grows with every customer.") + 1
    assert result.line_fallbacks == [
        {
            "file": str(path),
            "line": line,
            "key": "pain_points.compliance_burden.opener.economic_buyer",
            "placeholder": "{industry}",
            "accounts": 1,
        }
    ]
    bodies = dict(zip(result.drafts["contact_id"], result.drafts["body"]))
    # The account without an industry got another line, never the placeholder; both are greeted by name.
    assert "{" not in bodies["c2"] and "In Fintech" not in bodies["c2"]
    assert bodies["c1"].startswith("Hi Sam,") and bodies["c2"].startswith("Hi Ana,")
    assert not any("Hi there" in body for body in bodies.values())
