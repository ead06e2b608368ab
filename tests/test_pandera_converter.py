"""The pandera (polars) schema generated from a Table Schema, tested against bad rows and against
frictionless itself, and run by pandera on every `jkdata validate`."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pandera.polars as pa
import polars as pl
import pytest
from frictionless import Package as FrictionlessPackage
from frictionless import Resource as FrictionlessResource
from frictionless import Schema

from conftest import ROOT, run_validate
from jkdata.model.load import load_package
from jkdata.model.schema import resource_from_schema
from jkdata.model.values import typed_frame
from jkdata.validate import cells
from jkdata.validate.cells import cell_problems, failure_cases, pandera_schema
from jkdata.validate.frictionless_engine import map_error
from jkdata.validate.structure import read_table

SCHEMA = {
    "fields": [
        {
            "name": "thing_id",
            "type": "string",
            "constraints": {"required": True, "pattern": "TH-[0-9]{4}"},
        },
        {"name": "flag", "type": "boolean"},
        {"name": "count", "type": "integer", "constraints": {"minimum": 0, "maximum": 10}},
        {"name": "share", "type": "number"},
        {"name": "day", "type": "date", "constraints": {"minimum": "2000-01-01"}},
        {"name": "kind", "type": "string", "constraints": {"enum": ["a", "b"]}},
        {
            "name": "label",
            "type": "string",
            "constraints": {"minLength": 2, "maxLength": 5, "unique": True},
        },
    ],
    "primaryKey": ["thing_id"],
    "uniqueKeys": [["kind", "day"]],
}
GOOD = "TH-0001,false,3,0.5,2020-01-31,a,ok\nTH-0002,true,,1e3,,b,fine\nTH-0003,FALSE,10,-2,2024-02-29,,also\n"
BAD = (
    "TH-0001,false,3,0.5,2020-01-31,a,ok\n"  # row 2: fine
    "TH-0002,yes,1.0,x,2025-02-30,c,o\n"  # row 3: boolean, integer, number, date types; enum; minLength
    "TH-0001,0,11,,1999-12-31,a,ok\n"  # row 4: primary key, maximum, minimum, unique label
    "TH-9,1,-1,,2020-01-31,a,toolong\n"  # row 5: pattern, minimum, unique key (kind, day), maxLength
)


def make_table(tmp_path: Path, rows: str):
    header = ",".join(f["name"] for f in SCHEMA["fields"])
    path = tmp_path / "things.csv"
    path.write_text(header + "\n" + rows, encoding="utf-8")
    resource = resource_from_schema("things", "things.csv", path, SCHEMA, None, 0, {})
    return resource, read_table(resource)


def test_good_rows_pass_and_convert_to_proper_types(tmp_path):
    resource, table = make_table(tmp_path, GOOD)
    assert cell_problems(table) == []
    typed = typed_frame(table.frame, resource)
    # "false" must be False: pandera's own converter turns any non-empty string into True.
    assert typed["flag"].tolist() == [False, True, False]
    assert str(typed["count"].dtype) == "Int64" and typed["count"].isna().tolist() == [
        False,
        True,
        False,
    ]
    assert typed["share"].tolist() == [0.5, 1000.0, -2.0]
    assert typed["day"].iloc[2] == pd.Timestamp("2024-02-29") and pd.isna(typed["day"].iloc[1])


def test_bad_rows_are_each_reported_at_their_cell(tmp_path):
    _, table = make_table(tmp_path, BAD)
    found = {(p.row, p.column, p.rule) for p in cell_problems(table)}
    assert found == {
        (3, "flag", "type"),
        (3, "count", "type"),
        (3, "share", "type"),
        (3, "day", "type"),
        (3, "kind", "enum"),
        (3, "label", "min_length"),
        (4, "thing_id", "primary_key"),
        (4, "count", "maximum"),
        (4, "day", "minimum"),
        (4, "label", "unique"),
        (5, "thing_id", "pattern"),
        (5, "count", "minimum"),
        (5, "kind,day", "unique_key"),
        (5, "label", "max_length"),
    }


def test_the_schema_uses_pandera_builtins_named_by_our_rules(tmp_path):
    resource, _ = make_table(tmp_path, GOOD)
    schema = pandera_schema(resource)
    assert isinstance(schema, pa.DataFrameSchema) and schema.strict and schema.ordered
    checks = {name: [c.error for c in column.checks] for name, column in schema.columns.items()}
    assert checks["thing_id"] == ["pattern"]
    assert checks["flag"] == ["type"] and schema.columns["flag"].checks[0].name == "isin"
    assert checks["count"] == ["type", "minimum", "maximum"]
    assert schema.columns["count"].checks[0].name == "str_matches"
    assert checks["kind"] == ["enum"] and schema.columns["kind"].checks[0].name == "isin"
    assert checks["label"] == ["unique", "min_length", "max_length"]
    assert schema.columns["label"].checks[1].name == "str_length"
    assert [c.name for c in schema.checks] == ["primary_key", "unique_key:kind,day"]


def test_pandera_reports_each_failure_with_its_row_and_our_rule(tmp_path):
    resource, table = make_table(tmp_path, BAD)
    cases = failure_cases(resource, table.to_polars())
    assert isinstance(cases, pl.DataFrame)
    found = {(r["column"], r["check"], r["index"]) for r in cases.iter_rows(named=True)}
    assert ("day", "type", 1) in found and ("count", "maximum", 2) in found
    assert ("things", "primary_key", 2) in found  # a frame-wide check names the schema
    _, table = make_table(tmp_path, GOOD)
    assert failure_cases(resource, table.to_polars()) is None


def test_empty_cells_are_not_repeats_of_each_other(tmp_path):
    # pandera's own unique=True counts two empty cells as a repeat; a unique field does not.
    body = "TH-0001,,,,2020-01-01,a,\nTH-0002,,,,2020-01-01,,\nTH-0003,,,,,,\n"
    _, table = make_table(tmp_path, body)
    assert cell_problems(table) == []


def test_pandera_runs_on_every_validate(monkeypatch):
    """`jkdata validate` runs the generated schema with pandera's polars backend, table by table."""
    validated = []
    run = pa.DataFrameSchema.validate

    def spy(self, frame, *args, **kwargs):
        validated.append((self.name, type(frame)))
        return run(self, frame, *args, **kwargs)

    monkeypatch.setattr(pa.DataFrameSchema, "validate", spy)
    code, report, output = run_validate(ROOT)
    assert code == 0, output
    assert sorted(validated) == sorted((r.name, pl.DataFrame) for r in PACKAGE.resources)


