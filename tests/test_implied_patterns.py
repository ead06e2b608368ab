"""Pattern checks that foreign key lookups stand in for: the same report as checking every cell.

pandera's schema for a table leaves out the pattern of a foreign key field whose target field has
the same pattern (`keys.implied_patterns`); after the lookup, pandera checks that pattern only on
the values the target lacks or holds in a row that failed the pattern itself. These tests break
both kinds of rows and compare the whole report with the one checking every cell.
"""

from __future__ import annotations

import pytest

from conftest import ROOT, edit, run_validate
from jkdata.model.load import load_package
from jkdata.validate import keys

CASES = {
    # a link row whose IDs break their pattern (and so are not found), beside other cell problems
    "link row": [("event_actors", "EV-0001,AC-0004,host,CI-0001,", "EV-01,AC-4,bogus,CI-1,x")],
    # a target ID that breaks the pattern and a link row pointing at it (found, yet not vouched)
    "bad target": [
        ("actors", "AC-0001,", "AC-001,"),
        ("event_actors", "EV-0001,AC-0001,", "EV-0001,AC-001,"),
    ],
    # a target that cannot be parsed: no lookup, so every value is matched
    "unparsed target": [
        ("actors", "AC-0002,", 'AC-0002,"broken'),
        ("event_actors", "EV-0001,AC-0004,host", "EV-0001,AC-4,host"),
    ],
    # a target whose header is wrong: its rows are not checked, the link's pattern still is
    "bad target header": [
        ("events", "event_id,", "eventid,"),
        ("event_actors", "EV-0001,AC-0004,host", "EV-1,AC-0004,host"),
    ],
    "empty key and bad pattern": [
        ("event_actors", "EV-0001,AC-0004,host,CI-0001,", ",AC-x,host,,")
    ],
    "source of a citation": [
        ("citations", "CI-0001,events,EV-0001,SR-0001,", "CI-0001,events,EV-0001,SR-1,")
    ],
}


def test_link_tables_leave_their_id_patterns_to_the_lookups():
    package, _ = load_package(ROOT)
    implied = keys.implied_patterns(package)
    assert implied[("event_actors", "actor_id")] == ("actors", "actor_id")
    assert implied[("citations", "source_id")] == ("sources", "source_id")
    # a target field whose own pattern is left to a lookup vouches for nothing
    assert all(target not in implied for target in implied.values())


@pytest.mark.parametrize("edits", CASES.values(), ids=list(CASES))
def test_the_report_is_the_same_as_matching_every_cell(package, monkeypatch, edits):
    for table, old, new in edits:
        edit(package / "data" / f"{table}.csv", old, new)
    code, report, output = run_validate(package)
    assert code == 1 and any(p["rule"] == "pattern" for p in report["problems"]), output
    monkeypatch.setattr(keys, "implied_patterns", lambda package: {})
    assert run_validate(package) == (code, report, output)
