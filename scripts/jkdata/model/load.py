"""Load a data package descriptor and its Table Schemas, refusing anything unsafe or broken.

Nothing here imports frictionless or pandas: loading stays cheap, and every problem comes back
as a `Problem` instead of an exception, so a broken descriptor never ends in a traceback.
"""

from __future__ import annotations

import datetime
import json
import re
from dataclasses import replace
from pathlib import Path, PurePosixPath

from jkdata.files import NotRegularFile, not_regular, read_regular
from jkdata.model.links import descriptor_links, link_problem, scheme_of
from jkdata.model.schema import (
    DEFAULT_FALSE,
    DEFAULT_TRUE,
    TYPES,
    Constraints,
    Package,
    Resource,
    resource_from_schema,
)
from jkdata.problems import Problem
from jkdata.rules_registry import in_field

DESCRIPTOR = "datapackage.json"

# Field types the converter in `schema.py` understands; the package uses a subset of them.
SUPPORTED_TYPES = set(TYPES)
KNOWN_CONSTRAINTS = set(Constraints.SPELLING.values())
# Deeper than any descriptor or schema needs; far deeper JSON would exhaust Python's stack in the
# decoder, or in frictionless' profile checks after it.
MAX_JSON_DEPTH = 64


def _as_list(value) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def _problem(
    column: str | None,
    value,
    variant: str | None,
    rule: str = "descriptor",
    file: str = DESCRIPTOR,
    **params,
):
    """A problem of the descriptor or a schema, worded by the rule's `variant` (see
    `rules_registry`) with `params`."""
    shown = None if value is None else (value if isinstance(value, str) else json.dumps(value))
    return Problem.of(rule, file, None, column, shown, variant, **params)


