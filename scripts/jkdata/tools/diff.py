"""Record-level diff of two versions of the package, and the version bump the change requires.

The bump follows the Data Package Version recipe (see CONTRIBUTING.md):
- major: a table or field removed, renamed or retyped; a constraint tightened; a record ID
  removed; a record's meaning changed (an `x-identity` field changed, see below);
- minor: a new table, field, record or vocabulary value; a constraint loosened;
- patch: a corrected value or description.

Schemas mark the fields that give a record its identity with `"x-identity"`: `"exact"` (any
change of a filled value is a new meaning), `"similar"` (text: a new meaning when the old and new
text share less than half their characters, so a spelling fix is a correction, not a new record) or
`"overlap"` (a date: a new meaning when the old and new spans, `date_start`–`date_end`, share no
day, so a better precision or a corrected bound is a correction). Identity is what a record is
about (for an event: what happened, to whom, when), never a coder's classification: a recoded
`event_type`, `dispute_type`, `actor_type`, `coverage` or role is a correction (patch).

A link row's key holds the linked IDs (marked `x-identity`) and a role or relation (not marked):
a removed and an added row with the same linked IDs, and no other row of either side sharing
them, are the same link recoded, a patch.
"""

from __future__ import annotations

import difflib
import re
import subprocess
import tarfile
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd

from jkdata.model.load import DESCRIPTOR, load_package
from jkdata.model.schema import Field, Package, Resource
from jkdata.validate.structure import read_table

BUMPS = ("none", "patch", "minor", "major")
SIMILAR_ENOUGH = 0.5
# Descriptor properties that change with every release and say nothing about the data.
_RELEASE_PROPERTIES = {"version", "created"}


class DiffError(Exception):
    """A side of the diff cannot be had: not a git repository, an unknown ref (a usage error)."""


class UnreadablePackage(DiffError):
    """A side of the diff is a package that cannot be read or paired up (bad data, exit 1)."""


@dataclass
class Change:
    """One reason for a bump: a schema change or a record-level change."""

    table: str
    kind: str
    bump: str
    detail: str
    key: str | None = None
    fields: list[dict] = field(default_factory=list)  # [{field, before, after}] for changed records


@dataclass
class PackageDiff:
    old_label: str
    new_label: str
    old_version: str | None
    new_version: str | None
    changes: list[Change]
    counts: dict[str, dict[str, int]]  # table -> {added, removed, changed, rows_before, rows_after}

    @property
    def required_bump(self) -> str:
        return max((c.bump for c in self.changes), key=BUMPS.index, default="none")

    @property
    def declared_bump(self) -> str:
        return declared_bump(self.old_version, self.new_version)

    @property
    def ok(self) -> bool:
        declared = self.declared_bump
        return declared != "backwards" and BUMPS.index(declared) >= BUMPS.index(self.required_bump)

    def as_dict(self) -> dict:
        return {
            "old": {"label": self.old_label, "version": self.old_version},
            "new": {"label": self.new_label, "version": self.new_version},
            "required_bump": self.required_bump,
            "declared_bump": self.declared_bump,
            "ok": self.ok,
            "counts": self.counts,
            "changes": [asdict(c) for c in self.changes],
        }


# MAJOR.MINOR.PATCH as SemVer 2.0.0 writes it: ASCII digits, no leading zeros, nothing around.
_VERSION = re.compile(r"(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)")


def parse_version(version: str | None) -> tuple[int, int, int] | None:
    """(major, minor, patch) of a strict MAJOR.MINOR.PATCH version; None for anything else
    (`1.0.0 `, `01.0.0`, `1.0`)."""
    found = _VERSION.fullmatch(version) if isinstance(version, str) else None
    return tuple(int(part) for part in found.groups()) if found else None


def declared_bump(old: str | None, new: str | None) -> str:
    before, after = parse_version(old), parse_version(new)
    if before is None or after is None:
        return "none" if old == new else "major"
    if after < before:
        return "backwards"
    for name, a, b in zip(("major", "minor", "patch"), before, after, strict=True):
        if b != a:
            return name
    return "none"


# --- materialising a side -------------------------------------------------------------------


