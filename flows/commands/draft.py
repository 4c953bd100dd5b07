"""The drafting flow: classify contacts, build grounded drafts, check them, write them and the exports."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from flows.commands.request import InputFile, Request
from flows.edges.files import (
    DRAFT_SUMMARY,
    check_targets,
    file_set,
    read_targets,
    write_csv,
    write_json,
    write_parquet,
)
from flows.edges.inputs import (
    Layout,
    check_contacts,
    contacts_layout,
    contacts_read,
    read_contacts,
    suppressed_keys,
)
from flows.edges.model_server import LlmRequest, progress_bar, store_cache
from flows.edges.workspace import CopySpecs, load_copy_specs
from flows.runner import Runner
from targeting.errors import InputError
from targeting.facts import load_facts
from targeting.icp.spec import IcpSpec, load_icp

SPECS = ("personas", "messaging", "sender")


if TYPE_CHECKING:
    from messaging.composing.sender import Sender


class DraftRequest(Request):
    """What `outbound draft` was asked to do; an unset spec is the workspace's, else the shipped default."""

    targets: InputFile
    contacts: InputFile
    out: Path
    icp: InputFile | None = None  # default: the icp.yaml `outbound target` wrote beside the targets
    personas: InputFile | None = None
    messaging: InputFile | None = None
    sender: InputFile | None = None
    templates: InputFile | None = None
    # The contacts' preset and map; `contacts_preset` and `contacts_map` are the newer names of the two.
    preset: str | None = None
    column_map: InputFile | None = None
    allow_role: bool = False
    allow_free_mail: bool = False
    suppress: list[InputFile] = []
    steps: int = 3
    allow_sample_sender: bool = False
    allow_sample_copy: bool = False
    # Set by `--llm` (checked by `flows.edges.model_server.model_or_none` before any flow starts).
    llm: LlmRequest | None = None
    store: Path | None = None
    workspace: Path = Path(".")
    contacts_preset: str | None = None
    contacts_map: InputFile | None = None


@dataclass(frozen=True)
class DraftInputs:
    """Every spec and template a drafting run reads, loaded and checked once by `load_draft_inputs`."""

    icp: IcpSpec
    copy: CopySpecs
    contacts: Layout
    suppressed: list[str]


def load_draft_inputs(request: DraftRequest) -> DraftInputs:
    """Load and check every spec and template, once.

    The command calls this before a flow starts, so a broken spec or template is one line, not a
    traceback; the in-process run uses what it returns, and the flow (started with plain paths)
    calls it inside. The templates are dry-rendered against the run's sender as they load; here they
    are only checked to cover every step of every persona the ICP drafts.

    Raises:
        InputError: no ICP, a spec does not validate, a template is broken or missing, or the
            contacts cannot be imported.
    """
    from messaging.composing.templates import require_steps

    check_targets(request.targets)
    layout = contacts_layout(
        request.contacts, request.contacts_preset or request.preset, request.contacts_map or request.column_map
    )
    check_contacts(request.contacts, layout)
    icp = load_icp(icp_file(request))
    copy = load_copy_specs(
        request.workspace,
        personas=request.personas,
        messaging=request.messaging,
        sender=request.sender,
        templates=request.templates,
    )
    require_steps(copy.templates, list(icp.personas), steps=request.steps)
    # Last, so a broken spec is reported first; still before any flow starts or file is written.
    facts_file = request.workspace / "facts.yaml"
    copy.refuse_sample(
        load_facts(facts_file if facts_file.exists() else None),
        allow_sender=request.allow_sample_sender,
        allow_copy=request.allow_sample_copy,
    )
    return DraftInputs(icp=icp, copy=copy, contacts=layout, suppressed=suppressed_keys(request.suppress))


def icp_file(request: DraftRequest) -> Path:
    """The ICP whose personas are drafted: `--icp`, else the one beside the targets.

    Raises:
        InputError: neither is there.
    """
    if request.icp is not None:
        return request.icp
    beside = request.targets.parent / "icp.yaml"
    if not beside.exists():
        raise InputError(
            "no --icp given and no icp.yaml beside the targets (written by `outbound target`)", path=beside
        )
    return beside


