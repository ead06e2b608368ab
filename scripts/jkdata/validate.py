"""Validate a whole package: descriptor, structure, hygiene, types and keys, cross-table rules, evidence.

Order matters only for what can be checked at all: a file that cannot be parsed as CSV is reported
once, precisely, and its rows are not checked further.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .problems import Problem, merge

# Above this many data rows, `frictionless="auto"` leaves the row checks to the vectorised engine:
# frictionless checks row by row (tens of thousands of rows a second) and loads lookup tables whole.
FRICTIONLESS_AUTO_ROWS = 100_000


@dataclass
class Report:
    problems: list[Problem]
    rows: dict[str, int] = field(default_factory=dict)  # rows read per table
    notes: list[str] = field(default_factory=list)  # what was and was not checked

    @property
    def valid(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict:
        from .problems import as_json

        return {
            "valid": self.valid,
            "problem_count": len(self.problems),
            "problems": [as_json(p) for p in self.problems],
            "rows": self.rows,
            "notes": self.notes,
        }


def _needed_later(package) -> dict[str, set[str]]:
    """The columns of each table that cross-table checks read after the per-table checks."""
    from .quotes import CITATIONS, SOURCES

    keep: dict[str, set[str]] = {r.name: set(r.primary_key) for r in package.resources}
    for resource in package.resources:
        for fk in resource.foreign_keys:
            keep[resource.name].update(_names(fk.get("fields")))
            target = fk.get("reference", {}).get("resource") or resource.name
            keep.setdefault(target, set()).update(_names(fk.get("reference", {}).get("fields")))
        if "citation_id" in resource.field_names:
            keep[resource.name].add("citation_id")
    keep.setdefault(CITATIONS, set()).update(
        {"citation_id", "table_name", "record_id", "source_id", "quote"}
    )
    sources = package.resource(SOURCES)
    if sources is not None:
        keep[SOURCES] = set(sources.field_names)
    return keep


def _names(value) -> list[str]:
    from .package import _as_list

    return _as_list(value)


def validate_package(
    root: Path, sources_dir: Path | None = None, frictionless: str = "auto"
) -> Report:
    """Check everything; `frictionless` is "auto", "always" or "never" for its row checks."""
    from . import frictionless_check, hygiene, pandera_checks, quotes, rules
    from .csvread import read_table
    from .package import DESCRIPTOR, load_package

    package, problems = load_package(root)
    if package is None:
        return Report(merge(problems))
    problems += frictionless_check.metadata_problems(package)
    # A broken descriptor or schema (the package's JSON files) or a missing data file makes
    # frictionless' own view of the package unreliable: its row checks are then skipped.
    descriptor_broken = any(p.file.endswith(".json") or p.rule == "missing_file" for p in problems)

    # Each table is read and checked on its own, then trimmed to the columns the cross-table
    # checks need, so that a large package never holds every column of every table at once.
    needed = _needed_later(package)
    tables = {}
    date_problems: list[Problem] = []
    for resource in package.resources:
        table = read_table(resource)
        problems += table.problems
        problems += hygiene.hygiene_problems(table)
        problems += pandera_checks.row_problems(table)
        date_problems += rules.date_problems(table)
        table.slim(needed.get(resource.name, set()))
        tables[resource.name] = table
    rows = {name: len(t) for name, t in tables.items()}
    report = Report([], rows)
    problems += pandera_checks.foreign_key_problems(package, tables)

    run_frictionless = frictionless == "always" or (
        frictionless == "auto" and sum(rows.values()) <= FRICTIONLESS_AUTO_ROWS
    )
    if run_frictionless and package.resources and not descriptor_broken:
        unreadable = {name for name, t in tables.items() if t.arrow is None}
        problems += frictionless_check.row_problems(package, skip=unreadable)
        report.notes.append("rows checked by both pandera and frictionless")
    else:
        report.notes.append("rows checked by pandera (frictionless row checks skipped)")

    problems += date_problems
    problems += rules.citation_problems(package, tables)

    if sources_dir is None:
        report.notes.append("quotes not checked: no sources directory (give --sources-dir)")
    else:
        quote_problems, checked = quotes.quote_problems(tables, sources_dir)
        problems += quote_problems
        report.notes.append(f"quotes checked against {checked} source texts in {sources_dir}")
    file_order = (
        [DESCRIPTOR]
        + [r.schema_path or DESCRIPTOR for r in package.resources]
        + [r.path for r in package.resources]
    )
    report.problems = merge(problems, file_order)
    return report