def git_toplevel(path: Path) -> Path:
    result = subprocess.run(
        ["git", "-C", str(path), "rev-parse", "--show-toplevel"], capture_output=True, text=True
    )
    if result.returncode != 0:
        raise DiffError(f"{path} is not inside a git repository")
    return Path(result.stdout.strip())


def extract_ref(package_dir: Path, ref: str, dest: Path) -> Path:
    """Write the package as it was at `ref` into `dest`; returns the package dir inside it."""
    top = git_toplevel(package_dir)
    relative = package_dir.resolve().relative_to(top.resolve())
    verify = subprocess.run(
        ["git", "-C", str(top), "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"],
        capture_output=True,
    )
    if verify.returncode != 0:
        raise DiffError(f"unknown git ref {ref!r}")
    prefix = "" if str(relative) == "." else f"{relative.as_posix()}/"
    listing = subprocess.run(
        ["git", "-C", str(top), "ls-tree", "-r", "--name-only", ref, "--", prefix or "."],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\n")
    wanted = [
        name
        for name in listing
        if name == f"{prefix}{DESCRIPTOR}"
        or name.startswith((f"{prefix}data/", f"{prefix}schemas/"))
    ]
    if wanted:
        archive = dest / "side.tar"
        with open(archive, "wb") as out:
            subprocess.run(
                ["git", "-C", str(top), "archive", ref, "--", *wanted], stdout=out, check=True
            )
        with tarfile.open(archive) as tar:
            tar.extractall(dest, filter="data")
        archive.unlink()
    return dest / relative


def _load(root: Path, label: str) -> tuple[Package | None, dict[str, pd.DataFrame]]:
    if not (root / DESCRIPTOR).exists():
        return None, {}  # the package did not exist at that ref: everything is new
    package, problems = load_package(root)
    if package is None or problems:
        first = problems[0] if problems else None
        raise UnreadablePackage(
            f"the package at {label} cannot be read: {first.file}: {first.message}"
        )
    frames = {}
    for resource in package.resources:
        table = read_table(resource)
        if table.frame is None:
            problem = table.problems[0]
            raise UnreadablePackage(
                f"{label}: {problem.file}, row {problem.row}: {problem.message}"
            )
        frames[resource.name] = table.frame
    return package, frames


# --- comparing ------------------------------------------------------------------------------


def _constraint_changes(table: str, name: str, old: Field, new: Field) -> list[Change]:
    changes = []
    before, after = old.constraints.as_json(), new.constraints.as_json()

    def add(bump: str, detail: str) -> None:
        kind = "constraint_tightened" if bump == "major" else "constraint_loosened"
        changes.append(Change(table, kind, bump, f"`{name}`: {detail}"))

    if bool(after.get("required")) != bool(before.get("required")):
        add(
            "major" if after.get("required") else "minor",
            f"required {bool(before.get('required'))} → {bool(after.get('required'))}",
        )
    if bool(after.get("unique")) != bool(before.get("unique")):
        add(
            "major" if after.get("unique") else "minor",
            f"unique {bool(before.get('unique'))} → {bool(after.get('unique'))}",
        )
    if before.get("pattern") != after.get("pattern"):
        # Two regular expressions cannot be compared in general: treat any change as tightening.
        add("major", f"pattern {before.get('pattern')!r} → {after.get('pattern')!r}")
    if "enum" in before or "enum" in after:
        old_values, new_values = before.get("enum"), after.get("enum")
        if old_values is not None and new_values is None:
            add("minor", "enum removed")
        elif old_values is None:
            add("major", "enum added")
        else:
            gone = [v for v in old_values if v not in new_values]
            added = [v for v in new_values if v not in old_values]
            if gone:
                add("major", f"values removed: {', '.join(map(str, gone))}")
            if added:
                add("minor", f"values added: {', '.join(map(str, added))}")
    for key, tighter in (
        ("maxLength", min),
        ("maximum", min),
        ("minLength", max),
        ("minimum", max),
    ):
        if before.get(key) == after.get(key):
            continue
        if before.get(key) is None or after.get(key) is None:
            tightened = after.get(key) is not None
        else:
            tightened = tighter(before[key], after[key]) == after[key]
        add("major" if tightened else "minor", f"{key} {before.get(key)} → {after.get(key)}")
    return changes


def _schema_changes(table: str, old: Resource, new: Resource) -> list[Change]:
    changes = []
    old_fields = {f.name: f for f in old.fields}
    new_fields = {f.name: f for f in new.fields}
    for name in old_fields.keys() - new_fields.keys():
        changes.append(
            Change(table, "field_removed", "major", f"field `{name}` removed (or renamed)")
        )
    for name in new_fields.keys() - old_fields.keys():
        changes.append(
            Change(
                table,
                "field_added",
                "minor",
                f"field `{name}` added ({new_fields[name].type})",
            )
        )
    common = [n for n in old.field_names if n in new_fields]
    if common != [n for n in new.field_names if n in old_fields]:
        changes.append(
            Change(
                table,
                "fields_reordered",
                "major",
                "fields reordered (the CSV column order changed)",
            )
        )
    for name in common:
        before, after = old_fields[name], new_fields[name]
        if before.type != after.type:
            changes.append(
                Change(table, "field_retyped", "major", f"`{name}`: {before.type} → {after.type}")
            )
        changes += _constraint_changes(table, name, before, after)
        documentation = ("title", "description", "categories", "identity")
        if any(getattr(before, k) != getattr(after, k) for k in documentation):
            changes.append(
                Change(
                    table,
                    "field_documented",
                    "patch",
                    f"`{name}`: description, title or vocabulary meanings changed",
                )
            )
    old_keys, new_keys = old.keys_json(), new.keys_json()
    for key, label in (
        ("primaryKey", "primary key"),
        ("foreignKeys", "foreign keys"),
        ("uniqueKeys", "unique keys"),
    ):
        before, after = old_keys[key], new_keys[key]
        if before != after:
            loosened = key != "primaryKey" and all(k in before for k in after)
            changes.append(
                Change(
                    table,
                    "keys_changed",
                    "minor" if loosened else "major",
                    f"{label} changed: {before} → {after}",
                )
            )
    return changes


def _key_strings(frame: pd.DataFrame, key: list[str]) -> pd.Series:
    keys = frame[key].fillna("").astype(str)
    return keys.iloc[:, 0] if len(key) == 1 else keys.agg("|".join, axis=1)


def _unique_keys(frame: pd.DataFrame, key: list[str], table: str, label: str) -> pd.Index:
    """The rows' keys; a key that repeats makes records impossible to pair up."""
    keys = pd.Index(_key_strings(frame, key))
    if not keys.is_unique:
        repeated = keys[keys.duplicated()].unique()
        shown = ", ".join(repeated[:5]) + (", …" if len(repeated) > 5 else "")
        raise UnreadablePackage(
            f"{label}: {table} has a duplicate {', '.join(key)}: {shown} "
            "(run `jkdata validate` and fix it before comparing)"
        )
    return keys


def _meaning_changed(resource: Resource, before: pd.Series, after: pd.Series) -> list[str]:
    changed = []
    for fld in resource.fields:
        how = fld.identity
        name = fld.name
        if not how or name not in before.index or name not in after.index:
            continue
        old, new = before[name], after[name]
        if not old or not new or old == new:
            continue
        if how == "overlap":
            if _spans_apart(before, after):
                changed.append(name)
        elif how == "exact" or difflib.SequenceMatcher(None, old, new).ratio() < SIMILAR_ENOUGH:
            changed.append(name)
    return changed


def _spans_apart(before: pd.Series, after: pd.Series) -> bool:
    """Whether the old and new date spans (`date_start`–`date_end`, ISO dates that compare as
    text) share no day; spans that cannot be read count as apart."""
    try:
        old = (before["date_start"], before["date_end"])
        new = (after["date_start"], after["date_end"])
    except KeyError:
        return True
    if not all(old) or not all(new):
        return True
    return old[1] < new[0] or new[1] < old[0]


def _recoded(resource: Resource, added: pd.Index, removed: pd.Index, key: list[str]):
    """Pairs (removed key, added key) of link rows that differ only in key fields without
    `x-identity` (a role or relation), where the identity part pairs them one to one."""
    identity = [n for n in key if resource.has(n) and resource.field(n).identity]
    if not identity or len(identity) == len(key) or not len(added) or not len(removed):
        return []
    where = [key.index(n) for n in identity]

    def part(k: str) -> tuple:
        values = k.split("|")
        return tuple(values[i] for i in where)

    olds, news = {}, {}
    for k in removed:
        olds.setdefault(part(k), []).append(k)
    for k in added:
        news.setdefault(part(k), []).append(k)
    return [
        (olds[p][0], news[p][0]) for p in olds if len(olds[p]) == 1 and len(news.get(p, [])) == 1
    ]


def _record_changes(
    table: str,
    old: Resource,
    new: Resource,
    before: pd.DataFrame,
    after: pd.DataFrame,
    labels: tuple[str, str] = ("old", "new"),
):
    key = list(new.primary_key or old.primary_key)
    before = before.set_axis(_unique_keys(before, key, table, labels[0]))
    after = after.set_axis(_unique_keys(after, key, table, labels[1]))
    added = after.index.difference(before.index, sort=False)
    removed = before.index.difference(after.index, sort=False)
    common_fields = [f for f in new.field_names if f in before.columns]
    shared = after.index.intersection(before.index, sort=False)
    # In CSV an empty cell and a missing value are the same thing: compare text with "" for both.
    old_rows = before.loc[shared, common_fields].fillna("").astype(str)
    new_rows = after.loc[shared, common_fields].fillna("").astype(str)
    differs = (old_rows != new_rows).any(axis=1)
    changes = []
    recoded = _recoded(new, added, removed, key) if len(key) > 1 else []
    if recoded:
        paired_old = {o for o, _ in recoded}
        paired_new = {n for _, n in recoded}
        added = added[~added.isin(paired_new)]
        removed = removed[~removed.isin(paired_old)]
        for old_key, new_key in recoded:
            fields = [
                {"field": name, "before": b or None, "after": a or None}
                for name, b, a in zip(
                    common_fields,
                    before.loc[old_key, common_fields].fillna("").astype(str),
                    after.loc[new_key, common_fields].fillna("").astype(str),
                    strict=True,
                )
                if b != a
            ]
            changes.append(
                Change(table, "record_changed", "patch", "recoded", key=new_key, fields=fields)
            )
    for record in added:
        changes.append(Change(table, "record_added", "minor", "added", key=record))
    for record in removed:
        changes.append(
            Change(
                table, "record_removed", "major", "removed: a published ID disappeared", key=record
            )
        )
    for record in differs[differs].index:
        old_row, new_row = old_rows.loc[record], new_rows.loc[record]
        fields = [
            {"field": name, "before": old_row[name] or None, "after": new_row[name] or None}
            for name in common_fields
            if old_row[name] != new_row[name]
        ]
        meaning = _meaning_changed(new, old_row, new_row)
        if meaning:
            detail = f"meaning changed ({', '.join(meaning)}): an ID must keep its meaning"
            changes.append(
                Change(table, "record_meaning_changed", "major", detail, key=record, fields=fields)
            )
        else:
            changes.append(
                Change(table, "record_changed", "patch", "corrected", key=record, fields=fields)
            )
    counts = {
        "added": len(added),
        "removed": len(removed),
        "changed": int(differs.sum()) + len(recoded),
        "rows_before": len(before),
        "rows_after": len(after),
    }
    return changes, counts


def compare(
    old: Package | None,
    old_frames: dict,
    new: Package | None,
    new_frames: dict,
    labels: tuple[str, str],
) -> PackageDiff:
    old_resources = {r.name: r for r in old.resources} if old else {}
    new_resources = {r.name: r for r in new.resources} if new else {}
    changes: list[Change] = []
    counts: dict[str, dict[str, int]] = {}
    if old and new:
        for key in sorted(
            (old.descriptor.keys() | new.descriptor.keys()) - _RELEASE_PROPERTIES - {"resources"}
        ):
            if old.descriptor.get(key) != new.descriptor.get(key):
                bump = "major" if key in ("licenses", "name") else "patch"
                changes.append(
                    Change("(package)", "package_metadata", bump, f"descriptor `{key}` changed")
                )
    for name in old_resources.keys() - new_resources.keys():
        changes.append(Change(name, "table_removed", "major", "table removed"))
        counts[name] = {
            "added": 0,
            "removed": len(old_frames[name]),
            "changed": 0,
            "rows_before": len(old_frames[name]),
            "rows_after": 0,
        }
    for name, resource in new_resources.items():
        if name not in old_resources:
            changes.append(Change(name, "table_added", "minor", "table added"))
            frame = new_frames[name]
            changes += (
                [
                    Change(name, "record_added", "minor", "added", key=k)
                    for k in _key_strings(frame, list(resource.primary_key))
                ]
                if resource.primary_key
                else []
            )
            counts[name] = {
                "added": len(frame),
                "removed": 0,
                "changed": 0,
                "rows_before": 0,
                "rows_after": len(frame),
            }
            continue
        previous = old_resources[name]
        changes += _schema_changes(name, previous, resource)
        record_changes, counts[name] = _record_changes(
            name, previous, resource, old_frames[name], new_frames[name], labels
        )
        changes += record_changes
    return PackageDiff(
        old_label=labels[0],
        new_label=labels[1],
        old_version=old.descriptor.get("version") if old else None,
        new_version=new.descriptor.get("version") if new else None,
        changes=changes,
        counts=counts,
    )


def diff_refs(package_dir: Path, old_ref: str, new_ref: str | None) -> PackageDiff:
    """Compare the package at git ref `old_ref` with `new_ref` (None: the working tree)."""
    with tempfile.TemporaryDirectory(prefix="jkdata-diff-") as scratch:
        scratch = Path(scratch)
        (scratch / "old").mkdir()
        old_root = extract_ref(package_dir, old_ref, scratch / "old")
        if new_ref is None:
            new_root, new_label = package_dir, "working tree"
        else:
            (scratch / "new").mkdir()
            new_root, new_label = extract_ref(package_dir, new_ref, scratch / "new"), new_ref
        old, old_frames = _load(old_root, old_ref)
        new, new_frames = _load(new_root, new_label)
        return compare(old, old_frames, new, new_frames, (old_ref, new_label))


# --- reporting ------------------------------------------------------------------------------

_SHOWN_RECORDS = 50  # per table and kind, in Markdown; JSON lists everything


def _cell(value) -> str:
    if value is None:
        return "(empty)"
    text = str(value).replace("|", "\\|").replace("\n", " ")
    return f"`{text}`" if len(text) <= 80 else f"`{text[:79]}…`"


def to_markdown(result: PackageDiff) -> str:
    verdict = "✅ version bump is sufficient" if result.ok else "❌ version bump is too small"
    lines = [
        f"# Data changes: {result.old_label} → {result.new_label}",
        "",
        f"- Version: {result.old_version} → {result.new_version} (declared bump: **{result.declared_bump}**)",
        f"- Required bump: **{result.required_bump}**",
        f"- Verdict: {verdict}",
        "",
    ]
    reasons = [c for c in result.changes if c.bump == "major"]
    if reasons:
        lines += ["## Why a major version", ""]
        lines += [
            f"- {c.table}{f' {c.key}' if c.key else ''}: {c.detail}"
            for c in reasons[:_SHOWN_RECORDS]
        ]
        lines.append("")
    schema = [c for c in result.changes if not c.kind.startswith("record_")]
    lines += ["## Schema and metadata changes", ""]
    lines += [f"- {c.table}: {c.detail} ({c.bump})" for c in schema] or ["None."]
    lines += [
        "",
        "## Records",
        "",
        "| table | added | removed | changed | rows before | rows after |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for table, n in result.counts.items():
        lines.append(
            f"| {table} | {n['added']} | {n['removed']} | {n['changed']} | {n['rows_before']} | {n['rows_after']} |"
        )
    for table in result.counts:
        records = [c for c in result.changes if c.table == table and c.kind.startswith("record_")]
        if not records:
            continue
        lines += ["", f"### {table}", ""]
        for kind, title in (
            ("record_added", "Added"),
            ("record_removed", "Removed"),
            ("record_meaning_changed", "Meaning changed"),
            ("record_changed", "Changed"),
        ):
            group = [c for c in records if c.kind == kind]
            if not group:
                continue
            lines.append(f"**{title}** ({len(group)}):")
            lines.append("")
            for change in group[:_SHOWN_RECORDS]:
                lines.append(f"- `{change.key}`")
                for f in change.fields:
                    lines.append(f"  - {f['field']}: {_cell(f['before'])} → {_cell(f['after'])}")
            if len(group) > _SHOWN_RECORDS:
                lines.append(f"- … and {len(group) - _SHOWN_RECORDS} more (see `--format json`)")
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"
