"""A founder's journey across the commands, on the committed YC slice and people in Apollo's layout.

target -> draft -> campaign plan -> export -> ingest -> report -> icp refine -> campaign plan again, each
stage checked against the one before it: the plan's tiers are target's tiers, drafts greet people by
name, the counts agree.
"""

from __future__ import annotations

import csv
import hashlib
import re
from pathlib import Path

import polars as pl
import pytest

from tests.flows.conftest import invoke, invoke_json, invoke_ok, new_workspace, own_sender

DATA = Path(__file__).resolve().parents[1] / "data"
YC = DATA / "yc_companies_slice.csv"
APOLLO = ["First Name", "Last Name", "Title", "Company", "Company Name for Emails", "Email", "Email Status", "Website"]
TITLES = ["CEO", "Founder & CTO", "VP Engineering", "Head of Platform", "COO", "Staff Engineer"]
ICP = """name: journey
version: 1
target_size: {min: 1, max: 200}
filters:
  - {field: status, in: [Active]}
  - {field: country, in: [USA, Canada]}
scoring:
  min_score: 1
  tiers: {A: 3, B: 2, C: 1}
  criteria:
    - {name: b2b, field: tags, contains_any: [B2B, SaaS, Enterprise], points: 1}
    - {name: ai, field: tags, contains_any: [Artificial Intelligence, AI], points: 1}
    - {name: developer tools, field: tags, contains_any: [Developer Tools, Infrastructure], points: 2}
personas: [economic_buyer, technical_evaluator, champion]
"""


def _people(path: Path) -> Path:
    """Two people per YC company with a website, as Apollo's people export lays them out."""
    with YC.open(newline="", encoding="utf-8") as source, path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(APOLLO)
        for row in csv.DictReader(source):
            domain = re.sub(r"^(https?://)?(www\.)?", "", (row["website"] or "").strip().lower()).split("/")[0]
            if "." not in domain:
                continue
            h = int(hashlib.md5(domain.encode()).hexdigest(), 16)
            for j in range(2):
                first, last = ["Sam", "Ria", "Tom", "Uma"][(h >> j) % 4], ["Adler", "Brooks", "Cole"][(h >> 4 + j) % 3]
                title = TITLES[(h >> 8 + 3 * j) % len(TITLES)]
                email = f"{first.lower()}{j}.{last.lower()}@{domain}"
                writer.writerow(
                    [first, last, title, row["company_name"], row["company_name"], email, "Verified", row["website"]]
                )
    return path


