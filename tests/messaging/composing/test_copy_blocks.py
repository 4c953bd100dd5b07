"""Copy blocks: account facts become persona-phrased lines; no fact means an honest generic line."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from messaging.composing.copy_blocks import copy_blocks, copy_lines, fact_names, load_messaging
from messaging.composing.sender import default_spec_text
from targeting.columns import PERSONAS
from targeting.errors import InputError
from targeting.vocabulary import GROWTH_SIGNALS, PAIN_POINTS, PRIOR_SOLUTIONS, TEXT_GROWTH_SIGNALS

SPEC = load_messaging()
LIST = pl.List(pl.String)


def _blocks(rows: pl.LazyFrame, spec=SPEC, solves=None) -> pl.DataFrame:
    """copy_blocks, with each block's fact mask decoded to field names (`facts_<block>`)."""
    out = copy_blocks(rows, spec, solves=solves)
    return out.with_columns(
        fact_names(pl.col(f"fact_bits_{b}")).alias(f"facts_{b}")
        for b in ("opener", "problem", "angle", "bridge", "topic", "followup")
    ).collect()


def _rows(*rows: dict) -> pl.LazyFrame:
    base = {
        "persona": "champion",
        "name": "Acme",
        "domain": "acme.com",
        "industry": "saas",
        "tech_stack": [],
        "hiring_roles": [],
        "pain_points": [],
        "growth_signals": [],
        "prior_solutions": [],
    }
    schema = {"persona": pl.String, "name": pl.String, "domain": pl.String, "industry": pl.String} | {
        c: LIST for c in ("tech_stack", "hiring_roles", "pain_points", "growth_signals", "prior_solutions")
    }
    return pl.DataFrame([{**base, **row} for row in rows], schema=schema).lazy()


def _line(source: str, key: str, persona: str, block: str) -> list[str]:
    """The lines a persona may hear for one key's block (several where the wording varies)."""
    entry = getattr(SPEC, source)[key]
    lines = getattr(entry, block)
    return lines.get(persona, lines.get("default"))


def _generic(block: str, persona: str) -> list[str]:
    lines = getattr(SPEC.generic, block)
    return lines.get(persona, lines.get("default"))


def _plain(lines: list[str], company: str = "Acme") -> set[str]:
    """The lines that need no fact but the company name, filled as an account with no facts hears them."""
    return {line.replace("{company}", company) for line in lines if "{" not in line.replace("{company}", "")}


def test_shipped_spec_covers_the_whole_vocabulary():
    assert set(SPEC.pain_points) == set(PAIN_POINTS)
    # The growth signals only real exports' text gives (targeting.facts) have lines too.
    assert set(SPEC.growth_signals) == set(GROWTH_SIGNALS + TEXT_GROWTH_SIGNALS)
    assert set(SPEC.prior_solutions) == set(PRIOR_SOLUTIONS)
    lines = copy_lines(SPEC)
    keys = len(PAIN_POINTS) + len(GROWTH_SIGNALS) + len(TEXT_GROWTH_SIGNALS) + len(PRIOR_SOLUTIONS)
    assert lines.height == keys * len(PERSONAS)


@pytest.mark.parametrize("key", PAIN_POINTS)
def test_core_personas_hear_different_openers(key):
    openers = {p: _line("pain_points", key, p, "opener") for p in ("economic_buyer", "champion", "technical_evaluator")}
    assert len({tuple(lines) for lines in openers.values()}) == 3
    assert not set.intersection(*(set(lines) for lines in openers.values()))


