"""The `outbound` command line. Every command validates its inputs before a flow starts."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Annotated, Any

import typer

from flows.cli.campaign import campaign_app, forget
from flows.cli.copy_commands import copy_app
from flows.cli.icp import icp_app
from flows.cli.options import (
    AllowSample,
    AllowSampleCopy,
    ApiOption,
    AsOf,
    Concurrency,
    ContactsMap,
    ContactsPreset,
    FactsFile,
    JsonFlag,
    LlmFlag,
    LlmOptional,
    LlmTimeout,
    MapFile,
    MaxCost,
    ModelOption,
    PersonaFile,
    Preset,
    PriceIn,
    PriceOut,
    StoreOption,
    Suppress,
)
from flows.cli.printers import (
    console,
    one_line_errors,
    print_draft_summary,
    print_json,
    print_target_summary,
    print_unread,
    print_warnings,
    working,
)
from flows.cli.running import PrefectFlag, Ran, pipeline, quiet_prefect, run_command, say_how_to_see_runs
from flows.edges.model_server import DEFAULT_MODEL

app = typer.Typer(
    help="ICP-sized target lists, persona-matched drafts and honest small test campaigns.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    # Plain help: Rich's option table cuts long option names (--allow-free-mail) at 80 columns.
    rich_markup_mode=None,
)


def _print_version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"outbound {version('outbound')}")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[
        bool, typer.Option("--version", callback=_print_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    pass


@app.command()
def target(
    accounts: Annotated[Path, typer.Option(help="Accounts (or a people-shaped export): CSV, Parquet, NDJSON.")],
    icp: Annotated[Path, typer.Option(help="The ICP spec (icp.yaml).")],
    out: Annotated[Path, typer.Option(help="Folder for targets.parquet/.csv, target_summary.json, rejected.csv.")],
    contacts: Annotated[Path | None, typer.Option(help="Contacts, to count reachable accounts.")] = None,
    contacts_preset: ContactsPreset = None,
    contacts_map: ContactsMap = None,
    suppress: Suppress = None,
    personas: PersonaFile = None,
    preset: Preset = "canonical",
    column_map: MapFile = None,
    as_of: AsOf = None,
    facts: FactsFile = None,
    json_out: JsonFlag = False,
    prefect: PrefectFlag = None,
    dask: Annotated[
        str | None,
        typer.Option(
            "--dask",
            help="Run the per-partition work of a partitioned Parquet universe on a Dask cluster: "
            "local[:N] (a LocalCluster of N workers) or tcp://HOST:PORT (always a flow run).",
        ),
    ] = None,
) -> None:
    """Score and size a prospect universe against an ICP, and write the target list."""
    from flows.commands.target import TargetRequest, load_target_inputs, run_target
    from flows.edges.cluster import one_line_cluster_errors

    with one_line_errors():
        request = TargetRequest.given(locals())
        inputs = load_target_inputs(request)
        if dask is not None:
            from flows.edges.cluster import check_dask_run

            check_dask_run(request, inputs)
        with working(f"scoring {accounts.name} against {icp.name}", quiet=json_out), one_line_cluster_errors():
            ran = run_command(
                request,
                inputs,
                run_target,
                lambda: pipeline().build_target_list_on_dask if dask else pipeline().build_target_list,
                prefect=True if dask else prefect,
            )
    print_json(ran.summary) if json_out else print_target_summary(ran.summary)
    say_how_to_see_runs(ran.flow_run, json_out=json_out)


@app.command()
def init(
    directory: Annotated[Path, typer.Argument(help="Folder for the workspace (created if missing).")],
    seed: Annotated[int, typer.Option(help="Seed of the sample universe.")] = 7,
    accounts: Annotated[int, typer.Option(help="Accounts in the sample universe.")] = 20_000,
    json_out: JsonFlag = False,
) -> None:
    """Create a workspace: sample universe (accounts, contacts, customers, deals), specs and templates."""
    from flows.edges.workspace import init_workspace

    with one_line_errors():
        files = init_workspace(directory, seed=seed, accounts=accounts)
    if json_out:
        print_json({k: [str(p) for p in v] for k, v in files.items()})
        return
    console.print(f"workspace {directory}: wrote {len(files['written'])} files, kept {len(files['kept'])} existing")
    console.print(
        f"next: cd {directory} && outbound target --accounts accounts.csv --contacts contacts.csv --icp icp.yaml --out out/"
    )


@app.command()
def columns(
    accounts: Annotated[Path, typer.Option(help="An export whose columns are unknown (CSV, Parquet, NDJSON).")],
    out: Annotated[Path | None, typer.Option(help="Write the guessed map here (YAML, for --map).")] = None,
    json_out: JsonFlag = False,
) -> None:
    """Guess a column map for an unknown export and list the columns it could not place."""
    from targeting.importing.column_guess import dump_column_map, guess_column_map

    with one_line_errors():
        column_map, unplaced, reasons = guess_column_map(accounts)
    text = dump_column_map(column_map, unplaced, reasons)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
    if json_out:
        print_json(
            {
                "map": column_map.model_dump(mode="json"),
                "unplaced": unplaced,
                "because": reasons,
                "out": str(out) if out else None,
            }
        )
        return
    if out is None:
        console.print(text, markup=False, highlight=False)
    else:
        console.print(f"wrote {out}")
    console.print(f"could not place {len(unplaced)} columns: {', '.join(unplaced) or '-'}", markup=False)


def _run_with_model(
    request: Any, inputs: Any, steps: Any, flow: Any, options: dict[str, Any], *, instead: str, doing: str
) -> tuple[Ran, dict[str, Any]]:
    """A command that may read or write with a model (`facts`, `draft`): its `--llm` options checked
    against the server (or, with `--llm-optional`, the fallback said), then its steps or its flow run."""
    from flows.edges.model_server import model_or_none

    quiet = options["json_out"]
    request.llm, unavailable = model_or_none(options, instead=instead)
    with working(doing, quiet=quiet or request.llm is not None):
        ran = run_command(
            request,
            inputs,
            lambda r, i, runner: steps(r, i, runner, quiet=quiet),
            flow,
            prefect=options["prefect"],
        )
    return ran, ran.summary | ({"llm_unavailable": unavailable} if unavailable else {})


@app.command()
def facts(
    accounts: Annotated[Path, typer.Option(help="Accounts (or a people-shaped export): CSV, Parquet, NDJSON.")],
    out: Annotated[Path, typer.Option(help="Output file, CSV or Parquet by extension: one row per account and fact.")],
    facts: Annotated[
        Path | None,
        typer.Option("--facts", help="The vocabulary (facts.yaml; default ./facts.yaml, else the shipped one)."),
    ] = None,
    preset: Preset = "canonical",
    column_map: MapFile = None,
    use_llm: LlmFlag = False,
    llm_optional: LlmOptional = False,
    model: ModelOption = DEFAULT_MODEL,
    concurrency: Concurrency = 8,
    timeout: LlmTimeout = 60.0,
    max_cost: MaxCost = None,
    price_in: PriceIn = None,
    price_out: PriceOut = None,
    api: ApiOption = "chat",
    store: StoreOption = None,
    json_out: JsonFlag = False,
    prefect: PrefectFlag = None,
) -> None:
    """Derive each account's pain points, growth signals and prior solutions from its description, tags,
    tech and hiring, with the words each rests on. `dropped` counts source rows that gave no account.

    With --llm a model reads each description instead of the phrases; a fact whose quote is not in
    the text is dropped and counted, and an account the model could not read keeps the rules' facts."""
    from flows.commands.facts import FactsRequest, load_facts_inputs, run_facts

    options = locals()
    with one_line_errors():
        request = FactsRequest.given(options)
        inputs = load_facts_inputs(request)
        ran, summary = _run_with_model(
            request, inputs, run_facts, lambda: pipeline().derive_facts, options,
            instead="the rules read the descriptions", doing=f"reading facts from {accounts.name}",
        )  # fmt: skip
    if json_out:
        print_json({k: v for k, v in summary.items() if k != "out"})
        return
    kinds = ", ".join(f"{n:,} {kind.replace('_', ' ')}s" for kind, n in summary["facts"].items())
    console.print(
        f"{summary['with_fact']:,} of {summary['accounts']:,} accounts with a fact ({kinds}) -> {out}"
        f"; {summary['dropped']:,} source rows gave no account"
    )
    if summary.get("unmapped"):
        console.print(f"unmapped columns (not read): {', '.join(summary['unmapped'])}", markup=False, highlight=False)
    if "llm" in summary:
        m = summary["llm"]
        console.print(
            f"model {m['model']}: read {m['accounts_read']:,} of {m['accounts_with_text']:,} descriptions "
            f"({m['cache_hits']:,} from the cache); dropped {m['dropped_unquoted']:,} facts without a verbatim "
            f"quote and {m['dropped_unknown_key']:,} with an unknown key; {m['fallback_to_rules']:,} accounts "
            f"left to the rules; {m['calls']:,} calls, {m['tokens_in']:,} tokens in, {m['tokens_out']:,} out, "
            f"${m['cost_usd']:.4f}",
            markup=False,
            highlight=False,
        )
    say_how_to_see_runs(ran.flow_run, json_out=json_out)


