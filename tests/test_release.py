"""`jkdata release` and the one-version-everywhere promise."""

from __future__ import annotations

import re

from click.testing import CliRunner

from conftest import ROOT, edit
from jkdata.cli import cli
from jkdata.release import versions


def test_real_repository_has_one_version_everywhere():
    v = versions(ROOT)
    assert v.descriptor == v.citation == v.changelog, v
    assert v.descriptor_date == v.citation_date == v.changelog_date, v


def release(package, *args):
    return CliRunner().invoke(cli, ["release", str(package), *args])


def set_unreleased(package, items: str) -> None:
    """Replace the copy's Unreleased section, whatever the real CHANGELOG holds today."""
    path = package / "CHANGELOG.md"
    text = re.sub(
        r"(## \[Unreleased\]\n).*?(?=## \[)",
        lambda m: m.group(1) + items + "\n",
        path.read_text(encoding="utf-8"),
        count=1,
        flags=re.S,
    )
    path.write_text(text, encoding="utf-8")


def test_release_minor_updates_every_file(package):
    set_unreleased(package, "\n### Added\n- Donald Trump as an actor.\n")
    result = release(package, "--bump", "minor", "--date", "2026-12-01")
    assert result.exit_code == 0, result.output
    v = versions(package)
    assert (v.descriptor, v.citation, v.changelog) == ("0.2.0", "0.2.0", "0.2.0")
    assert v.descriptor_date == v.citation_date == v.changelog_date == "2026-12-01"
    assert (package / "dist/japan-korea-relations-0.2.0.zip").is_file()
    assert "Version 0.2.0" in (package / "docs/codebook.md").read_text(
        encoding="utf-8"
    ) or "version 0.2.0" in (package / "docs/codebook.md").read_text(encoding="utf-8")
    changelog = (package / "CHANGELOG.md").read_text(encoding="utf-8")
    assert (
        "## [Unreleased]\n\n## [0.2.0] - 2026-12-01\n\n### Added\n- Donald Trump as an actor.\n\n## [0.1.0]"
        in changelog
    )


def test_release_explicit_version(package):
    set_unreleased(package, "\n### Fixed\n- A typo.\n")
    assert release(package, "--version", "1.0.0", "--date", "2027-01-02").exit_code == 0
    assert versions(package).descriptor == "1.0.0"


def test_release_refuses_empty_unreleased_section(package):
    set_unreleased(package, "")
    before = (package / "datapackage.json").read_bytes()
    result = release(package, "--bump", "patch")
    assert result.exit_code == 1 and "nothing to release" in result.output
    assert (package / "datapackage.json").read_bytes() == before


def test_release_refuses_an_invalid_package(package):
    set_unreleased(package, "\n- x\n")
    edit(package / "data/events.csv", ",speech,", ",lecture,")
    result = release(package, "--bump", "patch")
    assert result.exit_code == 1 and "release refused" in result.output
    assert versions(package).descriptor == "0.1.0"


def test_release_refuses_an_older_version_and_needs_one_choice(package):
    set_unreleased(package, "\n- x\n")
    assert release(package, "--version", "0.0.9").exit_code == 1
    assert release(package).exit_code == 2
    assert release(package, "--bump", "minor", "--version", "1.0.0").exit_code == 2