@pytest.mark.parametrize("persona", PERSONAS)
def test_blocks_follow_the_account_facts_per_persona(persona):
    rows = _rows(
        {
            "persona": persona,
            "pain_points": ["churn_risk"],
            "growth_signals": ["new_office"],
            "prior_solutions": ["agency"],
        }
    )
    out = _blocks(rows).row(0, named=True)
    assert out["opener"] in _plain(_line("pain_points", "churn_risk", persona, "opener"))
    assert out["angle"] in _plain(_line("growth_signals", "new_office", persona, "angle"))
    assert out["bridge"] in _plain(_line("prior_solutions", "agency", persona, "bridge"))
    assert out["topic"] == SPEC.pain_points["churn_risk"].topic
    assert out["facts_opener"] == ["pain_points"]
    assert out["facts_angle"] == ["growth_signals"]
    assert out["facts_bridge"] == ["prior_solutions"]


@pytest.mark.parametrize("persona", PERSONAS)
def test_account_without_facts_gets_generic_lines_and_no_facts(persona):
    # No industry, size, country or year either: only the lines that need nothing but the name.
    out = _blocks(_rows({"persona": persona, "industry": None})).row(0, named=True)
    for block in ("opener", "problem", "angle", "bridge", "followup"):
        assert out[block] in _plain(_generic(block, persona))
        assert out[f"facts_{block}"] == []
    assert out["topic"] == SPEC.generic.topic


def test_first_known_key_wins_and_unknown_values_are_ignored():
    rows = _rows({"pain_points": ["made_up_pain", "tool_sprawl", "churn_risk"], "growth_signals": ["something_else"]})
    out = _blocks(rows).row(0, named=True)
    assert out["topic"] == SPEC.pain_points["tool_sprawl"].topic
    # No growth signal it knows: the angle is a generic line (here on the industry), never a signal's.
    assert "growth_signals" not in out["facts_angle"]


def test_line_variables_are_filled_and_named_in_facts():
    rows = _rows({"persona": "champion", "growth_signals": ["hiring_sales"], "hiring_roles": ["customer_success"]})
    out = _blocks(rows).row(0, named=True)
    assert "customer success" in out["angle"]
    assert "{" not in out["angle"]
    assert out["facts_angle"] == ["hiring_roles", "growth_signals"]  # canonical column order


def test_line_whose_fact_is_missing_falls_back_to_generic():
    # The technical evaluator's data_silos problem names the account's tech; without a stack it cannot.
    assert "{tech}" in _line("pain_points", "data_silos", "technical_evaluator", "problem")[0]
    rows = _rows(
        {"persona": "technical_evaluator", "pain_points": ["data_silos"], "tech_stack": ["hubspot"]},
        {"persona": "technical_evaluator", "pain_points": ["data_silos"], "tech_stack": []},
    )
    with_tech, without = _blocks(rows).iter_rows(named=True)
    assert "HubSpot" in with_tech["problem"] and with_tech["facts_problem"] == ["tech_stack", "pain_points"]
    # Without a stack, another of the pain's problem lines (every persona's are candidates), not a generic one.
    pooled = [line for lines in SPEC.pain_points["data_silos"].problem.values() for line in lines]
    assert without["problem"] in pooled and "{tech}" not in without["problem"]
    assert without["facts_problem"] == ["pain_points"]
    assert without["facts_opener"] == ["pain_points"]


def test_rows_keep_their_order_and_count():
    keys = list(PAIN_POINTS) * 3
    rows = _rows(*({"name": f"Co {i}", "pain_points": [k], "persona": PERSONAS[i % 6]} for i, k in enumerate(keys)))
    out = _blocks(rows)
    assert out["company"].to_list() == [f"Co {i}" for i in range(len(keys))]
    assert out["topic"].to_list() == [SPEC.pain_points[k].topic for k in keys]


def _broken(tmp_path: Path, old: str, new: str) -> Path:
    text = default_spec_text("messaging.yaml")
    assert old in text
    path = tmp_path / "messaging.yaml"
    path.write_text(text.replace(old, new, 1))
    return path


def _line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


