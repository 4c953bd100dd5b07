"""`outbound campaign plan|export|ingest|list` and `outbound forget`: the test-campaign commands.

Every command checks its inputs before a flow starts; `plan` and `ingest` run in-process unless a
Prefect API is configured or `--prefect` is given.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from flows.cli.options import (
    AllowSample,
    AllowSampleCopy,
    ApiOption,
    Concurrency,
    ContactsMap,
    ContactsPreset,
    FactsFile,
    JsonFlag,
    LlmFlag,
    LlmOptional,
    LlmTimeout,
    MaxCost,
    ModelOption,
    PriceIn,
    PriceOut,
    StoreOption,
    Suppress,
)
from flows.cli.printers import console, err_console, one_line_errors, print_json, print_warnings, sender_line, working
from flows.cli.running import PrefectFlag, pipeline, run_command, say_how_to_see_runs
from flows.edges.model_server import DEFAULT_MODEL

campaign_app = typer.Typer(
    help="Plan small test campaigns, export them to a sending tool and take their results back.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

CampaignRef = Annotated[str, typer.Option("--campaign", help="Campaign id (c-xxxxxxxx) or name.")]


def _store_path(store: Path | None) -> Path:
    from flows.edges.store import resolve_store_path

    return resolve_store_path(store)


@campaign_app.command("plan")
def plan(
    icp: Annotated[Path, typer.Option(help="The ICP spec (icp.yaml).")],
    accounts: Annotated[Path, typer.Option(help="Accounts (or a people-shaped export).")],
    contacts: Annotated[Path, typer.Option(help="Contacts of those accounts.")],
    out: Annotated[Path, typer.Option(help="Folder for campaign.csv and design.json.")],
    size: Annotated[int, typer.Option(help="Contacts to plan in all.")] = 100,
    name: Annotated[str | None, typer.Option(help="Campaign name (unique in the store).")] = None,
    drafts: Annotated[
        Path | None, typer.Option(help="Folder written by `outbound draft`: reviewed drafts used as they are.")
    ] = None,
    workspace: Annotated[
        Path, typer.Option(help="Workspace whose specs and templates render the other drafts.")
    ] = Path("."),
    seed: Annotated[int, typer.Option(help="Seed: the same inputs and seed give the same plan.")] = 0,
    explore: Annotated[float, typer.Option(help="Share of near-miss accounts (segment `explore`).")] = 0.15,
    cooldown_days: Annotated[
        int, typer.Option(help="Never plan anyone planned by any campaign within this many days.")
    ] = 90,
    prior: Annotated[
        float | None, typer.Option(help="Benchmark rate segments are read against (default 0.034).")
    ] = None,
    strict: Annotated[
        bool, typer.Option(help="Refuse a design where a segment can only detect a 3x difference.")
    ] = False,
    customers: Annotated[
        Path | None, typer.Option(help="Customers never planned (default: the workspace's customers.csv).")
    ] = None,
    suppress: Annotated[
        list[Path] | None, typer.Option(help="Do-not-contact domains or account ids (repeatable).")
    ] = None,
    preset: Annotated[
        str, typer.Option(help="Column preset of the accounts file: yc, apollo, clay, hubspot, canonical.")
    ] = "canonical",
    column_map: Annotated[Path | None, typer.Option("--map", help="A YAML column map of the accounts file.")] = None,
    contacts_preset: ContactsPreset = None,
    contacts_map: ContactsMap = None,
    facts: FactsFile = None,
    per_account: Annotated[
        int, typer.Option(help="At most this many contacts of one account in the round (default 1).")
    ] = 1,
    inboxes: Annotated[
        int | None, typer.Option(help="Sending inboxes: with --per-inbox-day, how long the round and the list last.")
    ] = None,
    per_inbox_day: Annotated[
        int | None, typer.Option(help="Emails each inbox sends a day (with --inboxes; default 30).")
    ] = None,
    balance: Annotated[
        bool,
        typer.Option(
            help="Design the round so every criterion not yet sure gets accounts on both sides (docs/campaigns.md)."
        ),
    ] = True,
    store: StoreOption = None,
    allow_sample_sender: AllowSample = False,
    reviewed_only: Annotated[
        bool,
        typer.Option(help="Plan only the contacts whose drafts `outbound review` approved (all their steps)."),
    ] = False,
    allow_sample_copy: AllowSampleCopy = False,
    json_out: JsonFlag = False,
    prefect: PrefectFlag = None,
) -> None:
    """Plan a test campaign worth sending: segments, reachable contacts, allocation, what it can detect."""
    from flows.commands.campaign_plan import PlanRequest, load_plan_inputs, run_plan

    options = locals() | {"store": _store_path(store)}
    with one_line_errors():
        request = PlanRequest.given(options)
        created = not request.store.exists()
        inputs = load_plan_inputs(request)
        with working(f"planning {inputs.name}", quiet=json_out):
            ran = run_command(request, inputs, run_plan, lambda: pipeline().plan_campaign, prefect=prefect)
    if created:
        err_console.print(f"created the campaign store {request.store}", highlight=False)
    if json_out:
        print_json(ran.summary)
        return
    _print_plan(ran.summary, out)
    say_how_to_see_runs(ran.flow_run, json_out=json_out)


def _print_plan(summary: dict[str, Any], out: Path) -> None:
    console.print(
        f"campaign [bold]{summary['campaign_id']}[/] {escape(summary['name'])}: ICP {escape(summary['icp'])} "
        f"v{summary['version']}, {summary['planned']} contacts planned"
    )
    table = Table("segment", "reachable", "planned", "variants", "detectable rate", title="Design")
    for seg in summary["segments"]:
        variants = ", ".join(f"{k}: {v}" for k, v in seg["variants"].items()) or "-"
        rate = "-" if seg["detectable_rate"] is None else f"{seg['detectable_rate']:.1%}"
        table.add_row(escape(seg["segment"]), str(seg["reachable"]), str(seg["planned"]), escape(variants), rate)
    console.print(table)
    print_warnings(summary["warnings"])
    if summary.get("balanced_on", "") and summary["balanced_on"].startswith("a design over "):
        console.print(
            f"accounts picked by {escape(summary['balanced_on'])}: every criterion not yet sure gets both sides",
            highlight=False,
        )
    elif summary.get("balanced_on"):
        console.print(
            f"balanced on {escape(summary['balanced_on'])}: the criterion least certain so far", highlight=False
        )
    if summary.get("capacity"):
        console.print(escape(summary["capacity"]["sentence"]), highlight=False)
    if "review" in summary:
        review = summary["review"]
        console.print(
            f"reviewed only: {review['approved_contacts']} contacts approved, {review['unreviewed_contacts']} "
            f"not fully reviewed (left out), {len(review['rejected'])} drafts rejected",
            highlight=False,
        )
        for row in review["rejected"]:
            console.print(
                f"  rejected {row['contact_id']} step {row['step']}: {row['reason']}", markup=False, highlight=False
            )
    console.print(f"wrote {out / 'campaign.csv'} and {out / 'design.json'}", highlight=False)
    if "sender" in summary:
        console.print(sender_line(summary["sender"]), markup=False, highlight=False)
    console.print(
        f"next: outbound campaign export --campaign {summary['campaign_id']} --format instantly --out {out / 'instantly.csv'}",
        highlight=False,
    )


@campaign_app.command("export")
def export(
    campaign: CampaignRef,
    fmt: Annotated[str, typer.Option("--format", help="generic, instantly, smartlead, lemlist or apollo.")],
    out: Annotated[Path, typer.Option(help="The CSV file to write.")],
    store: StoreOption = None,
    suppress: Suppress = None,
    allow_sample_sender: AllowSample = False,
    json_out: JsonFlag = False,
) -> None:
    """Write a planned campaign in a sending tool's import layout (campaign id, segment, variant as custom variables).

    Whoever is on the store's ledger or a --suppress list now (bounced, unsubscribed or forgotten since
    the plan) is left out."""
    from flows.edges.store import export_planned

    with one_line_errors():
        summary = export_planned(
            _store_path(store), campaign, fmt, out, allow_sample_sender=allow_sample_sender, suppress=suppress or []
        )
    if json_out:
        print_json(summary)
        return
    left_out = f", {summary['left_out']} left out (ledger or --suppress)" if summary["left_out"] else ""
    console.print(
        f"{summary['contacts']} contacts of {summary['campaign_id']} -> {out} ({fmt}){left_out}", highlight=False
    )
    if summary["sender"]["name"] is not None or summary["sender"]["sample"]:
        console.print(sender_line(summary["sender"]), markup=False, highlight=False)
    preset = fmt if fmt != "generic" else "canonical"
    console.print(
        f"next: send it, then outbound campaign ingest --campaign {summary['campaign_id']} --preset {preset} RESULTS.csv",
        highlight=False,
    )


@campaign_app.command("ingest")
def ingest(
    campaign: CampaignRef,
    results: Annotated[Path, typer.Argument(help="RESULTS.csv, or a sending tool's lead export with --preset.")],
    preset: Annotated[str, typer.Option(help="canonical, instantly, smartlead, lemlist or apollo.")] = "canonical",
    simulated: Annotated[bool, typer.Option(help="Results no person sent (the demo's responder).")] = False,
    store: StoreOption = None,
    json_out: JsonFlag = False,
    prefect: PrefectFlag = None,
) -> None:
    """Take a campaign's results back: idempotent, each contact kept at its highest outcome."""
    from flows.commands.campaign_ingest import IngestRequest, load_ingest_inputs, run_ingest

    options = locals() | {"store": _store_path(store)}
    with one_line_errors():
        request = IngestRequest.given(options)
        inputs = load_ingest_inputs(request)
        ran = run_command(request, inputs, run_ingest, lambda: pipeline().ingest_results, prefect=prefect)
    summary = ran.summary
    if json_out:
        print_json(summary)
        return
    say_how_to_see_runs(ran.flow_run, json_out=json_out)
    console.print(
        f"{summary['campaign_id']}: {summary['rows']} rows, {summary['matched']} matched, "
        f"{summary['changed']} contacts' outcome rose",
        highlight=False,
    )
    console.print("outcomes: " + ", ".join(f"{k} {v}" for k, v in summary["outcomes"].items() if v), highlight=False)
    if summary["unknown_emails"]:
        examples = ", ".join(summary["unknown_email_examples"])
        console.print(
            f"[yellow]warning[/]: {summary['unknown_emails']} emails not in the campaign (e.g. {escape(examples)})"
        )
    if summary["unknown_statuses"]:
        words = ", ".join(f"{k!r}: {v}" for k, v in summary["unknown_statuses"].items())
        console.print(f"[yellow]warning[/]: status words not understood, rows ignored: {escape(words)}")
    console.print(f"next: outbound campaign report --campaign {summary['campaign_id']} --out report", highlight=False)


