"""`outbound icp derive`: an ICP from the best and worst customers (or won and lost deals), with its evidence."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from flows.commands.request import InputFile, Request
from flows.edges.inputs import accounts_layout, check_universe, load_facts_spec, read_universe
from flows.runner import IN_PROCESS, Runner
from targeting.errors import InputError
from targeting.icp.prevalence import attributes_that_matter

SHOWN_ATTRIBUTES = 25


class DeriveRequest(Request):
    """What `outbound icp derive` was asked to do; validated before any flow starts."""

    accounts: InputFile
    out: Path
    customers: InputFile | None = None
    deals: InputFile | None = None
    name: str | None = None
    preset: str = "canonical"
    column_map: InputFile | None = None
    facts: InputFile | None = None


@dataclass(frozen=True)
class DeriveInputs:
    """The universe with its facts and the best and worst accounts, read and checked once."""

    universe: pl.LazyFrame
    counts: dict[str, int]
    labels: Any  # targeting.importing.customers.Labels


def load_derive_inputs(request: DeriveRequest, runner: Runner = IN_PROCESS) -> DeriveInputs:
    """Check every input and read the universe and the labels: a refusal is one line before any flow starts.

    Raises:
        InputError: not exactly one of customers or deals, not a .yaml --out, a file that cannot be
            imported, or too few best or worst accounts among the universe's.
    """
    from targeting.icp.derive import check_label_counts
    from targeting.importing.customers import parse_customers, read_customers
    from targeting.importing.deals import labels_from_deals, parse_deals, read_deals

    if (request.customers is None) == (request.deals is None):
        raise InputError(
            "give exactly one of --customers (best vs worst customers) or --deals (won vs lost)",
            field="--customers/--deals",
        )
    if request.out.suffix.lower() not in (".yaml", ".yml"):
        raise InputError("the derived ICP is written as YAML: give a .yaml path", field="--out", value=str(request.out))
    if request.customers is not None:
        parse_customers(request.customers)
    else:
        table, _ = parse_deals(request.deals)
        require_both_outcomes(table, request.deals)
    universe, counts = held_universe(request, runner)
    if request.customers is not None:
        labels = runner.step(read_customers)(request.customers, universe)
    else:
        labels = labels_from_deals(runner.step(read_deals)(request.deals, universe))
    names = ("won", "lost") if labels.source == "deals" else ("best", "worst")
    check_label_counts(labels.count("best"), labels.count("worst"), *names, labels.source)
    return DeriveInputs(universe, counts, labels)


def run_derive(request: DeriveRequest, inputs: DeriveInputs, runner: Runner) -> dict[str, Any]:
    """Derive the ICP, write it, and return the summary."""
    from targeting.icp.derive import derive_from_labels
    from targeting.icp.derive_text import derived_icp_text
    from targeting.icp.spec import parse_icp

    labels = inputs.labels
    source_file = request.customers or request.deals
    name = request.name or f"derived-from-{source_file.stem}"
    derivation = runner.step(derive_from_labels)(
        inputs.universe, labels.labels, how=labels.how, source=labels.source, name=name
    )
    text = derived_icp_text(derivation)
    if parse_icp(text, path=request.out) != derivation.spec:  # the file must say what was derived
        raise RuntimeError("the derived ICP does not read back as itself")
    runner.step(write_text)(text, request.out)
    summary = derivation_summary(derivation, labels, inputs.counts, request.out)
    runner.publish_markdown(
        "icp-derivation", derivation_markdown(summary), f"ICP {name} derived from {source_file.name}"
    )
    return summary


def held_universe(request: Any, runner: Runner = IN_PROCESS) -> tuple[pl.LazyFrame, dict[str, int]]:
    """The universe with its facts, held (every later step reads it several times), and its counts."""
    layout = accounts_layout(request.preset, request.column_map)
    check_universe(request.accounts, layout)
    read = read_universe(request.accounts, layout, load_facts_spec(request.facts), runner)
    imported = read.imported
    counts = {
        "rows_read": imported.rows_read,
        "rejected": imported.rejected.height,
        "duplicates": imported.duplicates,
        "folded": imported.folded,
        "universe": imported.universe,
    }
    return read.accounts.collect().lazy(), counts


def require_both_outcomes(table: pl.DataFrame, path: Path) -> None:
    """Refuse a deals file without both a won and a lost deal: the two are compared."""
    for outcome in ("won", "lost"):
        if not (table["outcome"] == outcome).any():
            raise InputError(
                f"no {outcome} deal in the file ({table.height} deals): won and lost are compared",
                path=path,
                field="outcome",
            )


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