def run_draft(request: DraftRequest, inputs: DraftInputs, runner: Runner, *, quiet: bool = False) -> dict[str, Any]:
    """Run the drafting steps and write the outputs.

    Args:
        request: The files and options.
        inputs: The specs and templates `load_draft_inputs` loaded from `request`.
        runner: How the steps run.
        quiet: No progress bar (with --json).

    Returns:
        The drafting summary printed by the command; with `--llm`, `llm` holds the model run's
        totals (model drafts, cache hits, fallbacks by reason, calls, tokens, cost).
    """
    from flows.edges.store import ledger_emails  # DuckDB, imported once the inputs are known good
    from messaging.drafts import build_drafts

    contacts = read_contacts(request.contacts, inputs.contacts, runner)
    targets = read_targets(request.targets)
    drafter = model_drafter(request, inputs)
    with progress_bar(0, what="drafting", quiet=quiet or runner.in_flow_run or drafter is None) as progress:
        result = runner.step(build_drafts)(
            targets,
            contacts.contacts,
            personas=list(inputs.icp.personas),
            persona_rules=inputs.copy.persona_rules,
            messaging=inputs.copy.messaging,
            sender=inputs.copy.sender,
            templates=inputs.copy.templates,
            allow_role=request.allow_role,
            allow_free_mail=request.allow_free_mail,
            suppressed=[*inputs.suppressed, *ledger_emails(contacts.contacts, request.store)],  # and the ledger
            steps=request.steps,
            drafter=drafter,
            progress=progress,
            messaging_file=inputs.copy.messaging_file,
        )
    summary = summarize_drafts(
        result.drafts, result.skipped, contacts_read=contacts.rows_read, duplicates=contacts.duplicates
    ) | {
        "sender": inputs.copy.sender.summary(),
        # How good the batch is before it is sent (messaging.checks.batch).
        **batch_summary(result.drafts, inputs.copy.sender),
        # messaging.yaml key lines using a placeholder some accounts lack: they got another line.
        "line_fallbacks": result.line_fallbacks,
        **contacts_read(contacts, request.contacts, inputs.contacts),
    }
    if request.llm is not None:
        summary["llm"] = llm_summary(request.llm, result.stats, result.usage)
    runner.step(write_draft_outputs)(result.drafts, result.skipped, contacts.rejected, request.out, summary)
    runner.publish_markdown(
        "draft-samples",
        samples_markdown(result.drafts, result.usage, summary.get("llm")),
        "One sample first-touch draft per persona",
    )
    return summary


def batch_summary(drafts: pl.DataFrame, sender: Sender) -> dict[str, Any]:
    """`with_account_fact`, `most_repeated_sentence` and `claims` of the run (`drafting_summary`)."""
    from messaging.checks.batch import drafting_summary

    batch = drafting_summary(drafts, sender)
    return {key: batch[key] for key in ("with_account_fact", "most_repeated_sentence", "claims")}


def model_drafter(request: DraftRequest, inputs: DraftInputs):
    """The OpenAI drafter `--llm` asked for, caching in the store; None for templates."""
    if request.llm is None:
        return None
    from messaging.drafting.model import ModelSettings, OpenAIDrafter

    settings = ModelSettings(**request.llm.model_dump())
    return OpenAIDrafter(settings, inputs.copy.sender, cache=store_cache(request.store))


def llm_summary(llm: LlmRequest, stats: dict[str, Any], usage: pl.DataFrame | None) -> dict[str, Any]:
    """The model run's totals, its settings and the mean tokens and cost per draft."""
    from messaging.drafting.pricing import known_price

    drafts = usage.height if usage is not None else 0
    per_draft = (
        usage.select(pl.col("tokens_in").mean(), pl.col("tokens_out").mean(), pl.col("cost_usd").mean()).row(0)
        if drafts
        else (0, 0, 0)
    )
    price = known_price(llm.model, llm.price_in, llm.price_out)
    return {
        "model": llm.model,
        "api": llm.api,
        "price_per_1m": list(price) if price else None,
        "max_cost": llm.max_cost,
        **stats,
        "per_draft": {
            "tokens_in": round(per_draft[0] or 0, 1),
            "tokens_out": round(per_draft[1] or 0, 1),
            "cost_usd": round(per_draft[2] or 0, 8),
        },
    }


def write_draft_outputs(
    drafts: pl.DataFrame, skipped: pl.DataFrame, rejected: pl.DataFrame, out: Path, summary: dict[str, Any]
) -> list[Path]:
    """Write drafts.parquet/.csv, skipped.csv (rejected contact rows included), review.csv (the gated
    drafts), one export per tool (gated contacts left out) and, last, draft_summary.json (`summary`).

    The set is written whole under temporary names, then renamed into place, the summary last: a run
    killed while it writes leaves the previous set, and every reader of the folder checks drafts.parquet
    and drafts.csv against the summary's count (`flows.edges.files.check_drafts`).
    """
    from messaging.checks.gate import review_rows
    from messaging.exports import FORMATS, export_campaign, write_export_csv

    paths = [out / "drafts.parquet", out / "drafts.csv", out / "skipped.csv", out / "review.csv"]
    paths += [out / "exports" / f"{fmt}.csv" for fmt in FORMATS]
    with file_set(out) as stage:
        write_parquet(drafts, stage(paths[0]))
        write_csv(drafts, stage(paths[1]))
        unusable = rejected.select(
            pl.lit(None, pl.String).alias("contact_id"),
            pl.lit(None, pl.String).alias("account_id"),
            pl.lit(None, pl.String).alias("email"),
            pl.format("row {} unusable: {} ({}={})", "source_row", "reason", "column", "value").alias("reason"),
        )
        write_csv(pl.concat([skipped.select(unusable.columns), unusable]), stage(paths[2]))
        write_csv(review_rows(drafts), stage(paths[3]))
        for fmt, path in zip(FORMATS, paths[4:], strict=True):
            write_export_csv(export_campaign(drafts, fmt), stage(path))
        write_json(summary, stage(out / DRAFT_SUMMARY))
    return [*paths, out / DRAFT_SUMMARY]


