"""Through the CLI, in-process: the sample sender is refused outside the demo, and the gate holds broken drafts.

On the shipped defaults: an `init` workspace (its sender.yaml is the sample), the shipped templates
and copy, the sample universe (whose contacts include catch-all addresses).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import polars as pl
import pytest

from flows.cli import app
from tests.flows.conftest import RUNNER, new_workspace


def invoke(*args: object):
    result = RUNNER.invoke(app, [str(a) for a in args])
    assert "Traceback" not in result.output, result.output
    return result


@pytest.fixture(scope="module")
def sample_ws(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("sample-ws")
    new_workspace(directory, accounts=1000)
    result = invoke(
        "target",
        "--accounts",
        directory / "accounts.csv",
        "--icp",
        directory / "icp.yaml",
        "--out",
        directory / "out",
        "--no-prefect",
    )
    assert result.exit_code == 0, result.output
    return directory


def draft_args(ws: Path, out: Path, *extra: object) -> list[object]:
    return [
        "draft",
        "--targets",
        ws / "out" / "targets.parquet",
        "--contacts",
        ws / "contacts.csv",
        "--workspace",
        ws,
        "--out",
        out,
        "--no-prefect",
        *extra,
    ]


def plan_args(ws: Path, out: Path, store: Path, *extra: object) -> list[object]:
    return [
        "campaign",
        "plan",
        "--icp",
        ws / "icp.yaml",
        "--accounts",
        ws / "accounts.csv",
        "--contacts",
        ws / "contacts.csv",
        "--workspace",
        ws,
        "--out",
        out,
        "--store",
        store,
        "--size",
        "30",
        "--no-prefect",
        *extra,
    ]


def _one_line_refusal(result) -> None:
    assert result.exit_code == 2, result.output
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert "sender.yaml" in result.stderr and "remove `sample: true`" in result.stderr
    assert "--allow-sample-sender" in result.stderr


def test_init_writes_a_sender_marked_as_the_sample(sample_ws):
    assert "sample: true" in (sample_ws / "sender.yaml").read_text().splitlines()


def test_draft_refuses_the_sample_sender_with_one_line_and_writes_nothing(sample_ws, tmp_path):
    result = invoke(*draft_args(sample_ws, tmp_path / "d"))
    _one_line_refusal(result)
    assert str(sample_ws / "sender.yaml") in result.stderr
    assert not (tmp_path / "d").exists()


def test_plan_refuses_the_sample_sender_before_anything_is_recorded(sample_ws, tmp_path):
    result = invoke(*plan_args(sample_ws, tmp_path / "c", tmp_path / "s.duckdb"))
    _one_line_refusal(result)
    assert not (tmp_path / "c").exists() and not (tmp_path / "s.duckdb").exists()


def test_allow_sample_sender_drafts_and_every_summary_names_the_sender(sample_ws, tmp_path):
    result = invoke(*draft_args(sample_ws, tmp_path / "d", "--allow-sample-sender", "--json"))
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["sender"] == {"name": "Maya Lind", "company": "Tallybeam", "sample": True}
    assert summary["drafts_gated"] == 0 and summary["contacts_gated"] == 0
    human = invoke(*draft_args(sample_ws, tmp_path / "h", "--allow-sample-sender"))
    assert human.exit_code == 0, human.output
    assert "signed by Maya Lind, Tallybeam (sample: true" in human.stdout
    assert "held for review" in human.stdout


def test_campaign_export_refuses_a_campaign_the_sample_sender_signed(sample_ws, tmp_path):
    store = tmp_path / "s.duckdb"
    planned = invoke(
        *plan_args(sample_ws, tmp_path / "c", store, "--name", "sample-run", "--allow-sample-sender", "--json")
    )
    assert planned.exit_code == 0, planned.output
    assert json.loads(planned.stdout)["sender"]["sample"] is True
    out = tmp_path / "instantly.csv"
    refused = invoke(
        "campaign", "export", "--campaign", "sample-run", "--format", "instantly", "--out", out, "--store", store
    )
    _one_line_refusal(refused)
    assert not out.exists()
    allowed = invoke(
        "campaign",
        "export",
        "--campaign",
        "sample-run",
        "--format",
        "instantly",
        "--out",
        out,
        "--store",
        store,
        "--allow-sample-sender",
        "--json",
    )
    assert allowed.exit_code == 0, allowed.output
    assert json.loads(allowed.stdout)["sender"] == {"name": "Maya Lind", "company": "Tallybeam", "sample": True}
    assert out.exists()


def test_the_demo_drafts_with_the_sample_sender_on_its_own(tmp_path):
    result = invoke("demo", "--out", tmp_path / "demo", "--no-prefect", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["draft"]["sender"]["sample"] is True


def test_a_draft_with_an_unfilled_placeholder_is_in_review_csv_and_in_no_export_or_plan(sample_ws, tmp_path):
    templates = tmp_path / "templates"
    shutil.copytree(sample_ws / "templates", templates)
    path = templates / "champion" / "step1_a.txt.j2"
    path.write_text(path.read_text().replace("Hi {{ first_name }},", "Hi {{ first_name }}, a note for [Company]:"))
    out = tmp_path / "d"
    result = invoke(*draft_args(sample_ws, out, "--templates", templates, "--allow-sample-sender", "--json"))
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    drafts = pl.read_parquet(out / "drafts.parquet")
    broken = drafts.filter((pl.col("persona") == "champion") & (pl.col("step") == 1) & (pl.col("variant") == "a"))
    assert broken.height > 0
    review = pl.read_csv(out / "review.csv", infer_schema=False)
    assert review.columns == ["contact_id", "email", "step", "issues"]
    assert set(review["contact_id"]) == set(broken["contact_id"]) and set(review["step"]) == {"1"}
    assert review["issues"].str.contains("placeholder: unresolved placeholder in body: '[Company]'", literal=True).all()
    assert summary["drafts_gated"] == review.height and summary["contacts_gated"] == broken["contact_id"].n_unique()
    held = set(broken["email"])
    for export in (out / "exports").glob("*.csv"):
        rows = pl.read_csv(export, infer_schema=False)
        email = next(c for c in rows.columns if c.lower() == "email")
        assert not held & set(rows[email]), export.name
        assert rows.height == drafts["contact_id"].n_unique() - len(held), export.name
    plan = invoke(
        *plan_args(sample_ws, tmp_path / "c", tmp_path / "s.duckdb", "--drafts", out, "--allow-sample-sender")
    )
    assert plan.exit_code == 0, plan.output
    planned = pl.read_csv(tmp_path / "c" / "campaign.csv", infer_schema=False)
    assert planned.height > 0 and not set(review["contact_id"]) & set(planned["contact_id"])


def test_a_catch_all_address_reaches_the_instantly_export_flagged(sample_ws, tmp_path):
    out = tmp_path / "d"
    assert invoke(*draft_args(sample_ws, out, "--allow-sample-sender")).exit_code == 0
    drafts = pl.read_parquet(out / "drafts.parquet").unique("contact_id")
    catch_all = set(drafts.filter(pl.col("email_flag") == "catch_all")["email"])
    assert catch_all, "the sample has catch-all contacts among the drafted"
    instantly = pl.read_csv(out / "exports" / "instantly.csv", infer_schema=False)
    assert instantly.columns[-1] == "email_flag"
    flagged = instantly.filter(pl.col("email").is_in(sorted(catch_all)))
    assert flagged.height == len(catch_all) and set(flagged["email_flag"]) == {"catch_all"}
    verified = set(drafts.filter(pl.col("email_flag").is_null())["email"])
    assert instantly.filter(pl.col("email").is_in(sorted(verified)))["email_flag"].is_null().all()


def test_the_senders_buying_functions_draft_a_compliance_products_buyers(sample_ws, tmp_path):
    """A compliance product's sender says `buying_functions: [legal]`: its compliance people are drafted."""
    ws = tmp_path / "ws"
    shutil.copytree(sample_ws, ws)
    targeted = pl.read_parquet(ws / "out" / "targets.parquet")["account_id"].head(6).to_list()
    titles = ["Chief Compliance Officer", "Compliance Manager"]
    added = pl.DataFrame(
        {
            "contact_id": [f"cmp-{i}" for i in range(len(targeted))],
            "account_id": targeted,
            "first_name": ["Sam"] * len(targeted),
            "last_name": ["Reyes"] * len(targeted),
            "email": [f"sam.reyes@{account}" for account in targeted],
            "email_status": ["valid"] * len(targeted),
            "title": [titles[i % 2] for i in range(len(targeted))],
            "country": ["US"] * len(targeted),
            "source": ["test"] * len(targeted),
        }
    )
    contacts = pl.read_csv(ws / "contacts.csv", infer_schema=False)
    pl.concat([contacts, added.select(contacts.columns)]).write_csv(ws / "contacts.csv")

    def outcomes(out: Path) -> dict[str, str]:
        assert invoke(*draft_args(ws, out, "--allow-sample-sender")).exit_code == 0
        drafted = pl.read_parquet(out / "drafts.parquet").filter(pl.col("contact_id").str.starts_with("cmp-"))
        skipped = pl.read_csv(out / "skipped.csv", infer_schema=False).filter(
            pl.col("contact_id").str.starts_with("cmp-")
        )
        return dict(zip(drafted["contact_id"], drafted["persona"])) | dict(
            zip(skipped["contact_id"], skipped["reason"])
        )

    # Default: compliance is legal, which procurement takes; the ICP drafts no procurement.
    default = outcomes(tmp_path / "default")
    assert set(default.values()) == {"persona procurement not in ICP personas"}, default
    sender = ws / "sender.yaml"
    sender.write_text(sender.read_text(encoding="utf-8") + "buying_functions: [legal]\n", encoding="utf-8")
    buying = outcomes(tmp_path / "buying")
    assert set(buying) == set(added["contact_id"])
    expected = dict(zip(added["contact_id"], ["economic_buyer", "champion"] * len(targeted)))
    drafted = {c: p for c, p in buying.items() if p in ("economic_buyer", "champion")}
    assert drafted and all(expected[c] == p for c, p in drafted.items()), buying
    # The others lost only the account's slot for their persona to a contact already there.
    for contact, outcome in buying.items():
        if contact not in drafted:
            assert outcome == f"persona {expected[contact]} already has 1 contact(s) drafted at this account"


def test_a_buying_function_the_rules_lack_stops_draft_naming_sender_yaml(sample_ws, tmp_path):
    sender = tmp_path / "sender.yaml"
    sender.write_text((sample_ws / "sender.yaml").read_text(encoding="utf-8") + "buying_functions: [legl]\n")
    result = invoke(*draft_args(sample_ws, tmp_path / "out", "--sender", sender, "--allow-sample-sender"))
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"error: {sender}, field 'buying_functions': 'legl' is not one of the functions personas.yaml assigns;"
        " did you mean 'legal'?"
    ]
    assert not (tmp_path / "out").exists()