@pytest.mark.parametrize(
    ("old", "new", "field", "value"),
    [
        ("  manual_reporting:\n", "  manual_reportng:\n", "pain_points.manual_reportng", "manual_reportng"),
        ("  raised_funding:\n", "  raised_money:\n", "growth_signals.raised_money", "raised_money"),
        (
            "    topic: manual reporting\n",
            "    topic: manual reporting\n    tone: warm\n",
            "pain_points.manual_reporting.tone",
            "tone",
        ),
    ],
)
def test_unknown_keys_name_file_line_field_and_value(tmp_path, old, new, field, value):
    path = _broken(tmp_path, old, new)
    with pytest.raises(InputError) as caught:
        load_messaging(path)
    error = caught.value
    assert (error.path, error.field, error.value) == (str(path), field, value)
    assert error.line == _line_of(path, value + ":")


def test_unknown_persona_and_unknown_variable_are_named(tmp_path):
    path = _broken(tmp_path, "      champion: It looks like someone", "      champoin: It looks like someone")
    with pytest.raises(InputError, match="champoin"):
        load_messaging(path)
    path = _broken(tmp_path, "rebuilds the pipeline report by hand", "rebuilds the {crm} report by hand")
    with pytest.raises(InputError) as caught:
        load_messaging(path)
    assert "{crm}" in str(caught.value)
    assert caught.value.line == _line_of(path, "{crm}")


def test_generic_lines_may_not_claim_account_facts(tmp_path):
    path = _broken(
        tmp_path,
        "      - A quick question for {company}.\n",
        "      - A quick question for {company}, which does {evidence}.\n",
    )
    # {evidence} names a known key's words: a generic line has no key to quote.
    with pytest.raises(InputError, match="evidence"):
        load_messaging(path)
    path = _broken(
        tmp_path,
        "      - A quick question for {company}.\n",
        "      - A quick question for {company} in {country}.\n",
    )
    # Every generic block keeps one line that needs nothing but the name, for an account with no facts.
    with pytest.raises(InputError, match="fallback"):
        load_messaging(path)


def test_workspace_file_replaces_the_defaults(tmp_path):
    path = tmp_path / "messaging.yaml"
    path.write_text(
        "generic:\n  topic: your pipeline\n"
        + "".join(
            f"  {b}:\n    default: Plain {b} for {{company}}.\n" for b in ("opener", "problem", "angle", "bridge")
        )
    )
    spec = load_messaging(path)
    out = _blocks(_rows({"pain_points": ["churn_risk"]}), spec).row(0, named=True)
    assert out["opener"] == "Plain opener for Acme."
    assert out["facts_opener"] == []


def test_no_shipped_line_uses_a_spam_word():
    from messaging.checks.spam_words import SPAM_WORDS, spam_pattern

    lines = (
        copy_lines(SPEC)
        .unpivot(index=["source", "key", "persona"], on=["opener", "problem", "angle", "bridge", "topic"])
        .explode("value")
        .drop_nulls("value")
    )
    hits = lines.filter(pl.col("value").str.contains(spam_pattern(SPAM_WORDS)))
    assert hits.select("key", "persona", "variable").rows() == []


keys = st.lists(st.sampled_from([*PAIN_POINTS, *GROWTH_SIGNALS, *PRIOR_SOLUTIONS, "not_a_key"]), max_size=4)


