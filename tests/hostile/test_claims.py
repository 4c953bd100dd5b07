"""Hostile model replies against the promise that nothing invented ships (docs/trust.md).

A server answering as a careless model would: every reply below goes through the real openai
client, the checks, one retry, and must end as the template draft with the invention named.
"""

from __future__ import annotations

import polars as pl
import pytest
from fake_openai import FakeOpenAI, draft_reply

from messaging.drafting.grounding import grounding_failures
from tests.messaging.drafting.test_model import GOOD_BODY, _draft, _targets

CLEARPEAK = _targets("Clearpeak runs Kubernetes for clinics.").with_columns(domain=pl.lit("clearpeak.ai"))
# What the account, contact and sender give: the grounding check's own inputs in unit form.
KNOWN = ["Clearpeak", "clearpeak.ai", "Runs Kubernetes for clinics; 120 employees; 3 offices", "Dana Reyes"]
ADDRESSES = ["clearpeak.ai", "dana@clearpeak.ai", "https://tallybeam.example/demo"]

INVENTIONS = [
    ("See bit.ly/3xYz for a quick tour.", "link not ours 'bit.ly/3xYz'"),
    ("Ping me on t.me/tallybeam anytime.", "link not ours 't.me/tallybeam'"),
    ("Your arpeak.ai setup looks great.", "link not ours 'arpeak.ai'"),
    ("It already helps teams at google, amazon and openai.", "invented name 'google'"),
    ("Teams at Uber rely on it.", "invented name 'Uber'"),
    ("Expect 2x faster closes and a 3x return.", "invented figure '2x'"),
    ("Over two hundred teams, four of the five largest banks, use it.", "invented figure 'two hundred'"),
]


@pytest.mark.parametrize(("phrase", "named"), INVENTIONS)
def test_each_invention_is_named_as_a_whole_token(phrase, named):
    assert named in grounding_failures(f"Hi Dana,\n\n{phrase}", known=KNOWN, addresses=ADDRESSES)


def test_the_rest_of_each_phrase_is_named_too():
    fails = grounding_failures(
        "Teams at google, amazon and openai see 2x faster closes and a 3x return; four of the five largest banks.",
        known=KNOWN,
        addresses=ADDRESSES,
    )
    for named in ("'amazon'", "'openai'", "'3x'", "'four of the five'", "'largest'"):
        assert any(named in line for line in fails), (named, fails)


def test_what_the_record_gives_is_grounded_whole():
    text = "Hi Dana,\n\nClearpeak runs Kubernetes across 3 offices; see clearpeak.ai or https://tallybeam.example/demo."
    assert grounding_failures(text, known=KNOWN, addresses=ADDRESSES) == []


@pytest.mark.parametrize(("phrase", "named"), INVENTIONS)
def test_through_the_real_client_no_invention_ships(phrase, named):
    body = GOOD_BODY.replace("Northwind Clinics", "Clearpeak").replace("\n\nWould", f" {phrase}\n\nWould")
    bad = draft_reply("Routing", body, ["lead_routing"])
    with FakeOpenAI() as server:
        server.script.extend([bad, bad])
        result = _draft(server, targets=CLEARPEAK)
    row = result.drafts.row(0, named=True)
    assert row["source"] == "template" and named in row["fallback_reason"]
    assert phrase not in row["body"]


def test_a_name_in_any_alphabet_is_one_whole_word():
    known = ["María Núñez", "Thérèse at Ferrovia"]
    assert grounding_failures("Hi María,\n\nThérèse at Ferrovia said hi.", known=known, addresses=[]) == []
    assert "invented name 'Élodie'" in grounding_failures("Hi María, I spoke to Élodie.", known=known, addresses=[])
