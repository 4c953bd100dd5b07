"""How well the persona rules do on a labelled set of titles: per-persona precision and recall.

Run `python -m messaging.contacts.persona_report [LABELLED.csv] [--personas personas.yaml]` to print the
markdown table that docs/personas.md carries; the tests call `persona_accuracy` on the same file.
With `--onet TITLES.tsv [--part held_out|development|all]` it scores O*NET's alternate titles against
the occupation mapping instead (`messaging.contacts.onet_titles`).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import polars as pl

from messaging.contacts.classify import PersonaRules, classify_contacts, load_persona_rules
from messaging.contacts.onet_titles import (
    COMMITTEE_GROUPS,
    onet_accuracy,
    onet_scores,
    read_occupation_personas,
    read_onet_titles,
)
from messaging.contacts.persona_rules import UNCLASSIFIED
from targeting.columns import PERSONAS
from targeting.errors import InputError

LABELLED_COLUMNS = ("title", "persona", "seniority", "function")
DEFAULT_LABELLED = Path(__file__).resolve().parents[2] / "tests" / "data" / "titles_labelled.csv"
DEFAULT_MAPPING = Path(__file__).resolve().parents[2] / "tests" / "data" / "onet_personas.csv"


def read_labelled_titles(path: Path | str) -> pl.DataFrame:
    """Read a labelled title set (title, persona, seniority, function[, source]) as strings."""
    try:
        frame = pl.read_csv(path, infer_schema=False).with_columns(pl.all().fill_null(""))
    except (OSError, pl.exceptions.PolarsError) as exc:
        raise InputError(f"cannot read labelled titles ({exc})", path=path) from None
    missing = [column for column in LABELLED_COLUMNS if column not in frame.columns]
    if missing:
        raise InputError("labelled titles lack a column", path=path, field=missing[0])
    return frame


def labelled_predictions(labelled: pl.DataFrame, rules: PersonaRules) -> pl.DataFrame:
    """The labelled rows with the rules' verdicts beside the labels (`predicted_*` columns)."""
    verdicts = classify_contacts(labelled.select("title"), rules)
    return labelled.with_columns(
        predicted_persona=verdicts["persona"],
        predicted_seniority=verdicts["seniority"].fill_null(""),
        predicted_function=verdicts["function"].fill_null(""),
        rule=verdicts["rule"],
    )


def persona_accuracy(labelled: pl.DataFrame, rules: PersonaRules) -> pl.DataFrame:
    """Per-persona n (labelled), precision and recall, plus an `all` row with overall accuracy.

    Args:
        labelled: Labelled titles (`read_labelled_titles`).
        rules: The persona rules to measure.

    Returns:
        Columns persona, n, predicted, correct, precision, recall; the `all` row's precision and
        recall are both the overall accuracy.
    """
    scored = labelled_predictions(labelled, rules).with_columns(
        correct=pl.col("persona") == pl.col("predicted_persona")
    )
    rows = []
    for persona in (*PERSONAS, UNCLASSIFIED):
        n = scored.filter(pl.col("persona") == persona).height
        predicted = scored.filter(pl.col("predicted_persona") == persona).height
        correct = scored.filter(pl.col("correct") & (pl.col("persona") == persona)).height
        rows.append((persona, n, predicted, correct, _ratio(correct, predicted), _ratio(correct, n)))
    total, right = scored.height, scored["correct"].sum()
    rows.append(("all", total, total, right, _ratio(right, total), _ratio(right, total)))
    return pl.DataFrame(rows, schema=["persona", "n", "predicted", "correct", "precision", "recall"], orient="row")


def label_accuracy(labelled: pl.DataFrame, rules: PersonaRules, column: str) -> float:
    """Share of rows whose `column` (seniority or function) matches, over rows that carry a label."""
    scored = labelled_predictions(labelled, rules).filter(pl.col(column) != "")
    right = (scored[column] == scored[f"predicted_{column}"]).sum()
    return _ratio(right, scored.height) or 0.0


def accuracy_markdown(table: pl.DataFrame) -> str:
    """The accuracy table as markdown (persona, n, precision, recall)."""
    lines = ["| persona | n | precision | recall |", "|---|---:|---:|---:|"]
    for persona, n, _, _, precision, recall in table.iter_rows():
        lines.append(f"| {persona} | {n} | {_cell(precision)} | {_cell(recall)} |")
    return "\n".join(lines)


def onet_markdown(path: Path | str, part: str, mapping: Path | str, rules: PersonaRules) -> str:
    """The O*NET accuracy table of one part (held_out, development or all) as markdown."""
    titles = read_onet_titles(path)
    if part != "all":
        titles = titles.filter(pl.col("part") == part)
    table = onet_accuracy(onet_scores(titles, read_occupation_personas(mapping), rules))
    lines = [
        f"O*NET titles of groups {', '.join(COMMITTEE_GROUPS)}, part {part}",
        "",
        "| expected persona | n | accuracy | unclassified |",
        "|---|---:|---:|---:|",
    ]
    lines += [f"| {name} | {n} | {acc:.3f} | {unc:.3f} |" for name, n, acc, unc in table.iter_rows()]
    return "\n".join(lines)


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


def _cell(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def main(argv: list[str] | None = None) -> None:
    """Print the accuracy table (and seniority/function accuracy) for a labelled set."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("labelled", nargs="?", default=str(DEFAULT_LABELLED))
    parser.add_argument("--personas", default=None, help="a personas.yaml (default: the shipped rules)")
    parser.add_argument("--onet", default=None, help="O*NET alternate titles (TSV) to score instead")
    parser.add_argument("--part", default="held_out", choices=["held_out", "development", "all"])
    parser.add_argument("--mapping", default=str(DEFAULT_MAPPING), help="occupation code prefix -> personas CSV")
    args = parser.parse_args(argv)
    rules = load_persona_rules(args.personas)
    if args.onet:
        print(onet_markdown(args.onet, args.part, args.mapping, rules))
        return
    labelled = read_labelled_titles(args.labelled)
    print(accuracy_markdown(persona_accuracy(labelled, rules)))
    for column in ("seniority", "function"):
        print(f"\n{column} accuracy (labelled rows): {label_accuracy(labelled, rules, column):.3f}")


if __name__ == "__main__":
    main()
