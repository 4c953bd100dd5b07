"""`outbound icp backtest`: how well an ICP's tiers and score would have separated deals won from lost."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from flows.commands.icp_derive import held_universe, require_both_outcomes
from flows.commands.request import Day, InputFile, Request
from flows.runner import IN_PROCESS, Runner
from targeting.errors import InputError
from targeting.icp.spec import IcpSpec, load_icp


class BacktestRequest(Request):
    """What `outbound icp backtest` was asked to do; validated before any flow starts."""

    icp: InputFile
    accounts: InputFile
    deals: InputFile
    split: Day | None = None
    preset: str = "canonical"
    column_map: InputFile | None = None
    as_of: Day | None = None
    facts: InputFile | None = None


@dataclass(frozen=True)
class BacktestInputs:
    """The ICP, the universe with its facts and the deals matched to it, read and checked once."""

    spec: IcpSpec
    universe: pl.LazyFrame
    deals: Any  # targeting.importing.deals.Deals


def load_backtest_inputs(request: BacktestRequest, runner: Runner = IN_PROCESS) -> BacktestInputs:
    """Check every input and read the universe and the deals: a refusal is one line before any flow starts.

    Raises:
        InputError: a spec or file that cannot be used, no won or no lost deal among the universe's
            accounts, or a split date outside the deals' closing dates.
    """
    from targeting.importing.deals import parse_deals, read_deals

    spec = load_icp(request.icp)
    table, _ = parse_deals(request.deals)
    require_both_outcomes(table, request.deals)
    if request.split is not None:
        closed = table.filter(pl.col("outcome") != "open")["closed_at"].drop_nulls()
        if closed.is_empty():
            raise InputError(
                "a split needs closing dates, and no closed deal has a closed_at",
                path=request.deals,
                field="--split",
                value=request.split.isoformat(),
            )
        if not closed.min() < request.split <= closed.max():
            raise InputError(
                f"split date outside the deals' closing dates ({closed.min()} to {closed.max()})",
                field="--split",
                value=request.split.isoformat(),
            )
    universe, _ = held_universe(request, runner)
    deals = runner.step(read_deals)(request.deals, universe)
    for outcome in ("won", "lost"):
        if not deals.count(outcome):
            raise InputError(
                f"no {outcome} deal among the {deals.deals.height} closed deals of universe accounts",
                path=request.deals,
                field="outcome",
            )
    return BacktestInputs(spec, universe, deals)


def run_backtest(request: BacktestRequest, inputs: BacktestInputs, runner: Runner) -> dict[str, Any]:
    """Backtest the ICP on the closed deals and return the summary."""
    from targeting.icp.backtest import backtest_on_deals

    spec, deals = inputs.spec, inputs.deals
    summary = runner.step(backtest_on_deals)(
        inputs.universe, spec, deals.deals, split=request.split, as_of=request.as_of
    )
    summary = {
        **summary,
        "open": deals.open,
        "unmatched": deals.unmatched,
        "unmatched_examples": deals.unmatched_examples,
        "rows_read": deals.rows_read,
        "warnings": [*deals.warnings, *summary["warnings"]],
    }
    runner.publish_markdown("icp-backtest", backtest_markdown(summary), f"Backtest of ICP {spec.name} v{spec.version}")
    return summary


def backtest_markdown(summary: dict[str, Any]) -> str:
    """The `icp-backtest` artifact: win rate by tier, the AUC and its interval, the review trigger."""
    sep = summary["separation"]
    lines = [
        f"# {summary['icp']} v{summary['version']} on {summary['deals']} closed deals",
        (
            f"AUC **{sep['auc']}** (95% bootstrap {sep['auc_low']}-{sep['auc_high']}); "
            f"{summary['won']} won, {summary['lost']} lost, {summary['open']} open left out."
        ),
        "",
        "| segment | deals | won | win rate | 95% CI |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| {r['segment']} | {r['deals']} | {r['won']} | {r['win_rate']:.0%} | {r['ci_low']:.0%}-{r['ci_high']:.0%} |"
        for r in summary["by_tier"]
    ]
    lines += [f"- warning: {w}" for w in summary["warnings"]]
    return "\n".join(lines)
