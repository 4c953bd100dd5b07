"""Copy a reader would send: checks over every shipped template and copy line, on the sample and the real YC file."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from messaging.composing.copy_blocks import copy_lines, generic_lines, load_messaging
from messaging.composing.sender import load_sender
from messaging.composing.templates import default_templates_dir, load_templates
from messaging.composing.wording import company_name, display_product
from messaging.drafts import build_drafts
from targeting.columns import PERSONAS

SPEC, SENDER, TEMPLATES = load_messaging(), load_sender(), load_templates()
YC_FULL = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "yc-companies-2024-05-11.csv"
# The whole real YC directory where the shared data sits beside this checkout, else the committed slice of it.
YC = YC_FULL if YC_FULL.is_file() else Path(__file__).resolve().parents[2] / "data" / "yc_companies_slice.csv"
# What a person writes contracted; a draft that spells them out reads like a form letter.
# ("data that is hard", "as it is" stay: only a sentence that opens with "It is" is spelled out.)
UNCONTRACTED = (
    r"\b(?:I am|I will|I have not|do not|does not|is not|are not|will not|cannot|would not)\b|(?:^|\. )It is\b"
)
TITLES = {
    "economic_buyer": "CEO",
    "champion": "Head of Revenue Operations",
    "technical_evaluator": "CTO",
    "user": "Account Executive",
    "gatekeeper": "Executive Assistant to the CEO",
    "procurement": "Procurement Manager",
}


def _shipped_texts() -> list[tuple[str, str]]:
    """(where, text) of every shipped template and every copy line."""
    texts = [(str(p), p.read_text()) for folder in default_templates_dir().iterdir() for p in folder.iterdir()]
    lines = copy_lines(SPEC).unpivot(index=["source", "key", "persona"]).explode("value").drop_nulls("value")
    texts += [(f"{s}.{k}.{p}.{v}", t) for s, k, p, v, t in lines.iter_rows()]
    generic = generic_lines(SPEC).unpivot(index="persona").explode("value").drop_nulls("value")
    texts += [(f"generic.{v}.{p}", t) for p, v, t in generic.iter_rows()]
    return texts


@pytest.mark.parametrize(("where", "text"), _shipped_texts(), ids=lambda v: v if len(v) < 60 else "")
def test_no_shipped_copy_spells_out_contractions_or_leans_on_usually(where, text):
    assert not re.search(UNCONTRACTED, text), where
    assert "usually" not in text.lower(), where
    # A CRM's reports are named as the account's own tool where its stack shows it, never as a pitch.
    assert "built-in crm reports" not in text.lower(), where


def test_generic_lines_never_admit_knowing_nothing():
    generic = generic_lines(SPEC).unpivot(index="persona").explode("value").drop_nulls("value")["value"]
    assert not generic.str.contains(r"(?i)don't know|may be wrong|not sure whether|rather than assuming").any()


@pytest.mark.parametrize(
    ("name", "domain", "expected"),
    [
        ("Riverkey Dev", "riverkey.dev", "Riverkey"),
        ("Acme Inc.", "acme.com", "Acme"),
        ("arc.dev", "arc.dev", "Arc"),
        (None, "www.arc.dev", "Arc"),
        ("Veryfi, Inc.", "veryfi.com", "Veryfi"),
        ("Squire.ai (fka EchoLayer)", "squire.ai", "Squire"),
        ("Stahl GmbH", "stahl.de", "Stahl"),
        ("Labs", "labs.io", "Labs"),
        ("authzed", "authzed.com", "authzed"),
    ],
)
def test_company_names_read_as_people_write_them(name, domain, expected):
    frame = pl.DataFrame({"n": [name], "d": [domain]}, schema={"n": pl.String, "d": pl.String})
    assert frame.select(company_name(pl.col("n"), pl.col("d")))[0, 0] == expected


@pytest.mark.parametrize(
    ("slug", "expected"),
    [
        ("salesforce", "Salesforce"),
        ("google_analytics", "Google Analytics"),
        ("hubspot", "HubSpot"),
        ("netsuite", "NetSuite"),
        ("aws", "AWS"),
        ("dbt", "dbt"),
        ("Looker Studio", "Looker Studio"),
    ],
)
def test_tools_are_named_as_their_makers_write_them(slug, expected):
    assert pl.select(display_product(pl.lit(slug, pl.String)))[0, 0] == expected


def _contacts_per_persona(accounts: list[str]) -> pl.DataFrame:
    rows = [
        {
            "contact_id": f"{a}-{p}",
            "account_id": a,
            "first_name": "Sam",
            "last_name": "Doe",
            "email": f"{p.replace('_', '')}@{re.sub(r'[^a-z0-9]', '', a.lower()) or 'x'}.com",
            "email_status": "valid",
            "title": title,
        }
        for a in accounts
        for p, title in TITLES.items()
    ]
    return pl.DataFrame(rows)


def _draft(targets: pl.DataFrame) -> pl.DataFrame:
    contacts = _contacts_per_persona(targets["account_id"].to_list())
    result = build_drafts(
        targets,
        contacts,
        personas=list(PERSONAS),
        persona_rules=None,
        messaging=SPEC,
        sender=SENDER,
        templates=TEMPLATES,
    )
    assert set(result.drafts["persona"].unique()) == set(PERSONAS), result.skipped["reason"].value_counts()
    return result.drafts


@pytest.fixture(scope="module")
def sample_drafts() -> pl.DataFrame:
    from targeting.sample import generate_sample

    accounts = generate_sample(seed=11, n_accounts=150, as_of=date(2026, 1, 5)).accounts
    return _draft(accounts)


@pytest.fixture(scope="module")
def yc_drafts() -> pl.DataFrame:
    from targeting.facts import load_facts, with_account_facts
    from targeting.importing.canonical import import_accounts

    accounts = with_account_facts(import_accounts(YC, preset="yc").accounts, load_facts())
    # Live companies the way an ICP finds them: active, with a team size, in the order of their ids.
    targets = (
        accounts.filter(pl.col("status").str.to_lowercase() == "active", pl.col("employees") >= 5)
        .sort("account_id")
        .collect()
    )
    return _draft(targets.gather_every(20))


def _sentences(body: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.?!])\s+|\n+", body) if len(s.split()) >= 6]


@pytest.fixture(params=["sample", "yc"])
def drafts(request) -> pl.DataFrame:
    return request.getfixturevalue(f"{request.param}_drafts")


def test_drafts_read_as_a_person_writes(drafts):
    bodies = drafts["body"]
    assert not bodies.str.contains(UNCONTRACTED).any()
    assert not pl.concat([bodies, drafts["subject"]]).str.contains(r"[{}]|_|\bNone\b|\ba (?:8\d*|11|18)-person").any()
    # A subject never names the same word twice ("The cost of acquisition cost").
    for subject in drafts["subject"].str.strip_prefix("Re: "):
        words = [w for w in re.findall(r"[a-z]+", subject.lower()) if len(w) > 3]
        assert len(words) == len(set(words)), subject
    # A tool is named as its maker writes it, never as a lower-case slug ("connects to salesforce").
    tools = r"\b(?:salesforce|hubspot|pipedrive|snowflake|stripe|looker|tableau|netsuite|quickbooks)\b"
    assert not bodies.str.contains(tools).any()
    # Company names as people write them: no legal form, no domain ending.
    assert not drafts["company"].str.contains(r"(?i),? (?:inc|llc|ltd|gmbh)\.?$|\.(?:com|io|ai|dev)$").any()


def test_openers_rest_only_on_pains_the_sender_solves(drafts):
    solved = {SPEC.pain_points[k].topic for k in SENDER.solves} | {SPEC.generic.topic}
    topics = {SPEC.pain_points[k].topic for k in SPEC.pain_points}
    named = set()
    for subject in drafts.filter(pl.col("step") == 1)["subject"]:
        named |= {t for t in topics if t in subject.lower()}
    assert named <= solved
    assert named or drafts["account_id"].str.contains(r"\.").all()  # the sample's accounts do name solved pains


def test_no_sentence_repeats_within_a_contacts_sequence(drafts):
    # The call to action is the sender's ask, the same in every email; the rest of the copy is not.
    for _, sequence in drafts.group_by("contact_id"):
        seen: dict[str, int] = {}
        for step, body in sequence.select("step", "body").iter_rows():
            for sentence in _sentences(body.split(SENDER.signature)[0]):
                if sentence != SENDER.call_to_action:
                    assert seen.setdefault(sentence, step) == step, (sentence, sequence["contact_id"][0])


def test_wording_varies_across_accounts_and_is_the_same_on_every_run(drafts):
    openers = drafts.filter((pl.col("step") == 1) & (pl.col("persona") == "economic_buyer"))
    first_lines = openers["body"].str.split("\n\n").list.get(1).str.replace_all(r"\d+", "#")
    # Company names aside, the accounts do not all hear the same first paragraph.
    first_lines = pl.Series([t.replace(c, "X") for t, c in zip(first_lines, openers["company"])])
    assert first_lines.n_unique() >= min(4, openers.height)


def test_yc_drafts_rest_on_an_account_fact_at_least_70_percent_of_the_time(yc_drafts):
    flagged = yc_drafts["issues"].list.eval(pl.element().str.starts_with("no_account_fact")).list.any()
    assert flagged.mean() <= 0.30


# On the whole directory (a 49-row slice drafts too few accounts to use every kind of fact).
if YC_FULL.is_file():

    def test_on_the_whole_yc_directory_the_firmographic_facts_carry_where_no_pain_is_known(yc_drafts):
        used = set(yc_drafts["facts_used"].explode().drop_nulls().unique())
        assert {"employees", "industry", "country"} <= used


def test_drafts_are_the_same_on_a_second_run():
    from targeting.sample import generate_sample

    accounts = generate_sample(seed=3, n_accounts=30, as_of=date(2026, 1, 5)).accounts
    first, second = _draft(accounts), _draft(accounts)
    assert first.select("contact_id", "step", "subject", "body").equals(
        second.select("contact_id", "step", "subject", "body")
    )


# The sample product's area (revenue reporting): words no product-neutral line may use.
SAMPLE_AREA = (
    r"(?i)revenue|report|pipeline|forecast|plumbing|\bcrm\b|billing|warehouse|dashboard|connector|\bsync"
    r"|\bdata\b|numbers|tallybeam|spreadsheet|analytics|\bbi\b|security package"
)


def _neutral_texts() -> list[tuple[str, str]]:
    """(where, text) of every shipped line outside a pain point's own block, a bridge's own tool words removed."""
    texts = [(str(p), p.read_text()) for folder in default_templates_dir().iterdir() for p in folder.iterdir()]
    lines = copy_lines(SPEC).filter(pl.col("source") != "pain_points")
    lines = lines.unpivot(index=["source", "key", "persona"]).explode("value").drop_nulls("value")
    for source, key, persona, block, text in lines.iter_rows():
        # A prior solution's bridge may name what the account uses ("Spreadsheets got you this far").
        own = "|".join(part.removesuffix("s") for part in key.split("_") if len(part) > 1)
        texts.append((f"{source}.{key}.{persona}.{block}", re.sub(rf"(?i)\b(?:{own})\w*", "", text)))
    generic = generic_lines(SPEC).unpivot(index="persona").explode("value").drop_nulls("value")
    texts += [(f"generic.{v}.{p}", t) for p, v, t in generic.iter_rows()]
    return texts


@pytest.mark.parametrize(("where", "text"), _neutral_texts(), ids=lambda v: v if len(v) < 60 else "")
def test_no_shipped_line_outside_a_pain_block_names_a_product_area(where, text):
    assert not re.search(SAMPLE_AREA, text), (where, re.search(SAMPLE_AREA, text))
    # No line ranks the account or states a figure it did not give ("one of the few ... past 235 people").
    assert not re.search(r"(?i)one of the (?:few|only|largest|fastest)|\b(?:leading|fastest|largest)\b", text), where


def test_an_account_without_a_solved_pain_hears_a_solved_pain_in_general_and_its_own_firmographics():
    from messaging.composing.copy_blocks import copy_blocks

    sender = SENDER.model_copy(update={"solves": ["tool_sprawl", "scaling_support"], "sample": False})
    rows = pl.LazyFrame(
        {
            "account_id": [f"a{i}.com" for i in range(40)],
            "name": [f"Acme {i}" for i in range(40)],
            "persona": ["economic_buyer", "technical_evaluator"] * 20,
            "employees": [40] * 40,
            "industry": ["fintech"] * 40,
            # A pain the sender does not solve: it never opens, and its topic is never the subject.
            "pain_points": [["compliance_burden"]] * 40,
            "description": ["We move money for banks."] * 40,
        }
    )
    blocks = copy_blocks(rows, SPEC, solves=sender.solves).collect()
    solved = {SPEC.pain_points[k].topic for k in sender.solves}
    assert set(blocks["topic"]) == solved  # both solved pains stand in, the hash choosing
    problems = {line for k in sender.solves for lines in SPEC.pain_points[k].problem.values() for line in lines}
    assert set(blocks["problem"]) <= problems
    generic_openers = set(generic_lines(SPEC)["generic_opener"].explode().str.replace("{company}", "", literal=True))
    own_openers = {line for k in sender.solves for lines in SPEC.pain_points[k].opener.values() for line in lines}
    assert not set(blocks["opener"]) & own_openers  # never "It looks like the tool list at ... has grown"
    assert blocks["opener"].str.contains("40 people").any() and len(generic_openers) > 3
    assert blocks["fact_bits_problem"].eq(0).all()  # a stand-in problem is not a fact about the account


def test_no_first_touch_makes_one_point_twice(drafts):
    from messaging.checks.batch import said_twice

    assert said_twice(drafts, SENDER).is_empty(), said_twice(drafts, SENDER).head(3).rows()


if YC_FULL.is_file():

    def test_on_the_whole_yc_directory_no_copy_sentence_is_in_more_than_a_tenth_of_first_touches(yc_drafts):
        from messaging.checks.batch import MAX_SHARE, repeated_sentences

        top = repeated_sentences(yc_drafts, SENDER).row(0, named=True)
        assert top["share"] <= MAX_SHARE, top
