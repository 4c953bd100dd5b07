"""`outbound icp derive` and `outbound icp backtest`: the commands and the summaries a person reads."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from flows.cli.options import AsOf, FactsFile, JsonFlag, MapFile, Preset, StoreOption
from flows.cli.printers import console, one_line_errors, print_json, working
from flows.cli.running import PrefectFlag, pipeline, run_command, say_how_to_see_runs

icp_app = typer.Typer(
    help="Check an ICP against a universe; derive one from customers or deals; backtest one on closed deals.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


@icp_app.command("check")
def icp_check(
    icp: Annotated[Path, typer.Option(help="The ICP spec (icp.yaml).")],
    accounts: Annotated[Path | None, typer.Option(help="A universe to check the values against.")] = None,
    preset: Preset = "canonical",
    column_map: MapFile = None,
    facts: FactsFile = None,
    json_out: JsonFlag = False,
) -> None:
    """Validate an ICP; show each value as the data spells it and, with --accounts, how often it occurs."""
    from flows.cli.printers import print_icp_check
    from flows.commands.icp_check import IcpCheckRequest, run_icp_check

    with one_line_errors():
        check = run_icp_check(IcpCheckRequest.given(locals()))
    print_json(check.to_json()) if json_out else print_icp_check(check, icp)


@icp_app.command()
def derive(
    accounts: Annotated[Path, typer.Option(help="The universe: accounts (or a people-shaped export).")],
    out: Annotated[Path, typer.Option(help="Where to write the derived ICP (icp.yaml).")],
    customers: Annotated[Path | None, typer.Option(help="Customers: account_id or domain; label or metrics.")] = None,
    deals: Annotated[
        Path | None, typer.Option(help="Deals: account_id or domain; stage or outcome (won, lost, open).")
    ] = None,
    name: Annotated[
        str | None, typer.Option(help="Lineage name of the new ICP (default: derived-from-<file>).")
    ] = None,
    preset: Preset = "canonical",
    column_map: MapFile = None,
    facts: FactsFile = None,
    store: Annotated[
        Path | None, typer.Option(help="Record the ICP as version 1 of its lineage in this store (or $OUTBOUND_STORE).")
    ] = None,
    json_out: JsonFlag = False,
    prefect: PrefectFlag = None,
) -> None:
    """Derive an ICP from the best and worst customers (or won and lost deals), evidence beside every line."""
    from flows.commands.icp_derive import DeriveRequest, load_derive_inputs, run_derive
    from flows.edges.store import record_derived_icp

    with one_line_errors():
        request = DeriveRequest.given(locals())
        with working(f"deriving an ICP from {(customers or deals or accounts).name}", quiet=json_out):
            inputs = load_derive_inputs(request)
            ran = run_command(request, inputs, run_derive, lambda: pipeline().derive_icp, prefect=prefect)
        summary = ran.summary | {"recorded": record_derived_icp(store, out)}
    if json_out:
        print_json(summary)
        return
    print_derivation(summary)
    if summary["recorded"]:
        recorded = summary["recorded"]
        console.print(
            f"recorded {recorded['icp']} v{recorded['version']} in the store {recorded['store']}", highlight=False
        )
    say_how_to_see_runs(ran.flow_run, json_out=json_out)


@icp_app.command()
def backtest(
    icp: Annotated[Path, typer.Option(help="The ICP to test (icp.yaml).")],
    accounts: Annotated[Path, typer.Option(help="The universe the deals' accounts are in.")],
    deals: Annotated[Path, typer.Option(help="Deals: account_id or domain; stage or outcome; closed_at, amount.")],
    split: Annotated[
        str | None, typer.Option(help="Compare deals closed before and from this date (YYYY-MM-DD).")
    ] = None,
    as_of: AsOf = None,
    preset: Preset = "canonical",
    column_map: MapFile = None,
    facts: FactsFile = None,
    json_out: JsonFlag = False,
    prefect: PrefectFlag = None,
) -> None:
    """Say how well an ICP's tiers and score would have separated the deals already won from those lost."""
    from flows.commands.icp_backtest import BacktestRequest, load_backtest_inputs, run_backtest

    with one_line_errors():
        request = BacktestRequest.given(locals())
        with working(f"backtesting {icp.name} on {deals.name}", quiet=json_out):
            inputs = load_backtest_inputs(request)
            ran = run_command(request, inputs, run_backtest, lambda: pipeline().backtest_icp, prefect=prefect)
    if json_out:
        print_json(ran.summary)
        return
    print_backtest(ran.summary)
    say_how_to_see_runs(ran.flow_run, json_out=json_out)


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{x:.0%}"


