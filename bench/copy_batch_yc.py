"""A batch worth sending? Draft the real YC directory for three senders and print the run's summary.

Run from the repository's root: `PYTHONPATH=. .venv/bin/python bench/copy_batch_yc.py [YC_CSV]`
(default `../shared/data/yc-companies-2024-05-11.csv`). It calls the core functions (no command, no
Prefect, nothing written): the YC file through `--preset yc`'s import and the facts step, the
accounts an ICP like the founder's journey keeps (active, US and Canada, 3-200 people), two people per
account with the journey's titles (CEO, Founder & CTO, VP Engineering, Head of Platform, Engineering
Manager, Staff Engineer, COO; the same hash picks them), drafted for the ICP personas economic buyer,
technical evaluator and champion with the shipped messaging.yaml and templates, signed by:

1. the shipped sample sender (Tallybeam Pipeline, revenue reporting);
2. Stackpilot CI, the journey's sender (CI builds; solves tool_sprawl, scaling_support);
3. Ledgerline, a compliance product (solves compliance_burden, security_reviews), the issue's founder.

For each it prints `messaging.checks.batch.drafting_summary` (share with an account fact, the most
repeated sentence of the first touches and its share, claims by kind, warnings), the drafts carrying
the sample product's words and the sentences above 10% of first touches (docs/copy.md quotes them).
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from pathlib import Path

import polars as pl

from messaging.checks.batch import MAX_SHARE, drafting_summary, repeated_sentences, said_twice
from messaging.composing.copy_blocks import load_messaging
from messaging.composing.sender import Sender, load_sender
from messaging.composing.templates import load_templates
from messaging.drafts import build_drafts
from targeting.facts import load_facts, with_account_facts
from targeting.importing.canonical import import_accounts

ROOT = Path(__file__).resolve().parents[1]
YC = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "data" / "yc-companies-2024-05-11.csv"
SAMPLE_WORDS = r"(?i)tallybeam|revenue reporting|pipeline report|data plumbing"
FIRST = ["Sam", "Ria", "Tom", "Uma", "Vic", "Wes", "Yara", "Zed"]
LAST = ["Adler", "Brooks", "Cole", "Diaz", "Evans", "Fox"]
TITLES = ["CEO", "Founder & CTO", "VP Engineering", "Head of Platform", "Engineering Manager", "Staff Engineer", "COO"]
FOOTER = {
    "call_to_action": "Would a short call next week be useful?",
    "postal_address": "500 Howard Street, San Francisco, CA 94105, USA",
    "opt_out_line": "If this isn't relevant, reply \"no\" and I won't write again.",
}
STACKPILOT = Sender(
    company="Stackpilot",
    product="Stackpilot CI",
    value_proposition={
        "economic_buyer": "Stackpilot CI cuts build minutes and the bill that comes with them, without a migration project.",
        "champion": "Stackpilot CI makes flaky pipelines visible and fixes the usual culprits for you.",
        "technical_evaluator": "Stackpilot CI runs your existing workflow files on faster runners with cached layers.",
        "default": "Stackpilot CI helps engineering teams ship faster with the pipelines they already have.",
    },
    proof_points=["Teams see their first faster build on the day they switch."],
    signature="Ada Quinn\nFounder, Stackpilot",
    solves=["tool_sprawl", "scaling_support"],
    **FOOTER,
)
LEDGERLINE = Sender(
    company="Ledgerline",
    product="Ledgerline",
    value_proposition={
        "economic_buyer": "Ledgerline keeps audit evidence collected as the work happens, so an audit is a week, not a quarter.",
        "champion": "Ledgerline answers security questionnaires from one library your team keeps current.",
        "technical_evaluator": "Ledgerline pulls control evidence from your cloud and ticketing accounts through read-only access.",
        "default": "Ledgerline helps teams stay audit-ready without a spreadsheet of controls.",
    },
    proof_points=["Most teams pass their first SOC 2 audit with it within four months."],
    signature="Noor Hale\nFounder, Ledgerline",
    solves=["compliance_burden", "security_reviews"],
    **FOOTER,
)


def people(accounts: pl.DataFrame) -> pl.DataFrame:
    """Two people per account, named and titled by the hash of its domain (the journey's rule)."""
    rows = []
    for account_id in accounts["account_id"]:
        h = int(hashlib.md5(account_id.encode()).hexdigest(), 16)
        for j in range(2):
            f, last, title = FIRST[(h >> 3 * j) % 8], LAST[(h >> 9 + 3 * j) % 6], TITLES[(h >> 20 + 3 * j) % 7]
            domain = re.sub(r"[^a-z0-9.]", "", account_id.lower()) or "x.com"
            rows.append(
                {
                    "contact_id": f"{account_id}-{j}",
                    "account_id": account_id,
                    "first_name": f,
                    "last_name": last,
                    "email": f"{f.lower()}{j}.{last.lower()}@{domain}",
                    "email_status": "valid",
                    "title": title,
                }
            )
    return pl.DataFrame(rows)


def main() -> None:
    imported = import_accounts(YC, preset="yc")
    accounts = with_account_facts(imported.accounts, load_facts(), carried=imported.carried)
    targets = accounts.filter(
        pl.col("status").str.to_lowercase() == "active",
        pl.col("country").is_in(["US", "CA"]),
        pl.col("employees").is_between(3, 200),
        pl.col("domain").is_not_null(),
    ).collect()
    contacts = people(targets)
    messaging = load_messaging()
    print(f"YC: {targets.height} targets, {contacts.height} people")
    for sender in (load_sender(), STACKPILOT, LEDGERLINE):
        drafts = build_drafts(
            targets,
            contacts,
            personas=["economic_buyer", "technical_evaluator", "champion"],
            persona_rules=None,
            messaging=messaging,
            sender=sender,
            templates=load_templates(sender=sender),
        ).drafts
        summary = drafting_summary(drafts, sender)
        text = drafts["subject"] + "\n" + drafts["body"]
        over = repeated_sentences(drafts, sender).filter(pl.col("share") > MAX_SHARE)
        print(f"\n## {sender.product} (solves {sender.solves})")
        print(json.dumps(summary, indent=1))
        print(f"drafts with the sample product's words: {int(text.str.contains(SAMPLE_WORDS).sum())}")
        print(
            f"personas of first touches: {dict(drafts.filter(pl.col('step') == 1)['persona'].value_counts().iter_rows())}"
        )
        print(f"sentences above {MAX_SHARE:.0%} of first touches: {over.height}")
        for sentence, n, share in over.iter_rows():
            print(f"  {share:.1%} ({n}) {sentence}")
        twice = said_twice(drafts, sender)
        print(f"first touches saying one thing twice: {twice['contact_id'].n_unique()}")
        for _contact, a, b, shared in twice.unique("shared").head(8).iter_rows():
            print(f"  [{shared}] {a} | {b}")


if __name__ == "__main__":
    main()
