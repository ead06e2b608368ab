"""`jkdata diff` on synthetic git histories: record and schema changes, and the bump verdict."""

from __future__ import annotations

import json
import subprocess

import pytest
from click.testing import CliRunner

from conftest import edit
from jkdata.cli import cli


def git(repo, *args):
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


@pytest.fixture
def repo(package):
    """The package as a git repository with one commit at version 0.1.0, tagged v0.1.0."""
    set_version(package, "0.1.0")
    git(package, "init", "-q", "-b", "main")
    git(package, "-c", "user.name=t", "-c", "user.email=t@example.org", "add", "-A")
    git(package, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "v0.1.0")
    git(package, "tag", "v0.1.0")
    return package


def diff(repo, *args):
    result = CliRunner().invoke(
        cli, ["diff", *args, "--package-dir", str(repo), "--format", "json"]
    )
    return result.exit_code, json.loads(result.output) if result.output.startswith(
        "{"
    ) else result.output


def set_version(repo, version):
    path = repo / "datapackage.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["version"] = version
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def kinds(report):
    return {(c["table"], c["kind"], c["key"]) for c in report["changes"]}


def test_no_change_needs_no_bump(repo):
    code, report = diff(repo, "v0.1.0")
    assert code == 0 and report["required_bump"] == "none" and report["ok"]
    assert report["changes"] == []


def test_added_record_needs_minor(repo):
    path = repo / "data/actors.csv"
    path.write_text(
        path.read_text(encoding="utf-8") + "AC-9001,Example Person,,person,KOR,Example office,,\n",
        encoding="utf-8",
    )
    code, report = diff(repo, "v0.1.0")
    assert ("actors", "record_added", "AC-9001") in kinds(report)
    assert report["required_bump"] == "minor" and not report["ok"]
    set_version(repo, "0.2.0")
    assert diff(repo, "v0.1.0")[1]["ok"]


def test_corrected_value_needs_patch_and_shows_before_after(repo):
    edit(
        repo / "data/actors.csv", "Kim Dae-Jung", "Kim Dae-jung"
    )  # a spelling fix of an identity field
    code, report = diff(repo, "v0.1.0")
    change = next(c for c in report["changes"] if c["key"] == "AC-0005")
    assert change["kind"] == "record_changed" and change["bump"] == "patch"
    assert change["fields"] == [
        {"field": "name", "before": "Kim Dae-Jung", "after": "Kim Dae-jung"}
    ]
    assert report["required_bump"] == "patch"


def test_changed_meaning_needs_major(repo):
    edit(
        repo / "data/events.csv",
        "EV-0004,Japan imposes export controls on semiconductor materials",
        "EV-0004,Tokyo Olympics open",
    )
    code, report = diff(repo, "v0.1.0")
    assert ("events", "record_meaning_changed", "EV-0004") in kinds(report)
    assert report["required_bump"] == "major"


def test_exact_identity_field_change_needs_major(repo):
    edit(repo / "data/citations.csv", "CI-0001,events,EV-0001,", "CI-0001,events,EV-0002,")
    _, report = diff(repo, "v0.1.0")
    assert ("citations", "record_meaning_changed", "CI-0001") in kinds(report)
    assert report["required_bump"] == "major"


def test_recoded_event_type_is_a_patch(repo):
    """A coder's classification is not identity: recoding event_type corrects the record."""
    edit(repo / "data/events.csv", ",speech,", ",press_statement,")
    _, report = diff(repo, "v0.1.0")
    change = next(c for c in report["changes"] if c["key"] == "EV-0005")
    assert change["kind"] == "record_changed" and change["bump"] == "patch"
    assert {"field": "event_type", "before": "speech", "after": "press_statement"} in change[
        "fields"
    ]
    assert report["required_bump"] == "patch"


def test_recoded_role_pairs_the_link_as_a_patch(repo):
    """A link row whose role changes (its key) is the same link recoded, not removed and added."""
    edit(repo / "data/dispute_actors.csv", "DI-0011,AC-0001,respondent", "DI-0011,AC-0001,party")
    _, report = diff(repo, "v0.1.0")
    change = next(c for c in report["changes"] if c["table"] == "dispute_actors")
    assert change["kind"] == "record_changed" and change["key"] == "DI-0011|AC-0001|party"
    assert report["required_bump"] == "patch"


def test_date_identity_is_overlap(repo):
    """A date narrowed within its span is a correction; one moved to a span it did not cover is
    a new meaning."""
    edit(
        repo / "data/events.csv",
        "2008,2008-01-01,2008-12-31,year,stated",
        "2008-05,2008-05-01,2008-05-31,month,stated",
    )
    _, report = diff(repo, "v0.1.0")
    assert report["required_bump"] == "patch", report["changes"]
    edit(
        repo / "data/events.csv",
        "2008-05,2008-05-01,2008-05-31,month,stated",
        "2009,2009-01-01,2009-12-31,year,stated",
    )
    _, report = diff(repo, "v0.1.0")
    assert ("events", "record_meaning_changed", "EV-0014") in kinds(report)


