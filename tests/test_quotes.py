"""The quoted share of a source: evidence must not become a copy."""

from __future__ import annotations

from conftest import SEEDS, edit, needs_seeds, run_validate
from jkdata.validate.quotes import MAX_QUOTED_SHARE, quoted_share


def test_share_counts_characters_inside_any_occurrence_of_a_quote():
    assert quoted_share("ab cd ef", ["ab", "ef"]) == 4 / 6
    assert quoted_share("abab", ["ab"]) == 1.0  # every occurrence counts
    assert quoted_share("abc", ["ab", "bc"]) == 1.0  # overlapping quotes count once
    assert quoted_share("a b", []) == 0.0


def test_whitespace_does_not_count():
    assert quoted_share("ab\n\n   cd", ["ab"]) == 0.5


def test_the_cap_is_half():
    assert MAX_QUOTED_SHARE == 0.5


def test_no_readable_source_text_says_quotes_were_not_checked(package, tmp_path):
    """An empty sources directory: every source is a problem, and the note does not claim a check."""
    empty = tmp_path / "empty"
    empty.mkdir()
    code, report, _ = run_validate(package, "--sources-dir", str(empty))
    assert code == 1
    assert any(p["rule"] == "source_file" for p in report["problems"])
    assert f"quotes not checked: no source text could be read from {empty}" in report["notes"]


@needs_seeds
def test_byte_size_is_compared_as_a_number(package):
    """ "+13561" is the integer 13561: the size check compares numbers, not their spelling."""
    assert (package / "data/sources.csv").read_text(encoding="utf-8").count(",13561,") == 1
    edit(package / "data/sources.csv", ",13561,", ",+13561,")
    code, report, output = run_validate(package)
    assert not [p for p in report["problems"] if p["rule"] == "source_checksum"], output
    edit(package / "data/sources.csv", ",+13561,", ",13562,")
    code, report, _ = run_validate(package)
    assert [(p["column"], p["message"]) for p in report["problems"]] == [
        ("byte_size", "the file has 13561 bytes")
    ]


@needs_seeds
def test_one_readable_source_text_is_one_text(package, tmp_path):
    only = tmp_path / "one"
    only.mkdir()
    first = sorted(SEEDS.glob("*.txt"))[0]
    (only / first.name).write_bytes(first.read_bytes())
    _, report, _ = run_validate(package, "--sources-dir", str(only))
    assert f"quotes checked against 1 source text in {only}" in report["notes"]


@needs_seeds
def test_a_quote_not_found_says_where_it_stops_matching(package):
    """A straight apostrophe for the source's curly one: the report says how far the quote
    matches and which character differs, so the editor need not compare them by eye."""
    path = package / "data/citations.csv"
    text = path.read_text(encoding="utf-8")
    line = next(row for row in text.split("\n") if row.startswith("CI-0022,"))
    assert "’" in line
    path.write_text(text.replace(line, line.replace("’", "'", 1)), encoding="utf-8")
    _, report, _ = run_validate(package)
    (problem,) = [p for p in report["problems"] if p["rule"] == "quote_not_found"]
    assert problem["message"].startswith("does not appear verbatim in source SR-")
    assert (
        "characters match; then the quote has \"'\" where the source has '’')" in problem["message"]
    )


@needs_seeds
def test_quotes_of_no_readable_source_leave_nothing_to_search(package):
    """Every citation names a source that is not in the package: the foreign keys report it,
    and the quote check finds no (source, quote) pair to search rather than failing."""
    path = package / "data/citations.csv"
    text = path.read_text(encoding="utf-8")
    for source_id in ("SR-0001", "SR-0002"):
        text = text.replace(f",{source_id},", ",SR-0099,")
    path.write_text(text, encoding="utf-8")
    code, report, output = run_validate(package)
    assert code == 1, output
    rules = {p["rule"] for p in report["problems"]}
    assert "foreign_key" in rules and "quote_not_found" not in rules, rules
    assert any(note.startswith("quotes checked against 2 source texts") for note in report["notes"])
