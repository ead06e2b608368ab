"""`jkdata release` and the one-version-everywhere promise."""

from __future__ import annotations

import os
import pathlib
import re
import subprocess

from click.testing import CliRunner

from conftest import ROOT, SEEDS, edit, needs_seeds
from jkdata.cli import cli
from jkdata.tools.release import next_version, versions


def test_real_repository_has_one_version_everywhere():
    v = versions(ROOT)
    assert v.descriptor == v.citation == v.changelog == v.tooling, v
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


@needs_seeds
def test_release_minor_updates_every_file(package):
    before = versions(package).descriptor
    expected = next_version(before, "minor")
    set_unreleased(package, "\n### Added\n- Donald Trump as an actor.\n")
    result = release(package, "--bump", "minor", "--date", "2099-12-01")
    assert result.exit_code == 0, result.output
    v = versions(package)
    assert (v.descriptor, v.citation, v.changelog) == (expected, expected, expected)
    assert v.descriptor_date == v.citation_date == v.changelog_date == "2099-12-01"
    assert (package / f"dist/japan-korea-relations-{expected}.zip").is_file()
    assert f"version {expected}." in (package / "docs/codebook.md").read_text(encoding="utf-8")
    changelog = (package / "CHANGELOG.md").read_text(encoding="utf-8")
    assert (
        f"## [Unreleased]\n\n## [{expected}] - 2099-12-01\n\n### Added\n- Donald Trump as an actor.\n\n## [{before}]"
        in changelog
    )


@needs_seeds
def test_release_explicit_version(package):
    set_unreleased(package, "\n### Fixed\n- A typo.\n")
    assert release(package, "--version", "99.0.0", "--date", "2099-01-02").exit_code == 0
    assert versions(package).descriptor == "99.0.0"


@needs_seeds
def test_release_refuses_empty_unreleased_section(package):
    set_unreleased(package, "")
    before = (package / "datapackage.json").read_bytes()
    result = release(package, "--bump", "patch")
    assert result.exit_code == 1 and "nothing to release" in result.output
    assert (package / "datapackage.json").read_bytes() == before


@needs_seeds
def test_release_refuses_an_invalid_package(package):
    set_unreleased(package, "\n- x\n")
    edit(package / "data/events.csv", ",speech,", ",lecture,")
    before = versions(package).descriptor
    result = release(package, "--bump", "patch")
    assert result.exit_code == 1 and "release refused" in result.output
    assert versions(package).descriptor == before


@needs_seeds
def test_release_refuses_an_older_version_and_needs_one_choice(package):
    set_unreleased(package, "\n- x\n")
    assert release(package, "--version", "0.0.1").exit_code == 1
    assert release(package).exit_code == 2
    assert release(package, "--bump", "minor", "--version", "1.0.0").exit_code == 2


@needs_seeds
def test_release_raises_the_tooling_version_too(package):
    """In the repository, `jkdata --version` (pyproject.toml) moves with the data's version."""
    (package / "pyproject.toml").write_bytes((ROOT / "pyproject.toml").read_bytes())
    before = versions(package).descriptor
    set_unreleased(package, "\n### Fixed\n- A typo.\n")
    result = release(package, "--bump", "patch", "--date", "2099-01-02")
    assert result.exit_code == 0, result.output
    expected = next_version(before, "patch")
    assert versions(package).tooling == expected
    assert f'version = "{expected}"' in (package / "pyproject.toml").read_text(encoding="utf-8")


@needs_seeds
def test_release_refuses_when_the_tooling_version_disagrees(package):
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    pyproject = re.sub(r'^version = ".*"$', 'version = "0.0.9"', pyproject, count=1, flags=re.M)
    (package / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    set_unreleased(package, "\n- x\n")
    before = (package / "datapackage.json").read_bytes()
    result = release(package, "--bump", "patch")
    assert result.exit_code == 1 and "pyproject.toml 0.0.9" in result.output
    assert (package / "datapackage.json").read_bytes() == before


@needs_seeds
def test_a_missing_file_is_a_clear_refusal(package):
    set_unreleased(package, "\n- x\n")
    (package / "CITATION.cff").unlink()
    before = (package / "datapackage.json").read_bytes()
    result = release(package, "--bump", "patch")
    assert result.exit_code == 1, result.output
    assert "release refused: cannot read CITATION.cff" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert (package / "datapackage.json").read_bytes() == before


def _contents(package) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in package.iterdir() if p.is_file()}


