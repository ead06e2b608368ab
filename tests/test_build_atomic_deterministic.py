"""The build's promises: nothing written for bad input, all-or-nothing, byte-identical output."""

from __future__ import annotations

import hashlib
import shutil
import time
import zipfile

import pytest
from click.testing import CliRunner

from conftest import DESCRIPTOR, ROOT, SEEDS, edit, needs_seeds
from jkdata.cli import cli
from jkdata.exports import build as build_module
from jkdata.exports import dist_pattern
from jkdata.exports.build import InvalidPackage, build

SEEDS_DIR = SEEDS if SEEDS.is_dir() else None
EXPECTED = {
    ".jkdata-build",  # the mark that lets the next build replace the directory
    "events_flat.csv",
    "events_flat_excel.csv",
    f"{DESCRIPTOR['name']}.xlsx",
    f"{DESCRIPTOR['name']}.db",
    "metadata.json",
    "timeline.json",
    "timeline_sheet.csv",
    "timeline.html",
    "timeline.png",
    "actors_network.graphml",
    f"{DESCRIPTOR['name']}-{DESCRIPTOR['version']}.zip",
    *(f"parquet/{r['name']}.parquet" for r in DESCRIPTOR["resources"]),
    *(
        f"site/{name}"
        for name in (
            "index.html",
            "codebook.html",
            "license.html",
            "timeline.html",
            "timeline.png",
            "downloads/SHA256SUMS",
            "downloads/CITATION.cff",
            "downloads/events_flat.csv",
            "downloads/events_flat_excel.csv",
            "downloads/timeline.json",
            "downloads/timeline_sheet.csv",
            f"downloads/{DESCRIPTOR['name']}.xlsx",
            f"downloads/{DESCRIPTOR['name']}.db",
            f"downloads/{DESCRIPTOR['name']}-{DESCRIPTOR['version']}.zip",
            f"downloads/{DESCRIPTOR['name']}-{DESCRIPTOR['version']}-parquet.zip",
        )
    ),
}


def digests(folder) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def previous_dist(root):
    """A dist/ from an earlier build, with a marker file the next build must keep or replace."""
    dist = root / "dist"
    dist.mkdir()
    (dist / build_module.MARKER).write_text(build_module.MARKER_TEXT, encoding="utf-8")
    (dist / "marker.txt").write_text("previous build", encoding="utf-8")
    return dist


def leftovers(root) -> list[str]:
    return sorted(p.name for p in root.iterdir() if ".tmp-" in p.name or ".old-" in p.name)


def test_builds_every_output(built):
    assert set(digests(built)) == EXPECTED


def test_each_output_is_declared_by_the_exporter_that_writes_it(built):
    """The exporters' FILES are what a build may replace: each top-level output matches exactly
    one exporter's patterns, and each pattern matches an output."""
    import fnmatch

    outputs = {p.name for p in built.iterdir()} - {build_module.MARKER}
    for name in outputs:
        owners = [
            e
            for e in build_module.EXPORTS
            if any(fnmatch.fnmatchcase(name, dist_pattern(f)) for f in e.FILES)
        ]
        assert len(owners) == 1, (name, owners)
    for export in build_module.EXPORTS:
        for path in export.FILES:
            assert fnmatch.filter(outputs, dist_pattern(path)), (export.__name__, path)


def test_same_input_gives_byte_identical_files_at_another_time_and_zone(
    built, tmp_path, monkeypatch
):
    time.sleep(2.1)  # past the 2-second resolution of zip timestamps
    monkeypatch.setenv("TZ", "Pacific/Kiritimati")  # UTC+14: another calendar day than UTC
    time.tzset()
    try:
        again = build(ROOT, tmp_path / "dist", sources_dir=SEEDS_DIR, refresh_docs=False)
    finally:
        monkeypatch.undo()
        time.tzset()
    assert digests(again.dist) == digests(built)


def test_no_clock_time_inside_the_files(built):
    created = tuple(int(x) for x in DESCRIPTOR["created"][:10].split("-"))
    with zipfile.ZipFile(built / f"{DESCRIPTOR['name']}-{DESCRIPTOR['version']}.zip") as archive:
        assert {i.date_time for i in archive.infolist()} == {(*created, 0, 0, 0)}
    with zipfile.ZipFile(built / f"{DESCRIPTOR['name']}.xlsx") as archive:
        assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        core = archive.read("docProps/core.xml").decode("utf-8")
    assert f">{DESCRIPTOR['created'][:10]}T00:00:00Z<" in core
    png = (built / "timeline.png").read_bytes()
    for chunk in (b"tIME", b"tEXt", b"iTXt", b"zTXt"):
        assert chunk not in png, chunk
    today = time.strftime("%Y-%m-%d")
    if today != DESCRIPTOR["created"][:10]:
        for name in ("timeline.json", "timeline.html", "metadata.json", "actors_network.graphml"):
            assert today not in (built / name).read_text(encoding="utf-8"), name


