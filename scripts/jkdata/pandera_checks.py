"""Our own Table Schema → pandera converter, and the vectorised row checks built on it.

pandera's `from_frictionless_schema` is not used: it coerces "false" to True, leaves dates
unchecked and ignores foreign keys. Here every column stays raw text and each Table Schema rule
becomes a named, vectorised check, so a failure carries the original cell. Checks are named by
our rule codes (see `schema.rule_message`); primary and unique keys are frame-level checks.
"""

from __future__ import annotations

from functools import partial

import pandas as pd
import pandera.pandas as pa

from .csvread import Table
from .package import Package, Resource, _as_list
from .problems import Problem
from .schema import bound, rule_message, to_typed, type_ok

_KEY_SEPARATOR = "|"


def _pattern(values: pd.Series, pattern: str) -> pd.Series:
    return values.str.fullmatch(pattern).fillna(True).astype(bool)


def _enum(values: pd.Series, field: dict, allowed: list) -> pd.Series:
    if field.get("type", "string") == "string":
        return values.isin([str(v) for v in allowed])
    typed_allowed = to_typed(pd.Series([str(v) for v in allowed], dtype="str"), field).tolist()
    return to_typed(values, field).isin(typed_allowed) | values.isna()


def _length(values: pd.Series, limit: int, at_least: bool) -> pd.Series:
    lengths = values.str.len()
    return (lengths >= limit) if at_least else (lengths <= limit)


def _range(values: pd.Series, field: dict, limit, at_least: bool) -> pd.Series:
    typed = to_typed(values, field)
    ok = (typed >= bound(limit, field)) if at_least else (typed <= bound(limit, field))
    # Cells of the wrong type are the type check's business (NaT compares False, not NA).
    return ok.fillna(True).astype(bool) | typed.isna()


def _no_repeats(frame: pd.DataFrame, columns: list[str]) -> pd.Series:
    return ~frame.duplicated(subset=columns, keep="first")


def to_pandera(resource: Resource) -> pa.DataFrameSchema:
    """Build the pandera schema for one resource from its Table Schema."""
    primary_key = resource.primary_key
    columns = {}
    for field in resource.fields:
        name = field["name"]
        ftype = field.get("type", "string")
        constraints = field.get("constraints", {})
        checks = []
        if ftype != "string":
            checks.append(pa.Check(partial(type_ok, field=field), name="type"))
        if "pattern" in constraints and ftype == "string":
            checks.append(
                pa.Check(partial(_pattern, pattern=constraints["pattern"]), name="pattern")
            )
        if "enum" in constraints:
            checks.append(
                pa.Check(partial(_enum, field=field, allowed=constraints["enum"]), name="enum")
            )
        if "minLength" in constraints:
            checks.append(
                pa.Check(
                    partial(_length, limit=constraints["minLength"], at_least=True),
                    name="min_length",
                )
            )
        if "maxLength" in constraints:
            checks.append(
                pa.Check(
                    partial(_length, limit=constraints["maxLength"], at_least=False),
                    name="max_length",
                )
            )
        if "minimum" in constraints:
            checks.append(
                pa.Check(
                    partial(_range, field=field, limit=constraints["minimum"], at_least=True),
                    name="minimum",
                )
            )
        if "maximum" in constraints:
            checks.append(
                pa.Check(
                    partial(_range, field=field, limit=constraints["maximum"], at_least=False),
                    name="maximum",
                )
            )
        columns[name] = pa.Column(
            None,  # all columns are text here; `type` checks what the text must parse as
            name=name,
            nullable=not (constraints.get("required", False) or name in primary_key),
            unique=bool(constraints.get("unique", False)) and [name] != primary_key,
            report_duplicates="exclude_first",
            checks=checks,
        )
    frame_checks = []
    if primary_key:
        frame_checks.append(pa.Check(partial(_no_repeats, columns=primary_key), name="primary_key"))
    for key in resource.unique_keys:
        frame_checks.append(
            pa.Check(partial(_no_repeats, columns=key), name="unique_key:" + ",".join(key))
        )
    return pa.DataFrameSchema(
        columns, checks=frame_checks, strict=True, ordered=True, name=resource.name
    )


