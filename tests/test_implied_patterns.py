"""Pattern checks that foreign key lookups stand in for: the same problems as checking every cell.

`jkdata validate` skips the pattern of a foreign key field whose target field has the same
pattern, and matches only the values the lookup did not find, or found in a target row that
failed the pattern itself. These tests corrupt both kinds of rows and compare with the full check.
"""

from __future__ import annotations

from pathlib import Path

from conftest import edit, run_validate
from jkdata.csvread import read_table
from jkdata.package import load_package
from jkdata.pandera_checks import implied_patterns, row_problems


def _patterns_everywhere(root: Path) -> set[tuple]:
    """Every pattern problem, from checking every cell of every table."""
    package, _ = load_package(root)
    return {
        (p.file, p.row, p.column, p.value)
        for resource in package.resources
        for p in row_problems(read_table(resource))
        if p.rule == "pattern"
    }


def _reported_patterns(report: dict) -> set[tuple]:
    return {
        (p["file"], p["row"], p["column"], p["value"])
        for p in report["problems"]
        if p["rule"] == "pattern"
    }


def test_link_fields_with_the_target_pattern_are_implied():
    package, _ = load_package(Path(__file__).resolve().parent.parent)
    implied = implied_patterns(package)
    assert implied[("event_actors", "actor_id")] == ("actors", "actor_id")
    assert implied[("citations", "source_id")] == ("sources", "source_id")
    # record_id points at several tables, through no foreign key: matched cell by cell
    assert ("citations", "record_id") not in implied


def test_values_missing_from_the_target_are_still_matched(package: Path):
    edit(package / "data" / "event_actors.csv", "EV-0001,AC-0001,", "EV-1,AC-0001,")
    code, report, _ = run_validate(package)
    assert code == 1
    assert ("data/event_actors.csv", 2, "event_id", "EV-1") in _reported_patterns(report)
    assert _reported_patterns(report) == _patterns_everywhere(package)


def test_values_found_in_a_target_row_that_fails_the_pattern_are_reported(package: Path):
    # The same bad ID in the target and in a link row: the lookup finds it, yet both fail.
    edit(package / "data" / "actors.csv", "AC-0001,", "AC-1,")
    edit(package / "data" / "event_actors.csv", "EV-0001,AC-0001,", "EV-0001,AC-1,")
    code, report, _ = run_validate(package)
    assert code == 1
    reported = _reported_patterns(report)
    assert ("data/actors.csv", 2, "actor_id", "AC-1") in reported
    assert ("data/event_actors.csv", 2, "actor_id", "AC-1") in reported
    assert reported == _patterns_everywhere(package)


def test_every_cell_is_matched_when_the_target_cannot_be_read(package: Path):
    edit(package / "data" / "actors.csv", "actor_id,", "actor,")  # a wrong header
    edit(package / "data" / "event_actors.csv", "EV-0001,AC-0001,", "EV-0001,AC-1,")
    code, report, _ = run_validate(package)
    assert code == 1
    assert ("data/event_actors.csv", 2, "actor_id", "AC-1") in _reported_patterns(report)
