"""The drafting flow: classify contacts, build grounded drafts, check them, write them and the exports."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl
from pydantic import BaseModel

from flows.edges.files import check_targets, read_targets, write_csv
from flows.edges.model_server import LlmRequest, progress_bar, store_cache
from flows.runner import as_step, publish_markdown
from targeting.errors import InputError
from targeting.icp.spec import IcpSpec, load_icp
from targeting.importing.canonical import check_importable, import_contacts
from targeting.importing.presets import ColumnMap, load_column_map
from targeting.importing.suppression import read_suppression

if TYPE_CHECKING:
    from messaging.composing.copy_blocks import MessagingSpec
    from messaging.composing.sender import Sender
    from messaging.composing.templates import TemplateSet
    from messaging.contacts.persona_rules import PersonaRules


class DraftRequest(BaseModel):
    """What `outbound draft` was asked to do; the workspace files are resolved before a flow starts."""

    targets: Path
    contacts: Path
    out: Path
    icp: Path
    personas: Path | None = None
    messaging: Path | None = None
    sender: Path | None = None
    templates: Path | None = None
    preset: str = "canonical"
    column_map: Path | None = None
    allow_role: bool = False
    allow_free_mail: bool = False
    suppress: list[Path] = []
    steps: int = 3
    allow_sample_sender: bool = False
    # Set by `--llm` (checked by `flows.edges.model_server.model_or_none` before any flow starts); None drafts on templates.
    llm: LlmRequest | None = None
    store: Path | None = None


def resolve_draft_request(
    targets: Path, contacts: Path, out: Path, *, icp: Path | None, workspace: Path, **options: Any
) -> DraftRequest:
    """Fill each unset spec from the workspace (else the shipped default) and the ICP from the targets.

    Raises:
        InputError: a file is missing, or no ICP was given and none sits beside the targets.
    """
    for label, path in [("--targets", targets), ("--contacts", contacts)]:
        if not path.exists():
            raise InputError(f"{label} file not found", path=path)
    check_targets(targets)
    if icp is None:
        icp = targets.parent / "icp.yaml"
        if not icp.exists():
            raise InputError(
                "no --icp given and no icp.yaml beside the targets (written by `outbound target`)", path=icp
            )
    for name in ("personas", "messaging", "sender"):
        if options.get(name) is None and (workspace / f"{name}.yaml").exists():
            options[name] = workspace / f"{name}.yaml"
    if options.get("templates") is None and (workspace / "templates").is_dir():
        options["templates"] = workspace / "templates"
    return DraftRequest(targets=targets, contacts=contacts, out=out, icp=icp, **options)


@dataclass(frozen=True)
class DraftInputs:
    """Every spec and template a drafting run reads, loaded and checked once by `load_draft_inputs`."""

    icp: IcpSpec
    persona_rules: PersonaRules
    messaging: MessagingSpec
    sender: Sender
    templates: TemplateSet
    column_map: ColumnMap | None
    suppressed: list[str]


def load_draft_inputs(request: DraftRequest) -> DraftInputs:
    """Load and check every spec and template, once.

    The command calls this before a flow starts, so a broken spec or template is one line, not a
    traceback; the in-process run uses what it returns, and the flow (started with plain paths)
    calls it inside. `load_templates` dry-renders each template against the run's sender; here they
    are only checked to cover every step of every persona the ICP drafts.

    Raises:
        InputError: a spec does not validate, a template is broken or missing, or the contacts
            cannot be imported.
    """
    from messaging.composing.copy_blocks import load_messaging
    from messaging.composing.sender import load_sender, refuse_sample_sender
    from messaging.composing.templates import load_templates, require_steps
    from messaging.contacts.classify import load_persona_rules

    column_map = load_column_map(request.column_map) if request.column_map else None
    check_importable(request.contacts, "contact", preset=request.preset, column_map=column_map)
    icp = load_icp(request.icp)
    persona_rules = load_persona_rules(request.personas)
    messaging = load_messaging(request.messaging)
    sender = load_sender(request.sender)
    templates = load_templates(request.templates, sender=sender)
    require_steps(templates, list(icp.personas), steps=request.steps)
    # Last, so a broken spec is reported first; still before any flow starts or file is written.
    refuse_sample_sender(sender, allow=request.allow_sample_sender, path=request.sender)
    return DraftInputs(
        icp=icp,
        persona_rules=persona_rules,
        messaging=messaging,
        sender=sender,
        templates=templates,
        column_map=column_map,
        suppressed=suppressed_keys(request.suppress),
    )


def run_drafting(
    request: DraftRequest, inputs: DraftInputs, *, use_prefect: bool, quiet: bool = False
) -> dict[str, Any]:
    """Run the drafting steps (as Prefect tasks when `use_prefect`) and write the outputs.

    Args:
        request: The files and options.
        inputs: The specs and templates `load_draft_inputs` loaded from `request`.
        use_prefect: Run each step as a task (inside a flow run).
        quiet: No progress bar (with --json).

    Returns:
        The drafting summary printed by the command; with `--llm`, `llm` holds the model run's
        totals (model drafts, cache hits, fallbacks by reason, calls, tokens, cost).
    """
    from flows.edges.store import ledger_emails  # DuckDB, imported once the inputs are known good
    from messaging.drafts import build_drafts

    step = as_step(use_prefect)
    contacts = step(import_contacts)(request.contacts, preset=request.preset, column_map=inputs.column_map)
    targets = read_targets(request.targets)
    drafter = model_drafter(request, inputs)
    with progress_bar(0, what="drafting", quiet=quiet or use_prefect or drafter is None) as progress:
        result = step(build_drafts)(
            targets,
            contacts.contacts,
            personas=list(inputs.icp.personas),
            persona_rules=inputs.persona_rules,
            messaging=inputs.messaging,
            sender=inputs.sender,
            templates=inputs.templates,
            allow_role=request.allow_role,
            allow_free_mail=request.allow_free_mail,
            suppressed=[
                *inputs.suppressed,
                *ledger_emails(contacts.contacts, request.store),
            ],  # and the store's suppression ledger
            steps=request.steps,
            drafter=drafter,
            progress=progress,
        )
    step(write_draft_outputs)(result.drafts, result.skipped, contacts.rejected, request.out)
    summary = summarize_drafts(
        result.drafts, result.skipped, contacts_read=contacts.rows_read, duplicates=contacts.duplicates
    ) | {"sender": inputs.sender.summary()}
    if request.llm is not None:
        summary["llm"] = llm_summary(request.llm, result.stats, result.usage)
    if use_prefect:
        publish_markdown(
            "draft-samples",
            samples_markdown(result.drafts, result.usage, summary.get("llm")),
            "One sample first-touch draft per persona",
        )
    return summary


def model_drafter(request: DraftRequest, inputs: DraftInputs):
    """The OpenAI drafter `--llm` asked for, caching in the store; None for templates."""
    if request.llm is None:
        return None
    from messaging.drafting.model import ModelSettings, OpenAIDrafter

    settings = ModelSettings(**request.llm.model_dump())
    return OpenAIDrafter(settings, inputs.sender, cache=store_cache(request.store))


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


def suppressed_keys(paths: list[Path]) -> list[str]:
    """Every email, domain and account id on the do-not-contact lists, lower case."""
    if not paths:
        return []
    return read_suppression(paths)["key"].str.to_lowercase().unique().sort().to_list()


def write_draft_outputs(drafts: pl.DataFrame, skipped: pl.DataFrame, rejected: pl.DataFrame, out: Path) -> list[Path]:
    """Write drafts.parquet/.csv, skipped.csv (rejected contact rows included), review.csv (the gated
    drafts) and one export per tool (gated contacts left out)."""
    from messaging.checks.gate import review_rows
    from messaging.exports import FORMATS, export_campaign, write_export_csv

    out.mkdir(parents=True, exist_ok=True)
    drafts.write_parquet(out / "drafts.parquet")
    paths = [out / "drafts.parquet", write_csv(drafts, out / "drafts.csv")]
    unusable = rejected.select(
        pl.lit(None, pl.String).alias("contact_id"),
        pl.lit(None, pl.String).alias("account_id"),
        pl.lit(None, pl.String).alias("email"),
        pl.format("row {} unusable: {} ({}={})", "source_row", "reason", "column", "value").alias("reason"),
    )
    paths.append(write_csv(pl.concat([skipped.select(unusable.columns), unusable]), out / "skipped.csv"))
    paths.append(write_csv(review_rows(drafts), out / "review.csv"))
    for fmt in FORMATS:
        path = out / "exports" / f"{fmt}.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        write_export_csv(export_campaign(drafts, fmt), path)
        paths.append(path)
    return paths


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
