"""The command line, called in-process. Flow runs share one session Prefect harness."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import polars as pl
import pytest

from targeting.facts.spec import EVIDENCE_COLUMNS, FACT_KINDS
from tests.flows.conftest import artifact_keys, invoke, new_workspace, own_sender


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("workspace")
    new_workspace(directory, accounts=3000)
    own_sender(directory)
    return directory


def test_init_writes_sample_specs_and_templates_and_keeps_edits(tmp_path):
    result = invoke("init", tmp_path, "--accounts", "500")
    assert result.exit_code == 0, result.output
    for name in (
        "accounts.csv",
        "contacts.csv",
        "customers.csv",
        "deals.csv",
        "icp.yaml",
        "personas.yaml",
        "facts.yaml",
        "messaging.yaml",
        "sender.yaml",
    ):
        assert (tmp_path / name).exists(), name
    assert list((tmp_path / "templates").rglob("step1_a.txt.j2"))
    (tmp_path / "icp.yaml").write_text("# edited\n")
    again = invoke("init", tmp_path, "--accounts", "500", "--json")
    assert again.exit_code == 0
    assert str(tmp_path / "icp.yaml") in json.loads(again.stdout)["kept"]
    assert (tmp_path / "icp.yaml").read_text() == "# edited\n"


def test_target_without_prefect_writes_outputs_whose_counts_add_up(workspace, tmp_path):
    out = tmp_path / "out"
    result = invoke(
        "target",
        "--accounts",
        workspace / "accounts.csv",
        "--contacts",
        workspace / "contacts.csv",
        "--icp",
        workspace / "icp.yaml",
        "--out",
        out,
        "--no-prefect",
        "--json",
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary == json.loads((out / "target_summary.json").read_text())
    removed = sum(step["removed"] for step in summary["funnel"])
    assert summary["rows_read"] == (
        summary["rejected"] + summary["duplicates"] + summary["suppressed"] + removed + summary["targets"]
    )
    targets = pl.read_parquet(out / "targets.parquet")
    assert targets.height == summary["targets"]
    assert pl.read_csv(out / "targets.csv").height == summary["targets"]
    assert summary["reachable"] is not None and 0 < summary["reachable"] <= summary["targets"]
    assert (out / "rejected.csv").exists() and (out / "icp.yaml").exists()


def test_target_flow_and_draft_flow_run_under_prefect(prefect_harness, workspace, tmp_path):
    out = tmp_path / "targets"
    result = invoke(
        "target", "--accounts", workspace / "accounts.csv", "--icp", workspace / "icp.yaml", "--out", out, "--prefect"
    )
    assert result.exit_code == 0, result.output
    assert "verdict" in result.stdout
    assert artifact_keys() >= {"target-list-funnel", "target-size-verdict"}
    drafts = tmp_path / "drafts"
    result = invoke(
        "draft",
        "--targets",
        out / "targets.parquet",
        "--contacts",
        workspace / "contacts.csv",
        "--workspace",
        workspace,
        "--out",
        drafts,
        "--prefect",
        "--json",
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    frame = pl.read_parquet(drafts / "drafts.parquet")
    skipped = pl.read_csv(drafts / "skipped.csv")
    assert summary["drafts"] == frame.height > 0
    assert frame["contact_id"].n_unique() + skipped.height + summary["duplicates"] == summary["contacts_read"]
    assert {"generic.csv", "instantly.csv", "smartlead.csv", "lemlist.csv", "apollo.csv"} <= {
        p.name for p in (drafts / "exports").iterdir()
    }
    assert "draft-samples" in artifact_keys()


def test_personas_command_writes_every_contact(prefect_harness, workspace, tmp_path):
    out = tmp_path / "personas.csv"
    result = invoke("personas", "--contacts", workspace / "contacts.csv", "--out", out, "--prefect", "--json")
    assert result.exit_code == 0, result.output
    frame = pl.read_csv(out)
    assert frame.height == json.loads(result.stdout)["contacts"]
    assert {"persona", "seniority", "function", "rule"} <= set(frame.columns)


def test_personas_command_says_why_rows_are_unusable_or_unsendable(tmp_path):
    contacts = tmp_path / "contacts.csv"
    contacts.write_text(
        "contact_id,account_id,first_name,last_name,email,title\n"
        "c1,,,,,CEO\n"
        "c2,a1,Bo,Li,info@acme.com,Info\n"
        "c3,a1,Cy,Wu,cy@acme,VP Sales\n"
    )
    out = tmp_path / "personas.csv"
    result = invoke("personas", "--contacts", contacts, "--out", out, "--no-prefect")
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    # An email that is no address (`cy@acme`) makes its row unusable, as under every preset.
    assert "2 rows unusable" in text and "no account id" in text
    assert "personas.unusable.csv" in "".join(result.output.split())  # the console wraps long paths
    assert "1 role address" in text
    unusable = pl.read_csv(tmp_path / "personas.unusable.csv")
    assert unusable["reason"].to_list()[0].startswith("no account id")
    assert unusable.row(1, named=True) | {"source_row": 3} == {
        "source_row": 3,
        "column": "email",
        "value": "cy@acme",
        "reason": "not an email address",
    }
    reasons = dict(pl.read_csv(out).select("contact_id", "skip_reason").iter_rows())
    assert reasons == {"c2": "role address (info@)"}


def test_columns_guesses_a_map_that_target_accepts(workspace, tmp_path):
    renamed = tmp_path / "clay.csv"
    pl.read_csv(workspace / "accounts.csv", infer_schema=False).rename(
        {"name": "Company Name", "domain": "Website", "employees": "Headcount", "country": "HQ Country"}
    ).with_columns(pl.lit("x").alias("Owner Notes")).write_csv(renamed)
    map_file = tmp_path / "map.yaml"
    result = invoke("columns", "--accounts", renamed, "--out", map_file, "--json")
    assert result.exit_code == 0, result.output
    assert "Owner Notes" in json.loads(result.stdout)["unplaced"]
    result = invoke(
        "target",
        "--accounts",
        renamed,
        "--map",
        map_file,
        "--icp",
        workspace / "icp.yaml",
        "--out",
        tmp_path / "out",
        "--no-prefect",
        "--json",
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["universe"] > 0


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"accounts": "missing.csv"}, "missing.csv"),
        ({"icp": "bad.yaml"}, "bad.yaml:"),
        ({"preset": "nosuch"}, "nosuch"),
        ({"as_of": "yesterday"}, "yesterday"),
    ],
)
def test_target_bad_input_is_one_line_and_exit_2(workspace, tmp_path, change, expected):
    (tmp_path / "bad.yaml").write_text("name: x\nversion: 1\ntarget_size: {min: 500, max: 10}\nfilters: []\n")
    args = {"accounts": workspace / "accounts.csv", "icp": workspace / "icp.yaml", "preset": "canonical"}
    args |= {k: (tmp_path / v if k in ("accounts", "icp") else v) for k, v in change.items()}
    argv = [
        "target",
        "--accounts",
        args["accounts"],
        "--icp",
        args["icp"],
        "--out",
        tmp_path / "o",
        "--preset",
        args["preset"],
        "--no-prefect",
    ]
    if "as_of" in args:
        argv += ["--as-of", args["as_of"]]
    result = invoke(*argv)
    assert result.exit_code == 2, result.output
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.output
    assert expected in result.stderr


def test_suppressed_domains_are_counted_and_never_targeted(workspace, tmp_path):
    accounts = pl.read_csv(workspace / "accounts.csv", infer_schema=False)
    blocked = accounts["domain"].head(40).to_list()
    (tmp_path / "dnc.txt").write_text("\n".join(blocked) + "\n")
    result = invoke(
        "target",
        "--accounts",
        workspace / "accounts.csv",
        "--icp",
        workspace / "icp.yaml",
        "--suppress",
        tmp_path / "dnc.txt",
        "--out",
        tmp_path / "out",
        "--no-prefect",
        "--json",
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["suppressed"] == 40
    targets = pl.read_parquet(tmp_path / "out" / "targets.parquet")
    assert not set(targets["domain"].to_list()) & set(blocked)


def test_suppressed_emails_leave_accounts_in_but_are_not_reachable(workspace, tmp_path):
    args = [
        "target",
        "--accounts",
        workspace / "accounts.csv",
        "--contacts",
        workspace / "contacts.csv",
        "--icp",
        workspace / "icp.yaml",
        "--no-prefect",
        "--json",
    ]
    before = json.loads(invoke(*args, "--out", tmp_path / "a").stdout)
    emails = pl.read_csv(workspace / "contacts.csv", infer_schema=False)["email"].drop_nulls().to_list()
    (tmp_path / "dnc.csv").write_text("email\n" + "\n".join(emails) + "\n")
    after = json.loads(invoke(*args, "--out", tmp_path / "b", "--suppress", tmp_path / "dnc.csv").stdout)
    assert after["suppressed"] == 0 and after["targets"] == before["targets"]
    assert before["reachable"] > 0 and after["reachable"] == 0


def test_draft_never_drafts_a_suppressed_email(workspace, tmp_path):
    out = tmp_path / "targets"
    assert (
        invoke(
            "target",
            "--accounts",
            workspace / "accounts.csv",
            "--icp",
            workspace / "icp.yaml",
            "--out",
            out,
            "--no-prefect",
        ).exit_code
        == 0
    )
    args = [
        "draft",
        "--targets",
        out / "targets.parquet",
        "--contacts",
        workspace / "contacts.csv",
        "--workspace",
        workspace,
        "--no-prefect",
        "--json",
    ]
    assert invoke(*args, "--out", tmp_path / "d1").exit_code == 0
    drafted = pl.read_parquet(tmp_path / "d1" / "drafts.parquet")["email"].unique().head(5).to_list()
    (tmp_path / "dnc.txt").write_text("\n".join(drafted) + "\n")
    result = invoke(*args, "--out", tmp_path / "d2", "--suppress", tmp_path / "dnc.txt")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["skipped_by_reason"]["on the do-not-contact list"] == 5
    for path in (tmp_path / "d2" / "exports").iterdir():
        assert not set(drafted) & set(path.read_text().split(","))


def test_every_suggestion_gives_its_count_when_applied(workspace, tmp_path):
    from targeting.icp.spec import apply_edit, dump_icp, load_icp

    spec = load_icp(workspace / "icp.yaml")
    narrow = spec.model_copy(update={"target_size": spec.target_size.model_copy(update={"min": 4000, "max": 5000})})
    (tmp_path / "icp.yaml").write_text(dump_icp(narrow))
    args = ["target", "--accounts", workspace / "accounts.csv", "--no-prefect", "--json"]
    summary = json.loads(invoke(*args, "--icp", tmp_path / "icp.yaml", "--out", tmp_path / "o").stdout)
    assert summary["verdict"] != "ok" and len(summary["suggestions"]) >= 3
    for n, suggestion in enumerate(summary["suggestions"]):
        edited = tmp_path / f"edit{n}.yaml"
        edited.write_text(dump_icp(apply_edit(narrow, suggestion["edit"])))
        again = json.loads(invoke(*args, "--icp", edited, "--out", tmp_path / f"o{n}").stdout)
        assert again["targets"] == suggestion["targets"], suggestion["change"]


@pytest.mark.parametrize("bad", ["preset", "columns", "suppress"])
def test_unusable_input_stops_before_any_flow_run(prefect_harness, workspace, tmp_path, bad):
    (tmp_path / "odd.csv").write_text("foo,bar\n1,2\n")
    (tmp_path / "empty.txt").write_text("")
    argv = [
        "target",
        "--accounts",
        workspace / "accounts.csv",
        "--icp",
        workspace / "icp.yaml",
        "--out",
        tmp_path / "o",
        "--prefect",
    ]
    argv += {
        "preset": ["--preset", "nosuch"],
        "columns": ["--contacts", tmp_path / "odd.csv"],
        "suppress": ["--suppress", tmp_path / "empty.txt"],
    }[bad]
    result = invoke(*argv)
    assert result.exit_code == 2, result.output
    assert result.output.count("\n") == 1 and "Traceback" not in result.output and "Flow run" not in result.output


def test_icp_check_reads_a_spec_against_a_universe_without_building_a_list(workspace, tmp_path):
    icp = tmp_path / "icp.yaml"
    icp.write_text(
        (workspace / "icp.yaml").read_text().replace("region, in: [NA, EMEA]", "region, in: [North America, EMEA]")
    )
    result = invoke("icp", "check", "--icp", icp, "--accounts", workspace / "accounts.csv", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert {"written": "North America", "read_as": "NA"}.items() <= report["respelled"][0].items()
    assert report["universe"] == 3000 and report["values"]
    human = invoke("icp", "check", "--icp", icp)
    assert human.exit_code == 0 and "North America reads as NA" in human.output


def test_icp_check_on_a_broken_spec_is_one_line_exit_2(tmp_path):
    icp = tmp_path / "icp.yaml"
    icp.write_text("name: x\nversion: 1\nfilters:\n  - {field: industry, nope: [saas]}\n")
    result = invoke("icp", "check", "--icp", icp)
    assert result.exit_code == 2
    assert "icp.yaml:4" in result.output and "Traceback" not in result.output


def test_each_flow_loads_its_specs_once_inside_after_the_command_validated_them(
    prefect_harness, workspace, tmp_path, loads
):
    """One load before the flow (the command's validation) and one inside it, as a deployment starts it."""
    (tmp_path / "map.yaml").write_text("columns:\n  domain: domain\n")
    (tmp_path / "dnc.txt").write_text("nobody.example\n")
    result = invoke(
        "target",
        "--accounts",
        workspace / "accounts.csv",
        "--contacts",
        workspace / "contacts.csv",
        "--icp",
        workspace / "icp.yaml",
        "--map",
        tmp_path / "map.yaml",
        "--suppress",
        tmp_path / "dnc.txt",
        "--out",
        tmp_path / "t",
        "--prefect",
    )
    assert result.exit_code == 0, result.output
    for name in ("load_icp", "load_column_map", "load_persona_rules", "read_suppression"):
        assert loads.outside_then_inside(name), name
    loads.clear()
    result = invoke(
        "draft",
        "--targets",
        tmp_path / "t" / "targets.parquet",
        "--contacts",
        workspace / "contacts.csv",
        "--workspace",
        workspace,
        "--suppress",
        tmp_path / "dnc.txt",
        "--out",
        tmp_path / "d",
        "--prefect",
        "--json",
    )
    assert result.exit_code == 0, result.output
    for name in ("load_icp", "load_persona_rules", "load_messaging", "load_templates", "read_suppression"):
        assert loads.outside_then_inside(name), name
    # load_templates dry-renders against the run's own sender, loaded once (no second, shipped one).
    assert loads.outside_then_inside("load_sender", workspace / "sender.yaml")
    assert [in_flow for _, in_flow in loads["check_templates"]] == [False, True]
    loads.clear()
    result = invoke(
        "personas", "--contacts", workspace / "contacts.csv", "--out", tmp_path / "p.csv", "--prefect", "--json"
    )
    assert result.exit_code == 0, result.output
    assert loads.outside_then_inside("load_persona_rules")
    assert _flow_runs() >= {
        ("build_target_list", "target-icp"),
        ("draft_emails", "draft-t"),
        ("classify_personas", "personas-contacts"),
    }


def _flow_runs(name: str | None = None) -> set[tuple[str, str]]:
    """(flow name, flow-run name) of the session's flow runs, or of those with one run name."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterName

    where = FlowRunFilter(name=FlowRunFilterName(any_=[name])) if name else None
    with get_client(sync_client=True) as client:
        flows = {flow.id: flow.name for flow in client.read_flows()}
        return {(flows[run.flow_id], run.name) for run in client.read_flow_runs(flow_run_filter=where)}


@pytest.fixture(scope="module")
def targets_dir(workspace, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("targets")
    assert (
        invoke(
            "target",
            "--accounts",
            workspace / "accounts.csv",
            "--icp",
            workspace / "icp.yaml",
            "--out",
            out,
            "--no-prefect",
        ).exit_code
        == 0
    )
    return out


@pytest.mark.parametrize(
    ("bad", "expected"),
    [
        ("steps", "step 4"),
        ("sender", "sender.yaml"),
        ("messaging", "messaging.yaml"),
        ("personas", "personas.yaml"),
        ("template", "step1_a.txt.j2:3"),
    ],
)
def test_draft_bad_input_stops_before_any_flow_run(prefect_harness, workspace, targets_dir, tmp_path, bad, expected):
    targets = tmp_path / f"bad-{bad}"  # the flow run, if one started, would be named draft-bad-<bad>
    targets.mkdir()
    for name in ("targets.parquet", "icp.yaml"):
        shutil.copyfile(targets_dir / name, targets / name)
    argv = [
        "draft",
        "--targets",
        targets / "targets.parquet",
        "--contacts",
        workspace / "contacts.csv",
        "--out",
        tmp_path / "d",
        "--prefect",
    ]
    if bad == "steps":
        argv += ["--steps", "4"]
    elif bad == "template":
        path = tmp_path / "templates" / "champion" / "step1_a.txt.j2"
        path.parent.mkdir(parents=True)
        path.write_text("Subject: Hi\n\n{{ sender.calendar_url }}\n")
        argv += ["--templates", tmp_path / "templates"]
    else:
        (tmp_path / f"{bad}.yaml").write_text("nonsense: [1, 2]\n")
        argv += [f"--{bad}", tmp_path / f"{bad}.yaml"]
    result = invoke(*argv)
    assert result.exit_code == 2, result.output
    assert result.output.count("\n") == 1 and "Traceback" not in result.output
    assert expected in result.stderr
    assert not _flow_runs(f"draft-bad-{bad}")


def test_personas_bad_rules_stop_before_any_flow_run(prefect_harness, workspace, tmp_path):
    contacts = tmp_path / "bad-rules.csv"
    contacts.write_bytes((workspace / "contacts.csv").read_bytes())
    (tmp_path / "personas.yaml").write_text("nonsense: [1, 2]\n")
    result = invoke(
        "personas",
        "--contacts",
        contacts,
        "--personas",
        tmp_path / "personas.yaml",
        "--out",
        tmp_path / "p.csv",
        "--prefect",
    )
    assert result.exit_code == 2, result.output
    assert result.output.count("\n") == 1 and "Traceback" not in result.output
    assert "personas.yaml" in result.stderr
    assert not _flow_runs("personas-bad-rules")


def test_target_summary_lists_the_columns_nothing_reads(workspace, tmp_path):
    accounts, plain_accounts = tmp_path / "accounts.csv", tmp_path / "plain.csv"
    sample = pl.read_csv(workspace / "accounts.csv", infer_schema=False).head(500)
    sample.write_csv(plain_accounts)
    sample.with_columns(pl.lit("x").alias("Owner Notes")).write_csv(accounts)
    args = ["target", "--accounts", accounts, "--icp", workspace / "icp.yaml", "--no-prefect"]
    result = invoke(*args, "--out", tmp_path / "a", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["unmapped"] == ["Owner Notes"]
    assert json.loads((tmp_path / "a" / "target_summary.json").read_text())["unmapped"] == ["Owner Notes"]
    human = invoke(*args, "--out", tmp_path / "b")
    assert human.exit_code == 0, human.output
    assert "unmapped columns (not read): Owner Notes" in human.stdout
    plain = invoke(
        "target", "--accounts", plain_accounts, "--icp", workspace / "icp.yaml", "--out", tmp_path / "c", "--no-prefect"
    )
    assert plain.exit_code == 0, plain.output
    assert "unmapped" not in plain.stdout


def test_draft_reads_the_target_list_back_from_its_csv_as_from_its_parquet(workspace, tmp_path):
    out = tmp_path / "out"
    assert (
        invoke(
            "target",
            "--accounts",
            workspace / "accounts.csv",
            "--icp",
            workspace / "icp.yaml",
            "--out",
            out,
            "--no-prefect",
            "--json",
        ).exit_code
        == 0
    )
    drafted = {}
    for name in ("targets.parquet", "targets.csv"):
        result = invoke(
            "draft",
            "--targets",
            out / name,
            "--contacts",
            workspace / "contacts.csv",
            "--workspace",
            workspace,
            "--out",
            tmp_path / name,
            "--no-prefect",
            "--json",
        )
        assert result.exit_code == 0, result.output
        drafted[name] = pl.read_parquet(tmp_path / name / "drafts.parquet")
    assert drafted["targets.csv"].equals(drafted["targets.parquet"])


def test_draft_on_a_file_that_is_no_target_list_is_one_line(workspace, tmp_path):
    result = invoke(
        "draft",
        "--targets",
        workspace / "contacts.csv",
        "--contacts",
        workspace / "contacts.csv",
        "--icp",
        workspace / "icp.yaml",
        "--out",
        tmp_path,
    )
    assert result.exit_code == 2
    assert "not a target list" in result.output and "Traceback" not in result.output


def test_a_header_only_file_stops_before_any_flow_run(prefect_harness, workspace, tmp_path):
    (tmp_path / "header.csv").write_text("domain,name,employees\n")
    result = invoke(
        "target", "--accounts", tmp_path / "header.csv", "--icp", workspace / "icp.yaml", "--out", tmp_path, "--prefect"
    )
    assert result.exit_code == 2
    assert "no data rows" in result.output and "Traceback" not in result.output


YC_LABELLED = Path(__file__).resolve().parents[2] / "data" / "yc_facts_labelled.csv"


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_facts_writes_the_long_form_and_its_summary_in_process(tmp_path, suffix):
    out = tmp_path / f"facts{suffix}"
    result = invoke("facts", "--accounts", YC_LABELLED, "--preset", "yc", "--out", out, "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert set(summary) == {"accounts", "with_fact", "facts", "dropped", "unmapped"}
    frame = pl.read_parquet(out) if suffix == ".parquet" else pl.read_csv(out)
    assert frame.columns == ["account_id", "kind", "key", "evidence", "source"]
    assert frame.height == sum(summary["facts"].values()) and frame["account_id"].n_unique() == summary["with_fact"]
    assert summary["accounts"] == 50 and summary["dropped"] == 0 and 0 < summary["with_fact"] < 50
    # The description, the evidence columns and carried fact columns: the sources facts declares.
    assert set(frame["source"]) <= {"description", *EVIDENCE_COLUMNS, *FACT_KINDS.values()}


def test_facts_flow_runs_under_prefect_with_its_artifact(prefect_harness, tmp_path):
    result = invoke("facts", "--accounts", YC_LABELLED, "--preset", "yc", "--out", tmp_path / "f.csv", "--prefect")
    assert result.exit_code == 0, result.output
    assert "accounts with a fact" in result.stdout
    assert "account-facts" in artifact_keys()


def test_a_workspace_facts_file_overrides_the_shipped_one(tmp_path, monkeypatch):
    (tmp_path / "facts.yaml").write_text("pain_points:\n  popcorn_pain: {phrases: [popcorn]}\n")
    monkeypatch.chdir(tmp_path)
    assert invoke("facts", "--accounts", YC_LABELLED, "--preset", "yc", "--out", "f.csv").exit_code == 0
    assert pl.read_csv(tmp_path / "f.csv").select("key", "evidence").rows() == [("popcorn_pain", "popcorn")]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--facts", "bad.yaml"], "bad.yaml:2"),
        (["--out", "facts.txt"], "facts.txt"),
        (["--preset", "nosuch"], "nosuch"),
    ],
)
def test_facts_bad_input_is_one_line_and_exit_2(tmp_path, monkeypatch, args, expected):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bad.yaml").write_text("pain_points:\n  x: {phrases: [a], colour: red}\n")
    argv = {"--out": "f.csv", "--preset": "yc"}
    argv.update(dict(zip(args[::2], args[1::2])))
    result = invoke("facts", "--accounts", YC_LABELLED, *[v for kv in argv.items() for v in kv])
    assert result.exit_code == 2, result.output
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.output
    assert expected in result.stderr


def test_target_derives_facts_so_criteria_on_pains_score_a_real_export(tmp_path):
    (tmp_path / "icp.yaml").write_text(
        "name: yc-pains\nversion: 1\ntarget_size: {min: 1, max: 50}\n"
        "scoring:\n  min_score: 1\n  criteria:\n"
        "    - {field: pain_points, contains_any: [compliance_burden], points: 1}\n"
    )
    result = invoke(
        "target",
        "--accounts",
        YC_LABELLED,
        "--preset",
        "yc",
        "--icp",
        tmp_path / "icp.yaml",
        "--out",
        tmp_path / "out",
        "--no-prefect",
        "--json",
    )
    assert result.exit_code == 0, result.output
    targets = pl.read_parquet(tmp_path / "out" / "targets.parquet")
    facts = invoke("facts", "--accounts", YC_LABELLED, "--preset", "yc", "--out", tmp_path / "f.csv")
    assert facts.exit_code == 0
    compliance = pl.read_csv(tmp_path / "f.csv").filter(pl.col("key") == "compliance_burden")
    # The sentence rules keep 2 of the 50 rows' compliance facts (docs/facts.md); both must be targets.
    assert json.loads(result.stdout)["targets"] == compliance.height == targets.height >= 2
    assert set(targets["account_id"]) == set(compliance["account_id"])


def test_personas_with_a_sender_read_its_buying_functions_as_draft_does(tmp_path):
    # A compliance product's sender: its compliance people are its buyers and champions, not procurement.
    contacts = tmp_path / "contacts.csv"
    contacts.write_text(
        "contact_id,account_id,first_name,last_name,email,title\n"
        "c1,a1,Sam,Li,sam@acme.com,Chief Compliance Officer\n"
        "c2,a1,Bo,Wu,bo@acme.com,GRC Lead\n"
        "c3,a1,Cy,Ng,cy@acme.com,Executive Assistant to the CEO\n"
    )
    sender = tmp_path / "sender.yaml"
    shipped = Path(__file__).resolve().parents[3] / "messaging" / "defaults" / "sender.yaml"
    sender.write_text(shipped.read_text(encoding="utf-8") + 'buying_functions: ["legal"]\n', encoding="utf-8")
    plain, read = tmp_path / "plain.csv", tmp_path / "read.csv"
    assert invoke("personas", "--contacts", contacts, "--out", plain, "--no-prefect").exit_code == 0
    result = invoke("personas", "--contacts", contacts, "--out", read, "--sender", sender, "--no-prefect", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["buying_functions"] == ["legal"]
    assert pl.read_csv(plain)["persona"].to_list() == ["procurement", "procurement", "gatekeeper"]
    assert pl.read_csv(read)["persona"].to_list() == ["economic_buyer", "champion", "gatekeeper"]
    sender.write_text(sender.read_text().replace('"legal"', '"legl"'))
    bad = invoke("personas", "--contacts", contacts, "--out", read, "--sender", sender, "--no-prefect")
    assert bad.exit_code == 2
    assert bad.stderr.strip().splitlines() == [
        f"error: {sender}, field 'buying_functions': 'legl' is not one of the functions personas.yaml assigns;"
        " did you mean 'legal'?"
    ]
