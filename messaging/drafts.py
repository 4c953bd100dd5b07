"""Targets + contacts -> a DraftSet: rendered, linted drafts and every contact not drafted, with why.

Who gets drafted (decided here, in this order; the first reason that applies is the one recorded):
1. a contact_id that is missing or repeats an earlier row -> skipped;
2. a suppressed contact (its email, or its account id or email domain, is on a do-not-contact
   list) -> skipped, so a suppressed contact is never drafted nor exported;
3. a contact whose account is not in the target list -> skipped;
4. a contact whose email is not sendable (role address, malformed, ...) -> skipped with the
   sendability reason, before its persona is looked at (info@ is a role address, not unclassified);
5. a contact in a persona the ICP does not list (or unclassified) -> skipped;
6. per account, the best `per_persona` contacts of each ICP persona are drafted (best: a verified
   email before catch-all/unknown, then contact_id for a stable choice); the rest are skipped, so
   one account does not get several near-identical first touches from the same angle. With
   `max_per_account`, an account's drafted contacts are cut further in the ICP's persona order.
Every input row therefore lands in exactly one of drafts (all its steps) or skipped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from messaging.checks.batch import batch_issues
from messaging.checks.lint import lint_drafts
from messaging.composing.copy_blocks import MessagingSpec, copy_blocks, line_fallbacks
from messaging.composing.render import render_drafts
from messaging.composing.sender import Sender
from messaging.composing.templates import TemplateSet, require_steps
from messaging.contacts.classify import (
    PersonaRules,
    buying_rank,
    classify_contacts,
    load_persona_rules,
    with_buying_functions,
)
from messaging.contacts.persona_rules import TECHNICAL_FUNCTIONS, buying_rules
from messaging.contacts.sendability import check_sendability
from messaging.drafting.seam import Drafter, Progress
from targeting.columns import ACCOUNT_SCHEMA
from targeting.identity import domain_keys, domain_suppressed_expr, email_key_expr, email_keys

DRAFT_COLUMNS = (
    "contact_id",
    "account_id",
    "email",
    "first_name",
    "last_name",
    "company",
    "persona",
    "step",
    "variant",
    "subject",
    "body",
    "facts_used",
    "issues",
    "email_flag",
    "source",
    "fallback_reason",
    # Appended (file formats stay stable): who the contact is and why it got its persona, for review.
    "title",
    "rule",
)
SKIPPED_COLUMNS = ("contact_id", "account_id", "email", "reason")
_ACCOUNT_FIELDS = (
    "name",
    "domain",
    "industry",
    # Firmographics and the description: the copy rests on them where no pain point is known.
    "employees",
    "country",
    "founded_year",
    "description",
    "tech_stack",
    "hiring_roles",
    "growth_signals",
    "pain_points",
    "prior_solutions",
)
_FLAG_ORDER = {"catch_all": 1, "unknown": 2}
# What a draft is made from: the contact's identity, its persona and its account's facts.
_DRAFTED_FROM = (
    "_row",
    "contact_id",
    "account_id",
    "email",
    "first_name",
    "last_name",
    "persona",
    "email_flag",
    "title",
    "rule",
    *_ACCOUNT_FIELDS,
)


@dataclass(frozen=True)
class DraftSet:
    """The drafts (one row per contact and step) and the contacts not drafted, with their reason."""

    drafts: pl.DataFrame
    skipped: pl.DataFrame
    # Per draft: source, tokens, cost and calls (None: drafted on templates only).
    usage: pl.DataFrame | None = None
    # The drafter's run totals (model drafts, cache hits, fallbacks and reasons, tokens, cost).
    stats: dict[str, object] = field(default_factory=dict)
    # messaging.yaml key lines using a placeholder some drafted accounts lack (they got another line).
    line_fallbacks: list[dict[str, object]] = field(default_factory=list)


def build_drafts(
    targets: pl.DataFrame | pl.LazyFrame,
    contacts: pl.DataFrame | pl.LazyFrame,
    *,
    personas: list[str],
    persona_rules: PersonaRules | None,
    messaging: MessagingSpec,
    sender: Sender,
    templates: TemplateSet,
    steps: int = 3,
    allow_role: bool = False,
    allow_free_mail: bool = False,
    per_persona: int = 1,
    max_per_account: int | None = None,
    suppressed: Sequence[str] = (),
    drafter: Drafter | None = None,
    progress: Progress | None = None,
    messaging_file: str | Path | None = None,
) -> DraftSet:
    """Draft every chosen contact's sequence from its account's facts.

    Plan (who, which step and variant) -> compose (copy blocks, the template draft) -> drafter
    (the template draft as it is, or a model's, checked, with the template draft as fallback)
    -> lint, whose error-level issues the gate holds back.

    Args:
        targets: The target list (canonical account columns; `account_id` at least).
        contacts: Canonical contacts. A frame that already has `persona` (from `outbound
            personas`) is not classified again, and one with `sendable` is not re-checked.
        personas: The ICP's personas, in priority order.
        persona_rules: The rules that classify titles (`messaging.contacts.classify.load_persona_rules`);
            None uses the shipped rules.
        messaging: The copy blocks spec.
        sender: Who is writing.
        templates: The loaded templates (`load_templates` dry-rendered each one; here they are
            only checked to cover every step of every persona drafted).
        steps: Emails per contact.
        allow_role: Draft role addresses (info@, sales@) too.
        allow_free_mail: Draft free-mail addresses (gmail.com, ...) too.
        per_persona: Contacts drafted per account and persona.
        max_per_account: Cap on contacts drafted per account (None: no cap).
        suppressed: Emails, domains and account ids never to draft (lower case).
        drafter: Who writes each (contact, step); None keeps the template drafts.
        progress: Called with the drafter's running totals as drafts complete.
        messaging_file: The workspace messaging.yaml `messaging` came from, named by the line check
            (`DraftSet.line_fallbacks`); None: the shipped file.

    Returns:
        A DraftSet; every input contact row is in exactly one of `.drafts` or `.skipped`.

    Raises:
        InputError: A template is missing for a persona and step.
    """
    require_steps(templates, personas, steps=steps)
    people = classified_contacts(
        contacts,
        persona_rules,
        allow_role=allow_role,
        allow_free_mail=allow_free_mail,
        buying_functions=sender.buying_functions,
    )
    # Collected once: both the skipped list and the drafted contacts read these decisions.
    decided = draft_decisions(
        people,
        targets,
        personas,
        per_persona=per_persona,
        max_per_account=max_per_account,
        suppressed=suppressed,
        buying_functions=sender.buying_functions or (),
    ).collect()
    skipped = decided.filter(pl.col("reason").is_not_null()).sort("_row").select(SKIPPED_COLUMNS)
    chosen = decided.lazy().filter(pl.col("reason").is_null()).select(_DRAFTED_FROM)
    # The account's raw lists are spent once the blocks exist; leave them out of the per-step rows.
    blocks = copy_blocks(chosen, messaging, solves=sender.solves).drop(_ACCOUNT_FIELDS)
    fallbacks = line_fallbacks(chosen, messaging, path=messaging_file, solves=sender.solves)
    rendered = render_drafts(blocks, templates, sender, steps=steps)
    drafts = rendered.sort("_row", "step").select(
        *DRAFT_COLUMNS[: DRAFT_COLUMNS.index("step")],
        pl.col("step").cast(pl.Int64),
        "variant",
        "subject",
        "body",
        "facts_used",
        pl.lit([], dtype=pl.List(pl.String)).alias("issues"),
        "email_flag",
        pl.lit("template").alias("source"),
        pl.lit(None, dtype=pl.String).alias("fallback_reason"),
        pl.col("title").cast(pl.String),
        pl.col("rule").cast(pl.String),
    )
    weak = rendered.select("contact_id", pl.col("step").cast(pl.Int64), "weak_claim")
    sample_copy = messaging.sample and not sender.sample
    if drafter is None or drafter.name == "template":
        checked = _batch_checked(lint_rendered_drafts(drafts, sender), sender, weak, sample_copy)
        return DraftSet(checked, skipped, line_fallbacks=fallbacks)
    from messaging.drafting.jobs import apply_drafter

    accounts = chosen.select("account_id", *_ACCOUNT_FIELDS).unique("account_id", keep="first").collect()
    drafts, usage = apply_drafter(drafts, accounts, drafter, progress)
    stats = getattr(drafter, "stats", None)
    linted = _batch_checked(lint_rendered_drafts(drafts, sender), sender, weak, sample_copy)
    return DraftSet(linted, skipped, usage, stats.as_dict() if stats else {}, line_fallbacks=fallbacks)


def _batch_checked(drafts: pl.DataFrame, sender: Sender, weak: pl.DataFrame, sample_copy: bool) -> pl.DataFrame:
    """The run-level warnings (repeated sentence, weak evidence, sample copy) appended to `issues`."""
    claims = drafts.select("contact_id", "step").join(
        weak, on=["contact_id", "step"], how="left", maintain_order="left"
    )
    return batch_issues(drafts, sender, sample_copy=sample_copy, weak=claims["weak_claim"])


def lint_rendered_drafts(drafts: pl.DataFrame, sender: Sender) -> pl.DataFrame:
    """Fill `issues` with the draft lint (footer, length, spam words, placeholders, facts)."""
    return lint_drafts(drafts, postal_address=sender.postal_address, opt_out_line=sender.opt_out_line)


def classified_contacts(
    contacts: pl.DataFrame | pl.LazyFrame,
    persona_rules: PersonaRules | None,
    *,
    allow_role: bool,
    allow_free_mail: bool,
    buying_functions: list[str] | None = None,
) -> pl.LazyFrame:
    """Contacts with persona and sendability columns, computed only where the frame lacks them.

    `buying_functions` (sender.yaml: the functions that buy the product) applies to both: titles
    are classified with those functions read as buyers (`buying_rules`), and a frame that arrives
    with `persona` has it re-read for the contacts of those functions (`with_buying_functions`).
    """
    people = contacts.lazy()
    names = people.collect_schema().names()
    rules = persona_rules or load_persona_rules()
    if buying_functions:
        # The product's own buyers (sender.yaml): a compliance product's Chief Compliance Officer buys.
        rules = buying_rules(rules, buying_functions)
    if "persona" not in names:
        people = classify_contacts(people, rules).lazy()
    elif buying_functions:
        people = with_buying_functions(people, buying_functions, persona_rules or load_persona_rules())
    if "sendable" not in names:
        people = check_sendability(people, allow_role=allow_role, allow_free_mail=allow_free_mail).lazy()
    names = people.collect_schema().names()
    extra = [
        pl.lit(None, dtype=pl.String).alias(c)
        for c in ("first_name", "last_name", "email", "skip_reason", "email_flag", "title", "rule")
        if c not in names
    ]
    return people.with_columns(extra)


def draft_decisions(
    people: pl.LazyFrame,
    targets: pl.DataFrame | pl.LazyFrame,
    personas: list[str],
    *,
    per_persona: int = 1,
    max_per_account: int | None = None,
    suppressed: Sequence[str] = (),
    buying_functions: Sequence[str] = (),
) -> pl.LazyFrame:
    """Every contact row with its account's facts, `_row` (input order) and `reason` (null: draft).

    Where an account has more contacts of a persona than `per_persona`, the ones drafted are those
    of a function that buys the product first (`buying_functions`, sender.yaml: a compliance
    product's Chief Compliance Officer before the CEO), then the best address, then contact_id.
    """
    accounts = _account_facts(targets)
    persona = pl.col("persona").fill_null("unclassified")
    # The account's facts come from the target list, never from same-named contact columns.
    own = [c for c in people.collect_schema().names() if c in _ACCOUNT_FIELDS]
    rows = people.drop(own).with_row_index("_row").join(accounts, on="account_id", how="left", maintain_order="left")
    reason = (
        pl.when(pl.col("contact_id").is_null())
        .then(pl.lit("missing contact_id"))
        .when(~pl.col("contact_id").is_first_distinct())
        .then(pl.lit("duplicate contact_id"))
        .when(_is_suppressed(list(suppressed)))
        .then(pl.lit("on the do-not-contact list"))
        .when(~pl.col("_in_targets").fill_null(False))
        .then(pl.lit("account not in target list"))
        # An address nobody in particular reads (info@) is skipped for that, whatever its title says.
        .when(~pl.col("sendable").fill_null(False))
        .then(pl.col("skip_reason").fill_null("email not sendable"))
        .when(~persona.is_in(personas))
        .then(pl.format("persona {} not in ICP personas", persona))
    )
    rows = rows.with_columns(reason.alias("reason"))
    quality = pl.col("email_flag").replace_strict(_FLAG_ORDER, default=0, return_dtype=pl.Int64)
    open_rows = pl.col("reason").is_null()
    # Rank only the contacts still in the running; the others keep their earlier reason.
    outside = buying_rank(rows.collect_schema().names(), buying_functions)
    order = pl.when(open_rows).then(pl.struct(outside.alias("b"), quality.alias("q"), pl.col("contact_id").alias("c")))
    rank = order.rank("ordinal").over("account_id", "persona")
    rows = rows.with_columns(
        pl.when(open_rows & (rank > per_persona))
        .then(pl.format("persona {} already has {} contact(s) drafted at this account", persona, pl.lit(per_persona)))
        .otherwise(pl.col("reason"))
        .alias("reason")
    )
    rows = _second_roles(rows, personas, per_persona, quality)
    if max_per_account is not None:
        priority = persona.replace_strict(
            {p: i for i, p in enumerate(personas)}, default=len(personas), return_dtype=pl.Int64
        )
        slot = pl.when(pl.col("reason").is_null()).then(pl.struct(priority.alias("p"), order.alias("o")))
        rows = rows.with_columns(
            pl.when(pl.col("reason").is_null() & (slot.rank("ordinal").over("account_id") > max_per_account))
            .then(pl.lit(f"account already has {max_per_account} contact(s) drafted"))
            .otherwise(pl.col("reason"))
            .alias("reason")
        )
    return rows


def _second_roles(rows: pl.LazyFrame, personas: list[str], per_persona: int, quality: pl.Expr) -> pl.LazyFrame:
    """A contact with two roles takes its second where its first cannot be drafted (docs/personas.md).

    A founder whose title names a technical function ("Co-Founder & CTO") is an economic buyer first
    and a technical evaluator too. Where the ICP lists no economic buyer, or the account's economic
    buyer slot is already taken (by the CEO), and the ICP lists technical evaluators with a slot
    free, the contact is drafted as one, with that persona's copy. Never twice.
    """
    names = rows.collect_schema().names()
    if "seniority" not in names or "function" not in names:
        return rows
    second = (
        pl.when((pl.col("seniority") == "owner") & pl.col("function").is_in(TECHNICAL_FUNCTIONS))
        .then(pl.lit("technical_evaluator"))
        .otherwise(pl.lit(None, pl.String))
    )
    persona = pl.col("persona").fill_null("unclassified")
    # Only a contact whose first role lost for the role itself (not in the ICP, slot taken).
    lost_on_role = pl.col("reason").str.starts_with(pl.format("persona {} ", persona)).fill_null(False)
    candidate = lost_on_role & second.is_in(personas).fill_null(False)
    # The second role is the technical evaluator's: count the account's drafted technical evaluators.
    taken = (pl.col("reason").is_null() & (persona == "technical_evaluator")).sum().over("account_id")
    order = pl.when(pl.col("_candidate")).then(pl.struct(quality.alias("q"), pl.col("contact_id").alias("c")))
    rank = order.rank("ordinal").over("account_id", "_second")
    takes = pl.col("_candidate") & (rank + taken <= per_persona)
    # `rule` says why the draft's persona is not the one the title's rule gave ("founders and owners buy").
    said = pl.format(
        "{}; drafted in its second role, {} ({})", pl.col("rule"), pl.col("_second").str.replace_all("_", " "), "reason"
    )
    return (
        rows.with_columns(second.alias("_second"), candidate.alias("_candidate"))
        .with_columns(
            pl.when(takes).then(pl.col("_second")).otherwise(pl.col("persona")).alias("persona"),
            pl.when(takes).then(pl.lit(None, pl.String)).otherwise(pl.col("reason")).alias("reason"),
            *([pl.when(takes).then(said).otherwise(pl.col("rule")).alias("rule")] if "rule" in names else []),
        )
        .drop("_second", "_candidate")
    )


def _is_suppressed(keys: list[str]) -> pl.Expr:
    """Emails, domains (subdomains included) and account ids on the lists, in any spelling (`targeting.identity`)."""
    others = [k for k in keys if "@" not in k]
    emails = [k for k in email_keys([k for k in keys if "@" in k]) if k]
    domains = [k for k in domain_keys(others) if k]
    address = email_key_expr(pl.col("email"))
    account = pl.col("account_id").str.to_lowercase()
    return (
        address.is_in(emails)
        | domain_suppressed_expr(address.str.extract(r"@([^@]+)$", 1), domains)
        | account.is_in([k.lower() for k in others])
        | domain_suppressed_expr(account, domains)
    ).fill_null(False)


def _account_facts(targets: pl.DataFrame | pl.LazyFrame) -> pl.LazyFrame:
    frame = targets.lazy()
    names = frame.collect_schema().names()
    fields = [
        pl.col(f).cast(ACCOUNT_SCHEMA[f]) if f in names else pl.lit(None, dtype=ACCOUNT_SCHEMA[f]).alias(f)
        for f in _ACCOUNT_FIELDS
    ]
    facts = frame.select("account_id", *fields).unique("account_id", keep="first", maintain_order=True)
    # Materialized on purpose: the target list is small, and Polars 2.1's streaming join runs over
    # 10x slower when this unique() is still lazy inside the join's plan.
    return facts.with_columns(pl.lit(True).alias("_in_targets")).collect().lazy()