@needs_seeds
def test_a_file_that_cannot_be_written_leaves_every_file_as_it_was(package, monkeypatch):
    """CHANGELOG.md cannot be written: datapackage.json and CITATION.cff are not changed either."""
    set_unreleased(package, "\n### Fixed\n- A typo.\n")
    before = _contents(package)
    real = pathlib.Path.write_text

    def refuse_changelog(self, *args, **kwargs):
        if "CHANGELOG.md" in self.name:
            raise PermissionError(13, "Permission denied", str(self))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(pathlib.Path, "write_text", refuse_changelog)
    result = release(package, "--bump", "patch", "--date", "2099-01-02")
    assert result.exit_code == 1, result.output
    assert (
        "release refused: cannot write" in result.output and "nothing was changed" in result.output
    )
    assert _contents(package) == before  # no version written, no temporary file left


@needs_seeds
def test_a_read_only_file_is_refused_up_front(package, monkeypatch):
    set_unreleased(package, "\n### Fixed\n- A typo.\n")
    (package / "CHANGELOG.md").chmod(0o444)
    # Root may write a read-only file, and CI runs as root: ask the question as another user would.
    real = os.access
    monkeypatch.setattr(
        os,
        "access",
        lambda path, mode: real(path, mode) and not str(path).endswith("CHANGELOG.md"),
    )
    before = _contents(package)
    result = release(package, "--bump", "patch", "--date", "2099-01-02")
    assert result.exit_code == 1 and "CHANGELOG.md is not writable" in result.output
    assert _contents(package) == before


@needs_seeds
def test_a_missing_readme_is_refused_before_anything_is_written(package):
    set_unreleased(package, "\n### Fixed\n- A typo.\n")
    (package / "README.md").unlink()
    before = _contents(package)
    result = release(package, "--bump", "patch", "--date", "2099-01-02")
    assert result.exit_code == 1 and "cannot read README.md" in result.output, result.output
    assert _contents(package) == before


def test_release_is_refused_without_the_source_texts(package):
    """Every released version had its quotes checked: no sources directory, no release."""
    seeds = package.parent / "shared" / "seeds"
    if seeds.is_symlink():
        seeds.unlink()
    set_unreleased(package, "\n### Fixed\n- A typo.\n")
    before = _contents(package)
    result = release(package, "--bump", "patch", "--date", "2099-01-02")
    assert result.exit_code == 2, result.output
    assert "no sources directory" in result.output and "Traceback" not in result.output
    assert _contents(package) == before


@needs_seeds
def test_release_with_an_explicit_sources_dir(package):
    (package.parent / "shared" / "seeds").unlink()
    set_unreleased(package, "\n### Fixed\n- A typo.\n")
    result = release(package, "--bump", "patch", "--sources-dir", str(SEEDS))
    assert result.exit_code == 0, result.output


@needs_seeds
def test_release_is_refused_when_dist_is_not_a_build(package):
    """Checked before anything is written: the build at the end would refuse to replace it."""
    (package / "dist").mkdir()
    (package / "dist" / "notes.txt").write_text("mine", encoding="utf-8")
    set_unreleased(package, "\n### Fixed\n- A typo.\n")
    before = _contents(package)
    result = release(package, "--bump", "patch", "--date", "2099-01-02")
    assert result.exit_code == 2 and "did not make" in result.output, result.output
    assert _contents(package) == before and (package / "dist" / "notes.txt").is_file()


def _git(repo, *args):
    subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
        check=True,
        capture_output=True,
    )


@needs_seeds
def test_release_refuses_a_bump_smaller_than_the_changes_since_the_last_tag(package):
    """A tightened constraint needs a major version (as `jkdata diff` says): a patch release of
    it is refused and changes nothing; a major one goes ahead and says what it compared."""
    current = versions(package).descriptor
    _git(package, "init", "-q", "-b", "main")
    _git(package, "add", "-A")
    _git(package, "commit", "-qm", "release")
    _git(package, "tag", f"v{current}")
    edit(package / "schemas/events.schema.json", '"maxLength": 300', '"maxLength": 250')
    set_unreleased(package, "\n### Changed\n- Titles are at most 250 characters.\n")
    before = _contents(package)
    refused = release(package, "--bump", "patch")
    assert refused.exit_code == 1
    assert f"the changes since v{current} need a major version, not a patch one" in refused.output
    assert _contents(package) == before
    done = release(package, "--bump", "major", "--date", "2099-03-04")
    assert done.exit_code == 0, done.output
    assert f"compared with v{current}: the changes need at least a major version" in done.output
    assert versions(package).descriptor == next_version(current, "major")


@needs_seeds
def test_release_outside_git_says_it_compared_nothing(package):
    set_unreleased(package, "\n### Fixed\n- A typo.\n")
    result = release(package, "--bump", "patch", "--date", "2099-01-02")
    assert result.exit_code == 0, result.output
    assert "not compared with the last release" in result.output
