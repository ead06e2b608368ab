"""Our own Table Schema → pandera converter, and the vectorised row checks built on it.

pandera's `from_frictionless_schema` is not used: it coerces "false" to True, leaves dates
unchecked and ignores foreign keys. Here every column stays raw text and each Table Schema rule
becomes a named, vectorised check, so a failure carries the original cell. Checks are named by
our rule codes (see `schema.rule_message`); primary and unique keys are frame-level checks.
"""

from __future__ import annotations

import re
from functools import partial

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pyarrow
import pyarrow.compute as pc

from .columns import arrow, as_series, combined, take_texts, true_rows
from .csvread import Table
from .package import Package, Resource, _as_list
from .problems import Problem
from .schema import bound, rule_message, to_typed, type_ok

_KEY_SEPARATOR = "|"

# Patterns that mean the same in RE2 (pyarrow's engine) and Python's `re`: no escapes for
# character classes (\d, \w, \s and \b are Unicode-aware in Python, ASCII in RE2), no
# lookaround and no backreferences. Other patterns are matched with `re`, once per distinct value.
_NOT_PORTABLE = re.compile(r"\\[dDwWsSbBAZzG0-9pPNuUx]|\(\?[=!<]|\(\?P=")


def _type(values: pd.Series, field: dict) -> pd.Series:
    return type_ok(values, field)


def _pattern(values: pd.Series, pattern: str) -> pd.Series:
    texts = arrow(values)
    if not _NOT_PORTABLE.search(pattern):
        try:
            ok = pc.match_substring_regex(texts, f"^(?:{pattern})$")
            return as_series(ok, values.index, fill=True)
        except pyarrow.ArrowInvalid:  # RE2 cannot compile it: fall back to Python
            pass
    distinct = pc.unique(texts).drop_null()
    compiled = re.compile(pattern)
    matching = [v for v in distinct.to_pylist() if compiled.fullmatch(v)]
    ok = pc.or_kleene(
        pc.is_in(texts, value_set=pyarrow.array(matching, pyarrow.string())), pc.is_null(texts)
    )
    return as_series(ok, values.index, fill=True)


def _enum(values: pd.Series, field: dict, allowed: list) -> pd.Series:
    if field.get("type", "string") == "string":
        texts = arrow(values)
        ok = pc.is_in(texts, value_set=pyarrow.array([str(v) for v in allowed], pyarrow.string()))
        return as_series(pc.or_kleene(ok, pc.is_null(texts)), values.index, fill=True)
    typed_allowed = to_typed(pd.Series([str(v) for v in allowed], dtype="str"), field).tolist()
    return to_typed(values, field).isin(typed_allowed) | values.isna()


def _length(values: pd.Series, limit: int, at_least: bool) -> pd.Series:
    lengths = pc.utf8_length(arrow(values))
    ok = pc.greater_equal(lengths, limit) if at_least else pc.less_equal(lengths, limit)
    return as_series(ok, values.index, fill=True)


def _range(values: pd.Series, field: dict, limit, at_least: bool) -> pd.Series:
    typed = to_typed(values, field)
    ok = (typed >= bound(limit, field)) if at_least else (typed <= bound(limit, field))
    # Cells of the wrong type are the type check's business (NaT compares False, not NA).
    return ok.fillna(True).astype(bool) | typed.isna()


def first_occurrence(columns: list) -> np.ndarray:
    """For each row, the position of the first row with the same key (missing cells compare equal)."""
    columns = [arrow(c) for c in columns]
    if len(columns[0]) == 0:
        return np.zeros(0, dtype=np.int64)
    if len(columns) == 1:
        key = combined(columns[0])
    else:
        # Each column's dictionary codes, folded into one integer per row.
        key, size = np.zeros(len(columns[0]), dtype=np.int64), 1
        for column in columns:
            encoded = combined(column).dictionary_encode(null_encoding="encode")
            width = len(encoded.dictionary) + 1
            if size * width >= 1 << 62:  # too many distinct keys to fold: hash the joined text
                return _first_occurrence_joined(columns)
            key = key * width + to_numpy_codes(encoded)
            size *= width
        key = pyarrow.array(key)
    return pc.index_in(key, value_set=key).to_numpy()


