"""The sample's copy is refused under the user's own sender; the scaffold writes the user's own, TODO until written."""

from __future__ import annotations

import re

import pytest

from messaging.composing.copy_blocks import MessagingSpec, copy_blocks, load_messaging
from messaging.composing.sample_copy import check_solves, copy_scaffold, refuse_sample_copy, todo_lines
from messaging.composing.sender import load_sender
from targeting.errors import InputError
from targeting.facts import load_facts
from targeting.spec_file import load_spec

SAMPLE = load_sender()
OWN = SAMPLE.model_copy(
    update={"sample": False, "company": "Stackpilot", "product": "Stackpilot CI", "solves": ["tool_sprawl"]}
)


def test_the_shipped_copy_is_marked_sample_and_refused_under_the_users_own_sender(tmp_path):
    shipped = load_messaging()
    assert shipped.sample
    with pytest.raises(InputError) as caught:
        refuse_sample_copy(OWN, shipped, allow=False)
    message = str(caught.value)
    assert "\n" not in message
    assert re.match(r"messaging/defaults/messaging\.yaml:\d+: ", message)
    assert "Tallybeam Pipeline" in message and "copy scaffold" in message and "--allow-sample-copy" in message
    # The workspace copy `init` writes is the same text: refused under its own path and line.
    copied = tmp_path / "messaging.yaml"
    copied.write_text(_shipped_text(), encoding="utf-8")
    with pytest.raises(InputError, match=rf"^{re.escape(str(copied))}:\d+: "):
        refuse_sample_copy(OWN, load_spec(MessagingSpec, copied, what="a messaging file"), allow=False, path=copied)


def _shipped_text() -> str:
    from messaging.composing.sender import default_spec_text

    return default_spec_text("messaging.yaml")


def test_allowed_or_signed_by_the_sample_sender_it_passes():
    refuse_sample_copy(OWN, load_messaging(), allow=True)
    refuse_sample_copy(SAMPLE, load_messaging(), allow=False)  # the demo: the sample's sender and copy


def test_the_scaffold_has_a_todo_block_per_solved_pain_and_the_refusal_catches_them(tmp_path):
    own = OWN.model_copy(update={"solves": ["compliance_burden", "security_reviews"]})
    path = tmp_path / "messaging.yaml"
    path.write_text(copy_scaffold(own), encoding="utf-8")
    spec = load_spec(MessagingSpec, path, what="a messaging file")
    assert not spec.sample and set(spec.pain_points) == {"compliance_burden", "security_reviews"}
    todo = todo_lines(spec)
    assert (
        "pain_points.compliance_burden.opener.economic_buyer" in todo and "pain_points.security_reviews.topic" in todo
    )
    assert not [t for t in todo if not t.startswith("pain_points.")]  # the neutral blocks are written already
    line = next(i for i, text in enumerate(path.read_text().splitlines(), 1) if "TODO" in text.split("#")[0])
    with pytest.raises(InputError, match=rf"^{re.escape(str(path))}:{line}: {len(todo)} line\(s\) are still TODO"):
        refuse_sample_copy(own, spec, allow=False, path=path)
    # Written (here: every TODO replaced), the copy is the user's own and drafting goes ahead.
    path.write_text(path.read_text().replace("TODO: ", "Our line for "), encoding="utf-8")
    written = load_spec(MessagingSpec, path, what="a messaging file")
    refuse_sample_copy(own, written, allow=False, path=path)


def test_drafts_from_the_scaffold_carry_no_sample_line(tmp_path):
    import polars as pl

    path = tmp_path / "messaging.yaml"
    path.write_text(copy_scaffold(OWN).replace("TODO: ", "Stackpilot line for "), encoding="utf-8")
    spec = load_spec(MessagingSpec, path, what="a messaging file")
    rows = pl.LazyFrame(
        {
            "account_id": ["a.com", "b.com"],
            "name": ["A", "B"],
            "persona": ["champion", "economic_buyer"],
            "pain_points": [["tool_sprawl"], []],
            "employees": [30, 40],
        }
    )
    blocks = copy_blocks(rows, spec, solves=OWN.solves).collect()
    text = " ".join(blocks.select("opener", "problem", "angle", "bridge", "topic").rows()[0])
    shipped = load_messaging().pain_points["tool_sprawl"]
    assert blocks["opener"][0].startswith("Stackpilot line for") and blocks["problem"][1].startswith("Stackpilot")
    assert not any(line in text for lines in shipped.opener.values() for line in lines)


def test_solves_naming_a_key_facts_yaml_lacks_is_one_line_with_did_you_mean():
    with pytest.raises(InputError) as caught:
        check_solves(OWN.model_copy(update={"solves": ["compliance"]}), load_facts(), path="sender.yaml")
    assert str(caught.value) == (
        "sender.yaml, field 'solves': 'compliance' is not one of facts.yaml's pain points; "
        "did you mean 'compliance_burden'?"
    )
    check_solves(OWN, load_facts(), path="sender.yaml")


def test_a_misspelt_key_in_sender_yaml_gets_did_you_mean(tmp_path):
    import yaml

    data = yaml.safe_load(_shipped_sender_text())
    data["solves"] = ["tool_sprwl"]
    path = tmp_path / "sender.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(InputError, match="did you mean 'tool_sprawl'"):
        load_sender(path)


def _shipped_sender_text() -> str:
    from messaging.composing.sender import default_spec_text

    return default_spec_text("sender.yaml")
