"""The synthetic package generator: a valid package passes every check, and a package with
injected errors is reported with exactly those errors, by either row engine."""

from __future__ import annotations

import csv
import json

import pytest
from click.testing import CliRunner

from conftest import ROOT, run_validate
from jkdata.cli import cli
from jkdata.tools.synthetic import generate

EVENTS = 400


@pytest.fixture(scope="module")
def valid(tmp_path_factory):
    return generate(tmp_path_factory.mktemp("synth") / "valid", EVENTS, seed=7)


@pytest.fixture(scope="module")
def broken(tmp_path_factory):
    return generate(tmp_path_factory.mktemp("synth") / "bad", EVENTS, seed=7, bad=True)


def test_valid_package_passes_every_check_including_quotes(valid):
    code, report, output = run_validate(valid.root, "--sources-dir", str(valid.sources_dir))
    assert code == 0, output
    assert report["rows"] == valid.rows
    assert any(n.startswith("quotes checked against") for n in report["notes"])


def test_sizes_follow_the_number_of_events(valid):
    assert valid.rows["events"] == EVENTS
    assert 2 * EVENTS <= valid.rows["event_actors"] <= 4 * EVENTS  # 2-4 actors, about 3
    assert 5 * EVENTS <= sum(valid.rows.values()) <= 6 * EVENTS


def test_same_seed_same_files(valid, tmp_path):
    again = generate(tmp_path / "again", EVENTS, seed=7)
    for path in sorted((valid.root / "data").glob("*.csv")):
        assert (again.root / "data" / path.name).read_bytes() == path.read_bytes(), path.name


@pytest.mark.parametrize("engines", ["never", "always"])
def test_injected_errors_are_found_exactly(broken, engines):
    code, report, output = run_validate(
        broken.root, "--sources-dir", str(broken.sources_dir), "--frictionless", engines
    )
    assert code == 1, output
    found = {(p["file"], p["row"], p["column"], p["rule"]) for p in report["problems"]}
    assert found == broken.expected
    assert len(report["problems"]) == len(broken.expected)  # and nothing reported twice


def test_injected_errors_cover_the_classes(broken):
    rules = {rule for *_, rule in broken.expected}
    assert {
        "type",
        "enum",
        "pattern",
        "required",
        "max_length",
        "primary_key",
        "unique_key",
        "foreign_key",
        "date_bounds",
        "date_precision",
        "date_invalid",
        "date_note",
        "date_incomplete",
        "whitespace",
        "formula",
        "control_character",
        "unicode_nfc",
        "citation_missing",
        "citation_target",
        "link_citation",
        "quote_not_found",
    } <= rules