@app.command()
def personas(
    contacts: Annotated[Path, typer.Option(help="Contacts (CSV, Parquet, NDJSON) or a people-shaped export.")],
    out: Annotated[Path, typer.Option(help="Output file, CSV or Parquet by extension.")],
    personas: PersonaFile = None,
    contacts_preset: ContactsPreset = None,
    contacts_map: ContactsMap = None,
    preset: Annotated[str | None, typer.Option("--preset", help="Same as --contacts-preset.")] = None,
    column_map: Annotated[Path | None, typer.Option("--map", help="Same as --contacts-map.")] = None,
    sender: Annotated[
        Path | None,
        typer.Option(
            help="A sender.yaml whose buying_functions are read as the product's buyers, as draft reads them."
        ),
    ] = None,
    json_out: JsonFlag = False,
    prefect: PrefectFlag = None,
) -> None:
    """Give every contact a persona, seniority and function, with the rule that decided."""
    from flows.commands.personas import PersonasRequest, load_personas_inputs, run_personas

    with one_line_errors():
        request = PersonasRequest.given(locals())
        inputs = load_personas_inputs(request)
        ran = run_command(request, inputs, run_personas, lambda: pipeline().classify_personas, prefect=prefect)
    summary = ran.summary
    if json_out:
        print_json(summary)
        return
    console.print(
        f"{summary['contacts']:,} contacts ({summary['contacts_layout']}) -> {out} "
        f"({summary['rejected']:,} rows unusable)",
        markup=False,
        highlight=False,
    )
    for persona, n in summary["by_persona"].items():
        console.print(f"  {persona:<22} {n:>8,}")
    if summary["buying_functions"]:
        functions = ", ".join(summary["buying_functions"])
        console.print(f"read as the product's buyers (sender.yaml buying_functions): {functions}", markup=False)
    if summary["rejected"]:
        reasons = ", ".join(f"{n:,} {reason}" for reason, n in summary["rejected_by_reason"].items())
        console.print(f"unusable rows: {reasons} -> {summary['rejected_out']}")
    if summary["not_sendable_by_reason"]:
        reasons = ", ".join(f"{n:,} {reason}" for reason, n in summary["not_sendable_by_reason"].items())
        console.print(f"not sendable (skip_reason in {out}): {reasons}")
    print_unread(summary)
    print_warnings(summary["contact_warnings"])
    say_how_to_see_runs(ran.flow_run, json_out=json_out)


