"""YC accounts, targets and people for the model tier and the model benchmarks.

The YC directory (tests/data/yc_companies_slice.csv, or a fixed sample of the whole file) is the
universe; `outbound target` picks the accounts; one person a company, in Apollo's people layout, is
written for the first N of them, each with a title the ICP's personas take.
"""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import polars as pl
from typer.testing import CliRunner

from flows.cli import app

ROOT = Path(__file__).resolve().parents[2]
YC_SLICE = ROOT / "tests" / "data" / "yc_companies_slice.csv"
YC_FULL = ROOT.parent / "shared" / "data" / "yc-companies-2024-05-11.csv"
APOLLO = ["First Name", "Last Name", "Title", "Company", "Company Name for Emails", "Email", "Email Status", "Website"]
# Titles the ICP's personas take (economic buyer, technical evaluator, champion).
TITLES = ["CEO", "CTO", "VP Engineering", "Head of Platform", "COO", "Founder"]
FIRST = ["Sam", "Ria", "Tom", "Uma", "Noor", "Eli"]
LAST = ["Adler", "Brooks", "Cole", "Diaz"]
ICP = """name: model-tier
version: 1
target_size: {min: 1, max: 5000}
filters:
  - {field: status, in: [Active]}
scoring:
  min_score: 0
  tiers: {A: 2, B: 1, C: 0}
  criteria:
    - {name: b2b, field: tags, contains_any: [B2B, SaaS, Enterprise], points: 1}
    - {name: ai, field: tags, contains_any: [Artificial Intelligence, AI], points: 1}
personas: [economic_buyer, technical_evaluator, champion]
"""

RUNNER = CliRunner()


def invoke_json(*args: object) -> dict:
    """`outbound ARGS --json` in-process; its summary (exit 0 required)."""
    result = RUNNER.invoke(app, [str(a) for a in (*args, "--json")])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def yc_sample(out: Path, n: int, seed: int = 25, source: Path = YC_FULL) -> Path:
    """A fixed sample of `n` rows of the YC directory (the same rows for the same n and seed)."""
    rows = pl.read_csv(source, infer_schema=False)
    rows.sample(n=min(n, rows.height), seed=seed, shuffle=False).write_csv(out)
    return out


def yc_targets(root: Path, accounts: Path) -> Path:
    """`outbound target` over a YC file with the tier's ICP: targets.parquet."""
    (root / "icp.yaml").write_text(ICP, encoding="utf-8")
    invoke_json(
        "target", "--accounts", accounts, "--preset", "yc", "--icp", root / "icp.yaml",
        "--out", root / "targets", "--no-prefect",
    )  # fmt: skip
    return root / "targets" / "targets.parquet"


def yc_people(targets: Path, out: Path, n: int) -> Path:
    """One person for each of the first `n` targets with a domain, in Apollo's people layout."""
    accounts = pl.read_parquet(targets).filter(pl.col("domain").is_not_null()).head(n)
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(APOLLO)
        for row in accounts.iter_rows(named=True):
            h = int(hashlib.md5(row["domain"].encode()).hexdigest(), 16)
            first, last, title = FIRST[h % len(FIRST)], LAST[(h >> 4) % len(LAST)], TITLES[(h >> 8) % len(TITLES)]
            email = f"{first.lower()}.{last.lower()}@{row['domain']}"
            writer.writerow(
                [first, last, title, row["name"], row["name"], email, "Verified", f"https://{row['domain']}"]
            )
    return out
