"""Personas on real titles: O*NET's alternate titles, held out from rule writing, against the occupation mapping."""

from __future__ import annotations

import itertools
from pathlib import Path

import polars as pl
import pytest

from messaging.contacts.classify import classify_contacts, load_persona_rules
from messaging.contacts.onet_titles import (
    COMMITTEE_GROUPS,
    onet_accuracy,
    onet_scores,
    read_occupation_personas,
    read_onet_titles,
    title_part,
    with_expected_personas,
)
from messaging.contacts.persona_report import onet_markdown
from targeting.errors import InputError

REPO = Path(__file__).resolve().parents[3]
REAL_FILE = REPO.parent / "shared" / "data" / "onet-alternate-titles-public.tsv"
SLICE = REPO / "tests" / "data" / "onet_titles_held_out.tsv"
MAPPING = REPO / "tests" / "data" / "onet_personas.csv"

# Goals of the Messaging issue on held-out titles. The per-persona floors are the ones
# docs/personas.md states (its table "held-out accuracy | floor"), read from there so the page and the
# tests cannot drift apart; each is the measured figure less a margin, so a rule change that loses
# ground is noticed.
UNCLASSIFIED_CEILING = 0.10
OVERALL_FLOOR = 0.80
DOCS = REPO / "docs" / "personas.md"
FLOOR_TABLE_HEADER = "| expected persona | n | held-out accuracy | floor |"

SHIPPED_RULES = load_persona_rules()


def _documented_floors() -> dict[str, tuple[int, float, float]]:
    """persona -> (n, accuracy, floor) from the floor table in docs/personas.md."""
    lines = DOCS.read_text().splitlines()
    start = lines.index(FLOOR_TABLE_HEADER) + 2  # the header and its |---| line
    rows = {}
    for line in itertools.takewhile(lambda text: text.startswith("|"), lines[start:]):
        persona, n, accuracy, floor = (cell.strip(" *") for cell in line.strip("|").split("|"))
        rows[persona] = (int(n.replace(",", "")), float(accuracy), float(floor))
    return rows


PERSONA_FLOORS = {persona: floor for persona, (_, _, floor) in _documented_floors().items()}


def _held_out_sources() -> list[pytest.param]:
    sources = [pytest.param(SLICE, id="committed-slice")]
    return sources + ([pytest.param(REAL_FILE, id="real-file")] if REAL_FILE.exists() else [])


@pytest.fixture(scope="module", params=_held_out_sources())
def held_out(request) -> pl.DataFrame:
    titles = read_onet_titles(request.param).filter(pl.col("part") == "held_out")
    return onet_scores(titles, read_occupation_personas(MAPPING), SHIPPED_RULES)


def test_held_out_part_is_a_fifth_of_the_committee_groups(held_out):
    assert 1500 <= held_out.height <= 2100
    assert set(held_out["major"]) == set(COMMITTEE_GROUPS)
    assert held_out["expected"].null_count() == 0, "every occupation code must have a mapped persona"


def test_unclassified_share_on_held_out_titles_is_under_ten_percent(held_out):
    share = (held_out["persona"] == "unclassified").mean()
    assert share < UNCLASSIFIED_CEILING, f"{share:.3f} of held-out titles unclassified"


def test_accuracy_per_persona_on_held_out_titles(held_out):
    table = {row["expected"]: row for row in onet_accuracy(held_out).iter_rows(named=True)}
    assert table["all"]["accuracy"] >= OVERALL_FLOOR
    assert set(PERSONA_FLOORS) == set(held_out["expected"]), "a floor for every expected persona"
    for persona, floor in PERSONA_FLOORS.items():
        assert table[persona]["accuracy"] >= floor, (persona, table[persona])


def test_the_documented_held_out_figures_are_the_committed_parts():
    # The table in docs/personas.md is what the rules score on tests/data/onet_titles_held_out.tsv now.
    titles = read_onet_titles(SLICE)
    measured = onet_accuracy(onet_scores(titles, read_occupation_personas(MAPPING), SHIPPED_RULES))
    documented = _documented_floors()
    for persona, n, accuracy, _ in measured.filter(pl.col("expected") != "all").iter_rows():
        assert documented[persona][:2] == (n, accuracy), (persona, documented[persona])
        assert documented[persona][2] <= accuracy