def print_derivation(summary: dict[str, Any]) -> None:
    """Who was compared, how common each attribute that matters is, the rules written, the warnings."""
    from rich.markup import escape
    from rich.table import Table

    console.print(f"[bold]{escape(summary['icp'])}[/] v{summary['version']} -> {escape(summary['out'])}")
    console.print(escape(summary["how"]), highlight=False)
    console.print(
        f"compared {summary['best']} best, {summary['worst']} worst, universe {summary['universe']:,} "
        f"({summary['unmatched']} of {summary['rows_read']} rows matched no account, "
        f"{summary['unlabelled']} neither best nor worst)",
        highlight=False,
    )
    table = Table("field", "value", "best", "worst", "universe", "lift", "shrunk", title="Attributes that matter")
    for a in summary["attributes"]:
        table.add_row(
            a["field"],
            escape(str(a["value"])),
            f"{a['best']} ({_pct(a['p_best'])})",
            f"{a['worst']} ({_pct(a['p_worst'])})",
            f"{a['p_universe']:.1%}",
            f"{a['lift']:.1f}x",
            f"{a['shrunk_lift']:.1f}x",
        )
    console.print(table)
    rules = Table("rule", "best", "worst", "universe", "lift (shrunk)", title="The ICP written")
    for section in ("filters", "disqualifiers", "criteria"):
        for e in summary[section]:
            points = f" ({e['points']:+d})" if "points" in e else ""
            rules.add_row(
                f"{section[:-1] if section != 'criteria' else 'criterion'}: {escape(e['label'])}{points}",
                e["best"],
                e["worst"],
                e["universe"],
                e.get("note") or f"{e['lift']}x ({e['shrunk_lift']}x)",
            )
    console.print(rules)
    tiers = ", ".join(f"{t}: {n:,}" for t, n in summary["by_tier"].items())
    band = summary["band"]
    console.print(
        f"derived list: {summary['list_size']:,} accounts ({tiers}); target_size {band['min']:,}-{band['max']:,}"
    )
    for warning in summary["warnings"]:
        console.print(f"[yellow]warning[/]: {escape(warning)}", highlight=False)


def print_backtest(summary: dict[str, Any]) -> None:
    """Win rate by tier and score, the AUC with its interval, the recent deals one by one, the warnings."""
    from rich.markup import escape
    from rich.table import Table

    sep = summary["separation"]
    console.print(
        f"[bold]{escape(summary['icp'])}[/] v{summary['version']}: {summary['deals']} closed deals "
        f"({summary['won']} won, {summary['lost']} lost; {summary['open']} open left out, "
        f"{summary['unmatched']} matched no account)",
        highlight=False,
    )
    tiers = Table("segment", "deals", "won", "win rate", "95% CI", title="Win rate by tier")
    for r in summary["by_tier"]:
        tiers.add_row(
            r["segment"],
            str(r["deals"]),
            str(r["won"]),
            _pct(r["win_rate"]),
            f"{_pct(r['ci_low'])}-{_pct(r['ci_high'])}",
        )
    console.print(tiers)
    scores = ", ".join(f"{r['score']}: {_pct(r['win_rate'])} of {r['deals']}" for r in summary["by_score"])
    console.print(f"win rate by score (accounts the ICP keeps): {scores or '-'}", highlight=False)
    lift = summary["top_tier_lift"]
    if lift and lift["lift"] is not None:
        console.print(
            f"top tier {lift['tier']}: {_pct(lift['win_rate'])} vs {_pct(lift['rest_win_rate'])} for the rest "
            f"(lift {lift['lift']}x)",
            highlight=False,
        )
    if sep["auc"] is not None:
        console.print(
            f"ROC AUC [bold]{sep['auc']:.3f}[/] (95% bootstrap interval {sep['auc_low']:.3f}-{sep['auc_high']:.3f})"
        )
    recent = Table("closed", "account", "outcome", "ICP says", "score", "", title="Last closed deals, one by one")
    for r in summary["recent"]:
        recent.add_row(
            r["closed_at"] or "-",
            escape(r["account_id"]),
            r["outcome"],
            r["segment"],
            str(r["score"]),
            "ok" if r["agrees"] else "miss",
        )
    console.print(recent)
    if "periods" in summary:
        periods = Table("period", "from", "to", "deals", "won", "AUC", title=f"Split at {summary['split']}")
        for p in summary["periods"]:
            auc = p["separation"]["auc"]
            periods.add_row(
                p["period"], p["from"], p["to"], str(p["deals"]), str(p["won"]), "-" if auc is None else f"{auc:.3f}"
            )
        console.print(periods)
        review = summary["review"]
        console.print(
            f"{review['segment']} win rate {_pct(review['before'])} -> {_pct(review['after'])}: "
            + (
                "[red]review the ICP[/]"
                if review["flag"]
                else f"no review trigger (that takes a drop of over {review['threshold_points']:.0f} points)"
            )
        )
    for warning in summary["warnings"]:
        console.print(f"[yellow]warning[/]: {escape(warning)}", highlight=False)


