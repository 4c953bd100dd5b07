"""The sender spec: the shipped sender loads, and a broken sender.yaml is named by file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest
from ruamel.yaml import YAML

from messaging.composing.sender import default_spec_text, load_sender
from targeting.columns import PERSONAS
from targeting.errors import InputError


def _write(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / "sender.yaml"
    with path.open("w") as handle:
        YAML().dump(data, handle)
    return path


def _shipped() -> dict:
    return dict(YAML(typ="safe").load(default_spec_text("sender.yaml")))


def test_shipped_sender_has_a_line_for_every_persona():
    sender = load_sender()
    assert sender.proof_points
    assert all(sender.value_proposition_for(p) for p in PERSONAS)


@pytest.mark.parametrize("field", ["company", "proof_points", "call_to_action", "postal_address", "opt_out_line"])
def test_missing_field_names_file_and_field(tmp_path, field):
    data = _shipped()
    del data[field]
    path = _write(tmp_path, data)
    with pytest.raises(InputError) as caught:
        load_sender(path)
    assert str(path) in str(caught.value)
    assert caught.value.field == field


def test_unknown_field_names_its_line(tmp_path):
    path = tmp_path / "sender.yaml"
    path.write_text(default_spec_text("sender.yaml") + "discount_code: SAVE20\n")
    with pytest.raises(InputError) as caught:
        load_sender(path)
    assert caught.value.field == "discount_code"
    assert caught.value.line == len(path.read_text().splitlines())


def test_unknown_persona_in_value_proposition_is_named(tmp_path):
    data = _shipped()
    data["value_proposition"] = {**data["value_proposition"], "intern": "Hello"}
    with pytest.raises(InputError, match="intern"):
        load_sender(_write(tmp_path, data))


def test_default_value_proposition_covers_unlisted_personas(tmp_path):
    data = _shipped()
    data["value_proposition"] = {"default": "One line for all", "champion": "Just for champions"}
    sender = load_sender(_write(tmp_path, data))
    assert sender.value_proposition_for("champion") == "Just for champions"
    assert sender.value_proposition_for("procurement") == "One line for all"


def test_missing_file_and_bad_yaml_are_input_errors(tmp_path):
    with pytest.raises(InputError, match="cannot read"):
        load_sender(tmp_path / "nope.yaml")
    bad = tmp_path / "sender.yaml"
    bad.write_text("company: [unclosed\n")
    with pytest.raises(InputError, match="not valid YAML"):
        load_sender(bad)


def test_shipped_sender_is_marked_as_the_sample_and_names_who_signs():
    sender = load_sender()
    assert sender.sample is True
    # The sample sells revenue reporting: its drafts open only on reporting pains, never on, say, churn.
    assert sender.solves and set(sender.solves) <= {
        "manual_reporting",
        "pipeline_visibility",
        "data_silos",
        "forecast_accuracy",
        "tool_sprawl",
    }
    assert sender.summary() == {"name": "Maya Lind", "company": "Tallybeam", "sample": True}


def test_solves_takes_vocabulary_keys_and_names_an_unknown_one_by_file_line_and_value(tmp_path):
    ok = load_sender(_write(tmp_path, {**_shipped(), "solves": ["manual_reporting", "data_silos"]}))
    assert ok.solves == ["manual_reporting", "data_silos"]
    path = _write(tmp_path, {**_shipped(), "solves": ["manual_reporting", "world_peace"]})
    line = next(i for i, text in enumerate(path.read_text().splitlines(), 1) if "world_peace" in text)
    with pytest.raises(InputError) as caught:
        load_sender(path)
    message = str(caught.value)
    assert message.count("\n") == 0
    assert f"sender.yaml:{line}" in message and "'world_peace'" in message and "manual_reporting" in message


def test_the_sample_sender_is_refused_unless_allowed(tmp_path):
    from messaging.composing.sender import refuse_sample_sender

    with pytest.raises(InputError, match=r"remove `sample: true`.*--allow-sample-sender"):
        refuse_sample_sender(load_sender(), allow=False)
    refuse_sample_sender(load_sender(), allow=True)
    own = load_sender(_write(tmp_path, {k: v for k, v in _shipped().items() if k != "sample"}))
    refuse_sample_sender(own, allow=False)