_PANDERA_RULES = {"not_nullable": "required", "field_uniqueness": "unique"}


def _first_rows(frame: pd.DataFrame, columns: list[str]) -> pd.Series:
    """For each row, the spreadsheet row where its key first appears."""
    labels = pd.Series(frame.index, index=frame.index)
    return (
        labels.groupby([frame[c] for c in columns], dropna=False, sort=False).transform("min") + 2
    )


def row_problems(table: Table) -> list[Problem]:
    """Run the generated pandera schema on one table and turn its failure cases into problems."""
    resource, frame = table.resource, table.frame
    if frame is None:
        return []
    try:
        to_pandera(resource).validate(frame, lazy=True)
        return []
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    problems: dict[tuple, Problem] = {}
    first_rows: dict[str, pd.Series] = {}
    for case in cases.itertuples(index=False):
        check = str(case.check)
        index = case.index
        if index is None or pd.isna(index):
            continue  # a whole-column failure; the header check reports those
        index = int(index)
        if check == "primary_key" or check.startswith("unique_key:"):
            key_columns = (
                resource.primary_key
                if check == "primary_key"
                else check.split(":", 1)[1].split(",")
            )
            rule = "primary_key" if check == "primary_key" else "unique_key"
            column = ",".join(key_columns)
            if check not in first_rows:
                first_rows[check] = _first_rows(frame, key_columns)
            value = _KEY_SEPARATOR.join(
                "" if pd.isna(v) else str(v) for v in frame.loc[index, key_columns]
            )
            detail = f" (first in row {first_rows[check][index]})"
            field = None
        else:
            rule = _PANDERA_RULES.get(check, check)
            column = str(case.column)
            field = resource.field(column)
            value = None if pd.isna(case.failure_case) else str(case.failure_case)
            detail = ""
            if rule == "unique":
                if column not in first_rows:
                    first_rows[column] = _first_rows(frame, [column])
                detail = f" (first in row {first_rows[column][index]})"
        problem = Problem(
            table.label, index + 2, column, value, rule, rule_message(rule, field, resource, detail)
        )
        problems.setdefault(problem.key, problem)
    return list(problems.values())


def foreign_key_problems(package: Package, tables: dict[str, Table]) -> list[Problem]:
    """Every foreign key value must exist in the referenced table (vectorised with isin)."""
    problems = []
    for resource in package.resources:
        child = tables.get(resource.name)
        if child is None or child.frame is None:
            continue
        for fk in resource.foreign_keys:
            fields = _as_list(fk["fields"])
            target_name = fk["reference"].get("resource") or resource.name
            ref_fields = _as_list(fk["reference"]["fields"])
            parent = tables.get(target_name)
            if parent is None or parent.frame is None:
                continue
            keys = child.frame[fields]
            present = keys.notna().all(axis=1)
            if len(fields) == 1:
                found = keys[fields[0]].isin(parent.frame[ref_fields[0]].dropna())
            else:
                found = pd.MultiIndex.from_frame(keys).isin(
                    pd.MultiIndex.from_frame(parent.frame[ref_fields])
                )
                found = pd.Series(found, index=keys.index)
            bad = present & ~found
            for index in bad[bad].index:
                value = _KEY_SEPARATOR.join(str(v) for v in keys.loc[index])
                detail = f": {target_name} has no row with {', '.join(ref_fields)} = {value}"
                problems.append(
                    Problem(
                        child.label,
                        int(index) + 2,
                        ",".join(fields),
                        value,
                        "foreign_key",
                        rule_message("foreign_key", detail=detail),
                    )
                )
    return problems