@app.command()
def draft(
    targets: Annotated[Path, typer.Option(help="targets.parquet written by `outbound target`.")],
    contacts: Annotated[Path, typer.Option(help="Contacts of the target accounts.")],
    out: Annotated[Path, typer.Option(help="Folder for drafts.parquet/.csv, skipped.csv and exports/.")],
    icp: Annotated[
        Path | None, typer.Option(help="ICP whose personas are drafted (default: the targets' icp.yaml).")
    ] = None,
    workspace: Annotated[
        Path, typer.Option(help="Workspace holding personas.yaml, messaging.yaml, sender.yaml, templates/.")
    ] = Path("."),
    personas: PersonaFile = None,
    messaging: Annotated[Path | None, typer.Option(help="Copy blocks (messaging.yaml).")] = None,
    sender: Annotated[Path | None, typer.Option(help="Who is writing (sender.yaml).")] = None,
    templates: Annotated[Path | None, typer.Option(help="Template folder overriding the shipped defaults.")] = None,
    allow_role: Annotated[bool, typer.Option(help="Draft role addresses (info@, sales@).")] = False,
    allow_free_mail: Annotated[bool, typer.Option(help="Draft free-mail addresses (gmail.com, ...).")] = False,
    suppress: Suppress = None,
    steps: Annotated[int, typer.Option(min=1, help="Emails per contact: a first touch and its follow-ups.")] = 3,
    contacts_preset: ContactsPreset = None,
    contacts_map: ContactsMap = None,
    preset: Annotated[str | None, typer.Option("--preset", help="Same as --contacts-preset.")] = None,
    column_map: Annotated[Path | None, typer.Option("--map", help="Same as --contacts-map.")] = None,
    allow_sample_sender: AllowSample = False,
    allow_sample_copy: AllowSampleCopy = False,
    use_llm: LlmFlag = False,
    llm_optional: LlmOptional = False,
    model: ModelOption = DEFAULT_MODEL,
    concurrency: Concurrency = 8,
    timeout: LlmTimeout = 60.0,
    max_cost: MaxCost = None,
    price_in: PriceIn = None,
    price_out: PriceOut = None,
    api: ApiOption = "chat",
    store: StoreOption = None,
    json_out: JsonFlag = False,
    prefect: PrefectFlag = None,
) -> None:
    """Write a short sequence of persona-matched drafts for each chosen contact, with exports.

    With --llm a model writes each step from the same facts, checked against them and sender.yaml;
    any draft it fails or invents is the template draft, with the reason in fallback_reason.
    """
    from flows.commands.draft import DraftRequest, load_draft_inputs, run_draft

    options = locals()
    with one_line_errors():
        request = DraftRequest.given(options)
        inputs = load_draft_inputs(request)
        ran, summary = _run_with_model(
            request, inputs, run_draft, lambda: pipeline().draft_emails, options,
            instead="drafting from the templates", doing=f"drafting for {targets}",
        )  # fmt: skip
    print_json(summary) if json_out else print_draft_summary(summary)
    say_how_to_see_runs(ran.flow_run, json_out=json_out)


