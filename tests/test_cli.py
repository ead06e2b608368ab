"""The `jkdata` command line, through click's CliRunner."""

from __future__ import annotations

import json
import subprocess
import sys

from click.testing import CliRunner

from conftest import ROOT, edit, needs_seeds, run_validate
from jkdata.cli import cli
from jkdata.problems import show_value


def test_real_package_is_valid():
    code, report, output = run_validate(ROOT)
    assert code == 0, output
    assert report["valid"] and report["problem_count"] == 0
    assert sum(report["rows"].values()) > 0


@needs_seeds
def test_real_package_quotes_are_checked_against_the_seeds():
    code, report, output = run_validate(ROOT)
    assert code == 0, output
    assert any(note.startswith("quotes checked against 2 source texts") for note in report["notes"])


def test_validate_accepts_the_descriptor_path_too():
    code, _, output = run_validate(ROOT / "datapackage.json")
    assert code == 0, output


def test_text_output_names_file_row_column_value_and_rule(package):
    edit(package / "data/events.csv", ",speech,", ",lecture,")
    result = CliRunner().invoke(cli, ["validate", str(package)])
    assert result.exit_code == 1
    first = result.output.splitlines()[0]
    assert first.startswith(
        'data/events.csv, row 6, column event_type, value "lecture": must be one of'
    )
    assert first.endswith("[enum]")
    assert "invalid: 1 problem in 1 file" in result.output
    assert "Traceback" not in result.output


def test_text_output_shows_invisible_characters_as_escapes(package):
    """A no-break space looks like a space and a zero-width space like nothing: the text report
    writes them as escapes (Korean and Japanese text stays as it is); JSON keeps the value."""
    edit(package / "data/events.csv", ",speech,", ",speech\u00a0,")
    text = CliRunner().invoke(cli, ["validate", str(package)]).output
    assert 'value "speech\\u00a0"' in text
    assert "speech\u00a0" not in text
    report = json.loads(
        CliRunner().invoke(cli, ["validate", str(package), "--format", "json"]).output
    )
    assert {p["value"] for p in report["problems"]} == {"speech\u00a0"}
    assert show_value("이재명\u200b石破茂\u2028") == '"이재명\\u200b石破茂\\u2028"'


def test_a_schema_problem_names_the_field(package):
    """`fields[1]` alone would send the reader counting fields in the schema file."""
    edit(package / "schemas/events.schema.json", '"maxLength": 300', '"maxLength": "300"')
    edit(package / "schemas/sources.schema.json", '"type": "integer"', '"type": "int"')
    lines = CliRunner().invoke(cli, ["validate", str(package)]).output.splitlines()
    assert (
        'schemas/events.schema.json, column fields[1].constraints.maxLength, value "300": '
        "must be a whole number, 0 or more (field title) [schema]"
    ) in lines
    assert any(
        line.startswith("schemas/sources.schema.json, column fields[3].type")
        and line.endswith("(field byte_size) [schema]")
        for line in lines
    ), lines


def test_json_output_is_machine_readable(package):
    edit(package / "data/events.csv", ",speech,", ",lecture,")
    result = CliRunner().invoke(cli, ["validate", str(package), "--format", "json"])
    report = json.loads(result.output)
    assert report["valid"] is False
    assert report["problems"][0] == {
        "file": "data/events.csv",
        "row": 6,
        "column": "event_type",
        "value": "lecture",
        "rule": "enum",
        "message": report["problems"][0]["message"],
    }


def test_missing_directory_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(cli, ["validate", str(tmp_path / "nowhere")])
    assert result.exit_code == 2


def test_a_data_file_instead_of_the_package_is_a_usage_error():
    result = CliRunner().invoke(cli, ["validate", str(ROOT / "data/events.csv")])
    assert result.exit_code == 2
    assert "is a file; give the package's directory or its datapackage.json" in result.output


def test_unknown_option_value_is_a_usage_error():
    result = CliRunner().invoke(cli, ["validate", str(ROOT), "--format", "xml"])
    assert result.exit_code == 2


def test_empty_directory_reports_the_missing_descriptor(tmp_path):
    result = CliRunner().invoke(cli, ["validate", str(tmp_path)])
    assert result.exit_code == 1
    assert result.output.startswith(
        f"datapackage.json: no datapackage.json in {tmp_path.resolve()}: give the package's "
        "directory, which holds it [missing_file]"
    )


def test_a_table_left_out_for_its_schema_is_named_in_the_notes(package):
    """A schema typo stops the events table from being checked at all: the summary counts one
    table fewer, and a note says which table and what was not checked."""
    edit(package / "schemas/events.schema.json", '"required"', '"requried"')
    edit(package / "data/events.csv", ",speech,", ",lecture,")
    code, report, _ = run_validate(package)
    assert code == 1
    assert {p["file"] for p in report["problems"]} == {"schemas/events.schema.json"}
    assert "events" not in report["rows"]
    assert (
        "table events (data/events.csv) was not checked: its rows and the foreign keys into it "
        "are checked once the problem reported for it is fixed"
    ) in report["notes"]


def test_frictionless_never_still_checks_everything_else(package):
    edit(package / "data/events.csv", ",speech,", ",lecture,")
    code, report, _ = run_validate(package, "--frictionless", "never")
    assert code == 1 and [p["rule"] for p in report["problems"]] == ["enum"]


def test_help_lists_commands():
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0 and "validate" in result.output


def test_a_plain_validate_imports_only_what_it_needs(package):
    """The exports and the test-only EDTF reference stay unimported. (pandera and polars are left
    out of this list: the per-table validation engine may use them.)"""
    script = (
        "import sys\n"
        "from jkdata.cli import cli\n"
        f"try: cli(['validate', {str(package)!r}])\n"
        "except SystemExit: pass\n"
        "print(' '.join(sorted({m.split('.')[0] for m in sys.modules})))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert "valid:" in done.stdout, done.stdout + done.stderr
    imported = set(done.stdout.splitlines()[-1].split())
    unneeded = {"edtf", "matplotlib", "pyparsing", "xlsxwriter"}
    assert imported & unneeded == set()