def test_the_longest_mapping_prefix_decides():
    # A detailed occupation's own row wins over its broad occupation's (clinical research coordinators
    # are individual contributors by name; natural sciences managers evaluate).
    codes = pl.DataFrame({"code": ["11-9121.00", "11-9121.01", "11-9121.02", "11-9041.00"]})
    mapped = with_expected_personas(codes, read_occupation_personas(MAPPING))
    assert mapped["expected"].to_list() == ["technical_evaluator", "user", "user", "technical_evaluator"]
    personas = {p for row in read_occupation_personas(MAPPING) for p in row[1]}
    assert personas <= {"economic_buyer", "champion", "technical_evaluator", "user", "gatekeeper", "procurement"}


def test_buyers_and_purchasing_agents_may_be_traders_but_buyers_by_name_are_procurement():
    # O*NET files brokers, dealers and traders under buyers and purchasing agents (13-102) and the same
    # titles under sales agents ("Grain Broker" under 41-3031): the mapping accepts a user there, and
    # the rules must still read every title of 13-102 that names buying as procurement.
    mapping = read_occupation_personas(MAPPING)
    codes = pl.DataFrame({"code": ["13-1021.00", "13-1022.00", "13-1023.00", "43-3061.00"]})
    mapped = with_expected_personas(codes, mapping)
    assert mapped["expected"].to_list() == ["procurement"] * 4
    assert mapped["acceptable"].to_list()[:3] == [["procurement", "user"]] * 3
    titles = read_onet_titles(SLICE).filter(pl.col("code").str.starts_with("13-102"))
    by_name = titles.filter(pl.col("title").str.contains(r"(?i)\b(buyer|buying|purchasing|purchaser|procurement)\b"))
    verdicts = classify_contacts(by_name, SHIPPED_RULES)
    assert verdicts.height > 5 and (verdicts["persona"] == "procurement").all()


def test_held_out_assistants_and_secretaries_are_never_economic_buyers(held_out):
    assistants = held_out.filter(pl.col("expected") == "gatekeeper")
    assert assistants.height > 0
    assert (assistants["persona"] != "economic_buyer").all(), assistants.filter(pl.col("persona") == "economic_buyer")


# Tests of the real file itself exist only where it sits beside this checkout.
if REAL_FILE.exists():

    def test_committed_slice_is_exactly_the_held_out_part_of_the_real_file():
        real = read_onet_titles(REAL_FILE).filter(pl.col("part") == "held_out")
        committed = read_onet_titles(SLICE)
        assert committed.equals(real)
        assert (committed["part"] == "held_out").all()

    def test_every_secretary_title_in_the_real_file_gatekeeps():
        # O*NET 43-601x (secretaries and administrative assistants), both parts. The public copy holds
        # no 43-6011 (executive) rows: those are among the rows held back from it.
        titles = read_onet_titles(REAL_FILE).filter(pl.col("occupation").str.starts_with("43-601"))
        verdicts = classify_contacts(titles, SHIPPED_RULES)
        assert (verdicts["persona"] != "economic_buyer").all()
        secretaries = verdicts.filter(pl.col("title").str.contains(r"(?i)secretary|administrative assistant"))
        assert secretaries.height > 5 and (secretaries["persona"] == "gatekeeper").all()


@pytest.mark.parametrize(
    "title",
    [
        "President's Assistant",
        "VP Assistant",
        "Executive Assistant to the CEO",
        "Assistant to the President",
        "CEO Assistant",
        "Personal Assistant to the Chairman",
        "Secretary to the Vice President",
        "Director's Assistant",
        "Founder Assistant",
        "Executive Secretary",
    ],
)
def test_an_assistant_to_an_executive_is_a_gatekeeper(title):
    verdict = classify_contacts(pl.DataFrame({"title": [title]}), SHIPPED_RULES).row(0, named=True)
    assert verdict["persona"] == "gatekeeper", verdict["rule"]