# One call costs about a second whatever the rows (the plan, not the data): fewer examples, more rows each;
# each row is checked on its own, so rows across examples and rows within one cover the same ground.
@settings(max_examples=8, deadline=None)
@given(
    rows=st.lists(
        st.fixed_dictionaries(
            {
                "persona": st.sampled_from(PERSONAS),
                "pain_points": keys,
                "growth_signals": keys,
                "prior_solutions": keys,
                "tech_stack": st.lists(st.sampled_from(["hubspot", "dbt"]), max_size=1),
                "hiring_roles": st.lists(st.sampled_from(["sales", "data"]), max_size=1),
                "industry": st.one_of(st.none(), st.just("fintech")),
            }
        ),
        min_size=1,
        max_size=60,
    )
)
def test_every_row_gets_every_block_and_claims_only_facts_it_has(rows):
    out = _blocks(_rows(*rows))
    assert out.height == len(rows)
    for row, got in zip(rows, out.iter_rows(named=True)):
        for block in ("opener", "problem", "angle", "bridge", "topic"):
            assert got[block] and "{" not in got[block]
            for field in got[f"facts_{block}"]:
                assert row[field], f"{block} claims {field} the account does not have"
        source_keys = {"pain_points": PAIN_POINTS, "growth_signals": GROWTH_SIGNALS, "prior_solutions": PRIOR_SOLUTIONS}
        for source, vocabulary in source_keys.items():
            if not set(row[source]) & set(vocabulary):
                assert all(source not in got[f"facts_{b}"] for b in ("opener", "problem", "angle", "bridge", "topic"))


@pytest.mark.parametrize("persona", PERSONAS)
def test_solves_restricts_openers_to_the_pains_the_product_addresses(persona):
    rows = _rows({"persona": persona, "pain_points": ["lead_routing", "manual_reporting"]})
    free = copy_blocks(rows, SPEC).collect().row(0, named=True)
    assert free["opener"] in _plain(_line("pain_points", "lead_routing", persona, "opener"))
    solved = copy_blocks(rows, SPEC, solves=["manual_reporting"]).collect().row(0, named=True)
    assert solved["opener"] in _plain(_line("pain_points", "manual_reporting", persona, "opener"))
    # None of the account's pains solved: a generic line (here on the industry), resting on no pain point.
    unsolved = _blocks(rows, solves=["data_silos"]).row(0, named=True)
    generic = {line.replace("{company}", "Acme").replace("{industry}", "SaaS") for line in _generic("opener", persona)}
    assert unsolved["opener"] in generic and "pain_points" not in unsolved["facts_opener"]


def _one_industry(persona: str, n: int = 300, **columns) -> pl.LazyFrame:
    rows = _rows(*({"persona": persona, "name": f"Co{i}", "domain": f"co{i}.com"} for i in range(n)))
    return rows.with_columns(**{k: pl.Series(v) for k, v in columns.items()})


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_list_of_one_industry_spreads_over_every_generic_line(persona):
    # 300 accounts of one industry with no pain point: the lines naming {industry} read the same for
    # all of them, and the hash alone gave those lines a third or half of the run between them.
    rows = _one_industry(
        persona, employees=[10 + i for i in range(300)], founded_year=[2000 + i % 25 for i in range(300)]
    )
    out = copy_blocks(rows, SPEC).collect()
    for block in ("problem", "angle", "bridge"):
        worst = out.group_by(block).len().get_column("len").max() / out.height
        usable = [line for line in _generic(block, persona) if "{tech}" not in line and "{hiring_role}" not in line]
        # Past 8% a line's accounts move to the others in turn: no line keeps much more than an even share.
        assert worst <= max(0.10, 1.5 / len(usable)), (block, worst, len(usable))
    # The same accounts get the same lines on every run.
    assert copy_blocks(rows, SPEC).collect().equals(out)


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_line_naming_the_accounts_only_fact_stays(persona):
    # Accounts known only by their industry: a fact outweighs variety, so their angle keeps naming it.
    blocks = _blocks(_one_industry(persona))
    angle_names_fact = any("{industry}" in line for line in _generic("angle", persona))
    assert not angle_names_fact or blocks["facts_angle"].list.contains("industry").all()


def test_a_small_run_keeps_the_hash_choice():
    # Under MIN_CAPPED accounts per line nothing moves: one account's draft does not depend on the run.
    one = copy_blocks(_rows({"name": "Co1", "domain": "co1.com"}), SPEC).collect()
    many = copy_blocks(_rows(*({"name": f"Co{i}", "domain": f"co{i}.com"} for i in range(1, 9))), SPEC).collect()
    assert one.row(0) == many.row(0)
