"""Cut a release: one version everywhere (datapackage.json, CITATION.cff, CHANGELOG.md and, in
the repository, pyproject.toml).

The version lives in several files because several audiences read them (Frictionless tools,
citation managers, people, and `jkdata --version`: data and tooling are released together);
`versions()` reads them all so a test can hold them equal.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from jkdata.files import write_all
from jkdata.model.load import DESCRIPTOR, read_descriptor
from jkdata.problems import format_problem
from jkdata.tools.diff import BUMPS, parse_version

CHANGELOG = "CHANGELOG.md"
CITATION = "CITATION.cff"
PYPROJECT = "pyproject.toml"  # the tooling's version; only in the repository, not in the bundle
_PYPROJECT_VERSION = re.compile(r'^version = "(?P<version>[^"]*)"$', re.M)
_UNRELEASED = re.compile(r"^## \[Unreleased\]\s*\n(?P<body>.*?)(?=^## \[|\Z)", re.M | re.S)
_RELEASE_HEADING = re.compile(
    r"^## \[(?P<version>\d+\.\d+\.\d+)\] - (?P<date>\d{4}-\d{2}-\d{2})\s*$", re.M
)


class ReleaseError(Exception):
    """The release cannot be made as asked (nothing to release, bad version, invalid package,
    a file missing or unwritable)."""


def _read(root: Path, name: str) -> str:
    try:
        return (root / name).read_text(encoding="utf-8")
    except OSError as exc:
        raise ReleaseError(f"cannot read {name}: {exc.strerror or exc}") from exc


def _descriptor(root: Path) -> dict:
    descriptor, problems = read_descriptor(root)
    if descriptor is None:
        raise ReleaseError("; ".join(format_problem(p) for p in problems))
    return descriptor


def _write_all(root: Path, files: dict[str, str]) -> None:
    """Every file or none (see files.write_all), each checked for writing first."""
    for name in files:
        if not os.access(root / name, os.W_OK):
            raise ReleaseError(f"{name} is not writable; nothing was changed")
    try:
        write_all({root / name: text for name, text in files.items()})
    except OSError as exc:
        raise ReleaseError(
            f"cannot write {exc.filename or 'a versioned file'}: {exc.strerror or exc}; "
            "nothing was changed"
        ) from exc


@dataclass
class Versions:
    descriptor: str | None
    descriptor_date: str | None  # the date part of `created`
    citation: str | None
    citation_date: str | None
    changelog: str | None  # the newest released version
    changelog_date: str | None
    tooling: str | None = None  # pyproject.toml's, where the package sits in the repository

    def disagree(self) -> bool:
        found = {self.descriptor, self.citation, self.changelog}
        return len(found | ({self.tooling} if self.tooling else set())) > 1


def _cff_value(text: str, key: str) -> str | None:
    match = re.search(rf"^{key}:\s*\"?([^\"\n]+)\"?\s*$", text, re.M)
    return match.group(1).strip() if match else None


def versions(root: Path) -> Versions:
    descriptor = _descriptor(root)
    citation = _read(root, CITATION)
    newest = _RELEASE_HEADING.search(_read(root, CHANGELOG))
    tooling = (
        _PYPROJECT_VERSION.search(_read(root, PYPROJECT)) if (root / PYPROJECT).is_file() else None
    )
    return Versions(
        descriptor=descriptor.get("version"),
        descriptor_date=str(descriptor.get("created", ""))[:10] or None,
        citation=_cff_value(citation, "version"),
        citation_date=_cff_value(citation, "date-released"),
        changelog=newest.group("version") if newest else None,
        changelog_date=newest.group("date") if newest else None,
        tooling=tooling.group("version") if tooling else None,
    )


def next_version(current: str, bump: str) -> str:
    parsed = parse_version(current)
    if parsed is None:
        raise ReleaseError(f"the current version {current!r} is not MAJOR.MINOR.PATCH")
    major, minor, patch = parsed
    if bump == "major":
        return f"{major + 1}.0.0"
    if bump == "minor":
        return f"{major}.{minor + 1}.0"
    if bump == "patch":
        return f"{major}.{minor}.{patch + 1}"
    raise ReleaseError(f"unknown bump {bump!r} (use one of {', '.join(BUMPS[1:])})")


def unreleased_items(changelog: str) -> str:
    match = _UNRELEASED.search(changelog)
    if match is None:
        raise ReleaseError(f"{CHANGELOG} has no '## [Unreleased]' section")
    return match.group("body").strip()


def tag_of(version: str) -> str:
    """The git tag a release gets (see the README: `git tag -a v0.2.0`)."""
    return f"v{version}"


def compare_with_last_release(root: Path, current: str, new_version: str) -> str:
    """Refuse a bump smaller than the changes since the last release need: `jkdata diff` of the
    working tree against the tag of the current version, as CI does for a pull request. Returns
    what was compared, for the report; outside git, or without that tag, nothing is compared and
    the text says so."""
    from jkdata.tools.diff import DiffError, UnreadablePackage, declared_bump, diff_refs

    tag = tag_of(current)
    try:
        result = diff_refs(root, tag, None)
    except UnreadablePackage as exc:
        raise ReleaseError(f"cannot compare with {tag}: {exc}") from exc
    except DiffError as exc:  # not a repository, or no such tag: nothing to compare with
        return f"not compared with the last release: {exc}"
    declared, required = declared_bump(current, new_version), result.required_bump
    if BUMPS.index(declared) < BUMPS.index(required):
        reasons = "; ".join(f"{c.table}: {c.detail}" for c in result.changes if c.bump == required)[
            :300
        ]
        raise ReleaseError(
            f"the changes since {tag} need a {required} version, not a {declared} one "
            f"({reasons}); see `jkdata diff {tag}`"
        )
    return f"compared with {tag}: the changes need at least a {required} version"


def release(
    root: Path, bump: str | None = None, version: str | None = None, date: dt.date | None = None
) -> tuple[str, str]:
    """Write the new version into every file that holds it; returns it and what it was compared
    with (see `compare_with_last_release`). Nothing is written on error."""
    current = versions(root)
    if current.disagree():
        tooling = f", {PYPROJECT} {current.tooling}" if current.tooling else ""
        raise ReleaseError(
            f"versions disagree before the release (datapackage.json {current.descriptor}, "
            f"{CITATION} {current.citation}, {CHANGELOG} {current.changelog}{tooling}); "
            "fix them first"
        )
    new_version = version or next_version(current.descriptor, bump or "")
    if parse_version(new_version) is None:
        raise ReleaseError(f"{new_version!r} is not MAJOR.MINOR.PATCH")
    if parse_version(new_version) <= parse_version(current.descriptor):
        raise ReleaseError(f"{new_version} is not newer than {current.descriptor}")
    compared = compare_with_last_release(root, current.descriptor, new_version)
    day = (date or dt.date.today()).isoformat()

    changelog = _read(root, CHANGELOG)
    items = unreleased_items(changelog)
    if not items:
        raise ReleaseError(
            f"nothing to release: the '## [Unreleased]' section of {CHANGELOG} is empty"
        )
    changelog = _UNRELEASED.sub(
        lambda m: f"## [Unreleased]\n\n## [{new_version}] - {day}\n\n{items}\n\n",
        changelog,
        count=1,
    )

    descriptor = _descriptor(root)
    descriptor["version"] = new_version
    descriptor["created"] = f"{day}T00:00:00Z"

    citation = _read(root, CITATION)
    citation = re.sub(r"^(\s*)version:.*$", rf"\g<1>version: {new_version}", citation, flags=re.M)
    citation = re.sub(
        r"^(\s*)date-released:.*$", rf'\g<1>date-released: "{day}"', citation, flags=re.M
    )

    files = {
        DESCRIPTOR: json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n",
        CITATION: citation,
        CHANGELOG: changelog,
    }
    if current.tooling:
        files[PYPROJECT] = _PYPROJECT_VERSION.sub(
            f'version = "{new_version}"', _read(root, PYPROJECT), count=1
        )
    # Written last and together, after every check has passed.
    _write_all(root, files)
    return new_version, compared
