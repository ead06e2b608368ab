"""Hostile and odd input (issue 15): each hole found by adversarial testing, kept closed.

The cases that are one broken rule each (a javascript: licence, a FIFO, deep JSON, a descriptor
that links outside the package) are in the corruption corpus; these are the ones that need more
than a report to check: what a build writes, memory, the exit code of other commands, reports.
"""

from __future__ import annotations

import csv
import fcntl
import io
import json
import os
import tracemalloc
from pathlib import Path

import matplotlib.mathtext
import pytest
from click.testing import CliRunner

from conftest import ROOT, run_validate
from jkdata.cli import cli
from jkdata.exports import build as build_module
from jkdata.exports import picture
from jkdata.exports.dataset import load_dataset
from jkdata.model.links import link_problem, safe_link
from jkdata.validate import structure

DOLLAR_TITLES = [
    "Tariff cut from $25^$ to 15%",
    r"\$\frac{1}{2} of $\unknowncmd$",
    "Korea pledges $350bn, Japan $550bn",
]


# 1. links ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "link",
    [
        "javascript:alert(document.domain)",
        "JavaScript:alert(1)",
        " javascript:alert(1)",
        "java\tscript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "file:///etc/passwd",
        "//evil.example/licence",
        "/etc/passwd",
        "../LICENSE",
        "https://",
    ],
)
def test_unsafe_links_are_refused_and_never_shown(link):
    assert link_problem(link) is not None
    assert safe_link(link) == ""


@pytest.mark.parametrize(
    "link",
    ["https://creativecommons.org/licenses/by/4.0/", "http://example.org", "LICENSE-DATA.md"],
)
def test_web_and_relative_links_are_kept(link):
    assert link_problem(link) is None and safe_link(link) == link