def test_invalid_package_is_refused_without_touching_dist(package):
    edit(package / "data/events.csv", ",speech,", ",lecture,")
    dist = previous_dist(package)
    before = digests(dist)
    result = CliRunner().invoke(cli, ["build", str(package)])
    assert result.exit_code == 1
    validate = CliRunner().invoke(cli, ["validate", str(package)])
    assert result.output.startswith(validate.output)  # the same report as `jkdata validate`
    assert 'data/events.csv, row 6, column event_type, value "lecture"' in result.output
    assert "nothing built" in result.output and "Traceback" not in result.output
    assert digests(dist) == before
    assert leftovers(package) == []
    with pytest.raises(InvalidPackage) as caught:
        build(package, sources_dir=SEEDS_DIR)
    assert [p.rule for p in caught.value.report.problems] == ["enum"]


def test_a_failing_export_leaves_the_previous_dist_untouched(package, monkeypatch):
    dist = previous_dist(package)
    before = digests(dist)

    def broken(dataset, out):
        (out / "half-written.graphml").write_text("<graphml", encoding="utf-8")
        raise RuntimeError("disk full")

    monkeypatch.setattr(build_module.graphml, "write", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        build(package, sources_dir=SEEDS_DIR, refresh_docs=False)
    assert digests(dist) == before
    assert leftovers(package) == []
    result = CliRunner().invoke(cli, ["build", str(package)])
    assert result.exit_code == 3
    assert "internal error: RuntimeError: disk full" in result.output
    assert "Traceback" not in result.output
    assert digests(dist) == before


def test_a_missing_document_is_a_clear_error(package):
    dist = previous_dist(package)
    (package / "CITATION.cff").unlink()
    result = CliRunner().invoke(cli, ["build", str(package)])
    assert result.exit_code == 1
    assert "build failed: the release bundle needs CITATION.cff" in result.output
    assert (dist / "marker.txt").is_file() and leftovers(package) == []


@pytest.mark.parametrize("exchange", [True, False], ids=["renameat2", "two-renames"])
def test_a_successful_build_replaces_dist_whole(package, monkeypatch, exchange):
    calls = []
    real = build_module._exchange

    def spy(a, b):
        calls.append((a, b))
        return real(a, b) if exchange else False

    monkeypatch.setattr(build_module, "_exchange", spy)
    dist = previous_dist(package)
    result = build(package, sources_dir=SEEDS_DIR, refresh_docs=False)
    assert result.dist == dist
    assert set(digests(dist)) == EXPECTED  # the marker from the previous build is gone
    assert leftovers(package) == []
    assert dist.stat().st_mode & 0o777 == 0o755  # readable by all, unlike mkdtemp's 0o700
    assert len(calls) == 1 and calls[0][1] == dist  # the swap path was the one under test


@pytest.mark.parametrize(
    "where",
    [
        *("data", "schemas", "docs", ".", "..", "data/new", "docs/new", "README.md/x"),
        pytest.param("../shared", marks=needs_seeds),  # holds the source texts
    ],
)
def test_a_dist_over_the_package_is_refused_and_nothing_deleted(package, where):
    before = digests(package)
    result = CliRunner().invoke(cli, ["build", str(package), "--dist", str(package / where)])
    assert result.exit_code == 2, result.output
    assert "refusing to build" in result.output and "Traceback" not in result.output
    assert digests(package) == before
    assert leftovers(package) == [] and leftovers(package.parent) == []


def test_a_directory_a_build_did_not_make_is_refused(package, tmp_path):
    other = tmp_path / "my-notes"
    other.mkdir()
    (other / "notes.txt").write_text("keep me", encoding="utf-8")
    result = CliRunner().invoke(cli, ["build", str(package), "--dist", str(other)])
    assert result.exit_code == 2, result.output
    assert "did not make" in result.output
    assert [p.name for p in other.iterdir()] == ["notes.txt"]
    with pytest.raises(build_module.UnsafeDist):
        build(package, other, sources_dir=SEEDS_DIR, refresh_docs=False)
    assert (other / "notes.txt").read_text(encoding="utf-8") == "keep me"


def test_an_empty_directory_and_an_unmarked_earlier_build_are_replaced(package, built, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert build(package, empty, sources_dir=SEEDS_DIR, refresh_docs=False).dist == empty
    assert (empty / build_module.MARKER).is_file()
    earlier = package / "dist"  # as a build made it before builds left the mark
    shutil.copytree(built, earlier)
    (earlier / build_module.MARKER).unlink()
    build(package, sources_dir=SEEDS_DIR, refresh_docs=False)
    assert set(digests(earlier)) == EXPECTED
