"""Templates: shipped defaults, workspace overrides, and every broken template stopped up front."""

from __future__ import annotations

from pathlib import Path

import pytest

from messaging.composing.sender import load_sender
from messaging.composing.templates import check_templates, default_templates_dir, load_templates
from targeting.columns import PERSONAS
from targeting.errors import InputError

SHIPPED_NAMES = ("step1_a", "step1_b", "step2_a", "step3_a")
FOOTER = "\n{{ sender.signature }}\n\n{{ sender.postal_address }}\n{{ sender.opt_out_line }}\n"


def _workspace(tmp_path: Path, relative: str, text: str) -> Path:
    path = tmp_path / "templates" / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_every_persona_ships_every_template():
    templates = load_templates()
    for persona in PERSONAS:
        assert templates.variants(persona, 1) == ["a", "b"]
        assert templates.variants(persona, 2) == ["a"]
        assert templates.variants(persona, 3) == ["a"]
    root = default_templates_dir()
    assert {f"{p}/{n}.txt.j2" for p in PERSONAS for n in SHIPPED_NAMES} <= {
        f"{d.name}/{f.name}" for d in root.iterdir() if d.is_dir() for f in d.iterdir()
    }


def test_workspace_file_overrides_the_shipped_one_and_adds_variants(tmp_path):
    override = _workspace(
        tmp_path, "champion/step1_a.txt.j2", "Subject: Hello {{ company }}\n\nHi {{ first_name }}" + FOOTER
    )
    added = _workspace(tmp_path, "champion/step1_c.txt.j2", "Subject: Third {{ topic }}\n\nHi" + FOOTER)
    templates = load_templates(tmp_path)
    assert templates.paths[("champion", 1, "a")] == str(override)
    assert templates.paths[("champion", 1, "c")] == str(added)
    assert templates.variants("champion", 1) == ["a", "b", "c"]
    assert templates.paths[("champion", 1, "b")] != str(override)
    assert templates.variables[("champion", 1, "a")] == {"company", "first_name"}
    # The templates folder itself works as well as the workspace holding it.
    assert load_templates(tmp_path / "templates").paths == templates.paths


def test_workspace_without_templates_uses_defaults(tmp_path):
    assert load_templates(tmp_path).paths == load_templates().paths
    with pytest.raises(InputError, match="not found"):
        load_templates(tmp_path / "missing")


@pytest.mark.parametrize(
    "escape",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ sender.__class__.__init__.__globals__ }}",
        "{{ company.__class__.__base__.__subclasses__() }}",
        "{{ first_name.format.__globals__ }}",
        "{{ sender.proof_points.__class__.__mro__ }}",
        "{{ sender.fields.items() }}",
    ],
)
def test_sandbox_escape_is_blocked_with_the_template_path_and_line(tmp_path, escape):
    path = _workspace(tmp_path, "user/step2_a.txt.j2", f"Subject: Hi\n\nHello\n{escape}\n" + FOOTER)
    with pytest.raises(InputError) as caught:
        load_templates(tmp_path)
    assert caught.value.path == str(path)
    assert caught.value.line == 4


def test_undefined_variable_names_template_line_and_variable(tmp_path):
    path = _workspace(
        tmp_path, "champion/step2_a.txt.j2", "Subject: Hi\n\nHello {{ first_name }},\n\n{{ discount_code }}\n" + FOOTER
    )
    with pytest.raises(InputError) as caught:
        load_templates(tmp_path)
    message = str(caught.value)
    assert f"{path}:5" in message
    assert "discount_code" in message


def test_undefined_attribute_is_caught_by_the_dry_render(tmp_path):
    path = _workspace(tmp_path, "champion/step2_a.txt.j2", "Subject: Hi\n\n{{ sender.calendar_url }}\n" + FOOTER)
    with pytest.raises(InputError) as caught:
        load_templates(tmp_path)
    assert (caught.value.path, caught.value.line) == (str(path), 3)
    assert "calendar_url" in str(caught.value)


def test_template_that_does_not_parse_names_its_line(tmp_path):
    path = _workspace(tmp_path, "gatekeeper/step3_a.txt.j2", "Subject: Hi\n\n{% if company %}\nno end\n")
    with pytest.raises(InputError) as caught:
        load_templates(tmp_path)
    assert caught.value.path == str(path)
    assert "does not parse" in str(caught.value)


@pytest.mark.parametrize(
    ("relative", "text", "reason"),
    [
        ("champion/step1_a.txt.j2", "Hi {{ first_name }}\n", "Subject"),
        ("champion/step1_a.txt.j2", "Subject: {{ '' }}\n\nBody\n", "Subject"),
        ("champion/first.txt.j2", "Subject: x\n", "step<N>_<variant>"),
        ("interns/step1_a.txt.j2", "Subject: x\n", "unknown persona folder"),
    ],
)
def test_misnamed_or_subjectless_templates_are_rejected(tmp_path, relative, text, reason):
    path = _workspace(tmp_path, relative, text)
    with pytest.raises(InputError, match=reason) as caught:
        load_templates(tmp_path)
    assert caught.value.path == str(path)


def test_check_templates_requires_every_step_for_drafted_personas():
    templates = load_templates()
    check_templates(templates, load_sender(), personas=PERSONAS, steps=3)
    with pytest.raises(InputError, match="step 4") as caught:
        check_templates(templates, load_sender(), personas=["champion"], steps=4)
    assert "champion/step4_a.txt.j2" in str(caught.value)


def test_installed_templates_are_preferred_over_the_repository_folder(tmp_path, monkeypatch):
    import messaging.composing.templates as module

    monkeypatch.setattr(module.resources, "files", lambda package: tmp_path)
    assert Path(str(default_templates_dir())) == Path(__file__).resolve().parents[3] / "templates"
    (tmp_path / "_templates").mkdir()
    assert default_templates_dir() == tmp_path / "_templates"


def test_a_template_that_breaks_only_on_the_users_sender_stops_at_load(tmp_path):
    (tmp_path / "champion").mkdir()
    (tmp_path / "champion" / "step1_a.txt.j2").write_text("Subject: Hi\n\n{{ sender.proof_points[2] }}\n")
    load_templates(tmp_path)  # the shipped sender has three proof points
    short = load_sender().model_copy(update={"proof_points": ["one"]})
    with pytest.raises(InputError, match="fails to render") as caught:
        load_templates(tmp_path, sender=short)
    assert "step1_a.txt.j2" in str(caught.value)