def test_a_javascript_licence_never_reaches_datasette(package, monkeypatch):
    descriptor = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["licenses"][0]["path"] = "javascript:alert(document.domain)"
    (package / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    code, report, output = run_validate(package)
    assert code == 1, output
    [problem] = [p for p in report["problems"] if p["rule"] == "unsafe_url"]
    assert "a javascript: link is not allowed" in problem["message"]
    result = CliRunner().invoke(cli, ["build", str(package)])
    assert result.exit_code == 1 and not (package / "dist").exists(), result.output
    # Defence in depth: an export shows no unsafe link even if validation were skipped.
    from jkdata.exports import sqlite

    monkeypatch.setattr(
        "jkdata.exports.dataset.Dataset.license", property(lambda self: descriptor["licenses"][0])
    )
    assert sqlite.datasette_metadata(load_dataset(ROOT))["license_url"] == ""


# 2, 12. only regular files inside the package are read --------------------------------------


@pytest.mark.parametrize("name", ["datapackage.json", "schemas/events.schema.json"])
def test_a_fifo_is_refused_at_once_saying_what_it_is(package, name):
    (package / name).unlink()
    os.mkfifo(package / name)  # reading it would block until a writer came
    code, report, output = run_validate(package)
    assert code == 1, output
    [problem] = [p for p in report["problems"] if p["file"] == name]
    assert "is a named pipe (FIFO), not a regular file" in problem["message"], problem


def test_build_refuses_a_fifo_descriptor_at_once(package):
    (package / "datapackage.json").unlink()
    os.mkfifo(package / "datapackage.json")
    result = CliRunner().invoke(cli, ["build", str(package)])
    assert result.exit_code == 1, result.output
    assert "named pipe" in result.output and "Traceback" not in result.output


# 3. text in the picture is never mathtext ----------------------------------------------------


def test_dollar_signs_in_titles_are_drawn_as_typed(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("text was parsed as mathtext")

    monkeypatch.setattr(matplotlib.mathtext.MathTextParser, "parse", refuse)
    dataset = load_dataset(ROOT)
    events = dataset.text["events"]
    for index, title in zip(events.index, DOLLAR_TITLES, strict=False):
        events.loc[index, "title"] = title
    assert picture.render(dataset).startswith(b"\x89PNG")


def test_build_with_dollar_titles(package):
    path = package / "data/events.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    title = rows[0].index("title")
    for row, text in zip(rows[1:], DOLLAR_TITLES, strict=False):
        row[title] = text
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    result = CliRunner().invoke(cli, ["build", str(package), "--dist", str(package.parent / "d")])
    assert result.exit_code == 0, result.output


# 4. empty is not a value for unique fields and unique keys -----------------------------------


def test_unique_optional_field_and_key_skip_empty_cells(package):
    schema = package / "schemas/actors.schema.json"
    descriptor = json.loads(schema.read_text(encoding="utf-8"))
    field = next(f for f in descriptor["fields"] if f["name"] == "wikidata_id")
    assert not field.get("constraints", {}).get("required")
    field.setdefault("constraints", {})["unique"] = True
    descriptor["uniqueKeys"].append(["wikidata_id", "office"])
    schema.write_text(json.dumps(descriptor, indent=2), encoding="utf-8")
    empties = (package / "data/actors.csv").read_text(encoding="utf-8").count(",,")
    assert empties > 2  # many actors have no Wikidata ID: their empty cells must not clash
    code, report, output = run_validate(package)
    assert code == 0, output
    code, report, output = run_validate(package, "--frictionless", "always")
    assert code == 0, output


# 5. a long quoted cell with commas: bounded memory --------------------------------------------


def test_the_strict_reader_keeps_memory_bounded_on_a_long_quoted_cell():
    cell = "word, " * 200_000  # 1.2 MB; the old line check took about 140 bytes per byte
    text = "a,b\n" + f'x,"{cell}"\n'
    tracemalloc.start()
    try:
        records, problems = structure.scan(text, ["a", "b"], "t.csv")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert not problems and records[0][1] == cell
    assert peak < 20 * len(text), f"{peak:,} bytes for {len(text):,}"


def test_a_cell_longer_than_the_csv_module_default_is_read():
    cell = "x," * 100_000  # 200,000 characters: over the csv module's default field limit
    records, problems = structure.scan(f'a\n"{cell}"\n', ["a"], "t.csv")
    assert not problems and records == [[cell]]


# 7. release versions are strict SemVer ---------------------------------------------------------


@pytest.mark.parametrize("version", ["1.0.0 ", "01.0.0", "1.0", "1.0.0\n", "v1.0.0", "1.٠.0"])
def test_release_refuses_a_malformed_version_and_writes_nothing(package, version):
    before = {p: p.read_bytes() for p in package.rglob("*") if p.is_file()}
    result = CliRunner().invoke(cli, ["release", str(package), "--version", version])
    assert result.exit_code == 2, result.output
    assert "is not a version MAJOR.MINOR.PATCH" in result.output
    assert {p: p.read_bytes() for p in package.rglob("*") if p.is_file()} == before


# 8. fmt cannot write ---------------------------------------------------------------------------


def test_fmt_says_when_it_cannot_write_and_exits_2(package, monkeypatch):
    path = package / "data/event_actors.csv"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))  # CRLF: fmt would rewrite it
    before = path.read_bytes()

    def refuse(*args, **kwargs):  # as a read-only directory does (root ignores the mode bits)
        raise PermissionError(13, "Permission denied", str(path.parent / ".x.tmp"))

    monkeypatch.setattr("jkdata.files.tempfile.mkstemp", refuse)
    result = CliRunner().invoke(cli, ["fmt", str(package)])
    assert result.exit_code == 2, result.output
    assert "cannot write into" in result.output and "Permission denied" in result.output
    assert "no file was rewritten" in result.output and "Traceback" not in result.output
    assert path.read_bytes() == before


# 9. two first builds at once; staging left by killed builds ----------------------------------


def _staged(parent: Path, name: str) -> Path:
    staging = parent / name
    staging.mkdir()
    (staging / build_module.MARKER).write_text(build_module.MARKER_TEXT, encoding="utf-8")
    (staging / "timeline.json").write_text("{}", encoding="utf-8")
    return staging


