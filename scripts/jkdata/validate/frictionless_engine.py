"""frictionless as a second, independent engine: the descriptor profile, and (for packages small
enough) every table's types, constraints and keys, mapped onto our rule codes so that its reports
merge with the pandera checks' instead of repeating them.

frictionless is imported inside the functions: it is slow to import and not needed by `--help`.
"""

from __future__ import annotations

import re

from jkdata.model.load import DESCRIPTOR
from jkdata.model.schema import Constraints, Package, Resource
from jkdata.problems import Problem
from jkdata.validate.messages import rule_message

# A constraint's rule code is the model's name for it (`maxLength` is `max_length`).
_CONSTRAINTS = {theirs: ours for ours, theirs in Constraints.SPELLING.items()}
_CELL_ERRORS = {"type-error", "constraint-error", "unique-error", "primary-key", "foreign-key"}
_LABEL_ERRORS = {
    "incorrect-label",
    "missing-label",
    "extra-label",
    "duplicate-label",
    "blank-label",
    "blank-header",
}


def _failure(exc: Exception, what: str) -> Problem:
    """`what` names the `descriptor` rule's wording: frictionless could not read it, or open it."""
    from frictionless import FrictionlessException

    note = (
        exc.error.note if isinstance(exc, FrictionlessException) else f"{type(exc).__name__}: {exc}"
    )
    return Problem.of("descriptor", DESCRIPTOR, None, None, None, what, note=note)


def metadata_problems(package: Package) -> list[Problem]:
    """The descriptor and each schema checked against the Data Package v2 profiles."""
    from frictionless import Package as FrictionlessPackage
    from frictionless import Schema as FrictionlessSchema

    try:
        return _metadata_problems(package, FrictionlessPackage, FrictionlessSchema)
    except Exception as exc:  # frictionless itself can fail on malformed metadata (`$schema: 7`)
        return [_failure(exc, "unreadable")]


def _metadata_problems(package: Package, FrictionlessPackage, FrictionlessSchema) -> list[Problem]:  # noqa: N803
    problems = []
    descriptor = dict(package.descriptor)
    # Schemas are checked one by one below, from their own files, so that a problem names the file.
    descriptor["resources"] = [
        {**entry, "schema": {"fields": []}} if isinstance(entry, dict) else entry
        for entry in descriptor.get("resources", [])
    ]
    for error in FrictionlessPackage.metadata_validate(descriptor):
        problems.append(Problem.of("descriptor", DESCRIPTOR, None, None, None, note=error.note))
    for resource in package.resources:
        for error in FrictionlessSchema.metadata_validate(resource.table_schema):
            file = resource.schema_path or DESCRIPTOR
            problems.append(Problem.of("schema", file, None, None, None, note=error.note))
    return problems


def row_problems(package: Package, skip: set[str] = frozenset()) -> list[Problem]:
    """Validate every table with frictionless; `skip` names resources already reported unreadable."""
    from frictionless import Package as FrictionlessPackage

    descriptor = dict(package.descriptor)
    descriptor["resources"] = [package.descriptor["resources"][r.index] for r in package.resources]
    try:
        report = FrictionlessPackage(descriptor, basepath=str(package.root)).validate()
    except Exception as exc:  # as above: what frictionless cannot handle is a descriptor problem
        return [_failure(exc, "unopenable")]
    problems = []
    for task in report.tasks:
        resource = package.resource(task.name)
        if resource is None or resource.name in skip:
            continue
        for error in task.errors:
            # Structure (encoding, quoting, row lengths, header) is our reader's job: it is stricter
            # and precise. frictionless adds an independent view of cells, rows and keys only.
            if error.type not in _CELL_ERRORS:
                continue
            if error.type == "foreign-key" and (error.reference_name or resource.name) in skip:
                continue
            problems.append(map_error(error, resource))
    return problems


def map_error(error, resource: Resource) -> Problem:
    """Translate one frictionless error into our Problem, with our rule code and wording."""
    kind = error.type
    row = getattr(error, "row_number", None)
    column = getattr(error, "field_name", None)
    cell = getattr(error, "cell", None)
    value = None if cell in (None, "") else str(cell)
    field = resource.field(column) if column in resource.field_names else None
    params = {}  # what the rule's message needs beyond the field (see `schema.rule_message`)
    if kind == "type-error":
        rule = "type"
    elif kind == "constraint-error":
        match = re.search(r'constraint "(\w+)"', error.note)
        rule = (
            _CONSTRAINTS.get(match.group(1), f"frictionless:{match.group(1)}")
            if match
            else "frictionless:constraint"
        )
    elif kind == "unique-error":
        rule = "unique"
        match = re.search(r"row at position (\d+)", error.note)
        params["first_row"] = match.group(1) if match else None
    elif kind == "primary-key":
        rule = "primary_key"
        cells = error.cells
        positions = [resource.field_names.index(name) for name in resource.primary_key]
        column = ",".join(resource.primary_key)
        value = "|".join(cells[i] if i < len(cells) else "" for i in positions)
        match = re.search(r"row at position (\d+)", error.note)
        params["first_row"] = match.group(1) if match else None
    elif kind == "foreign-key":
        rule = "foreign_key"
        column = ",".join(error.field_names)
        value = "|".join(error.field_cells)
        params["target"] = error.reference_name or resource.name
        params["fields"] = ", ".join(error.reference_field_names)
        params["key"] = value
    elif kind in ("missing-cell", "extra-cell"):
        rule = "row_length"
        if kind == "extra-cell":
            column = f"(column {len(resource.field_names) + 1})"
        variant = "missing_cell" if kind == "missing-cell" else "extra_cell"
        return Problem.of(rule, resource.path, row, column, value, variant)
    elif kind == "blank-row":
        return Problem.of("blank_row", resource.path, row, None, None)
    elif kind in _LABEL_ERRORS:
        label = getattr(error, "label", None)
        return Problem.of(
            "header", resource.path, 1, column, label, "frictionless", note=error.note
        )
    elif kind == "encoding-error":
        return Problem.of("encoding", resource.path, row, None, None, "file")
    else:
        return Problem.of(
            f"frictionless:{kind}", resource.path, row, column, value, note=error.note
        )
    if rule.startswith("frictionless:"):  # a constraint no rule of ours covers
        return Problem.of(rule, resource.path, row, column, value, note=error.note)
    message = rule_message(rule, field, None, **params)
    return Problem(resource.path, row, column, value, rule, message)
