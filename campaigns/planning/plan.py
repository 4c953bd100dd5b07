"""A test worth sending: segments -> reachable contacts -> allocation -> drafts -> the chosen contacts.

Every choice is seeded and ordered by a hash of (seed, segment, account), never by input order
or the clock, so the same inputs and seed give the same plan, byte for byte.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import polars as pl

from campaigns.planning.allocation import SegmentEvidence, allocate
from campaigns.planning.balance import balanced_order
from campaigns.planning.contacts import CANDIDATE_ORDER, Candidates, reachable_per_segment
from campaigns.planning.design import Design, designed_order
from campaigns.planning.drafts import (
    RenderSpecs,
    drafts_json,
    passing_contacts,
    render_drafts_for,
)
from campaigns.planning.power import (
    ALPHA,
    POWER,
    WEAK_DESIGN_RATIO,
    detectable_rate,
    is_weak_design,
)
from campaigns.planning.segments import EXPLORE, UNTIERED, hypotheses, segment_names
from campaigns.prior import BENCHMARK_REPLY_RATE, Prior
from messaging import export_campaign
from targeting import IcpSpec
from targeting.errors import InputError

DEFAULT_PRIOR = BENCHMARK_REPLY_RATE
"""`PlanOptions.prior` is a reply rate (`--prior`, as on `campaign report`; the benchmark's 3.4%).

Everything a plan weighs counts positive replies, so it reads that prior as the positive-reply
rate `Prior(reply_rate=prior).rate` (3.4% x 14%), the report's own: a segment's `detectable_rate`
(docs/campaigns.md: the smallest true positive-reply rate it can tell from the prior) and the Thompson
allocation's posteriors."""
POOL_FACTOR, POOL_EXTRA = 2, 10
"""Per segment, drafts are rendered for this many times the accounts wanted (plus a few): spares for the gate."""


@dataclass(frozen=True)
class PlanOptions:
    """What `campaign plan` was asked for."""

    size: int
    name: str
    seed: int = 0
    explore: float = 0.15
    cooldown_days: int = 90
    prior: float = DEFAULT_PRIOR
    strict: bool = False
    balance_on: str | tuple[str, ...] | Design | None = None
    """A criterion (or criteria) to balance each segment's accounts on, or a `Design` of the round
    (`balance.round_balance`); None: seeded order."""
    per_account: int = 1
    """At most this many contacts of one account in a round (`--per-account`): two people at one account
    are not two independent trials, and the account is what a cooldown stops."""

    def __post_init__(self) -> None:
        if isinstance(self.per_account, bool) or not isinstance(self.per_account, int) or self.per_account < 1:
            raise InputError(
                "--per-account is a whole number of contacts per account, at least 1",
                field="--per-account",
                value=self.per_account,
            )


@dataclass(frozen=True)
class CampaignPlan:
    """The plan: the contacts to record, campaign.csv's rows, design.json and the summary."""

    campaign_id: str
    contacts: pl.DataFrame
    campaign_csv: pl.DataFrame
    design: dict[str, Any]
    summary: dict[str, Any]


def order_key(seed: int, segment: str, account_id: str) -> str:
    """The seeded, input-order-free position of an account in its segment."""
    return hashlib.sha256(f"{seed}\x1f{segment}\x1f{account_id}".encode()).hexdigest()


def design_campaign(
    spec: IcpSpec,
    icp_hash: str,
    segments: pl.DataFrame,
    candidates: Candidates,
    options: PlanOptions,
    *,
    render: RenderSpecs,
    reviewed: pl.DataFrame | None = None,
    evidence: dict[str, SegmentEvidence] | None = None,
    excluded_accounts: dict[str, int] | None = None,
) -> CampaignPlan:
    """Plan a test campaign.

    Args:
        spec: the ICP.
        icp_hash: SHA-256 of the ICP file's text.
        segments: segment accounts (segments.segment_accounts, collected).
        candidates: contacts that may be planned (contacts.eligible_contacts).
        options: size, name, seed, explore share, cooldown, prior, strict.
        render: specs to render drafts for contacts without a reviewed draft.
        reviewed: reviewed drafts (drafts.reviewed_drafts) or None.
        evidence: pooled outcomes of the lineage's earlier rounds, per segment.
        excluded_accounts: accounts left out of every segment, per reason (for design.json).

    Raises:
        InputError: nothing is reachable, or `strict` and a segment can only detect a 3x difference.
    """
    names = segment_names(spec)
    if "criteria" not in segments.columns:
        segments = segments.with_columns(pl.lit(None, pl.List(pl.String)).alias("criteria"))
    if UNTIERED in set(segments["segment"].to_list()):
        names.insert(len(names) - 1, UNTIERED)
    pool = candidates.contacts.with_columns(
        pl.struct("segment", "account_id")
        .map_elements(lambda r: order_key(options.seed, r["segment"], r["account_id"]), return_dtype=pl.String)
        .alias("_order")
    )
    if options.balance_on is not None and not isinstance(options.balance_on, Design):
        pool = balanced_order(pool, segments, options.balance_on)
    reachable = reachable_per_segment(pool, names, options.per_account)
    if sum(reachable.values()) == 0:
        raise InputError(
            "no reachable contact in any segment (sendable, in an ICP persona, not suppressed or cooling down)",
            field="--contacts",
        )
    positive_prior = Prior(reply_rate=options.prior).rate
    wanted, method = allocate(
        reachable,
        options.size,
        explore=options.explore,
        prior=positive_prior,
        evidence=evidence,
        seed=options.seed,
    )
    if isinstance(options.balance_on, Design):
        pool, wanted = designed_order(pool, segments, options.balance_on, wanted)
    warnings = []
    if sum(reachable.values()) < options.size:
        warnings.append(
            f"only {sum(reachable.values())} reachable accounts for --size {options.size}: planning all of them"
        )
    drafts, chosen = _choose(pool, segments, wanted, spec, render, reviewed, options.per_account)
    planned_by_segment = dict(chosen.group_by("segment").len().iter_rows())
    hypothesis = hypotheses(spec)
    rows = []
    for name in names:
        n = int(planned_by_segment.get(name, 0))
        if n < wanted[name]:
            warnings.append(
                f"segment {name}: {n} of {wanted[name]} contacts planned; the rest had no draft that passes the checks"
            )
        variants = dict(chosen.filter(pl.col("segment") == name).group_by("variant").len().sort("variant").iter_rows())
        rate = detectable_rate(n, positive_prior)
        if is_weak_design(rate, positive_prior):
            shown = "nothing" if rate is None else f"only a true rate of {rate:.1%} or more"
            times = "" if rate is None else f" ({rate / positive_prior:.0f} times it)"
            warnings.append(
                f"segment {name}: {n} contacts can tell {shown} from the prior positive-reply rate "
                f"{positive_prior:.2%}{times}; read it as a check for large misses"
            )
        rows.append(
            {
                "segment": name,
                "hypothesis": hypothesis[name],
                "reachable": reachable[name],
                "planned": n,
                "variants": variants,
                "detectable_rate": rate,
            }
        )
    weak = [r["segment"] for r in rows if r["planned"] and is_weak_design(r["detectable_rate"], positive_prior)]
    if options.strict and weak:
        raise InputError(
            f"--strict: segments {', '.join(weak)} can only detect a {WEAK_DESIGN_RATIO:g}x difference from the prior; "
            "plan more contacts per segment or fewer segments",
            field="--size",
            value=options.size,
        )
    campaign_id = _campaign_id(options, spec, icp_hash, chosen)
    csv = _campaign_csv(drafts, chosen)
    contacts = chosen.join(drafts_json(drafts), on="contact_id", how="left").select(
        "contact_id",
        "email",
        "first_name",
        "last_name",
        "account_id",
        pl.col("name").alias("company"),
        "domain",
        "persona",
        "segment",
        "variant",
        "drafts",
        "edited",
        "email_flag",
        pl.col("criteria").map_elements(lambda v: json.dumps(list(v)), return_dtype=pl.String),
        "country",
    )
    summary = {
        "campaign_id": campaign_id,
        "name": options.name,
        "icp": spec.name,
        "version": spec.version,
        "planned": chosen.height,
        "per_account": options.per_account,
        "balanced_on": _balanced_words(options.balance_on),
        "segments": rows,
        "warnings": warnings,
    }
    design = {
        **summary,
        "icp_hash": icp_hash,
        "target_list": target_list(spec, segments),
        "seed": options.seed,
        "size": options.size,
        "explore": options.explore,
        "cooldown_days": options.cooldown_days,
        "accounts": int(chosen["account_id"].n_unique()),
        "prior": options.prior,
        "prior_positive_rate": round(positive_prior, 6),
        "alpha": ALPHA,
        "power": POWER,
        "allocation": method,
        "excluded_accounts": excluded_accounts or {},
        "excluded_contacts": candidates.excluded,
        "edited": int(chosen["edited"].sum()),
        "drafts": {"reviewed": int(chosen["reviewed"].sum()), "rendered": int((~chosen["reviewed"]).sum())},
    }
    return CampaignPlan(campaign_id, contacts, csv, design, summary)


def _balanced_words(balance_on: str | tuple[str, ...] | Design | None) -> str | None:
    """What the round was balanced on, for design.json: None, a criterion, "a and b", "a design over a, b and c"."""
    if balance_on is None or isinstance(balance_on, str):
        return balance_on
    if isinstance(balance_on, Design):
        return str(balance_on)
    return " and ".join(balance_on)


def target_list(spec: IcpSpec, segments: pl.DataFrame) -> dict[str, Any]:
    """The target list the campaign samples, as `outbound target` judges it: its size and the size verdict.

    The targets are the segments' accounts outside `explore` (every filter holds, no disqualifier,
    the minimum score; customers and suppressed accounts left out).
    """
    from targeting.selection.sizing import size_verdict

    targets = segments.filter(pl.col("segment") != EXPLORE).height
    band = spec.target_size
    return {"targets": targets, "min": band.min, "max": band.max, "verdict": size_verdict(targets, band.min, band.max)}


def _choose(
    pool: pl.DataFrame,
    segments: pl.DataFrame,
    wanted: dict[str, int],
    spec: IcpSpec,
    render: RenderSpecs,
    reviewed: pl.DataFrame | None,
    per_account: int = 1,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The drafts of the chosen contacts and the chosen contacts (at most `per_account` per account), variant-balanced.

    Accounts are taken in seeded order, variants alternating by each account's first contact; an
    account's colleagues (persona order, then the best address) follow it until the segment's
    allocation is used up.
    """
    accounts = pool.select("segment", "account_id", "_order").unique("account_id").sort("segment", "_order")
    take = (
        accounts.with_columns(pl.col("_order").rank("ordinal").over("segment").alias("_pos"))
        .join(pl.DataFrame({"segment": list(wanted), "_want": list(wanted.values())}), on="segment")
        .filter(pl.col("_pos") <= pl.col("_want") * POOL_FACTOR + POOL_EXTRA)
    )
    in_pool = pool.join(take.select("account_id"), on="account_id", how="semi")
    have = (
        reviewed.filter(pl.col("contact_id").is_in(in_pool["contact_id"].implode())) if reviewed is not None else None
    )
    to_render = in_pool if have is None else in_pool.filter(~pl.col("contact_id").is_in(have["contact_id"].implode()))
    facts = segments.join(to_render.select("account_id").unique(), on="account_id", how="semi")
    rendered = render_drafts_for(
        to_render.drop("_order", "segment", "persona_rank", "buying_rank", "quality", strict=False),
        facts,
        list(spec.personas),
        render,
    )
    columns = ["contact_id", "step", "variant", "subject", "body", "facts_used", "issues", "edited"]
    parts = [rendered.select(columns)]
    if have is not None and not have.is_empty():
        parts.insert(
            0,
            have.select(columns).with_columns(
                pl.col("facts_used").cast(pl.List(pl.String)), pl.col("issues").cast(pl.List(pl.String))
            ),
        )
    drafts = pl.concat(parts, how="vertical_relaxed").with_columns(
        pl.col("contact_id")
        .is_in(have["contact_id"].implode() if have is not None else pl.Series([], dtype=pl.String).implode())
        .alias("reviewed")
    )
    gate = passing_contacts(drafts).filter("passes")
    passing = (
        in_pool.join(gate.select("contact_id", "variant", "edited"), on="contact_id", how="inner")
        .sort(*[c for c in CANDIDATE_ORDER if c in in_pool.columns])
        .with_columns(pl.int_range(pl.len()).over("account_id").alias("_k"))
        .filter(pl.col("_k") < per_account)
    )
    best = passing.filter(pl.col("_k") == 0)
    # Variants alternate within a segment: the k-th account of each variant, in seeded order.
    balanced = (
        best.with_columns(pl.col("_order").rank("ordinal").over("segment", "variant").alias("_turn"))
        .sort("segment", "_turn", "variant")
        .with_columns(pl.int_range(pl.len()).over("segment").alias("_account_slot"))
    )
    everyone = passing.join(balanced.select("account_id", "_turn", "_account_slot"), on="account_id").sort(
        "segment", "_account_slot", "_k"
    )
    chosen = (
        everyone.with_columns(pl.int_range(pl.len()).over("segment").alias("_slot"))
        .join(pl.DataFrame({"segment": list(wanted), "_want": list(wanted.values())}), on="segment")
        .filter(pl.col("_slot") < pl.col("_want"))
        .join(
            segments.select(
                "account_id",
                "name",
                "domain",
                "criteria",
                (pl.col("country") if "country" in segments.columns else pl.lit(None, pl.String))
                .cast(pl.String)
                .alias("country"),
            ),
            on="account_id",
            how="left",
        )
        .join(drafts.select("contact_id", "reviewed").unique("contact_id"), on="contact_id", how="left")
        .sort("segment", "_order")
    )
    order = {name: i for i, name in enumerate(wanted)}
    chosen = chosen.sort(pl.col("segment").replace_strict(order, return_dtype=pl.Int32), "_order", "_k").drop(
        "_turn", "_slot", "_want", "_account_slot", "_k"
    )
    return drafts.join(chosen.select("contact_id"), on="contact_id", how="semi"), chosen


def _campaign_csv(drafts: pl.DataFrame, chosen: pl.DataFrame) -> pl.DataFrame:
    """campaign.csv: the generic export layout in planned order, with `segment` after `persona`."""
    people = chosen.select(
        "contact_id",
        "email",
        "first_name",
        "last_name",
        "account_id",
        pl.col("name").alias("company"),
        "persona",
        "email_flag",
    )
    rank = chosen.with_row_index("_rank").select("contact_id", "_rank")
    ordered = (
        drafts.join(people, on="contact_id", how="inner").join(rank, on="contact_id").sort("_rank", "step", "variant")
    )
    generic = export_campaign(ordered.drop("_rank"), "generic")
    segment = chosen.select("contact_id", "segment")
    laid_out = generic.join(segment, on="contact_id", how="left", maintain_order="left")
    columns = generic.columns
    at = columns.index("persona") + 1
    return laid_out.select(*columns[:at], "segment", *columns[at:])


def _campaign_id(options: PlanOptions, spec: IcpSpec, icp_hash: str, chosen: pl.DataFrame) -> str:
    basis = json.dumps(
        [options.name, spec.name, spec.version, icp_hash, options.seed, sorted(chosen["contact_id"].to_list())]
    )
    return "c-" + hashlib.sha256(basis.encode()).hexdigest()[:8]


def explore_share_ok(explore: float) -> float:
    """The explore share, checked."""
    if not 0 <= explore < 1:
        raise InputError("--explore is a share between 0 and 1 (e.g. 0.15)", field="--explore", value=explore)
    return explore
