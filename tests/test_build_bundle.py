"""The release zip: the package, its documents and SHA256SUMS, fixed dates, and it validates."""

from __future__ import annotations

import hashlib
import re
import zipfile

import pytest

from conftest import DESCRIPTOR, ROOT, SEEDS
from jkdata.validate.run import validate_package

NAME = f"{DESCRIPTOR['name']}-{DESCRIPTOR['version']}"
DOCUMENTS = [
    "README.md",
    "CHANGELOG.md",
    "CITATION.cff",
    "CONTRIBUTING.md",
    "LICENSE",
    "LICENSE-DATA.md",
    "docs/codebook.md",
    "docs/cli.md",
    "docs/validation.md",
    "docs/benchmarks.md",
    "docs/scaling.md",
]

# Where the README tells spreadsheet users to look: the zip holds them at the same paths.
SPREADSHEET_FILES = [
    "dist/events_flat.csv",
    "dist/events_flat_excel.csv",
    f"dist/{DESCRIPTOR['name']}.xlsx",
]


def test_the_readme_paths_to_the_spreadsheet_files_work_in_the_zip(archive):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    inside = {name.removeprefix(f"{NAME}/") for name in archive.namelist()}
    for path in SPREADSHEET_FILES:
        assert path in readme and path in inside, path


@pytest.fixture(scope="module")
def archive(built):
    with zipfile.ZipFile(built / f"{NAME}.zip") as opened:
        yield opened


def test_holds_package_documents_and_checksums(archive):
    names = archive.namelist()
    assert names == sorted(names)
    assert all(name.startswith(f"{NAME}/") for name in names)
    inside = {name.removeprefix(f"{NAME}/") for name in names}
    wanted = {"datapackage.json", "SHA256SUMS", "docs/timeline.png", *DOCUMENTS, *SPREADSHEET_FILES}
    for resource in DESCRIPTOR["resources"]:
        wanted |= {resource["path"], resource["schema"]}
    assert inside == wanted


def test_every_local_link_in_the_readme_and_contributing_is_inside(archive):
    """A reader of the unpacked README can follow each of its links to a file of the package."""
    inside = {name.removeprefix(f"{NAME}/") for name in archive.namelist()}
    linked = set()
    for document in ("README.md", "CONTRIBUTING.md", "docs/cli.md", "docs/validation.md"):
        text = (ROOT / document).read_text(encoding="utf-8")
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if "://" not in target and not target.startswith(("#", "mailto:")):
                path = (ROOT / document).parent / target.split("#")[0]
                linked.add(path.resolve().relative_to(ROOT).as_posix())
    assert {"docs/codebook.md", "docs/benchmarks.md", "CONTRIBUTING.md"} <= linked
    assert sorted(linked - inside) == []


def test_files_are_the_repository_files(archive, built):
    for name in archive.namelist():
        path = name.removeprefix(f"{NAME}/")
        if path == "SHA256SUMS":
            continue
        if path == "docs/timeline.png":
            source = built / "timeline.png"
        elif path.startswith("dist/"):
            source = built / path.removeprefix("dist/")
        else:
            source = ROOT / path
        assert archive.read(name) == source.read_bytes(), path


def test_sha256sums_match_every_other_file(archive):
    lines = archive.read(f"{NAME}/SHA256SUMS").decode("utf-8").splitlines()
    listed = dict(reversed(line.split("  ", 1)) for line in lines)
    others = [
        n.removeprefix(f"{NAME}/") for n in archive.namelist() if not n.endswith("SHA256SUMS")
    ]
    assert sorted(listed) == sorted(others)
    for path, digest in listed.items():
        assert hashlib.sha256(archive.read(f"{NAME}/{path}")).hexdigest() == digest


def test_entries_carry_the_package_date_and_fixed_permissions(archive):
    created = tuple(int(x) for x in DESCRIPTOR["created"][:10].split("-"))
    for info in archive.infolist():
        assert info.date_time[:3] == created
        assert info.external_attr == 0o644 << 16


def test_unpacked_bundle_is_a_valid_package(archive, tmp_path):
    archive.extractall(tmp_path)
    report = validate_package(tmp_path / NAME, sources_dir=SEEDS if SEEDS.is_dir() else None)
    assert report.valid, report.problems
