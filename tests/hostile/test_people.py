"""Hostile inputs against the promise that nobody is contacted who must not be (docs/trust.md)."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from campaigns.export import export_planned
from campaigns.ledger import sha256
from targeting.identity import domain_key, domain_suppressed_expr, email_key
from targeting.importing import import_contacts
from targeting.importing.suppression import SUPPRESSION_SCHEMA
from tests.campaigns.conftest import planned_contacts
from tests.messaging.test_drafts import _build, _contact, _targets, contact_rows

DOMAINS = ["acme.io", "clearpeak.ai", "xn--mller-kva.de", "beta.co.uk"]
PEOPLE = [f"{name}@{domain}" for domain in DOMAINS for name in ("ann.lee", "bo")] + [
    f"eve@eu.{domain}" for domain in DOMAINS
]


def _domain_spellings(domain: str) -> st.SearchStrategy[str]:
    unicode = "müller.de" if domain == "xn--mller-kva.de" else domain
    return st.sampled_from(
        [domain, domain.upper(), f"www.{domain}", f"https://www.{domain}/about", f"{domain}.", f"{domain}:443", unicode]
    )


def _email_spellings(email: str) -> st.SearchStrategy[str]:
    local, domain = email.split("@")
    hosts = st.sampled_from([domain, domain.upper(), "müller.de" if domain == "xn--mller-kva.de" else domain])
    wraps = st.sampled_from(["{}", " {} ", "mailto:{}", "MAILTO:{}\t"])
    return st.builds(
        lambda h, case, wrap: wrap.format(f"{case(local)}@{h}"), hosts, st.sampled_from([str, str.upper]), wraps
    )


@st.composite
def blocks(draw):  # noqa: ANN201
    """Some people and domains, each in some spelling, each on the ledger (plain or hashed) or a list."""
    rows, listed = [], []
    for email in draw(st.lists(st.sampled_from(PEOPLE), max_size=3, unique=True)):
        spelled = draw(_email_spellings(email))
        where = draw(st.sampled_from(["email", "email_sha256", "list"]))
        if where == "list":
            listed.append(("contact", "email", spelled))
        else:
            rows.append((where, spelled if where == "email" else sha256(email_key(spelled))))
    for domain in draw(st.lists(st.sampled_from(DOMAINS), max_size=2, unique=True)):
        spelled = draw(_domain_spellings(domain))
        where = draw(st.sampled_from(["domain", "domain_sha256", "list"]))
        if where == "list":
            listed.append(("account", "domain", spelled))
        else:
            rows.append((where, domain_key(spelled) if where == "domain" else sha256(domain_key(spelled))))
    return rows, listed


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(blocks(), st.lists(st.sampled_from([str, str.upper, str.title]), min_size=len(PEOPLE), max_size=len(PEOPLE)))
def test_no_identity_on_the_ledger_or_a_list_in_any_spelling_reaches_an_export(blocked, cases):
    from targeting.importing.suppression import read_suppression  # noqa: F401 - the lists' own reader is below

    rows, listed = blocked
    ledger = pl.DataFrame(rows, schema={"kind": pl.String, "key": pl.String}, orient="row")
    # A suppression list as read_suppression returns it: keys normalized by the one identity module.
    from targeting.identity import domain_keys, email_keys

    suppression = pl.DataFrame(
        [
            (level, kind, (email_keys if kind == "email" else domain_keys)([value])[0], "dnc.txt")
            for level, kind, value in listed
        ],
        schema=SUPPRESSION_SCHEMA,
        orient="row",
    )
    # The planned contacts carry their emails in whatever case the source file had.
    planned = pl.concat(
        planned_contacts([case(e) for case, e in zip(cases[i : i + 6], PEOPLE[i : i + 6], strict=True)]).with_columns(
            pl.col("contact_id") + f"-{i}"
        )
        for i in range(0, len(PEOPLE), 6)
    )
    exported = export_planned(planned, "c-1", "instantly", ledger=ledger, suppression=suppression)
    out = {email_key(e) for e in exported["email"].to_list()}
    forbidden = {email_key(v) for _, kind, v in listed if kind == "email"}
    forbidden |= {p for p in PEOPLE if sha256(p) in set(ledger["key"]) or p in {email_key(k) for k in ledger["key"]}}
    bad_domains = {domain_key(v) for _, kind, v in listed if kind == "domain"}
    bad_domains |= {d for d in DOMAINS if d in set(ledger["key"]) or sha256(d) in set(ledger["key"])}
    assert not out & forbidden
    assert not {e for e in out if any(e.endswith(f"@{d}") or e.endswith(f".{d}") for d in bad_domains)}
    # and nobody else is left out
    assert len(out) == len(PEOPLE) - len(
        {p for p in PEOPLE if p in forbidden or any(p.endswith(f"@{d}") or p.endswith(f".{d}") for d in bad_domains)}
    )


def test_one_person_in_two_cases_under_two_contact_ids_is_one_contact(tmp_path):
    path = tmp_path / "contacts.csv"
    path.write_text("contact_id,email,first_name,domain\nc1,Ann.Lee@x.io,Ann,x.io\nc2,ANN.LEE@x.io,Ann,x.io\n")
    result = import_contacts(path)
    assert result.contacts.collect()["email"].to_list() == ["ann.lee@x.io"]
    assert result.duplicates == 1 and result.rows_read == 2


def test_four_spellings_of_one_domain_are_one_account_under_the_canonical_preset(tmp_path):
    from targeting.importing import import_accounts

    path = tmp_path / "accounts.csv"
    path.write_text("domain,name\nwww.Acme.io,A\nhttps://acme.io/,A\nACME.IO,A\nacme.io.,A\n")
    result = import_accounts(path)
    assert result.accounts.collect()["account_id"].to_list() == ["acme.io"]
    assert result.duplicates == 3


@pytest.mark.parametrize(
    "spelling",
    ["acme.io", "www.Acme.io", "https://acme.io/", "ACME.IO", "acme.io.", "http://WWW.acme.io:8080/x?y=1", " acme.io "],
)
def test_every_spelling_of_a_domain_is_one_key(spelling):
    assert domain_key(spelling) == "acme.io"


def test_an_idn_domain_is_its_punycode_in_either_spelling():
    assert domain_key("müller.de") == domain_key("xn--mller-kva.de") == "xn--mller-kva.de"
    assert email_key("Jo@Müller.de") == "jo@xn--mller-kva.de"


def test_case_of_an_address_is_one_person():
    assert email_key("Ann.Lee@x.io") == email_key("ANN.LEE@X.IO") == email_key(" mailto:ann.lee@x.io") == "ann.lee@x.io"


@pytest.mark.parametrize("spelling", ["c4@WWW.example.com", "c4@www.example.com.", "C4@www2.Example.com"])
def test_an_address_at_www_of_its_domain_is_one_person_whichever_path_reads_it(spelling):
    # An address's domain is keyed as a domain is (`www.` and a trailing dot dropped), as the library path does.
    assert email_key(spelling) == email_key("c4@example.com") == "c4@example.com"


def test_a_suppressed_domain_takes_its_subdomains_never_its_parent_or_a_lookalike():
    hosts = pl.DataFrame({"d": ["eu.clearpeak.ai", "clearpeak.ai", "arpeak.ai", "xclearpeak.ai", "ai", None]})
    got = hosts.select(domain_suppressed_expr(pl.col("d"), ["clearpeak.ai"]))["d"].to_list()
    assert got == [True, True, False, False, False, False]
    assert not pl.select(domain_suppressed_expr(pl.lit("clearpeak.ai"), ["eu.clearpeak.ai"])).item()


@settings(max_examples=10, deadline=None)
@given(
    rows=contact_rows,
    picked=st.sets(st.integers(0, 11), min_size=1, max_size=4),
    spell=st.sampled_from([str.upper, lambda e: f" mailto:{e} ", lambda e: e.replace("@", "@WWW.")]),
)
def test_a_suppressed_email_in_any_spelling_is_never_drafted(rows, picked, spell):
    contacts = [_contact(r["contact_id"], r["account_id"], r["persona"], sendable=r["sendable"]) for r in rows]
    blocked = {f"c{i}@example.com" for i in picked}
    result = _build(_targets("a1", "a2", "a3"), contacts, suppressed=sorted(spell(e) for e in blocked))
    assert not set(result.drafts["email"].to_list()) & blocked