def test_a_fresh_validate_imports_pandera_polars():
    script = (
        "import sys; from click.testing import CliRunner; from jkdata.cli import cli; "
        f"result = CliRunner().invoke(cli, ['validate', {str(ROOT)!r}]); "
        "print(result.exit_code, 'pandera.polars' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["0", "True"]


def test_problem_keeps_the_original_cell_text(tmp_path):
    _, table = make_table(tmp_path, BAD)
    by_place = {(p.row, p.column): p for p in cell_problems(table)}
    assert by_place[(3, "day")].value == "2025-02-30"
    assert by_place[(3, "flag")].value == "yes"
    assert "YYYY-MM-DD" in by_place[(3, "day")].message
    assert by_place[(4, "thing_id")].message.endswith("(first in row 2)")


def test_frictionless_finds_the_same_problems_except_unique_keys(tmp_path):
    # frictionless 5 does not enforce uniqueKeys; everything else must agree cell for cell.
    resource, table = make_table(tmp_path, BAD)
    ours = {(p.row, p.column, p.rule) for p in cell_problems(table)}
    source = FrictionlessResource(
        path="things.csv", basepath=str(tmp_path), schema=Schema.from_descriptor(SCHEMA)
    )
    report = source.validate()
    theirs = {
        (p.row, p.column, p.rule) for p in (map_error(e, resource) for e in report.tasks[0].errors)
    }
    assert theirs == ours - {(5, "kind,day", "unique_key")}


def test_required_and_missing_values():
    resource = resource_from_schema("things", "x.csv", Path("x.csv"), SCHEMA, None, 0, {})
    schema = pandera_schema(resource)
    assert schema.columns["thing_id"].nullable is False
    assert schema.columns["count"].nullable is True


PACKAGE, _ = load_package(ROOT)
FRICTIONLESS_PACKAGE = FrictionlessPackage(str(ROOT / "datapackage.json"))


@pytest.mark.parametrize("resource", PACKAGE.resources, ids=[r.name for r in PACKAGE.resources])
def test_typed_values_agree_with_frictionless(resource):
    ours = typed_frame(read_table(resource).frame, resource)
    rows = FRICTIONLESS_PACKAGE.get_resource(resource.name).read_rows()
    assert len(rows) == len(ours)
    for row, (_, typed) in zip(rows, ours.iterrows(), strict=True):
        for field in resource.field_names:
            expected = row[field]
            actual = typed[field]
            if expected is None:
                assert pd.isna(actual), (resource.name, field, actual)
            elif isinstance(expected, dt.date):
                assert actual.date() == expected
            else:
                assert actual == expected, (resource.name, field, actual, expected)


def test_lengths_are_counted_in_characters_not_bytes(tmp_path):
    # Korean syllables take three bytes each: sizes in bytes decide some cells, not all of them.
    rows = [
        ("TH-0001", "가나다라마"),  # 5 characters, 15 bytes: within maxLength
        ("TH-0002", "가나다라마바"),  # 6 characters: too long
        ("TH-0003", "가"),  # 1 character, 3 bytes: too short for minLength 2
        ("TH-0004", "가a"),  # 2 characters: fine
        ("TH-0005", "abcdef"),  # 6 ASCII characters: too long
    ]
    body = "".join(f"{thing},,,,,,{label}\n" for thing, label in rows)
    _, table = make_table(tmp_path, body)
    found = {(p.row, p.rule) for p in cell_problems(table) if p.column == "label"}
    assert found == {(3, "max_length"), (4, "min_length"), (6, "max_length")}


def test_keys_whose_hashes_collide_are_still_compared_exactly(tmp_path, monkeypatch):
    # Keys are hashed first and compared only where a hash repeats: with every hash alike, every
    # row is compared, and the report must not change.
    _, table = make_table(tmp_path, BAD)
    expected = cell_problems(table)
    monkeypatch.setattr(cells, "key_hash", lambda columns: pl.col(columns[0]).hash() * 0)
    assert cell_problems(table) == expected
    _, table = make_table(tmp_path, GOOD)
    assert cell_problems(table) == []
