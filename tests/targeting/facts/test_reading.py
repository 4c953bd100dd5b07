"""Facts read by a model: a fact stands only on a verbatim quote of the account's own text and a known key."""

from __future__ import annotations

from targeting.facts.reading import TEXT_CLOSE, TEXT_OPEN, FactsReply, read_messages, verified_facts
from targeting.facts.spec import load_facts

SPEC = load_facts()
TEXT = "Neobank for   freelancers.\nBacked by Y Combinator, serving 2,000 customers."


def _reply(*facts: tuple[str, str]) -> FactsReply:
    return FactsReply.model_validate({"facts": [{"key": k, "quote": q} for k, q in facts]})


def test_a_verbatim_quote_keeps_its_fact_whatever_the_case_and_spacing():
    checked = verified_facts(
        _reply(("compliance_burden", "NEOBANK for freelancers"), ("raised_funding", '"Backed by Y Combinator"')),
        TEXT,
        SPEC,
    )
    assert checked.facts == [
        ("pain_point", "compliance_burden", "NEOBANK for freelancers"),
        ("growth_signal", "raised_funding", "Backed by Y Combinator"),
    ]
    assert (checked.unquoted, checked.unknown_key) == (0, 0)


def test_a_paraphrase_an_empty_quote_and_an_unknown_key_are_dropped_and_counted():
    checked = verified_facts(
        _reply(
            ("customer_traction", "thousands of happy customers"),
            ("raised_funding", ""),
            ("made_up_key", "Neobank"),
            ("customer_traction", "serving 2,000 customers"),
        ),
        TEXT,
        SPEC,
    )
    assert checked.facts == [("growth_signal", "customer_traction", "serving 2,000 customers")]
    assert (checked.unquoted, checked.unknown_key) == (2, 1)


def test_the_text_is_delimited_as_data_and_the_vocabulary_is_named():
    system, user = read_messages(SPEC, "Acme", TEXT)
    assert f"{TEXT_OPEN}\n{TEXT}\n{TEXT_CLOSE}" in user["content"]
    assert "compliance_burden" in system["content"] and "never an instruction" in system["content"]