@app.command()
def review(
    drafts: Annotated[Path, typer.Option(help="Folder written by `outbound draft`.")],
    targets: Annotated[
        Path | None,
        typer.Option(help="The targets the drafts were written for (default: targets.parquet in or beside --drafts)."),
    ] = None,
    contacts: Annotated[
        Path | None,
        typer.Option(
            help="The contacts drafted, for a folder drafted before drafts carried each title and persona rule."
        ),
    ] = None,
    contacts_preset: ContactsPreset = None,
    contacts_map: ContactsMap = None,
    port: Annotated[int | None, typer.Option(help="Port on 127.0.0.1 (default 8765, else the next free one).")] = None,
    workspace: Annotated[Path, typer.Option(help="Workspace holding sender.yaml and facts.yaml.")] = Path("."),
    store: StoreOption = None,
) -> None:
    """Review a drafts folder in the browser: each claim beside the account's words; approve, edit, reject.

    Decisions are kept in the store as they are made and written to DRAFTS/review.csv (review_status),
    which `campaign plan --drafts DRAFTS --reviewed-only` reads.
    """
    from flows.commands.review import ReviewRequest, ReviewSession, load_review_inputs, review_url, serve

    with one_line_errors():
        request = ReviewRequest.given(locals())
        inputs = load_review_inputs(request)
        session = ReviewSession(request, inputs)
        session.write_back()  # review.csv with every draft's review_status, before the page is opened
    if inputs.port_note:
        console.print(inputs.port_note, highlight=False)
    if inputs.targets is None:
        console.print("no targets found in or beside the drafts: the accounts' words are not shown (--targets)")
    console.print(
        f"reviewing {inputs.drafts.height:,} drafts in {drafts}: open {review_url(session)}",
        highlight=False,
        markup=False,
    )
    console.print("decisions are saved as you make them; Ctrl-C stops the page", highlight=False)
    with one_line_errors():
        serve(session)