@icp_app.command()
def refine(
    icp: Annotated[Path, typer.Option(help="The ICP version the campaigns tested (icp.yaml).")],
    campaigns: Annotated[
        list[str], typer.Option("--campaign", help="Campaign id or name (repeatable; one lineage, pooled).")
    ],
    out: Annotated[Path, typer.Option(help="Where to write the next version (NEW.yaml).")],
    accounts: Annotated[
        Path | None,
        typer.Option(help="The accounts the campaigns were planned from: lets the explore share propose new criteria."),
    ] = None,
    preset: Preset = "canonical",
    column_map: MapFile = None,
    facts: FactsFile = None,
    prior: Annotated[
        float | None,
        typer.Option(help="Your own reply rate to read against (default: the campaigns', else the 3.4% benchmark)."),
    ] = None,
    store: StoreOption = None,
    json_out: JsonFlag = False,
    prefect: PrefectFlag = None,
) -> None:
    """The next ICP version from test-campaign outcomes: only changes the evidence supports, each with its evidence."""
    from flows.commands.icp_refine import RefineRequest, load_refine_inputs, run_refine
    from flows.edges.store import resolve_store_path

    options = locals() | {"store": resolve_store_path(store)}
    with one_line_errors():
        request = RefineRequest.given(options)
        inputs = load_refine_inputs(request)
        with working(f"refining {inputs.spec.name} v{inputs.spec.version}", quiet=json_out):
            ran = run_command(request, inputs, run_refine, lambda: pipeline().refine_icp, prefect=prefect)
    if json_out:
        print_json(ran.summary)
        return
    print_refinement(ran.summary)
    say_how_to_see_runs(ran.flow_run, json_out=json_out)


PRIOR_SOURCES = {
    "benchmark": "the 2026 benchmark",
    "design": "as the campaigns were planned",
    "--prior": "from --prior",
}


def print_refinement(summary: dict[str, Any]) -> None:
    """The refinement as a readable diff: each change with its evidence, then what stayed and why."""
    from rich.markup import escape

    console.print(
        f"{escape(summary['icp'])} v{summary['from_version']}: {summary['replies']} genuine replies "
        f"({summary['positive']} positive) of {summary['delivered']} delivered emails over {', '.join(summary['campaigns'])}",
        highlight=False,
    )
    prior = summary["prior"]
    console.print(
        f"read against a {prior['reply_rate']:.1%} reply rate ({prior['rate']:.3%} positive), {PRIOR_SOURCES.get(prior['source'], prior['source'])}",
        highlight=False,
    )
    for change in summary["changes"]:
        kind = change.get("change", "points")
        if kind == "proposed":
            line = f"[green]+ criterion {escape(change['criterion'])}: {change['new_points']:+d}[/]"
        else:
            line = f"[green]~ {escape(change['criterion'])}: points {change['old_points']:+d} -> {change['new_points']:+d}[/]"
        console.print(f"{line}  # {escape(change['text'])}", highlight=False)
    for same in summary["unchanged"]:
        console.print(f"  {escape(same['criterion'])}: {escape(same['text'])}", style="dim", highlight=False)
    if summary.get("list_size") and summary["list_size"]["after"]["verdict"] == "ok":
        console.print(escape(summary["list_size"]["sentence"]), highlight=False)
    for note in summary.get("personas", []):
        console.print(f"[yellow]persona[/]: {escape(note)}", highlight=False)
    for warning in summary["warnings"]:
        console.print(f"[yellow]warning[/]: {escape(warning)}", highlight=False)
    if summary["changed"]:
        console.print(
            f"wrote v{summary['version']} (parent v{summary['parent']}) to {summary['out']} and recorded it in the store",
            highlight=False,
        )
    else:
        console.print(
            f"no criterion moved: wrote the same v{summary['version']}, marked unchanged, to {summary['out']}",
            highlight=False,
        )
    console.print(f"next: {escape(summary['next'])}", highlight=False)


@icp_app.command()
def history(
    name: Annotated[str, typer.Argument(help="The ICP lineage's name.")],
    store: StoreOption = None,
    json_out: JsonFlag = False,
) -> None:
    """The versions of one ICP lineage, each diff from its parent and the evidence behind it."""
    from rich.markup import escape

    from flows.commands.icp_refine import icp_history
    from flows.edges.store import resolve_store_path

    with one_line_errors():
        versions = icp_history(resolve_store_path(store), name)
    if json_out:
        print_json(versions)
        return
    for v in versions:
        parent = "" if v["parent"] is None else f" (from v{v['parent']})"
        console.print(
            f"[bold]{escape(name)} v{v['version']}[/]{parent}, recorded {v['recorded_at'][:19]}", highlight=False
        )
        for line in v["changes"]:
            console.print(f"  {escape(line)}", highlight=False)
        for item in v["evidence"]:
            text = item.get("text", item) if isinstance(item, dict) else item
            label = item.get("criterion", "") if isinstance(item, dict) else ""
            console.print(
                f"    evidence{' for ' + escape(label) if label else ''}: {escape(str(text))}", highlight=False
            )