def test_removed_record_needs_major_and_check_fails(repo):
    path = repo / "data/event_disputes.csv"
    path.write_text(path.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    set_version(repo, "0.2.0")
    code, report = diff(repo, "v0.1.0", "--check")
    assert code == 1
    assert ("event_disputes", "record_removed", "EV-0004|DI-0003|escalates") in kinds(report)
    assert report["required_bump"] == "major" and report["declared_bump"] == "minor"


def _schema_edit(repo, table, change):
    path = repo / f"schemas/{table}.schema.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    change(schema)
    path.write_text(json.dumps(schema, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _field(schema, name):
    return next(f for f in schema["fields"] if f["name"] == name)


def _drop_category(field: dict, value: str) -> None:
    """Remove a category as an editor must: from the categories and from the enum that mirrors them."""
    field["constraints"]["enum"].remove(value)
    field["categories"] = [c for c in field["categories"] if c["value"] != value]


@pytest.mark.parametrize(
    "change, kind, bump",
    [
        (
            lambda s: _field(s, "description").update(description="Reworded for readers."),
            "field_documented",
            "patch",
        ),
        (
            lambda s: _field(s, "description")["constraints"].update(maxLength=2000),
            "constraint_loosened",
            "minor",
        ),
        (
            lambda s: _field(s, "description")["constraints"].update(maxLength=500),
            "constraint_tightened",
            "major",
        ),
        (
            lambda s: _drop_category(_field(s, "event_type"), "military"),
            "constraint_tightened",
            "major",
        ),
        (
            lambda s: _field(s, "location").setdefault("constraints", {}).update(required=True),
            "constraint_tightened",
            "major",
        ),
        (lambda s: _field(s, "cameo_code").update(type="integer"), "field_retyped", "major"),
    ],
    ids=["description", "longer", "shorter", "enum_value_removed", "now_required", "retyped"],
)
def test_schema_changes_and_their_bumps(repo, change, kind, bump):
    _schema_edit(repo, "events", change)
    _, report = diff(repo, "v0.1.0")
    assert any(c["kind"] == kind and c["bump"] == bump for c in report["changes"]), report[
        "changes"
    ]


def test_new_field_needs_minor_and_removed_field_needs_major(repo):
    for name in ("events",):
        path = repo / f"data/{name}.csv"
        lines = path.read_text(encoding="utf-8").splitlines()
        path.write_text(
            "\n".join(f"{line},x" if i else f"{line},source_note" for i, line in enumerate(lines))
            + "\n",
            encoding="utf-8",
        )
    _schema_edit(
        repo, "events", lambda s: s["fields"].append({"name": "source_note", "type": "string"})
    )
    _, report = diff(repo, "v0.1.0")
    assert (
        any(c["kind"] == "field_added" for c in report["changes"])
        and report["required_bump"] == "minor"
    )
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qam", "add field")
    path = repo / "data/events.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(line.rsplit(",", 1)[0] for line in lines) + "\n", encoding="utf-8")
    _schema_edit(repo, "events", lambda s: s["fields"].pop())
    _, report = diff(repo, "HEAD")
    assert (
        any(c["kind"] == "field_removed" for c in report["changes"])
        and report["required_bump"] == "major"
    )


def test_two_refs_and_markdown_report(repo):
    edit(repo / "data/actors.csv", "Kim Dae-Jung", "Kim Dae-jung")
    set_version(repo, "0.1.1")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qam", "fix")
    result = CliRunner().invoke(cli, ["diff", "v0.1.0", "HEAD", "--package-dir", str(repo)])
    assert result.exit_code == 0
    assert "- Version: 0.1.0 → 0.1.1 (declared bump: **patch**)" in result.output
    assert "- name: `Kim Dae-Jung` → `Kim Dae-jung`" in result.output
    assert "✅" in result.output


def test_unknown_ref_is_a_usage_error(repo):
    result = CliRunner().invoke(cli, ["diff", "no-such-ref", "--package-dir", str(repo)])
    assert result.exit_code == 2 and "unknown git ref" in result.output


@pytest.mark.parametrize(
    "table, shown",
    [
        ("actors", "actor_id: AC-0001"),  # the first record repeated
        ("event_actors", "event_id, actor_id, event_role: EV-0001|AC-0001|visitor"),
    ],
    ids=["duplicate_id", "duplicate_link_row"],
)
def test_duplicate_key_in_working_tree_is_a_clear_error(repo, table, shown):
    """A repeated key cannot be paired with the old records: a clear error naming the table and
    the key, not a pandas traceback."""
    path = repo / f"data/{table}.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    path.write_text("\n".join([*lines[:2], lines[1], *lines[2:]]), encoding="utf-8")
    result = CliRunner().invoke(cli, ["diff", "v0.1.0", "--package-dir", str(repo)])
    assert result.exit_code == 1, result.output  # the data is at fault, not the command line
    assert f"cannot compare: working tree: {table} has a duplicate {shown}" in result.output
    assert "Usage:" not in result.output