@campaign_app.command("report")
def report(
    campaign: CampaignRef,
    out: Annotated[Path, typer.Option(help="Folder for report.json and report.html.")] = Path("."),
    prior: Annotated[
        float | None,
        typer.Option(help="Your own reply rate to read against (default: the campaign's, else the 3.4% benchmark)."),
    ] = None,
    store: StoreOption = None,
    use_llm: LlmFlag = False,
    llm_optional: LlmOptional = False,
    model: ModelOption = DEFAULT_MODEL,
    concurrency: Concurrency = 8,
    timeout: LlmTimeout = 60.0,
    max_cost: MaxCost = None,
    price_in: PriceIn = None,
    price_out: PriceOut = None,
    api: ApiOption = "chat",
    json_out: JsonFlag = False,
) -> None:
    """Rates, intervals, posteriors and verdicts per segment, criterion, persona and variant: report.json and report.html.

    With --llm a model sorts each reply into its reason; an answer whose reason is not one of the fixed
    reasons, or whose quote is not in the reply, leaves the rules' reason, counted by why."""
    from flows.commands.campaign_report import campaign_report, write_report
    from flows.edges.model_server import model_or_none

    options = locals()
    with one_line_errors():
        llm, unavailable = model_or_none(options, instead="the rules sort the replies")
        result = campaign_report(_store_path(store), campaign, prior, llm)
        if unavailable:
            result["llm_unavailable"] = unavailable
        written = write_report(result, out)
    if json_out:
        print_json(result)
        return
    _print_report(result, written)