def test_two_first_builds_into_a_new_dist_both_succeed(tmp_path, monkeypatch):
    dist = tmp_path / "dist"
    ours = _staged(tmp_path, "dist.tmp-ours")
    theirs = _staged(tmp_path, "dist.tmp-theirs")
    (theirs / "timeline.json").write_text('{"theirs": 1}', encoding="utf-8")
    rename = os.rename

    def other_build_first(source, target):  # the other build's rename wins the race
        if Path(target) == dist and not dist.exists():
            rename(theirs, dist)
        rename(source, target)

    monkeypatch.setattr(build_module.os, "rename", other_build_first)
    build_module.swap_into_place(ours, dist)
    assert (dist / "timeline.json").read_text(encoding="utf-8") == "{}"  # ours is in place
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dist"]


def test_stale_staging_of_killed_builds_is_removed_and_nothing_else(tmp_path):
    dist = tmp_path / "dist"
    killed = _staged(tmp_path, "dist.tmp-killed")
    old = _staged(tmp_path, "dist.old-killed")
    running = _staged(tmp_path, "dist.tmp-running")
    foreign = tmp_path / "dist.tmp-notours"  # no marker: not a build's
    foreign.mkdir()
    other = _staged(tmp_path, "site.tmp-other")  # another --dist's: not ours to judge
    handle = os.open(running, os.O_RDONLY)
    fcntl.flock(handle, fcntl.LOCK_EX)  # a build still at work holds its staging directory
    try:
        removed = build_module.remove_stale_staging(dist)
    finally:
        os.close(handle)
    assert sorted(removed) == sorted([killed, old])
    assert running.is_dir() and foreign.is_dir() and other.is_dir()


# 10. reports that would swamp the reader -------------------------------------------------------


def test_a_huge_header_gives_a_bounded_report(package):
    path = package / "data/disputes.csv"
    header, rest = path.read_text(encoding="utf-8").split("\n", 1)
    extra = "".join(f",x{i}" for i in range(5000))
    path.write_text(header + extra + "\n" + rest, encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", str(package)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert len(lines) < 40, len(lines)
    assert "data/disputes.csv: 4,980 more header problems not shown" in result.output
    code, report, _ = run_validate(package)
    assert report["problem_count"] == 5000 and len(report["problems"]) == 1000
    assert report["omitted"] == [{"file": "data/disputes.csv", "rule": "header", "omitted": 4000}]


def test_json_report_cuts_long_values_and_says_so(package):
    path = package / "data/events.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    rows[1][rows[0].index("description")] = " " + "word, " * 100_000  # 600,000 characters
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    code, report, output = run_validate(package)
    assert code == 1 and len(output) < 20_000, len(output)
    values = [p["value"] for p in report["problems"] if p["column"] == "description"]
    assert len(values) >= 2  # max_length and whitespace, each with the value cut
    assert all(v.endswith("… [cut: 600,001 characters in all]") for v in values), values
    assert any("are cut (marked)" in note for note in report["notes"])


# 11. a link message after a foreign key is removed ---------------------------------------------


def test_link_citation_names_the_undeclared_column(package):
    schema = package / "schemas/dispute_actors.schema.json"
    descriptor = json.loads(schema.read_text(encoding="utf-8"))
    descriptor["foreignKeys"] = [
        fk for fk in descriptor["foreignKeys"] if fk["reference"]["resource"] != "actors"
    ]
    schema.write_text(json.dumps(descriptor, indent=2), encoding="utf-8")
    code, report, output = run_validate(package)
    assert code == 1, output
    messages = [p["message"] for p in report["problems"] if p["rule"] == "link_citation"]
    assert messages and all("which this row holds in actor_id" in m for m in messages), messages
    assert all("no foreign key in schemas/dispute_actors.schema.json" in m for m in messages)


# CRLF ------------------------------------------------------------------------------------------


def test_crlf_is_accepted_by_validate_and_normalised_by_fmt(package):
    for path in (package / "data").glob("*.csv"):
        path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    code, _, output = run_validate(package)
    assert code == 0, output
    assert CliRunner().invoke(cli, ["fmt", str(package)]).exit_code == 0
    assert all(b"\r\n" not in p.read_bytes() for p in (package / "data").glob("*.csv"))
