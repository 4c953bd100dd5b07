"""The copy on real accounts: draft for the YC directory's developer-tools list and show what a reader gets.

Run from the repository's root: `PYTHONPATH=. .venv/bin/python bench/copy_yc.py [YC_CSV]` (default
`../shared/data/yc-companies-2024-05-11.csv`). It writes nothing in the repository: the inputs and
outputs live in a temporary folder. Two runs of `outbound target` + `outbound draft --no-prefect`:

1. founders: the two first founders each company lists ("Co-Founder & CEO", "Co-Founder & CTO"),
   signed by a sender of its own with no `solves`; prints the share of drafts without an account fact.
2. personas: one contact per persona at the first accounts of the list (by account id), signed by the
   shipped sample sender; prints the same share, then three step-1 drafts per persona as Markdown
   (the ones docs/copy.md shows).
"""

from __future__ import annotations

import ast
import csv
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parents[1]
ICP = """name: devtools-na
version: 1
target_size: {min: 100, max: 3000}
filters:
  - {field: status, in: [Active]}
  - {field: tags, contains_any: [Developer Tools, API, Open Source]}
  - {field: country, in: [United States, Canada]}
  - {field: employees, between: [5, 100]}
scoring:
  min_score: 0
  tiers: {A: 2, B: 1, C: 0}
  criteria:
    - {field: employees, between: [10, 50], points: 1}
    - {field: tags, contains_any: [B2B, SaaS], points: 1}
personas: [economic_buyer, champion, technical_evaluator, user, gatekeeper, procurement]
"""
SENDER = """company: Stackpilot
product: Stackpilot CI
value_proposition:
  default: Stackpilot CI runs your existing workflow files on faster runners with cached layers.
proof_points:
  - Teams see their first faster build on the day they switch.
call_to_action: Would a short call next week be useful?
signature: |-
  Ada Quinn
  Founder, Stackpilot
postal_address: "Stackpilot Inc., 500 Howard Street, San Francisco, CA 94105, USA"
opt_out_line: If this isn't relevant, reply "no" and I won't write again.
"""
TITLES = {
    "economic_buyer": "Co-Founder & CEO",
    "champion": "Head of Revenue Operations",
    "technical_evaluator": "CTO",
    "user": "Account Executive",
    "gatekeeper": "Executive Assistant to the CEO",
    "procurement": "Procurement Manager",
}
SHOWN_ACCOUNTS = 12


def outbound(*args: object) -> None:
    command = [str(Path(sys.executable).with_name("outbound")), *map(str, args), "--no-prefect"]
    result = subprocess.run(command, capture_output=True, text=True, env=os.environ)
    if result.returncode:
        raise SystemExit(f"{' '.join(command[:2])} failed: {(result.stderr or result.stdout).strip()[-400:]}")


def founders(yc: Path) -> list[tuple[str, str, str]]:
    """(host, first name, last name) of the first two founders of every company with a website."""
    rows = []
    with yc.open(newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            host = re.sub(r"^www\.", "", re.sub(r"^https?://", "", (r["website"] or "").strip().lower()).split("/")[0])
            if not host or "." not in host:
                continue
            for name in ast.literal_eval(r["founders_names"] or "[]")[:2]:
                parts = name.split()
                if len(parts) >= 2 and re.sub(r"[^a-z]", "", parts[0].lower()):
                    rows.append((host, parts[0], parts[-1]))
    return rows


def write_contacts(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["contact_id", "account_id", "first_name", "last_name", "email", "title"])
        w.writerows(rows)


def share_without_fact(drafts: pl.DataFrame) -> float:
    flagged = drafts["issues"].list.eval(pl.element().str.starts_with("no_account_fact")).list.any()
    return flagged.sum() / max(drafts.height, 1)


def main(yc: Path) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="copy-yc-"))
    os.environ.setdefault("PREFECT_HOME", str(tmp / "prefect"))
    os.environ["OUTBOUND_STORE"] = str(tmp / "store.duckdb")
    (tmp / "icp.yaml").write_text(ICP)
    outbound("target", "--accounts", yc, "--preset", "yc", "--icp", tmp / "icp.yaml", "--out", tmp / "t")
    people = founders(yc)
    seen: dict[str, int] = {}
    rows = []
    for host, first, last in people:
        n = seen[host] = seen.get(host, 0) + 1
        local = re.sub(r"[^a-z]", "", first.lower())
        rows.append(
            [
                f"{host}-{local}",
                host,
                first,
                last,
                f"{local}@{host}",
                "Co-Founder & CEO" if n == 1 else "Co-Founder & CTO",
            ]
        )
    write_contacts(tmp / "founders.csv", rows)
    (tmp / "ws").mkdir()
    (tmp / "ws" / "sender.yaml").write_text(SENDER)
    outbound(
        "draft",
        "--targets",
        tmp / "t" / "targets.parquet",
        "--contacts",
        tmp / "founders.csv",
        "--icp",
        tmp / "icp.yaml",
        "--workspace",
        tmp / "ws",
        "--out",
        tmp / "d1",
        # The sender is its own and the copy the shipped sample's: measured as it is, not refused.
        "--allow-sample-copy",
    )
    d1 = pl.read_parquet(tmp / "d1" / "drafts.parquet")
    print(f"founders, own sender: {d1.height} drafts, {share_without_fact(d1):.0%} without an account fact")

    targets = pl.read_parquet(tmp / "t" / "targets.parquet").sort("account_id")
    first_names = {host: first for host, first, _ in reversed(people)}
    rows = []
    for account in targets.head(SHOWN_ACCOUNTS * 3)["account_id"].to_list():
        for i, (persona, title) in enumerate(TITLES.items()):
            first = first_names.get(account, "Sam")
            rows.append([f"{account}-{persona}", account, first, "Doe", f"p{i}.{first.lower()}@{account}", title])
    write_contacts(tmp / "personas.csv", rows)
    outbound(
        "draft",
        "--targets",
        tmp / "t" / "targets.parquet",
        "--contacts",
        tmp / "personas.csv",
        "--icp",
        tmp / "icp.yaml",
        "--out",
        tmp / "d2",
        "--allow-sample-sender",
    )
    d2 = pl.read_parquet(tmp / "d2" / "drafts.parquet")
    print(f"every persona, sample sender: {d2.height} drafts, {share_without_fact(d2):.0%} without an account fact")
    print()
    first = d2.filter(pl.col("step") == 1)
    for persona in TITLES:
        mine = first.filter(pl.col("persona") == persona).sort("account_id")
        # Three accounts a persona apart, so the page shows different accounts per persona.
        offset = list(TITLES).index(persona)
        picked = mine.gather([(offset + 5 * k) % mine.height for k in range(3)]) if mine.height else mine
        print(f"### {persona}\n")
        for row in picked.iter_rows(named=True):
            body = row["body"].split("\n\nMaya Lind")[0]
            print(
                f"`{row['company']}` ({row['account_id']}), variant {row['variant']}, facts used: "
                f"{', '.join(row['facts_used']) or 'none'}\n"
            )
            print("```\nSubject: " + row["subject"] + "\n\n" + body + "\n```\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "data" / "yc-companies-2024-05-11.csv")