def _counted(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _print_report(result: dict[str, Any], written: dict[str, Path]) -> None:
    t = result["totals"]
    flag = " [bold red]SIMULATED[/]" if result["simulated"] else ""
    console.print(
        f"campaign [bold]{result['campaign_id']}[/] {escape(result['name'])}: ICP {escape(result['icp'])} v{result['version']}{flag}; "
        f"{t['planned']} planned, {t['delivered']} delivered, {_counted(t['replies'], 'reply', 'replies')}, "
        f"{t['positive']} positive, {_counted(t['meetings'], 'meeting', 'meetings')}, {t['unsubscribed']} unsubscribed, "
        f"{t['bounced']} bounced, {_counted(t['auto_replies'], 'auto-reply', 'auto-replies')}"
    )
    for title, key, column in (
        ("Segments", "segments", "segment"),
        ("Criteria", "criteria", "criterion"),
        ("Personas", "personas", "persona"),
        ("Variants", "variants", "variant"),
    ):
        if not result[key]:
            continue
        table = Table(
            column,
            "delivered",
            "replies",
            "positive",
            "unsubscribed",
            "reply rate (95% CI)",
            "P(better)",
            "verdict",
            "next round",
            title=title,
        )
        for row in result[key]:
            rate = (
                "-"
                if row["reply_rate"] is None
                else f"{row['reply_rate']:.1%} ({row['reply_ci_low']:.1%}-{row['reply_ci_high']:.1%})"
            )
            table.add_row(
                escape(str(row["name"])),
                str(row["delivered"]),
                str(row["replies"]),
                str(row["positive"]),
                str(row.get("unsubscribed", 0)),
                rate,
                "-" if row["p_better"] is None else f"{row['p_better']:.2f}",
                row["verdict"].replace("_", " "),
                _next_round(row),
            )
        console.print(table)
        for row in result[key]:
            if row["verdict"] in ("likely_better", "likely_worse"):
                console.print(escape(row["sentence"]), highlight=False)
    for problem in result["data_problems"]:
        console.print(
            f"[yellow]data problem[/]: segment {escape(problem['segment'])}: {escape(problem['problem'])}",
            highlight=False,
        )
    for note in result["notes"]:
        console.print(f"note: {escape(note)}", highlight=False)
    console.print(f"wrote {written['json']} and {written['html']}", highlight=False)
    rounds = " ".join(f"--campaign {c}" for c in result.get("lineage") or [result["campaign_id"]])
    console.print(
        f"next: outbound icp refine --icp ICP.yaml {rounds} --out ICP.next.yaml (every round of the lineage)",
        highlight=False,
    )


def _next_round(row: dict[str, Any]) -> str:
    """The contacts per side a next round needs; "not testable" where a difference is too small for any round."""
    if row["next_round_n"] is not None:
        return f"{row['next_round_n']:,}/side"
    return "not testable" if row.get("testable") is False and row["verdict"] != "no_comparison" else "-"


@campaign_app.command("list")
def list_(store: StoreOption = None, json_out: JsonFlag = False) -> None:
    """Every campaign: id, name, ICP and version, planned, delivered, outcomes."""
    from flows.edges.store import list_campaigns

    with one_line_errors():
        rows = list_campaigns(_store_path(store))
    if json_out:
        print_json(rows)
        return
    table = Table("id", "name", "ICP", "planned", "delivered", "outcomes", title="Campaigns")
    for row in rows:
        outcomes = ", ".join(f"{k} {v}" for k, v in row["outcomes"].items() if v and k != "not_sent") or "-"
        table.add_row(
            row["campaign_id"],
            escape(row["name"]),
            escape(f"{row['icp']} v{row['version']}"),
            str(row["planned"]),
            str(row["delivered"]),
            escape(outcomes),
        )
    console.print(table)


def forget(
    target: Annotated[str, typer.Argument(metavar="EMAIL|DOMAIN", help="A person's email or a domain.")],
    store: StoreOption = None,
    json_out: JsonFlag = False,
) -> None:
    """Erase a person (or a domain's people) from the store; keep only a hash so they are never contacted again."""
    from flows.edges.store import forget as forget_in_store

    with one_line_errors():
        summary = forget_in_store(_store_path(store), target)
    if json_out:
        print_json(summary)
        return
    removed = ", ".join(f"{k} {v}" for k, v in summary["removed"].items())
    console.print(f"forgot {summary['forgotten']} {escape(target)} in {summary['store']}: {removed}", highlight=False)