@pytest.fixture(scope="module")
def journey(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("journey")
    ws = new_workspace(root / "ws", accounts=50, own=True)
    own_sender(ws)
    (root / "icp.yaml").write_text(ICP, encoding="utf-8")
    _people(root / "people.csv")
    return root


def _target(root: Path) -> dict:
    return invoke_json(
        "target", "--accounts", YC, "--preset", "yc", "--contacts", root / "people.csv", "--contacts-preset", "apollo",
        "--icp", root / "icp.yaml", "--out", root / "t", "--no-prefect",
    )  # fmt: skip


def _plan(root: Path, icp: Path, out: str, seed: int) -> dict:
    return invoke_json(
        "campaign", "plan", "--icp", icp, "--accounts", YC, "--preset", "yc", "--contacts", root / "people.csv",
        "--contacts-preset", "apollo", "--workspace", root / "ws", "--size", 20, "--seed", seed,
        "--out", root / out, "--store", root / "store.duckdb", "--no-prefect",
    )  # fmt: skip


def test_the_stages_agree_from_target_to_a_second_round(journey):
    root = journey
    target = _target(root)
    assert target["targets"] > 0 and target["contacts_layout"].startswith("apollo")
    tiers = dict(pl.read_parquet(root / "t" / "targets.parquet").select("account_id", "tier").iter_rows())

    # Drafts: contacts recognized as Apollo people without being told, every one greeted by name.
    draft = invoke_json(
        "draft", "--targets", root / "t" / "targets.parquet", "--contacts", root / "people.csv",
        "--workspace", root / "ws", "--out", root / "d", "--no-prefect",
    )  # fmt: skip
    assert draft["contacts_layout"] == "apollo (recognized from its headers)"
    assert draft["contact_warnings"] == [] and draft["drafts"] > 0
    drafts = pl.read_parquet(root / "d" / "drafts.parquet")
    assert not drafts.filter(pl.col("body").str.contains(r"(?m)^(Hi|Hello|Hey) there\b")).height
    assert drafts["account_id"].is_in(list(tiers)).all()

    # The plan reads the universe and the ICP as target did: every tiered contact sits in its target tier.
    plan = _plan(root, root / "icp.yaml", "p1", seed=3)
    planned = pl.read_csv(root / "p1" / "campaign.csv", infer_schema=False)
    tiered = planned.filter(pl.col("segment").is_in(["A", "B", "C"]))
    assert plan["planned"] == planned.height and tiered.height > planned.height / 2
    assert [tiers.get(a) for a in tiered["account_id"]] == tiered["segment"].to_list()

    # Export, a sending tool's results, ingest, report, refine, and a second round.
    cid = plan["campaign_id"]
    invoke_ok("campaign", "export", "--campaign", cid, "--format", "instantly", "--out", root / "p1" / "instantly.csv",
           "--store", root / "store.duckdb")  # fmt: skip
    emails = planned["email"].to_list()
    results = pl.DataFrame(
        {
            "Email": emails,
            "Lead Status": ["Completed"] * len(emails),
            "Interest Status": ["Interested" if i % 4 == 0 else "" for i in range(len(emails))],
            "Reply Count": [1 if i % 4 == 0 else 0 for i in range(len(emails))],
        }
    )
    results.write_csv(root / "results.csv")
    ingested = invoke_json("campaign", "ingest", "--campaign", cid, "--preset", "instantly", root / "results.csv",
                           "--store", root / "store.duckdb", "--no-prefect")  # fmt: skip
    assert ingested["matched"] == len(emails)
    report = invoke_json(
        "campaign", "report", "--campaign", cid, "--out", root / "r1", "--store", root / "store.duckdb"
    )
    assert report["totals"]["planned"] == plan["planned"]
    refined = invoke_json("icp", "refine", "--icp", root / "icp.yaml", "--campaign", cid, "--out", root / "v2.yaml",
                          "--accounts", YC, "--preset", "yc", "--store", root / "store.duckdb", "--no-prefect")  # fmt: skip
    assert refined["campaigns"] == [cid]
    second = _plan(root, Path(refined["out"]) if refined["out"] else root / "icp.yaml", "p2", seed=4)
    again = pl.read_csv(root / "p2" / "campaign.csv", infer_schema=False)
    assert second["planned"] == again.height
    assert not set(again["email"]) & set(emails)  # nobody written to twice within the cooldown


def test_a_contacts_file_in_no_known_layout_is_one_line_naming_its_headers(journey, tmp_path):
    odd = tmp_path / "odd.csv"
    odd.write_text("Person,Mailbox,Role\nAda,ada@x.io,CTO\n", encoding="utf-8")
    result = invoke(
        "draft", "--targets", journey / "t" / "targets.parquet", "--contacts", odd, "--workspace", journey / "ws",
        "--out", tmp_path / "d", "--no-prefect",
    )  # fmt: skip
    assert result.exit_code == 2
    (line,) = result.stderr.strip().splitlines()
    assert "Person, Mailbox, Role" in line and "--contacts-preset" in line and "--contacts-map" in line


def test_a_contacts_preset_that_does_not_fit_the_file_is_one_line(journey, tmp_path):
    result = invoke(
        "personas", "--contacts", journey / "people.csv", "--contacts-preset", "yc", "--out", tmp_path / "p.csv",
        "--no-prefect",
    )  # fmt: skip
    assert result.exit_code == 2
    (line,) = result.stderr.strip().splitlines()
    assert "preset 'yc'" in line and "First Name" in line and "__extra" not in line


def test_unknown_contacts_preset_names_the_option(journey, tmp_path):
    result = invoke(
        "personas", "--contacts", journey / "people.csv", "--contacts-preset", "apolo", "--out", tmp_path / "p.csv",
        "--no-prefect",
    )  # fmt: skip
    assert result.exit_code == 2 and "--contacts-preset" in result.stderr and "apolo" in result.stderr


def test_a_people_file_without_a_first_name_column_is_warned_about(journey, tmp_path):
    people = pl.read_csv(journey / "people.csv", infer_schema=False).drop("First Name")
    people.write_csv(tmp_path / "nameless.csv")
    summary = invoke_json(
        "personas", "--contacts", tmp_path / "nameless.csv", "--out", tmp_path / "p.csv", "--no-prefect"
    )
    assert [w for w in summary["contact_warnings"] if "first name" in w]
    assert summary["unmapped_contacts"] == [] and summary["contacts_layout"] == "apollo (recognized from its headers)"
