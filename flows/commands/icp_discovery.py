"""The ICP discovery flows: derive an ICP from customers or deals, backtest one on closed deals."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
from pydantic import BaseModel

from flows.runner import as_step, publish_markdown
from targeting.errors import InputError
from targeting.icp.prevalence import attributes_that_matter
from targeting.icp.spec import load_icp
from targeting.importing.canonical import check_importable, import_accounts
from targeting.importing.presets import load_column_map

SHOWN_ATTRIBUTES = 25


class DeriveRequest(BaseModel):
    """What `outbound icp derive` was asked to do; validated before any flow starts."""

    accounts: Path
    out: Path
    customers: Path | None = None
    deals: Path | None = None
    name: str | None = None
    preset: str = "canonical"
    column_map: Path | None = None


class BacktestRequest(BaseModel):
    """What `outbound icp backtest` was asked to do; validated before any flow starts."""

    icp: Path
    accounts: Path
    deals: Path
    split: date | None = None
    preset: str = "canonical"
    column_map: Path | None = None
    as_of: date | None = None


def _require(path: Path | None, label: str) -> None:
    if path is not None and not path.exists():
        raise InputError(f"{label} file not found", path=path)


def validate_derive_request(request: DeriveRequest) -> None:
    """Check every input before a flow starts: files, the column map, the outcome file's cells."""
    from targeting.importing.customers import parse_customers
    from targeting.importing.deals import parse_deals

    if (request.customers is None) == (request.deals is None):
        raise InputError(
            "give exactly one of --customers (best vs worst customers) or --deals (won vs lost)",
            field="--customers/--deals",
        )
    _require(request.accounts, "--accounts")
    _require(request.customers, "--customers")
    _require(request.deals, "--deals")
    _require(request.column_map, "--map")
    if request.out.suffix.lower() not in (".yaml", ".yml"):
        raise InputError("the derived ICP is written as YAML: give a .yaml path", field="--out", value=str(request.out))
    column_map = load_column_map(request.column_map) if request.column_map is not None else None
    check_importable(request.accounts, "account", preset=request.preset, column_map=column_map)
    if request.customers is not None:
        parse_customers(request.customers)
    else:
        table, _ = parse_deals(request.deals)
        _require_both_outcomes(table, request.deals)


def check_labels_before_flow(request: DeriveRequest) -> None:
    """Match the outcome file to the universe and count each side, so a refusal is one line, not a failed run.

    Only for a flow run: in-process the same checks raise from the steps themselves.
    """
    from targeting.icp.derive import check_label_counts
    from targeting.importing.customers import read_customers
    from targeting.importing.deals import labels_from_deals, read_deals

    universe, _ = read_universe(request.accounts, request.preset, request.column_map)
    if request.customers is not None:
        labels = read_customers(request.customers, universe)
    else:
        labels = labels_from_deals(read_deals(request.deals, universe))
    names = ("won", "lost") if labels.source == "deals" else ("best", "worst")
    check_label_counts(labels.count("best"), labels.count("worst"), *names, labels.source)


def check_deals_before_flow(request: BacktestRequest) -> None:
    """Match the deals to the universe and require won and lost among them (for a flow run, as above)."""
    from targeting.importing.deals import read_deals

    universe, _ = read_universe(request.accounts, request.preset, request.column_map)
    deals = read_deals(request.deals, universe)
    for outcome in ("won", "lost"):
        if not deals.count(outcome):
            raise InputError(
                f"no {outcome} deal among the {deals.deals.height} closed deals of universe accounts",
                path=request.deals,
                field="outcome",
            )


def validate_backtest_request(request: BacktestRequest) -> None:
    """Check every input before a flow starts: files, the ICP, the deals' cells, outcomes and split date."""
    from targeting.importing.deals import parse_deals

    for path, label in (
        (request.icp, "--icp"),
        (request.accounts, "--accounts"),
        (request.deals, "--deals"),
        (request.column_map, "--map"),
    ):
        _require(path, label)
    column_map = load_column_map(request.column_map) if request.column_map is not None else None
    load_icp(request.icp)
    check_importable(request.accounts, "account", preset=request.preset, column_map=column_map)
    table, _ = parse_deals(request.deals)
    _require_both_outcomes(table, request.deals)
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


def _require_both_outcomes(table: pl.DataFrame, path: Path) -> None:
    for outcome in ("won", "lost"):
        if not (table["outcome"] == outcome).any():
            raise InputError(
                f"no {outcome} deal in the file ({table.height} deals): won and lost are compared",
                path=path,
                field="outcome",
            )


def read_universe(accounts: Path, preset: str, column_map: Path | None) -> tuple[pl.LazyFrame, dict[str, int]]:
    """The canonical accounts, read once (every later step reads them several times), and their counts."""
    mapping = load_column_map(column_map) if column_map is not None else None
    universe = import_accounts(accounts, preset=preset, column_map=mapping)
    counts = {
        "rows_read": universe.rows_read,
        "rejected": universe.rejected.height,
        "duplicates": universe.duplicates,
        "folded": universe.folded,
        "universe": universe.universe,
    }
    return universe.accounts.collect().lazy(), counts