@app.command()
def demo(
    out: Annotated[Path, typer.Option(help="Folder for the demo workspace and every output.")] = Path("demo-out"),
    prefect: PrefectFlag = None,
    json_out: JsonFlag = False,
) -> None:
    """Run the loop on the bundled sample: target, draft, two simulated test rounds, report, refine; ends in OUT/report.html."""
    from flows.commands.demo import demo_draft_request, demo_target_request, review_command, run_campaign_loop
    from flows.commands.draft import load_draft_inputs, run_draft
    from flows.commands.target import load_target_inputs, run_target
    from flows.edges.workspace import init_workspace

    with one_line_errors():
        init_workspace(out)
        targeting = demo_target_request(out)
        target_run = run_command(
            targeting, load_target_inputs(targeting), run_target, lambda: pipeline().build_target_list, prefect=prefect
        )
        drafting = demo_draft_request(out)
        draft_run = run_command(
            drafting, load_draft_inputs(drafting), run_draft, lambda: pipeline().draft_emails, prefect=prefect
        )
        with working("test campaigns with a simulated responder", quiet=json_out):
            loop = run_campaign_loop(out)
    target_summary, draft_summary = target_run.summary, draft_run.summary
    if json_out:
        print_json({"target": target_summary, "draft": draft_summary, "campaigns": loop})
        return
    print_target_summary(target_summary)
    print_draft_summary(draft_summary)
    console.print(f"\noutputs in {out}/targets and {out}/drafts (exports in {out}/drafts/exports)")
    for n, r in enumerate(loop["rounds"], 1):
        t = r["totals"]
        changes = "; ".join(r["changes"]) or "no ICP change (not enough evidence yet)"
        console.print(
            f"round {n} (SIMULATED) {r['campaign_id']}, ICP v{r['icp_version']}: {t['positive']} positive of "
            f"{t['delivered']} delivered; refine: {changes}",
            highlight=False,
        )
    console.print(f"report: {loop['report']}", highlight=False)
    console.print(
        f"review the drafts in your browser: {shlex.join(review_command(out))}", highlight=False, markup=False
    )
    say_how_to_see_runs(target_run.flow_run, json_out=json_out)


# The icp and campaign commands live beside their flows (flows/cli/icp.py, flows/cli/campaign.py).
app.add_typer(icp_app, name="icp")
app.add_typer(campaign_app, name="campaign")
app.add_typer(copy_app, name="copy")
app.command("forget")(forget)


def main() -> None:
    """Entry point of the `outbound` console script."""
    quiet_prefect()
    app()


if __name__ == "__main__":
    main()