def test_synth_command_writes_the_expected_problems(tmp_path):
    out = tmp_path / "pkg"
    args = ["synth", str(out), "--events", "50", "--bad", "--template", str(ROOT)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    expected = json.loads((out / "expected-problems.json").read_text())
    assert expected and set(expected[0]) == {"file", "row", "column", "rule"}
    assert (out / "sources").is_dir() and (out / "datapackage.json").is_file()
    again = CliRunner().invoke(cli, args)
    assert again.exit_code == 2  # the directory is not empty any more


def test_parallel_and_serial_checks_report_the_same(broken, monkeypatch):
    from jkdata.validate import run

    serial = run.validate_package(broken.root, broken.sources_dir).as_dict()
    monkeypatch.setattr(run, "_PARALLEL_FROM", 0)  # threads even for a small package
    monkeypatch.setattr(run, "_LARGE", 0)  # and every table counted as large
    parallel = run.validate_package(broken.root, broken.sources_dir).as_dict()
    assert parallel == serial and serial["problem_count"] == len(broken.expected)


@pytest.mark.parametrize("events", [10, 11, 37])
def test_the_smallest_packages_work_too(tmp_path, events):
    good = generate(tmp_path / "good", events, seed=1)
    bad = generate(tmp_path / "bad", events, seed=1, bad=True)
    code, report, _ = run_validate(good.root, "--sources-dir", str(good.sources_dir))
    assert code == 0
    code, report, _ = run_validate(bad.root, "--sources-dir", str(bad.sources_dir))
    found = {(p["file"], p["row"], p["column"], p["rule"]) for p in report["problems"]}
    assert code == 1 and found == bad.expected


def test_every_value_of_a_vocabulary_is_used(valid):
    """Each required vocabulary field with at least as many rows as values uses every value."""
    from jkdata.model.load import load_package
    from jkdata.validate.structure import read_table

    package, _ = load_package(valid.root)
    checked = 0
    for resource in package.resources:
        table = read_table(resource)
        for fld in resource.fields:
            if fld.vocabulary and fld.required and len(table) >= len(fld.vocabulary):
                used = set(table.column(fld.name).to_pylist())
                assert used == set(fld.vocabulary), (resource.name, fld.name)
                checked += 1
    assert checked >= 8


def _schema(root, name: str) -> tuple[dict, object]:
    path = root / "schemas" / f"{name}.schema.json"
    return json.loads(path.read_text(encoding="utf-8")), path


def _save(schema: dict, path) -> None:
    path.write_text(json.dumps(schema, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def test_a_new_vocabulary_value_is_generated_and_validates(package, tmp_path):
    """Issue 14: a value added to a vocabulary (categories and enum) needs no change to the
    generator: `jkdata synth --template` uses it, and its output validates."""
    schema, path = _schema(package, "events")
    event_type = next(f for f in schema["fields"] if f["name"] == "event_type")
    event_type["categories"].append(
        {"value": "cyber_incident", "label": "Cyber incident: an attack on computer systems."}
    )
    event_type["constraints"]["enum"].append("cyber_incident")
    _save(schema, path)
    out = tmp_path / "synth"
    args = ["synth", str(out), "--events", "200", "--template", str(package)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    with (out / "data" / "events.csv").open(encoding="utf-8") as f:
        types = [row["event_type"] for row in csv.DictReader(f)]
    assert "cyber_incident" in types
    code, report, output = run_validate(out, "--sources-dir", str(out / "sources"))
    assert code == 0, output


def test_new_optional_fields_are_generated_and_validate(package, tmp_path):
    """Fields added to a schema are generated from what it says of them: type, constraints,
    vocabulary; the generated package validates."""
    schema, path = _schema(package, "events")
    schema["fields"] += [
        {"name": "casualties", "type": "integer", "constraints": {"minimum": 0, "maximum": 50}},
        {"name": "summary_ko", "type": "string", "constraints": {"maxLength": 12}},
        {
            "name": "source_ref",
            "type": "string",
            "constraints": {"pattern": "REF-[A-Z]{2}[0-9]{3}"},
        },
        {"name": "confirmed", "type": "boolean"},
        {
            "name": "channel",
            "type": "string",
            "categories": [{"value": "official"}, {"value": "leak"}],
            "constraints": {"enum": ["official", "leak"]},
        },
    ]
    _save(schema, path)
    generated = generate(tmp_path / "synth", 200, seed=2, template=package)
    with (generated.root / "data" / "events.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for name in ("casualties", "summary_ko", "source_ref", "confirmed", "channel"):
        values = [row[name] for row in rows if row[name]]
        assert values and len(values) < len(rows), name  # optional: filled in some rows
    assert all(0 <= int(row["casualties"]) <= 50 for row in rows if row["casualties"])
    assert all(len(row["summary_ko"]) <= 12 for row in rows)
    assert {row["channel"] for row in rows} == {"official", "leak", ""}
    code, report, output = run_validate(generated.root, "--sources-dir", str(generated.sources_dir))
    assert code == 0, output
    # Injected errors are still found exactly, in the changed package.
    bad = generate(tmp_path / "bad", 200, seed=2, bad=True, template=package)
    code, report, _ = run_validate(bad.root, "--sources-dir", str(bad.sources_dir))
    found = {(p["file"], p["row"], p["column"], p["rule"]) for p in report["problems"]}
    assert code == 1 and found == bad.expected
