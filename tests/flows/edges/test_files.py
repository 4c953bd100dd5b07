"""The files edge: every file renamed into place whole, every CSV formula-safe, a torn list refused."""

from __future__ import annotations

import json

import polars as pl
import pytest

from flows.edges.files import formula_unsafe, read_targets, replaced, write_csv, write_json
from targeting.errors import InputError


def test_a_csv_a_person_opens_carries_no_live_formula_and_reads_back_as_written(tmp_path):
    frame = pl.DataFrame(
        {
            "name": ['=HYPERLINK("http://evil.example","x")', "Acme", "-1+2", "@SUM(A1)"],
            "reasons": [["+2 sweet-spot size: employees=120"], [], ["+1 hiring"], []],
            "score": [3, 1, -2, 0],
        }
    )
    path = write_csv(frame, tmp_path / "targets.csv")
    cells = pl.read_csv(path, infer_schema=False)
    assert cells["name"].to_list() == ['\'=HYPERLINK("http://evil.example","x")', "Acme", "'-1+2", "'@SUM(A1)"]
    assert cells["reasons"][0] == "'+2 sweet-spot size: employees=120" and cells["score"].to_list()[2] == "-2"
    assert formula_unsafe(cells)["name"].to_list() == frame["name"].to_list()


def test_a_write_that_fails_leaves_the_previous_file_and_no_partial_one(tmp_path):
    path = write_json({"targets": 30}, tmp_path / "target_summary.json")
    with pytest.raises(RuntimeError), replaced(path) as temporary:
        temporary.write_text('{"targ')
        raise RuntimeError("killed half way")
    assert json.loads(path.read_text()) == {"targets": 30}
    assert [p.name for p in tmp_path.iterdir()] == ["target_summary.json"]


@pytest.mark.parametrize("kind", ["csv", "parquet"])
def test_a_target_list_cut_short_of_its_summary_is_refused(tmp_path, kind):
    frame = pl.DataFrame(
        {
            "account_id": [f"a{i}.io" for i in range(30)],
            "domain": [f"a{i}.io" for i in range(30)],
            "score": [1] * 30,
            "tier": ["A"] * 30,
            "reasons": [["+1 x"]] * 30,
        }
    )
    path = tmp_path / f"targets.{kind}"
    write_json({"targets": 30}, tmp_path / "target_summary.json")
    if kind == "csv":
        write_csv(frame.head(10), path)
    else:
        frame.head(10).write_parquet(path)
    with pytest.raises(InputError, match="holds 10 targets but target_summary.json says 30"):
        read_targets(path)
    write_json({"targets": 10}, tmp_path / "target_summary.json")
    read = read_targets(path)
    assert read.height == 10 and read["reasons"][0].to_list() == ["+1 x"]