def to_numpy_codes(encoded) -> np.ndarray:
    return encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)


def _first_occurrence_joined(columns: list) -> np.ndarray:
    frame = pd.DataFrame(
        {i: c.to_pandas(types_mapper=pd.ArrowDtype) for i, c in enumerate(columns)}
    )
    labels = pd.Series(np.arange(len(frame)), index=frame.index)
    return (
        labels.groupby([frame[c] for c in frame], dropna=False, sort=False)
        .transform("min")
        .to_numpy()
    )


# Where each row's key first appears, kept by the key checks when a key repeats, so that the report
# can say "first in row N" without grouping the table again. pandera hands the checks a copy of
# the frame, but its columns are the same pyarrow arrays, which identify the key here.
_REPEATS: dict[tuple[int, ...], tuple[list, np.ndarray]] = {}


def _no_repeats(frame: pd.DataFrame, columns: list[str]) -> pd.Series:
    arrays = [arrow(frame[c]) for c in columns]
    first = first_occurrence(arrays)
    ok = first == np.arange(len(first))
    if not ok.all():
        _REPEATS[tuple(id(a) for a in arrays)] = (arrays, first)
    return pd.Series(ok, index=frame.index)


def _first_rows(frame: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """For each row, the spreadsheet row where its key first appears."""
    arrays = [arrow(frame[c]) for c in columns]
    kept = _REPEATS.pop(tuple(id(a) for a in arrays), None)
    if kept is not None and all(a is b for a, b in zip(kept[0], arrays, strict=True)):
        return kept[1] + 2
    return first_occurrence(arrays) + 2


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
            checks.append(pa.Check(partial(_type, field=field), name="type"))
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
                "" if v is None else str(v)
                for v in (table.column(c)[index].as_py() for c in key_columns)
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
    """Every foreign key value must exist in the referenced table (vectorised with pyarrow)."""
    problems = []
    value_sets: dict[tuple, pyarrow.Array] = {}  # referenced keys, built once per target
    for resource in package.resources:
        child = tables.get(resource.name)
        if child is None or child.arrow is None:
            continue
        for fk in resource.foreign_keys:
            fields = _as_list(fk["fields"])
            target_name = fk["reference"].get("resource") or resource.name
            ref_fields = _as_list(fk["reference"]["fields"])
            parent = tables.get(target_name)
            if parent is None or parent.arrow is None:
                continue
            bad = missing_keys(
                [child.column(f) for f in fields],
                [parent.column(f) for f in ref_fields],
                value_sets.setdefault((target_name, *ref_fields), {}),
            )
            keys = [take_texts(child.column(f), bad) for f in fields]
            for index, *cells in zip(bad.tolist(), *keys, strict=True):
                value = _KEY_SEPARATOR.join(str(v) for v in cells)
                detail = f": {target_name} has no row with {', '.join(ref_fields)} = {value}"
                problems.append(
                    Problem(
                        child.label,
                        index + 2,
                        ",".join(fields),
                        value,
                        "foreign_key",
                        rule_message("foreign_key", detail=detail),
                    )
                )
    return problems


def missing_keys(child: list, parent: list, cache: dict) -> np.ndarray:
    """Rows of the child whose key (all cells filled) is not among the parent's keys."""
    if len(child) == 1:
        if "set" not in cache:
            cache["set"] = combined(parent[0]).drop_null()
        found = pc.is_in(child[0], value_set=cache["set"])
        present = pc.is_valid(child[0])
        return true_rows(pc.and_(present, pc.invert(found)))
    frame = pd.DataFrame({i: c.to_pandas(types_mapper=pd.ArrowDtype) for i, c in enumerate(child)})
    targets = pd.DataFrame(
        {i: c.to_pandas(types_mapper=pd.ArrowDtype) for i, c in enumerate(parent)}
    )
    found = pd.MultiIndex.from_frame(frame).isin(pd.MultiIndex.from_frame(targets))
    present = frame.notna().all(axis=1).to_numpy()
    return np.flatnonzero(present & ~found)