def summarize_drafts(
    drafts: pl.DataFrame, skipped: pl.DataFrame, *, contacts_read: int, duplicates: int
) -> dict[str, Any]:
    """Counts a person checks after drafting: who was drafted, who was not and why, what to review.

    contacts_read = contacts_drafted + skipped (unusable rows included) + duplicates (rows repeating
    an earlier contact in the file, folded at import).
    """
    from messaging.checks.gate import draft_gated

    drafted = drafts.select("contact_id", "persona").unique()
    issue_kinds = (
        drafts.select(pl.col("issues").list.explode().str.extract(r"^([a-z_]+)").alias("kind"))
        .drop_nulls()
        .group_by("kind")
        .len()
        .sort("len", descending=True)
    )
    with_issues = drafts.filter(pl.col("issues").list.len() > 0).height
    gated = drafts.filter(draft_gated())
    return {
        "contacts_read": contacts_read,
        "duplicates": duplicates,
        "contacts_drafted": drafted.height,
        "drafts": drafts.height,
        "by_persona": dict(drafted.group_by("persona").len().sort("persona").iter_rows()),
        "unclassified": skipped.filter(pl.col("reason").str.starts_with("persona unclassified")).height,
        "skipped": skipped.height,
        "skipped_by_reason": _count_by_reason(skipped),
        "drafts_with_issues": with_issues,
        "issues_by_kind": dict(issue_kinds.iter_rows()),
        # Held back from every export, listed in review.csv: error-level issues.
        "drafts_gated": gated.height,
        "contacts_gated": gated["contact_id"].n_unique(),
        "samples": first_touch_per_persona(drafts).head(3).select("persona", "email", "subject", "body").to_dicts(),
    }


def _count_by_reason(skipped: pl.DataFrame) -> dict[str, int]:
    # "free mail domain (gmail.com)" and "... (yahoo.com)" are one reason; the detail stays in skipped.csv.
    reason = pl.col("reason").str.replace(r" \([^)]*\)$", "")
    return dict(skipped.group_by(reason).len().sort("len", "reason", descending=[True, False]).iter_rows())


def first_touch_per_persona(drafts: pl.DataFrame) -> pl.DataFrame:
    """The first-step draft of the lowest contact_id in each persona: the samples a person reads."""
    first = drafts.filter(pl.col("step") == 1).sort("contact_id")
    return first.unique("persona", keep="first", maintain_order=True)


def samples_markdown(drafts: pl.DataFrame, usage: pl.DataFrame | None = None, llm: dict[str, Any] | None = None) -> str:
    """One first-touch draft per persona, as markdown for the `draft-samples` artifact.

    With a model run, each sample says where it came from and its tokens and cost, and the run's
    totals come first.
    """
    first = first_touch_per_persona(drafts)
    if usage is not None:
        first = first.join(usage.drop("source"), on=["contact_id", "step"], how="left", maintain_order="left")
    parts = []
    if llm is not None:
        parts.append(
            f"Model `{llm['model']}` ({llm['api']}): {llm['model_drafts']} model drafts, {llm['cache_hits']} from "
            f"the cache, {llm['fallbacks']} template fallbacks; {llm['calls']} calls, {llm['tokens_in']:,} tokens in, "
            f"{llm['tokens_out']:,} out, ${llm['cost_usd']:.4f}."
        )
    for row in first.iter_rows(named=True):
        head = f"## {row['persona']} ({row['email']})"
        if usage is not None:
            why = f", {row['fallback_reason']}" if row.get("fallback_reason") else ""
            why += " (from the cache)" if row.get("cached") else ""
            head += (
                f"\n\n_{row['source']}{why}; {row['tokens_in'] or 0} tokens in, {row['tokens_out'] or 0} out, "
                f"${row['cost_usd'] or 0:.5f}_"
            )
        parts.append(f"{head}\n\n**{row['subject']}**\n\n```\n{row['body']}\n```")
    return "\n\n".join(parts) or "_No drafts._"