def _depth(value) -> int:
    """How deeply JSON lists and objects nest in `value` (counted without recursion)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = (
            item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        )
        for child in children:
            if isinstance(child, (dict, list)):
                if depth + 1 > MAX_JSON_DEPTH:
                    return depth + 1
                stack.append((child, depth + 1))
        deepest = max(deepest, depth)
    return deepest


def read_json(path: Path, label: str) -> tuple[object | None, list[Problem]]:
    """The JSON in a regular file (the descriptor or a schema), or None and the problems."""
    try:
        raw = read_regular(path)
    except FileNotFoundError:
        return None, [_problem(None, None, None, "missing_file", file=label)]
    except NotRegularFile as exc:
        return None, [
            _problem(None, None, "not_regular", "missing_file", file=label, kind=exc.kind)
        ]
    except OSError as exc:
        return None, [
            _problem(None, None, "unreadable", "missing_file", file=label, reason=exc.strerror)
        ]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, [_problem(None, None, "json_file", "encoding", file=label, byte=exc.start)]
    too_deep = [Problem.of("json", label, None, None, None, "too_deep", limit=MAX_JSON_DEPTH)]
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, [
            Problem.of("json", label, exc.lineno, f"character {exc.colno}", None, error=exc.msg)
        ]
    except RecursionError:
        return None, too_deep
    if isinstance(value, (dict, list)) and _depth(value) > MAX_JSON_DEPTH:
        return None, too_deep
    return value, []


def safe_path(root: Path, path: object, place: str) -> tuple[Path | None, list[Problem]]:
    """Resolve a descriptor path, refusing URLs, absolute paths and anything leading outside root."""
    if not isinstance(path, str) or not path:
        return None, [_problem(place, path, "not_a_path")]
    if scheme_of(path) is not None:
        return None, [_problem(place, path, "url", "unsafe_path")]
    posix = PurePosixPath(path)
    if posix.is_absolute() or "\\" in path or re.match(r"^[A-Za-z]:", path):
        return None, [_problem(place, path, "absolute", "unsafe_path")]
    resolved = (root / posix).resolve()
    if ".." in posix.parts or not resolved.is_relative_to(root.resolve()):
        return None, [_problem(place, path, None, "unsafe_path")]
    return resolved, []


def _check_schema(schema: object, place: str, file: str) -> list[Problem]:
    """Structural checks our converter relies on; frictionless checks the rest of the profile."""
    if not isinstance(schema, dict):
        return [_problem(place, None, "not_an_object", "schema", file)]
    fields = schema.get("fields")
    if not isinstance(fields, list) or not fields:
        return [_problem(f"{place}.fields", None, "no_fields", "schema", file)]
    problems: list[Problem] = []
    names: list[str] = []
    for i, fld in enumerate(fields):
        where = f"fields[{i}]"
        if not isinstance(fld, dict) or not isinstance(fld.get("name"), str) or not fld["name"]:
            problems.append(_problem(where, None, "unnamed_field", "schema", file))
            continue
        names.append(fld["name"])
        ftype = fld.get("type", "any")
        if ftype not in SUPPORTED_TYPES:
            problems.append(
                _problem(
                    f"{where}.type",
                    ftype,
                    "unsupported_type",
                    "schema",
                    file,
                    types=sorted(SUPPORTED_TYPES),
                )
            )
        constraints = fld.get("constraints", {})
        if not isinstance(constraints, dict):
            problems.append(
                _problem(f"{where}.constraints", None, "constraints_not_an_object", "schema", file)
            )
            continue
        problems += _category_problems(fld, constraints, where, file)
        for key, value in constraints.items():
            if key not in KNOWN_CONSTRAINTS:
                problems.append(
                    _problem(f"{where}.constraints", key, "unknown_constraint", "schema", file)
                )
            elif key == "pattern":
                try:
                    re.compile(value)
                except (re.error, TypeError) as exc:
                    problems.append(
                        _problem(
                            f"{where}.constraints.pattern",
                            value,
                            "bad_pattern",
                            "schema",
                            file,
                            error=exc,
                        )
                    )
            elif key == "enum" and not isinstance(value, list):
                problems.append(
                    _problem(f"{where}.constraints.enum", value, "not_a_list", "schema", file)
                )
            else:
                wrong = _constraint_value_problem(key, value, ftype)
                if wrong:
                    variant, params = wrong
                    problems.append(
                        _problem(
                            f"{where}.constraints.{key}", value, variant, "schema", file, **params
                        )
                    )
    if len(set(names)) != len(names):
        dupes = sorted({n for n in names if names.count(n) > 1})
        problems.append(_problem("fields", ", ".join(dupes), "duplicate_fields", "schema", file))
    problems += _check_keys(schema, set(names), file)
    return problems


# The options of a resource and its schema that the vectorised checks implement: only their
# defaults (CSV with the default dialect, UTF-8, each type's default format). Any other value is
# a problem rather than silently read as if it were the default.
_DEFAULT_DIALECT = {
    "header": [True],
    "headerRows": [[1]],
    "delimiter": [","],
    "lineTerminator": ["\r\n", "\n"],
    "quoteChar": ['"'],
    "doubleQuote": [True],
    "skipInitialSpace": [False],
    "commentRows": [[]],
}
_DEFAULT_RESOURCE = {
    "format": ["csv"],
    "mediatype": ["text/csv"],
    "scheme": ["file"],
    "type": ["table"],
    # v1's name for `type: "table"`; R's frictionless (1.2.1) reads only this one, so we keep both.
    "profile": ["tabular-data-resource"],
}
_DEFAULT_FIELD = {
    "format": ["default"],
    "bareNumber": [True],
    "decimalChar": ["."],
    "groupChar": [""],
    "missingValues": [[""]],
}


def _category_problems(fld: dict, constraints: dict, where: str, file: str) -> list[Problem]:
    """A field's `categories` must list the values of its `constraints.enum`, in the same order:
    frictionless does not enforce categories, so the enum is what holds a cell to them, and the
    codebook documents the categories."""
    categories = fld.get("categories")
    if categories is None:
        return []
    if not isinstance(categories, list):
        return [_problem(f"{where}.categories", None, "not_a_list", "schema", file)]
    values = [c.get("value") if isinstance(c, dict) else c for c in categories]
    if constraints.get("enum") == values:
        return []
    return [
        _problem(
            f"{where}.categories",
            ", ".join(map(str, values)),
            "categories_differ",
            "schema",
            file,
        )
    ]


def _unsupported_resource_options(entry: dict, place: str) -> list[Problem]:
    problems = []
    for key, allowed in _DEFAULT_RESOURCE.items():
        if key in entry and entry[key] not in allowed:
            problems.append(_problem(f"{place}.{key}", entry[key], "unsupported"))
    encoding = entry.get("encoding")
    if encoding is not None and (
        not isinstance(encoding, str) or encoding.lower().replace("_", "-") not in ("utf-8", "utf8")
    ):
        problems.append(_problem(f"{place}.encoding", encoding, "unsupported"))
    if "compression" in entry:
        problems.append(_problem(f"{place}.compression", entry["compression"], "unsupported"))
    dialect = entry.get("dialect")
    if dialect is not None:
        if not isinstance(dialect, dict):
            problems.append(_problem(f"{place}.dialect", dialect, "dialect_not_inline"))
        else:
            for key, value in dialect.items():
                if key != "$schema" and value not in _DEFAULT_DIALECT.get(key, []):
                    problems.append(_problem(f"{place}.dialect.{key}", value, "unsupported"))
    return problems


def _unsupported_schema_options(schema: object, place: str, file: str) -> list[Problem]:
    """Field formats and missing values other than the defaults (see `_DEFAULT_FIELD`)."""
    if not isinstance(schema, dict) or not isinstance(schema.get("fields"), list):
        return []  # `_check_schema` reports it
    problems = []
    prefix = "" if place == "schema" else f"{place}."
    if "missingValues" in schema and schema["missingValues"] not in _DEFAULT_FIELD["missingValues"]:
        problems.append(
            _problem(
                f"{prefix}missingValues",
                schema["missingValues"],
                "missing_values",
                "schema",
                file,
            )
        )
    if "fieldsMatch" in schema and schema["fieldsMatch"] != "exact":
        problems.append(
            _problem(
                f"{prefix}fieldsMatch",
                schema["fieldsMatch"],
                "fields_match",
                "schema",
                file,
            )
        )
    for i, fld in enumerate(schema["fields"]):
        if not isinstance(fld, dict):
            continue
        for key, allowed in _DEFAULT_FIELD.items():
            if key in fld and fld[key] not in allowed:
                problems.append(
                    _problem(
                        f"{prefix}fields[{i}].{key}",
                        fld[key],
                        "field_option",
                        "schema",
                        file,
                        default=json.dumps(allowed[0]),
                    )
                )
    return problems


def _is_integer(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_value_of(value, ftype: str) -> bool:
    """Whether a constraint value (JSON) is a value of the field's type, as our checks compare it:
    numbers as JSON numbers, dates as YYYY-MM-DD text."""
    if ftype in ("integer", "year"):
        return _is_integer(value)
    if ftype == "number":
        return _is_integer(value) or isinstance(value, float)
    if ftype == "date":
        if not isinstance(value, str) or not re.fullmatch(TYPES["date"].text_pattern, value):
            return False
        try:
            datetime.date.fromisoformat(value)
        except ValueError:
            return False
        return True
    if ftype == "boolean":
        return isinstance(value, bool)
    return isinstance(value, str)


def _is_text_of(value, ftype: str) -> bool:
    """Whether a JSON string is the text of a value of the type, as a CSV cell would hold it."""
    if not isinstance(value, str):
        return False
    if ftype == "boolean":
        return value in DEFAULT_TRUE + DEFAULT_FALSE
    pattern = TYPES[ftype].text_pattern
    if ftype == "date" or pattern is None:
        return _is_value_of(value, ftype)
    return bool(re.fullmatch(pattern, value))


def _constraint_value_problem(key: str, value, ftype: str) -> tuple[str, dict] | None:
    """What is wrong with a constraint's value for a field of this type, as the `schema` rule's
    variant and its params, or None.

    The vectorised checks compare cells with these values directly: a value of the wrong type
    would fail there, on every row, instead of here, once."""
    if ftype not in SUPPORTED_TYPES:
        return None  # the type has its own problem
    if key in ("required", "unique"):
        return None if isinstance(value, bool) else ("not_a_boolean", {})
    if key in ("minLength", "maxLength"):
        if ftype != "string":
            return "length_of_non_string", {"type": ftype}
        return None if _is_integer(value) and value >= 0 else ("bad_length", {})
    if key in ("minimum", "maximum"):
        if ftype in ("string", "boolean"):
            return "bound_of_non_number", {"type": ftype}
        return None if _is_value_of(value, ftype) else (f"bound_{ftype}", {})
    if key == "enum":
        if not value:
            return "empty_enum", {}
        # An enum value may also be written as the text of a value (`"04"` for an integer).
        bad = [v for v in value if not (_is_value_of(v, ftype) or _is_text_of(v, ftype))]
        if bad:
            return f"enum_value_{ftype}", {"bad": json.dumps(bad[0])}
    return None


def _is_names(value) -> bool:
    """A key is a field name or a non-empty list of field names."""
    if isinstance(value, str):
        return bool(value)
    return isinstance(value, list) and bool(value) and all(isinstance(v, str) for v in value)


def _check_keys(schema: dict, known: set[str], file: str) -> list[Problem]:
    problems = []
    keys = []
    if "primaryKey" in schema:
        keys.append(("primaryKey", schema["primaryKey"]))
    unique_keys = schema.get("uniqueKeys", [])
    if not isinstance(unique_keys, list):
        return [_problem("uniqueKeys", None, "keys_not_a_list", "schema", file)]
    keys += [(f"uniqueKeys[{i}]", k) for i, k in enumerate(unique_keys)]
    foreign_keys = schema.get("foreignKeys", [])
    if not isinstance(foreign_keys, list):
        return [_problem("foreignKeys", None, "not_a_list", "schema", file)]
    for i, fk in enumerate(foreign_keys):
        reference = fk.get("reference") if isinstance(fk, dict) else None
        if not isinstance(reference, dict) or not _is_names(reference.get("fields")):
            problems.append(
                _problem(
                    f"foreignKeys[{i}]",
                    None,
                    "bad_foreign_key",
                    "schema",
                    file,
                )
            )
            continue
        if not isinstance(reference.get("resource", ""), str):
            problems.append(
                _problem(
                    f"foreignKeys[{i}].reference.resource",
                    None,
                    "bad_reference_resource",
                    "schema",
                    file,
                )
            )
        keys.append((f"foreignKeys[{i}].fields", fk.get("fields")))
    for where, key_fields in keys:
        if not _is_names(key_fields):
            problems.append(_problem(where, None, "bad_key_fields", "schema", file))
            continue
        for name in _as_list(key_fields):
            if name not in known:
                problems.append(_problem(where, name, "unknown_field", "schema", file))
    return problems


def read_descriptor(root: Path) -> tuple[dict | None, list[Problem]]:
    """The descriptor as written, for the tools that rewrite it (release) or need its paths
    before validation (build); None and its problems when it is no readable JSON object."""
    # The descriptor is held to the rule of every file the package reads: inside the package.
    target = (root / DESCRIPTOR).resolve()
    if not target.is_relative_to(root.resolve()):
        return None, [_problem(None, None, "link_outside", "unsafe_path", target=target)]
    descriptor, problems = read_json(root / DESCRIPTOR, DESCRIPTOR)
    if descriptor is not None and not isinstance(descriptor, dict):
        return None, [_problem(None, None, "not_an_object")]
    return descriptor, problems


def load_package(root: Path) -> tuple[Package | None, list[Problem]]:
    """Read the descriptor and schemas under `root`. Returns the package (None if unusable) and problems."""
    if not (root / DESCRIPTOR).exists():  # most likely the wrong directory: say which one
        missing = _problem(
            None, None, "no_descriptor", "missing_file", descriptor=DESCRIPTOR, root=root.resolve()
        )
        return None, [missing]
    descriptor, problems = read_descriptor(root)
    if descriptor is None:
        return None, problems
    entries = descriptor.get("resources")
    if not isinstance(entries, list) or not entries:
        return None, [_problem("resources", None, "no_resources")]

    problems += [
        _problem(place, value, None, "unsafe_url", reason=reason)
        for place, value in descriptor_links(descriptor)
        if (reason := link_problem(value)) is not None
    ]
    package = Package(root=root, descriptor=descriptor)
    seen_names: set[str] = set()
    for i, entry in enumerate(entries):
        place = f"resources[{i}]"
        if not isinstance(entry, dict):
            problems.append(_problem(place, None, "not_an_object"))
            continue
        name = entry.get("name")
        if not isinstance(name, str) or not name:
            problems.append(_problem(f"{place}.name", name, "unnamed_resource"))
            continue
        if name in seen_names:
            problems.append(_problem(f"{place}.name", name, "duplicate_resource"))
            continue
        seen_names.add(name)
        package.declared.add(name)
        path = entry.get("path")
        if isinstance(path, list):
            problems.append(_problem(f"{place}.path", path, "multipart"))
            continue
        file, path_problems = safe_path(root, path, f"{place}.path")
        problems += path_problems
        if file is None:
            continue
        if not file.is_file():
            kind = not_regular(file)
            what = "no_data_file" if kind is None else "not_regular"
            problems.append(_problem(f"{place}.path", path, what, "missing_file", kind=kind))
            continue

        schema_ref = entry.get("schema")
        schema_path = None
        if isinstance(schema_ref, str):
            schema_file, schema_problems = safe_path(root, schema_ref, f"{place}.schema")
            problems += schema_problems
            if schema_file is None:
                continue
            schema_path = schema_ref
            schema, read_problems = read_json(schema_file, schema_ref)
            problems += read_problems
            if schema is None:
                continue
            label, where = schema_ref, "schema"
        elif isinstance(schema_ref, dict):
            schema, label, where = schema_ref, DESCRIPTOR, f"{place}.schema"
        else:
            problems.append(
                _problem(
                    f"{place}.schema",
                    schema_ref,
                    "no_schema",
                )
            )
            continue
        schema_problems = _with_field_names(
            _check_schema(schema, where, label) + _unsupported_schema_options(schema, where, label),
            schema,
        )
        problems += schema_problems
        option_problems = _unsupported_resource_options(entry, place)
        problems += option_problems
        if schema_problems or option_problems:
            continue
        package.resources.append(
            resource_from_schema(name, path, file, schema, schema_path, i, entry)
        )

    problems += _check_references(package)
    return package, problems


_FIELD_PATH = re.compile(r"(?:^|\.)fields\[(\d+)\]")


def _with_field_names(problems: list[Problem], schema: dict) -> list[Problem]:
    """A problem inside a field also names the field: `fields[7]` alone means counting."""
    fields = schema.get("fields") if isinstance(schema, dict) else None
    if not isinstance(fields, list):
        return problems
    named = []
    for problem in problems:
        found = _FIELD_PATH.search(problem.column or "")
        fld = fields[int(found[1])] if found and int(found[1]) < len(fields) else None
        if isinstance(fld, dict) and isinstance(fld.get("name"), str) and fld["name"]:
            problem = replace(problem, message=in_field(problem.message, fld["name"]))
        named.append(problem)
    return named


def _check_references(package: Package) -> list[Problem]:
    """Foreign keys must point at a resource and fields that exist. A resource with a broken
    foreign key is not checked further, as with any other schema problem."""
    problems: list[Problem] = []
    broken: set[str] = set()
    for res in package.resources:
        before = len(problems)
        problems += _reference_problems(package, res)
        if len(problems) > before:
            broken.add(res.name)
    package.resources = [r for r in package.resources if r.name not in broken]
    return problems


def _reference_problems(package: Package, res: Resource) -> list[Problem]:
    problems = []
    label = res.schema_path or DESCRIPTOR
    for i, fk in enumerate(res.foreign_keys):
        target = package.resource(fk.resource)
        where = f"foreignKeys[{i}].reference"
        if target is None:
            if fk.resource in package.declared:
                continue  # the target failed to load and has its own problem
            problems.append(
                _problem(
                    f"{where}.resource",
                    fk.resource,
                    "unknown_resource",
                    "schema",
                    label,
                )
            )
            continue
        for name in fk.reference_fields:
            if name not in target.field_names:
                problems.append(
                    _problem(
                        f"{where}.fields",
                        name,
                        "unknown_target_field",
                        "schema",
                        label,
                        target=fk.resource,
                    )
                )
        if len(fk.reference_fields) != len(fk.fields):
            problems.append(_problem(where, None, "reference_length", "schema", label))
    return problems
