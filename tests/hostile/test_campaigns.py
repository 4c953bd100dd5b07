"""Hostile inputs against campaign plan, export and forget: nobody listed is planned or exported, in any
spelling; a plan whose files cannot be written records nothing (docs/trust.md)."""

from __future__ import annotations

import json

import polars as pl

from campaigns.store import Store
from tests.flows.commands.test_campaign_plan import _contact_pool, _spelled, plan_args
from tests.flows.conftest import invoke


def test_plan_never_plans_a_listed_email_or_domain_in_any_spelling(ws, tmp_path):
    pool = _contact_pool(ws)
    emails = pool["email"].head(10).to_list()
    domain = pool["email"][200].split("@")[1]
    (tmp_path / "dnc.txt").write_text(
        "\n".join([*(_spelled(e) for e in emails), f"https://www.{domain.upper()}/about"]) + "\n"
    )
    result = invoke(*plan_args(ws, tmp_path / "c", tmp_path / "s.duckdb", "--suppress", tmp_path / "dnc.txt", "--json"))
    assert result.exit_code == 0, result.output
    planned = Store(tmp_path / "s.duckdb").campaign_contacts(json.loads(result.stdout)["campaign_id"])
    assert not set(planned["email"].str.to_lowercase().to_list()) & {e.lower() for e in emails}
    assert not [e for e in planned["email"].to_list() if e.lower().endswith(f"@{domain.lower()}")]


def test_export_leaves_out_who_is_on_the_ledger_or_a_list_now_in_any_spelling(ws, tmp_path):
    store = tmp_path / "s.duckdb"
    plan = invoke(*plan_args(ws, tmp_path / "c", store, "--name", "q1", "--json"))
    assert plan.exit_code == 0, plan.output
    planned = Store(store).campaign_contacts(json.loads(plan.stdout)["campaign_id"])["email"].to_list()
    bounced, listed, domain = planned[:3], planned[3], planned[4].split("@")[1]
    Store(store).add_to_ledger(
        pl.DataFrame({"kind": ["email"] * 3, "key": [e.upper() for e in bounced], "reason": ["bounced"] * 3})
    )
    (tmp_path / "dnc.txt").write_text(f"{_spelled(listed)}\nWWW.{domain.upper()}.\n")
    out = tmp_path / "instantly.csv"
    args = ["campaign", "export", "--campaign", "q1", "--format", "instantly", "--out", out, "--store", store]
    result = invoke(*args, "--suppress", tmp_path / "dnc.txt", "--json")
    assert result.exit_code == 0, result.output
    exported = set(pl.read_csv(out, infer_schema=False)["email"].str.to_lowercase().to_list())
    gone = {e.lower() for e in [*bounced, listed]} | {e.lower() for e in planned if e.endswith(f"@{domain}")}
    assert not exported & gone and exported == {e.lower() for e in planned} - gone
    assert json.loads(result.stdout)["left_out"] == len(gone)


def test_forget_takes_a_url_spelling_of_a_domain(ws, tmp_path):
    store = tmp_path / "s.duckdb"
    plan = invoke(*plan_args(ws, tmp_path / "c", store, "--name", "q1", "--json"))
    assert plan.exit_code == 0, plan.output
    campaign_id = json.loads(plan.stdout)["campaign_id"]
    domain = Store(store).campaign_contacts(campaign_id)["email"][0].split("@")[1]
    gone = invoke("forget", f"https://www.{domain.upper()}/", "--store", store, "--json")
    assert gone.exit_code == 0, gone.output
    assert json.loads(gone.stdout)["removed"]["campaign_contacts"] >= 1
    assert not [e for e in Store(store).campaign_contacts(campaign_id)["email"].to_list() if e.endswith(domain)]


def test_a_plan_whose_files_cannot_be_written_records_nothing(ws, tmp_path, monkeypatch):
    import errno

    import messaging

    def full(frame, path):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(messaging, "write_export_csv", full)
    store = tmp_path / "s.duckdb"
    result = invoke(*plan_args(ws, tmp_path / "c", store, "--name", "q1"))
    assert result.exit_code == 2 and "the disk is full" in result.stderr and result.stderr.count("\n") == 1
    assert not store.exists() or Store(store).campaign_names() == set()
    assert not (tmp_path / "c" / "campaign.csv").exists()


def test_forget_from_the_command_line_refuses_a_pattern_in_one_line(tmp_path):
    for pattern in ("%.io", "%.%", "*.io"):
        result = invoke("forget", pattern, "--store", tmp_path / "s.duckdb")
        assert result.exit_code == 2 and "patterns are not accepted" in result.stderr, result.output
        assert result.stderr.count("\n") == 1 and "Traceback" not in result.output
    assert not (tmp_path / "s.duckdb").exists()  # refused before a store is created