@pytest.mark.parametrize(
    ("title", "persona"),
    [
        # The examples the Messaging issue names.
        ("Administrative Coordinator", "gatekeeper"),
        ("Development Manager", "champion"),
        ("Executive Officer", "economic_buyer"),
        ("Contract Manager", "procurement"),
        # Senior titles that merely contain "assistant" stay what they are.
        ("Assistant VP of Marketing", "economic_buyer"),
        ("Assistant Director of Sales", "champion"),
        # A guard is no security buyer; a CISO is.
        ("Security Officer", "unclassified"),
        ("Chief Information Security Officer", "technical_evaluator"),
        # Business-line occupations from O*NET's development part.
        ("Casino Manager", "champion"),
        ("Billing Clerk", "user"),
        ("Purchasing Agent", "procurement"),
        ("Attorney", "procurement"),
        ("Student Affairs Director", "champion"),
        ("Manager", "unclassified"),
        ("Regional Director", "unclassified"),
    ],
)
def test_real_titles(title, persona):
    verdict = classify_contacts(pl.DataFrame({"title": [title]}), SHIPPED_RULES).row(0, named=True)
    assert verdict["persona"] == persona, verdict["rule"]


@pytest.mark.parametrize(
    ("title", "persona"),
    [
        # Rules of issue 21 from the development part's misses: a technical function's manager.
        ("Transmitter Engineer-in-Charge", "technical_evaluator"),
        ("Laboratory Manager (Lab Manager)", "technical_evaluator"),
        ("Product Development Director", "technical_evaluator"),
        ("Architectural Project Manager", "technical_evaluator"),
        ("Environmental Research Project Manager", "technical_evaluator"),
        ("Lab Technician", "unclassified"),
        ("Webmaster", "unclassified"),
        # Words read out of their sense.
        ("Market Research Manager", "champion"),
        ("Chief Diversity Officer (CDO)", "economic_buyer"),
        ("Law Enforcement Director", "champion"),
        ("Physical Security Manager", "champion"),
        ("Social Security Administrative Law Judge", "procurement"),
        ("Victim Witness Coordinator", "procurement"),
        # A named office's manager runs a business line; the office manager gatekeeps.
        ("Credit Office Manager", "champion"),
        ("Office Manager", "gatekeeper"),
        ("Selectman", "economic_buyer"),
        ("Trainmaster", "champion"),
        # What procurement means (issue 21, deliverable 5): a buyer of goods for the employer is a
        # purchasing agent by trade; a broker, trader, dealer, vendor or canvassing solicitor sells.
        ("Tobacco Buyer", "procurement"),
        ("Cotton Purchasing Agent", "procurement"),
        ("Grain Broker", "user"),
        ("Cattle Trader", "user"),
        ("Livestock Speculator", "user"),
        ("Street Vendor", "user"),
        ("Car Supplier", "user"),
        ("Space Buyer", "user"),
        ("Right-of-Way Buyer", "user"),
        ("Buyer Broker", "user"),
        ("Order Expediter", "user"),
        ("Telephone Solicitor Supervisor", "champion"),
        ("Appeals Officer", "procurement"),
        ("Title Inspector", "procurement"),
    ],
)
def test_development_titles_of_issue_21(title, persona):
    # Examples come from the development part: a held-out title in a test would be tuned to.
    assert title_part(title) == "development", title
    verdict = classify_contacts(pl.DataFrame({"title": [title]}), SHIPPED_RULES).row(0, named=True)
    assert verdict["persona"] == persona, verdict["rule"]


def test_split_is_fixed_by_the_title_text():
    assert title_part("Chief Executive Officer") == title_part("  chief  executive officer ")
    parts = [title_part(f"Title {i}") for i in range(1000)]
    assert 150 <= parts.count("held_out") <= 250


def test_report_prints_a_row_per_persona():
    text = onet_markdown(SLICE, "held_out", MAPPING, SHIPPED_RULES)
    assert "| all | 1805 |" in text and "| gatekeeper |" in text


def test_unreadable_onet_file_is_an_input_error(tmp_path):
    path = tmp_path / "titles.tsv"
    path.write_text("code\ttitle\n11-1011.00\tCEO\n")
    with pytest.raises(InputError, match="Alternate Title|O\\*NET-SOC Code"):
        read_onet_titles(path)
    with pytest.raises(InputError, match="cannot read"):
        read_onet_titles(tmp_path / "missing.tsv")
