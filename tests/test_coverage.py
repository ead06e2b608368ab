"""`jkdata coverage`: the sentence splitter, coverage figures and the command line."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import ROOT, copy_package, needs_seeds
from jkdata.cli import cli
from jkdata.tools.coverage import package_coverage, source_coverage, split_sentences

TRICKY = (
    "The Koreas\n"
    "\n"
    "Lee met U.S. President Donald J. Trump in Washington, D.C. on Aug. 25, 2025. "
    "He said it felt like a “very close friend.” Did it work? "
    "“Yes,” one analyst said! The end.\n"
    "Credit: Prime Minister’s Office of Japan \n"
    "A line with no final stop\r\n"
    "It cost 3.5 percent. e.g. this stays. (Brackets too.) Last one.\n"
)


def texts(sentences):
    return [s.text for s in sentences]


def test_splitter_keeps_abbreviations_and_splits_at_quotes():
    assert texts(split_sentences(TRICKY)) == [
        "The Koreas",
        "Lee met U.S. President Donald J. Trump in Washington, D.C. on Aug. 25, 2025.",
        "He said it felt like a “very close friend.”",
        "Did it work?",
        "“Yes,” one analyst said!",
        "The end.",
        "Credit: Prime Minister’s Office of Japan",
        "A line with no final stop",
        "It cost 3.5 percent. e.g. this stays.",
        "(Brackets too.)",
        "Last one.",
    ]


def test_splitter_numbers_lines_and_offsets_point_into_the_text():
    sentences = split_sentences(TRICKY)
    assert [s.number for s in sentences] == list(range(1, len(sentences) + 1))
    assert [s.line for s in sentences] == [1, 3, 3, 3, 3, 3, 4, 5, 6, 6, 6]
    for sentence in sentences:
        assert TRICKY[sentence.start : sentence.end] == sentence.text


def test_a_sentence_ending_in_an_abbreviation_is_not_split():
    # The documented limit of the rule: "D.C." never ends a sentence.
    assert texts(split_sentences("He flew to Washington, D.C. The timing is notable.")) == [
        "He flew to Washington, D.C. The timing is notable."
    ]


def test_headings_and_captions_are_their_own_sentences():
    text = "Next Steps\nA caption, Aug. 23, 2025.\nBody text. More text.\n"
    assert texts(split_sentences(text)) == [
        "Next Steps",
        "A caption, Aug. 23, 2025.",
        "Body text.",
        "More text.",
    ]


TEXT = (
    "A Heading\n"
    "First sentence is about the summit in Tokyo. Second sentence names the statement. "
    "Third sentence is never quoted.\n"
    "Fourth sentence closes the text.\n"
)


@pytest.mark.parametrize(
    "quotes, cited",
    [
        ([], set()),
        (["summit in Tokyo"], set()),  # shorter than MIN_OVERLAP: too little of the sentence
        (["sentence is about the summit"], {2}),  # a quote inside a sentence
        (["A Heading"], {1}),  # a short sentence wholly quoted
        (["the summit in Tokyo. Second sentence names the statement"], {2, 3}),  # across two
        (["Second sentence names the statement. Third"], {3}),  # a small spill does not count
        (["Fourth sentence closes the text."], {5}),
        (["not in the text at all"], set()),
    ],
)
def test_a_sentence_is_cited_when_a_quote_covers_enough_of_it(quotes, cited):
    result = source_coverage("SR-0001", "x.txt", TEXT, quotes)
    assert result.total == 5
    assert result.cited == cited
    assert [s.number for s in result.uncited] == [n for n in range(1, 6) if n not in cited]


def test_share_and_quote_counts():
    result = source_coverage(
        "SR-0001", "x.txt", TEXT, ["A Heading", "Third sentence is never quoted.", "missing quote"]
    )
    assert len(result.cited) == 2 and result.share == 40.0
    assert result.quotes == 3 and result.quotes_not_found == 1
    assert result.as_dict()["uncited"][0] == {
        "number": 2,
        "line": 2,
        "start": TEXT.index("First"),
        "text": "First sentence is about the summit in Tokyo.",
    }


def test_every_occurrence_of_a_repeated_quote_counts():
    text = "Same Title\nBody.\nSame Title\n"
    assert source_coverage("SR-0001", "x.txt", text, ["Same Title"]).cited == {1, 3}


def _write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


@pytest.fixture
def synthetic(tmp_path: Path) -> tuple[Path, Path]:
    """A package whose only source is TEXT, with two citations, and the sources directory."""
    (tmp_path / "work").mkdir()
    (tmp_path / "work" / "shared").mkdir()  # no seeds beside this package: only --sources-dir
    root = copy_package(tmp_path / "work")
    seeds = tmp_path / "texts"
    seeds.mkdir()
    data = TEXT.encode("utf-8")
    (seeds / "doc.txt").write_bytes(data)
    with open(root / "data/sources.csv", encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    row = dict.fromkeys(header, "")
    row.update(
        source_id="SR-0001",
        file_name="doc.txt",
        sha256=hashlib.sha256(data).hexdigest(),
        byte_size=str(len(data)),
        language="en",
        description="A synthetic text.",
    )
    _write_csv(root / "data/sources.csv", header, [list(row.values())])
    _write_csv(
        root / "data/citations.csv",
        ["citation_id", "table_name", "record_id", "source_id", "quote", "note"],
        [
            ["CI-0001", "events", "EV-0001", "SR-0001", "A Heading", ""],
            ["CI-0002", "events", "EV-0002", "SR-0001", "Second sentence names the statement.", ""],
        ],
    )
    return root, seeds


def test_package_coverage_reads_the_tables_and_texts(synthetic):
    root, seeds = synthetic
    report = package_coverage(root, seeds)
    assert report.problems == []
    [source] = report.sources
    assert (source.source_id, source.total, len(source.cited), source.share) == (
        "SR-0001",
        5,
        2,
        40.0,
    )


def test_cli_text_lists_the_uncited_sentences(synthetic):
    root, seeds = synthetic
    result = CliRunner().invoke(cli, ["coverage", str(root), "--sources-dir", str(seeds)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "SR-0001 (doc.txt): 2 of 5 sentences cited (40.0%), 2 quotes"
    assert lines[1] == "  uncited (3):"
    assert lines[2] == "     2. [line 2] First sentence is about the summit in Tokyo."
    assert lines[-1] == "     5. [line 3] Fourth sentence closes the text."


def test_cli_json_is_machine_readable(synthetic):
    root, seeds = synthetic
    result = CliRunner().invoke(
        cli, ["coverage", str(root), "--sources-dir", str(seeds), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["problems"] == []
    [source] = report["sources"]
    assert source["sentences"] == 5 and source["cited"] == 2 and source["share"] == 40.0
    assert [s["number"] for s in source["uncited"]] == [2, 4, 5]


def test_cli_without_a_sources_directory_is_a_usage_error(synthetic):
    root, _ = synthetic  # nothing at ../shared/seeds beside this package
    result = CliRunner().invoke(cli, ["coverage", str(root)])
    assert result.exit_code == 2
    assert "no sources directory" in result.output


def test_cli_with_a_missing_sources_directory_is_a_usage_error(synthetic, tmp_path):
    root, _ = synthetic
    result = CliRunner().invoke(
        cli, ["coverage", str(root), "--sources-dir", str(tmp_path / "nowhere")]
    )
    assert result.exit_code == 2


def test_cli_reports_a_source_text_that_does_not_match(synthetic):
    root, seeds = synthetic
    (seeds / "doc.txt").write_text(TEXT + "Changed.\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["coverage", str(root), "--sources-dir", str(seeds)])
    assert result.exit_code == 1
    assert "[source_checksum]" in result.output


def test_cli_refuses_an_unreadable_citations_table(synthetic):
    root, seeds = synthetic
    (root / "data/citations.csv").write_text("not,the,header\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["coverage", str(root), "--sources-dir", str(seeds)])
    assert result.exit_code == 1
    assert "cannot read the citations table" in result.output


@needs_seeds
def test_real_sources_are_measured():
    result = CliRunner().invoke(cli, ["coverage", str(ROOT), "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["problems"] == []
    sizes = {s["source_id"]: s["sentences"] for s in report["sources"]}
    assert sizes == {"SR-0001": 85, "SR-0002": 56}  # the texts are pinned by their checksums
    for source in report["sources"]:
        assert source["quotes_not_found"] == 0
        assert source["share"] >= 60, source["source_id"]


@needs_seeds
def test_the_readme_example_is_what_coverage_prints_today():
    """docs/validation.md shows the first lines of `jkdata coverage` on this package by hand (it
    needs the source texts, which `jkdata docs` cannot count on): they must still be true."""
    readme = (ROOT / "docs/validation.md").read_text(encoding="utf-8")
    example = readme.split("$ .venv/bin/jkdata coverage\n", 1)[1].split("\n     …", 1)[0]
    result = CliRunner().invoke(cli, ["coverage", str(ROOT)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(example + "\n"), example