def run_derivation(request: DeriveRequest, *, use_prefect: bool) -> dict[str, Any]:
    """Derive the ICP (as Prefect tasks when `use_prefect`), write it, and return the summary."""
    from targeting.icp.derive import derive_icp
    from targeting.icp.derive_text import derived_icp_text
    from targeting.icp.spec import parse_icp
    from targeting.importing.customers import read_customers
    from targeting.importing.deals import labels_from_deals, read_deals

    step = as_step(use_prefect)
    universe, counts = step(read_universe)(request.accounts, request.preset, request.column_map)
    if request.customers is not None:
        labels = step(read_customers)(request.customers, universe)
        source_file = request.customers
    else:
        labels = labels_from_deals(step(read_deals)(request.deals, universe))
        source_file = request.deals
    name = request.name or f"derived-from-{source_file.stem}"
    derivation = step(derive_icp)(universe, labels.labels, how=labels.how, source=labels.source, name=name)
    text = derived_icp_text(derivation)
    if parse_icp(text, path=request.out) != derivation.spec:  # the file must say what was derived
        raise RuntimeError("the derived ICP does not read back as itself")
    step(write_text)(text, request.out)
    summary = derivation_summary(derivation, labels, counts, request.out)
    if use_prefect:
        publish_markdown("icp-derivation", derivation_markdown(summary), f"ICP {name} derived from {source_file.name}")
    return summary


def write_text(text: str, path: Path) -> Path:
    """Write `text` to `path`, creating the folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def derivation_summary(derivation: Any, labels: Any, counts: dict[str, int], out: Path) -> dict[str, Any]:
    """The JSON summary of a derivation: who was compared, each rule's evidence, the list it yields."""
    spec = derivation.spec
    evidence = [e.as_dict() for e in derivation.evidence]
    table = derivation.attributes
    shown = attributes_that_matter(table).head(SHOWN_ATTRIBUTES)
    attributes = [
        {
            "field": r["field"],
            "value": r["value"],
            "best": r["best"],
            "worst": r["worst"],
            "universe": r["universe"],
            "p_best": round(r["p_best"], 4),
            "p_worst": round(r["p_worst"], 4),
            "p_universe": round(r["p_universe"], 4),
            "lift": round(r["lift"], 2),
            "shrunk_lift": round(r["shrunk_lift"], 2),
            "worst_lift": round(r["worst_lift"], 2),
            "best_ci": [round(r["best_low"], 4), round(r["best_high"], 4)],
        }
        for r in shown.iter_rows(named=True)
    ]
    return {
        "icp": spec.name,
        "version": spec.version,
        "out": str(out),
        "source": derivation.source,
        "how": derivation.how,
        "best": derivation.n_best,
        "worst": derivation.n_worst,
        "universe": derivation.n_universe,
        "rows_read": labels.rows_read,
        "unmatched": labels.unmatched,
        "unmatched_examples": labels.unmatched_examples,
        "unlabelled": labels.unlabelled,
        "accounts": counts,
        "filters": [e for e in evidence if e["rule"].startswith("filters")],
        "disqualifiers": [e for e in evidence if e["rule"].startswith("disqualifiers")],
        "criteria": [
            e | {"points": c.points}
            for e, c in zip([e for e in evidence if e["rule"].startswith("scoring")], spec.scoring.criteria)
        ],
        "list_size": derivation.list_size,
        "by_tier": derivation.by_tier,
        "band": spec.target_size.model_dump(),
        "tiers": spec.scoring.tiers,
        "min_score": spec.scoring.min_score,
        "attributes": attributes,
        "warnings": [*labels.warnings, *derivation.warnings],
    }


def derivation_markdown(summary: dict[str, Any]) -> str:
    """The `icp-derivation` artifact: who was compared, the rules with their evidence, the warnings."""
    lines = [
        f"# {summary['icp']} v{summary['version']}: {summary['list_size']:,} accounts",
        f"{summary['how']}.",
        f"Band {summary['band']['min']:,}-{summary['band']['max']:,}; tiers {summary['tiers']}.",
        "",
    ]
    for section in ("filters", "disqualifiers", "criteria"):
        if summary[section]:
            lines.append(f"## {section}")
            lines += [
                f"- `{e['label']}`: best {e['best']}, worst {e['worst']}, universe {e['universe']}, "
                + (e.get("note") or f"lift {e['lift']} (shrunk {e['shrunk_lift']})")
                for e in summary[section]
            ]
    lines += [f"- warning: {w}" for w in summary["warnings"]]
    return "\n".join(lines)


def run_backtest(request: BacktestRequest, *, use_prefect: bool) -> dict[str, Any]:
    """Backtest the ICP on the closed deals (as Prefect tasks when `use_prefect`) and return the summary."""
    from targeting.icp.backtest import backtest_icp
    from targeting.importing.deals import read_deals

    step = as_step(use_prefect)
    spec = load_icp(request.icp)
    universe, _ = step(read_universe)(request.accounts, request.preset, request.column_map)
    deals = step(read_deals)(request.deals, universe)
    summary = step(backtest_icp)(universe, spec, deals.deals, split=request.split, as_of=request.as_of)
    summary = {
        **summary,
        "open": deals.open,
        "unmatched": deals.unmatched,
        "unmatched_examples": deals.unmatched_examples,
        "rows_read": deals.rows_read,
        "warnings": [*deals.warnings, *summary["warnings"]],
    }
    if use_prefect:
        publish_markdown("icp-backtest", backtest_markdown(summary), f"Backtest of ICP {spec.name} v{spec.version}")
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
