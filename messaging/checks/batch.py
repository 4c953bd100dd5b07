"""Checks over a whole run: a sentence many first touches share, copy still marked sample, and the run's summary.

A draft can read well alone and still be one of a hundred that say the same thing. These checks look
at the batch: `repeated_sentences` finds each sentence (other than the sender's own lines) and the
share of the run's first touches that carry it; `batch_issues` turns a share above `MAX_SHARE`, a
claim on weak evidence (`copy_blocks`' `weak_claim`) and copy still marked sample into lint warnings;
`drafting_summary` reports how good the batch is before anything is sent.
"""

from __future__ import annotations

import re
from typing import Any

import polars as pl

from messaging.composing.sender import Sender

MAX_SHARE = 0.10  # a sentence in more than this share of a run's first touches is a warning,
MIN_REPEATS = 2  # when at least this many carry it (one draft alone repeats nothing)
MIN_WORDS = 5  # shorter sentences ("Hi Sam,") are greetings and asks, not copy
# facts_used field -> the kind of claim a draft makes on it.
CLAIM_KINDS = {
    "pain_points": "pain_point",
    "growth_signals": "growth_signal",
    "prior_solutions": "prior_solution",
    "description": "own_words",
    "industry": "firmographic",
    "employees": "firmographic",
    "country": "firmographic",
    "founded_year": "firmographic",
    "tech_stack": "firmographic",
    "hiring_roles": "firmographic",
}
SAMPLE_COPY_ISSUE = (
    "sample_copy: messaging.yaml is still the sample's copy (sample: true); write your own lines "
    "(outbound copy scaffold) before sending"
)


def _split(text: pl.Expr) -> pl.Expr:
    """Sentences of a text: split after . ! ? and at line ends, trimmed."""
    return text.str.replace_all(r"([.!?])\s+", "${1}\n").str.split("\n").list.eval(pl.element().str.strip_chars())


def sender_sentences(sender: Sender) -> set[str]:
    """Every sentence of the sender's own lines (value propositions, proof points, ask, signature, footer)."""
    lines = [
        *sender.value_proposition.values(),
        *sender.proof_points,
        sender.call_to_action,
        sender.signature,
        sender.postal_address,
        sender.opt_out_line,
    ]
    split = pl.DataFrame({"t": lines}).select(_split(pl.col("t")).alias("s")).explode("s")["s"]
    return set(split.drop_nulls().to_list())


def draft_sentences(drafts: pl.DataFrame, sender: Sender) -> pl.DataFrame:
    """One row per (draft row, sentence) of the copy: `_draft` (row index), `sentence`, the sender's lines left out."""
    own = list(sender_sentences(sender))
    body = pl.col("body").fill_null("")
    if "company" in drafts.columns:
        # One line filled with each account's name is still one sentence said to every account.
        body = body.str.split(pl.col("company").fill_null("\x00")).list.join("{company}")
    return (
        drafts.select(pl.int_range(pl.len()).alias("_draft"), _split(body).alias("sentence"))
        .explode("sentence")
        .filter(
            pl.col("sentence").str.count_matches(r"\S+") >= MIN_WORDS,
            ~pl.col("sentence").is_in(own),
        )
        .unique(["_draft", "sentence"], maintain_order=True)
    )


def repeated_sentences(drafts: pl.DataFrame, sender: Sender) -> pl.DataFrame:
    """Each sentence of the run's first touches with the number and share of first touches carrying it.

    Returns:
        `sentence`, `drafts`, `share`, most shared first; empty when there is no first touch.
    """
    first = drafts.filter(pl.col("step") == 1) if "step" in drafts.columns else drafts
    schema = {"sentence": pl.String, "drafts": pl.UInt32, "share": pl.Float64}
    if first.is_empty():
        return pl.DataFrame(schema=schema)
    counted = draft_sentences(first, sender).group_by("sentence").len("drafts")
    return (
        counted.with_columns((pl.col("drafts") / first.height).alias("share"))
        .sort(["drafts", "sentence"], descending=[True, False])
        .select(list(schema))
    )


def batch_issues(
    drafts: pl.DataFrame, sender: Sender, *, sample_copy: bool = False, weak: pl.Series | None = None
) -> pl.DataFrame:
    """Append the batch warnings to `issues`: repeated_sentence, weak_evidence, sample_copy.

    Args:
        drafts: rendered drafts with step, body and issues.
        sender: who signs them (their own lines may repeat in every draft).
        sample_copy: the copy is still marked sample and the sender is the user's own.
        weak: per draft row, why its claim rests on weak evidence (null: it does not).
    """
    repeated = repeated_sentences(drafts, sender).filter(pl.col("share") > MAX_SHARE, pl.col("drafts") >= MIN_REPEATS)
    is_first = (pl.col("step") == 1) if "step" in drafts.columns else pl.lit(True)
    found = (
        draft_sentences(drafts, sender)
        .join(repeated, on="sentence", how="inner")
        .group_by("_draft")
        .agg(pl.col("sentence").first(), pl.col("share").first())
    )
    frame = drafts.with_row_index("_draft").join(
        found.with_columns(pl.col("_draft").cast(pl.UInt32)), on="_draft", how="left", maintain_order="left"
    )
    repeat_issue = pl.when(is_first & pl.col("sentence").is_not_null()).then(
        pl.format(
            "repeated_sentence: {}% of this run's first touches say '{}' (a list of lines in its messaging.yaml block spreads it)",
            (pl.col("share") * 100).round(0).cast(pl.Int64),
            pl.col("sentence").str.slice(0, 60),
        )
    )
    weak_issue = pl.lit(None, pl.String)
    if weak is not None:
        weak_issue = pl.when(weak.is_not_null()).then(pl.lit("weak_evidence: ") + pl.lit(weak))
    sample_issue = pl.lit(SAMPLE_COPY_ISSUE if sample_copy else None, pl.String)
    issues = pl.col("issues").fill_null(pl.lit([], pl.List(pl.String)))
    added = pl.concat_list(repeat_issue, weak_issue, sample_issue).list.drop_nulls()
    return frame.with_columns(pl.concat_list(issues, added).list.unique(maintain_order=True).alias("issues")).drop(
        "_draft", "sentence", "share"
    )


def drafting_summary(drafts: pl.DataFrame, sender: Sender) -> dict[str, Any]:
    """How good the batch is: the share with an account fact, the most repeated sentence, claims by kind.

    Returns:
        `{"drafts", "with_account_fact": share of drafts whose facts_used is not empty,
        "most_repeated_sentence": {"sentence", "share"} over first touches (the sender's own lines
        left out; null without one), "claims": {kind: first touches making such a claim}, "warnings":
        {code: drafts}}`.
    """
    first = drafts.filter(pl.col("step") == 1) if "step" in drafts.columns else drafts
    facts = drafts["facts_used"].list.len().fill_null(0) if drafts.height else pl.Series([], dtype=pl.UInt32)
    top = repeated_sentences(drafts, sender).head(1)
    kinds = sorted(set(CLAIM_KINDS.values()))
    used = first.select(
        pl.col("facts_used").list.eval(pl.element().replace_strict(CLAIM_KINDS, default=None)).list.unique()
    ).to_series()
    claims = {kind: int(used.list.contains(kind).sum()) for kind in kinds} if first.height else dict.fromkeys(kinds, 0)
    warnings: dict[str, int] = {}
    if "issues" in drafts.columns and drafts.height:
        codes = drafts.select(pl.col("issues").list.eval(pl.element().str.extract(r"^([a-z_]+)")).explode())
        warnings = {c: int(n) for c, n in codes.to_series().drop_nulls().value_counts(sort=True).iter_rows()}
    return {
        "drafts": drafts.height,
        "with_account_fact": round(float((facts > 0).mean()), 4) if drafts.height else 0.0,
        "most_repeated_sentence": (
            {"sentence": top["sentence"][0], "share": round(float(top["share"][0]), 4)} if top.height else None
        ),
        "claims": claims,
        "warnings": warnings,
    }


# Words that carry no point of their own in this copy (function words, and the team/company/people
# every line mentions); two sentences sharing only these do not say the same thing.
_FILLER = frozenset(
    "that this with from have they them their there what when where which while your into than then more most "
    "less each every some just only also been being were will would could should about after before over under another other "
    "such like it's don't doesn't isn't you'd you're we're i'm i'd team teams company people today week".split()
)
SAME_POINT_WORDS = 3  # two sentences of one draft sharing this many content words say the same thing


def content_words(sentence: str) -> frozenset[str]:
    """The words that carry a sentence's point: 4+ letters, not filler, a plural's `s` dropped."""
    words = re.findall(r"[a-z][a-z']+", sentence.lower())
    return frozenset(w.removesuffix("s") for w in words if len(w) >= 4 and w not in _FILLER)


def said_twice(drafts: pl.DataFrame, sender: Sender) -> pl.DataFrame:
    """Pairs of copy sentences of one first touch that make the same point (`SAME_POINT_WORDS` content words shared).

    The sender's own lines are left out (a pitch may answer the pain the opener names), and so are
    the account's name and the subject's words (two lines naming the company or the topic, as a
    gatekeeper's ask for "who looks after manual reporting" does, do not say the same thing).

    Returns:
        `contact_id`, `first`, `second`, `shared` (the words), one row per pair.
    """
    own = sender_sentences(sender)
    first = drafts.filter(pl.col("step") == 1) if "step" in drafts.columns else drafts
    company = first["company"] if "company" in first.columns else pl.Series([None] * first.height)
    subject = first["subject"] if "subject" in first.columns else pl.Series([None] * first.height)
    rows = []
    for contact, body, name, topic in zip(first["contact_id"], first["body"], company, subject):
        sentences = [s.strip() for s in re.split(r"(?<=[.!?])\s+|\n+", body or "") if s.strip() not in own]
        sentences = [s for s in sentences if len(s.split()) >= MIN_WORDS]
        named = content_words(name or "") | content_words(topic or "")
        for i, a in enumerate(sentences):
            for b in sentences[i + 1 :]:
                shared = (content_words(a) & content_words(b)) - named
                if len(shared) >= SAME_POINT_WORDS:
                    rows.append((contact, a, b, ", ".join(sorted(shared))))
    schema = {"contact_id": pl.String, "first": pl.String, "second": pl.String, "shared": pl.String}
    return pl.DataFrame(rows, schema=schema, orient="row")
