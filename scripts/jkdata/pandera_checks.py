"""Our own Table Schema → pandera converter, and the vectorised row checks built on it.

pandera's `from_frictionless_schema` is not used: it coerces "false" to True, leaves dates
unchecked and ignores foreign keys. Here every column stays raw text and each Table Schema rule
becomes a named, vectorised check, so a failure carries the original cell. Checks are named by
our rule codes (see `rules_registry`); primary and unique keys are frame-level checks.

`plan` lists the checks; `to_pandera` turns them into a `DataFrameSchema`. `row_problems`
evaluates the same check functions directly on the pyarrow arrays behind the columns (see
`columns`), because pandera's bookkeeping costs about a millisecond per column on a valid table
and far more on a large table with failures; `pandera_row_problems` runs the pandera schema
itself, and the tests require both to report the same problems, in the same order.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import numpy as np
import pandas as pd
import pyarrow
import pyarrow.compute as pc

from .columns import (
    arrow,
    as_series,
    codes_of,
    executor,
    expand_runs,
    first_of_codes,
    key_codes,
    positions_in,
    run_starts,
    run_values,
    select_rows,
    take_texts,
    to_numpy_bool,
    true_rows,
)
from .csvread import Table
from .model import Field, Package, Resource
from .problems import Problem
from .schema import bound, rule_message, to_typed, type_ok

_KEY_SEPARATOR = "|"

# Patterns that mean the same in RE2 (pyarrow's engine) and Python's `re`: no escapes for
# character classes (\d, \w, \s and \b are Unicode-aware in Python, ASCII in RE2), no
# lookaround and no backreferences. Other patterns are matched with `re`, once per distinct value.
_NOT_PORTABLE = re.compile(r"\\[dDwWsSbBAZzG0-9pPNuUx]|\(\?[=!<]|\(\?P=")


def _type(values: pd.Series, field: Field) -> pd.Series:
    return type_ok(values, field)


def _pattern(values: pd.Series, pattern: str) -> pd.Series:
    texts = arrow(values)
    starts = run_starts(texts)  # a sorted column: each distinct value is matched once
    if starts is not None:
        ok = _pattern_ok(run_values(texts, starts), pattern)
        return pd.Series(expand_runs(ok, starts, len(texts)), index=values.index)
    return pd.Series(_pattern_ok(texts, pattern), index=values.index)


def _pattern_ok(texts: pyarrow.ChunkedArray, pattern: str) -> np.ndarray:
    if not _NOT_PORTABLE.search(pattern):
        try:
            return to_numpy_bool(pc.match_substring_regex(texts, f"^(?:{pattern})$"), True)
        except pyarrow.ArrowInvalid:  # RE2 cannot compile it: fall back to Python
            pass
    distinct = pc.unique(texts).drop_null()
    compiled = re.compile(pattern)
    matching = [v for v in distinct.to_pylist() if compiled.fullmatch(v)]
    ok = pc.or_kleene(
        pc.is_in(texts, value_set=pyarrow.array(matching, pyarrow.string())), pc.is_null(texts)
    )
    return to_numpy_bool(ok, True)


def _enum(values: pd.Series, field: Field, allowed: list) -> pd.Series:
    if field.type == "string":
        texts = arrow(values)
        ok = pc.is_in(texts, value_set=pyarrow.array([str(v) for v in allowed], pyarrow.string()))
        return as_series(pc.or_kleene(ok, pc.is_null(texts)), values.index, fill=True)
    typed_allowed = to_typed(pd.Series([str(v) for v in allowed], dtype="str"), field).tolist()
    return to_typed(values, field).isin(typed_allowed) | values.isna()


def _length(values: pd.Series, limit: int, at_least: bool) -> pd.Series:
    # A cell has at least as many bytes as characters and at most four times as many: its size in
    # bytes (read off the offsets) decides most cells; characters are counted only in the rest.
    texts = arrow(values)
    sizes = pc.binary_length(texts)
    if at_least:
        ok = to_numpy_bool(pc.greater_equal(sizes, limit), True)
        unsure = pc.and_(pc.greater_equal(sizes, limit), pc.less(sizes, 4 * limit))
    else:
        ok = to_numpy_bool(pc.less_equal(sizes, limit), True)
        unsure = pc.greater(sizes, limit)
    rows = true_rows(unsure)
    if len(rows):
        lengths = pc.utf8_length(select_rows(texts, rows))
        counted = pc.greater_equal(lengths, limit) if at_least else pc.less_equal(lengths, limit)
        ok[rows] = to_numpy_bool(counted, True)
    return pd.Series(ok, index=values.index, copy=False)


def _range(values: pd.Series, field: Field, limit, at_least: bool) -> pd.Series:
    typed = to_typed(values, field)
    ok = (typed >= bound(limit, field)) if at_least else (typed <= bound(limit, field))
    # Cells of the wrong type are the type check's business (NaT compares False, not NA).
    return ok.fillna(True).astype(bool) | typed.isna()


def _sorted_prefix(columns: list[pyarrow.ChunkedArray]) -> tuple[int, np.ndarray | None, int]:
    """How many leading fields the rows are in order of (non-decreasing, taken together), with
    integer codes for those fields together (equal keys, equal codes) and how many codes there
    are. Tables are usually kept in key order: comparing neighbours then codes the key without
    hashing, and a key that only increases is unique at once."""
    length = len(columns[0])
    if length < 2:
        return len(columns), np.zeros(length, dtype=np.int64), length
    changed = np.zeros(length - 1, dtype=bool)  # neighbours differ in a field taken so far
    taken = 0
    for column in columns:
        if column.null_count:
            break
        after, before = column[1:], column[:-1]
        if np.any(to_numpy_bool(pc.less(after, before), False) & ~changed):
            break  # out of order where the fields taken so far tie
        changed |= to_numpy_bool(pc.not_equal(after, before), False)
        taken += 1
        if changed.all():
            break  # every row's key is greater than the last: the key is unique
    if taken == 0:
        return 0, None, 0
    codes = np.concatenate([[0], np.cumsum(changed)])
    return taken, codes, int(codes[-1]) + 1


def _unique(key: np.ndarray) -> bool:
    """No integer repeats. Sorting is adaptive: for nearly sorted keys (rows kept in key order)
    it takes a fraction of a hash table's time."""
    ordered = np.sort(key, kind="stable")
    return not np.any(ordered[1:] == ordered[:-1])


def first_occurrence(columns: list) -> np.ndarray | None:
    """For each row, the position of the first row with the same key (missing cells compare
    equal); None when no key repeats."""
    columns = [arrow(c) for c in columns]
    if len(columns[0]) == 0:
        return None
    if len(columns) == 1:
        codes, width = codes_of(columns[0])
        return None if width == len(codes) else first_of_codes(codes)
    # The fields the rows are in order of are coded together; each other field's codes are folded
    # into one integer per row, a field at a time: as soon as the fields folded so far are
    # unique together, the whole key is.
    taken, key, size = _sorted_prefix(columns)
    if key is not None and size == len(key):
        return None
    for column in columns[taken:]:
        if key is None:
            key, size = codes_of(column, try_sorted=False)
            if size == len(key):
                return None
            continue
        codes, width = key_codes(column)
        if size * width >= 1 << 62:  # renumber densely before the product overflows
            distinct, key = np.unique(key, return_inverse=True)
            size = len(distinct)
        key, size = key * width + codes, size * width
        if _unique(key):
            return None
    codes, _ = codes_of(pyarrow.array(key))  # renumbered in order of first appearance
    return first_of_codes(codes)


# Where each row's key first appears, kept by the key checks when a key repeats, so that the report
# can say "first in row N" without grouping the table again. pandera hands the checks a copy of
# the frame, but its columns are the same pyarrow arrays, which identify the key here.
# Kept per thread: a table is checked within one thread, several tables at once.
_KEPT = threading.local()


def _repeats() -> dict[tuple[int, ...], tuple[list, np.ndarray]]:
    if not hasattr(_KEPT, "repeats"):
        _KEPT.repeats = {}
    return _KEPT.repeats


def _no_repeats(frame: pd.DataFrame, columns: list[str]) -> pd.Series:
    arrays = [arrow(frame[c]) for c in columns]
    first = first_occurrence(arrays)
    if first is None:
        return pd.Series(np.ones(len(frame), dtype=bool), index=frame.index)
    _repeats()[tuple(id(a) for a in arrays)] = (arrays, first)
    return pd.Series(first == np.arange(len(first)), index=frame.index)


def _first_rows(frame: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """For each row, the spreadsheet row where its key first appears."""
    arrays = [arrow(frame[c]) for c in columns]
    kept = _repeats().pop(tuple(id(a) for a in arrays), None)
    if kept is not None and all(a is b for a, b in zip(kept[0], arrays, strict=True)):
        return kept[1] + 2
    first = first_occurrence(arrays)
    return (np.arange(len(frame)) if first is None else first) + 2


@dataclass
class ColumnPlan:
    nullable: bool
    unique: bool
    checks: list[tuple[str, Callable]]  # (check name, vectorised function of the column)


@dataclass
class Plan:
    """Every check one Table Schema asks for, as named vectorised functions: the single source of
    the pandera schema (`to_pandera`) and of the direct evaluation in `row_problems`."""

    columns: dict[str, ColumnPlan]
    frame_checks: list[tuple[str, Callable]]  # functions of the whole frame


def plan(resource: Resource) -> Plan:
    primary_key = resource.primary_key
    columns = {}
    for field in resource.fields:
        name = field.name
        ftype = field.type
        constraints = field.constraints.as_json()
        checks: list[tuple[str, Callable]] = []
        if ftype != "string":
            checks.append(("type", partial(_type, field=field)))
        if "pattern" in constraints and ftype == "string":
            checks.append(("pattern", partial(_pattern, pattern=constraints["pattern"])))
        if "enum" in constraints:
            checks.append(("enum", partial(_enum, field=field, allowed=constraints["enum"])))
        if "minLength" in constraints:
            checks.append(
                ("min_length", partial(_length, limit=constraints["minLength"], at_least=True))
            )
        if "maxLength" in constraints:
            checks.append(
                ("max_length", partial(_length, limit=constraints["maxLength"], at_least=False))
            )
        if "minimum" in constraints:
            checks.append(
                (
                    "minimum",
                    partial(_range, field=field, limit=constraints["minimum"], at_least=True),
                )
            )
        if "maximum" in constraints:
            checks.append(
                (
                    "maximum",
                    partial(_range, field=field, limit=constraints["maximum"], at_least=False),
                )
            )
        columns[name] = ColumnPlan(
            nullable=not (constraints.get("required", False) or name in primary_key),
            unique=bool(constraints.get("unique", False)) and [name] != primary_key,
            checks=checks,
        )
    frame_checks = []
    if primary_key:
        frame_checks.append(("primary_key", partial(_no_repeats, columns=primary_key)))
    for key in resource.unique_keys:
        frame_checks.append(("unique_key:" + ",".join(key), partial(_no_repeats, columns=key)))
    return Plan(columns, frame_checks)


def to_pandera(resource: Resource):
    """Build the pandera schema (a `pandera.pandas.DataFrameSchema`) for one resource."""
    import pandera.pandas as pa  # imported when needed: the fast path does without

    checks = plan(resource)
    columns = {
        name: pa.Column(
            None,  # all columns are text here; `type` checks what the text must parse as
            name=name,
            nullable=column.nullable,
            unique=column.unique,
            report_duplicates="exclude_first",
            checks=[pa.Check(fn, name=check) for check, fn in column.checks],
        )
        for name, column in checks.columns.items()
    }
    return pa.DataFrameSchema(
        columns,
        checks=[pa.Check(fn, name=check) for check, fn in checks.frame_checks],
        strict=True,
        ordered=True,
        name=resource.name,
    )


def _kept_repeats(frame: pd.DataFrame, columns: list[str]) -> np.ndarray | None:
    arrays = [arrow(frame[c]) for c in columns]
    kept = _repeats().get(tuple(id(a) for a in arrays))
    if kept is not None and all(a is b for a, b in zip(kept[0], arrays, strict=True)):
        return kept[1]
    return None


_PANDERA_RULES = {"not_nullable": "required", "field_uniqueness": "unique"}


def row_problems(table: Table, deferred: frozenset[str] = frozenset()) -> list[Problem]:
    """The generated checks on one table, evaluated directly; a problem for each failing cell.

    They are the checks of the pandera schema `to_pandera` builds, and report what pandera
    reports (`pandera_row_problems`, which the tests compare), without pandera's bookkeeping.
    The pattern checks of the `deferred` columns are left out: `implied_pattern_problems` runs
    them once the foreign key lookup is done (see `implied_patterns`)."""
    resource, frame = table.resource, table.frame
    if frame is None:
        return []
    _repeats().clear()
    try:
        checks = plan(resource)
        if list(frame.columns) != list(checks.columns):
            return []  # the header check reports it; rows cannot be matched to fields
        return _direct_problems(table, resource, frame, checks, deferred)
    finally:
        _repeats().clear()


def _direct_problems(
    table: Table,
    resource: Resource,
    frame: pd.DataFrame,
    checks: Plan,
    deferred: frozenset[str] = frozenset(),
) -> list[Problem]:
    problems: dict[tuple, Problem] = {}

    def report(rows, column: str, values, rule: str, field, first_row=lambda row: None) -> None:
        texts = [None] * len(rows) if values is None else take_texts(values, rows)
        for row, value in zip(rows.tolist(), texts, strict=True):
            message = rule_message(rule, field, value, first_row=first_row(row))
            problem = Problem(table.label, row + 2, column, value, rule, message)
            problems.setdefault(problem.key, problem)

    # In the order pandera reports them: the key checks, then column by column.
    for check, fn in checks.frame_checks:
        key = fn.keywords["columns"]
        fn(frame)
        first = _kept_repeats(frame, key)
        if first is None:
            continue
        again = np.flatnonzero(first != np.arange(len(first)))
        joined = [take_texts(arrow(frame[c]), again) for c in key]
        rule = "primary_key" if check == "primary_key" else "unique_key"
        for i, row in enumerate(again.tolist()):
            value = _KEY_SEPARATOR.join("" if v[i] is None else str(v[i]) for v in joined)
            message = rule_message(rule, first_row=first[row] + 2)
            problem = Problem(table.label, row + 2, ",".join(key), value, rule, message)
            problems.setdefault(problem.key, problem)
    for name, column in checks.columns.items():
        values, field = frame[name], resource.field(name)
        if not column.nullable:
            report(true_rows(pc.is_null(arrow(values))), name, None, "required", field)
        if column.unique:
            first = first_occurrence([values])
            if first is not None:
                again = np.flatnonzero(first != np.arange(len(first)))
                report(again, name, arrow(values), "unique", field, _first_in(first))
        for rule, fn in column.checks:
            if rule == "pattern" and name in deferred:
                continue
            ok = fn(values).to_numpy(dtype=bool, na_value=True)
            if not ok.all():
                report(np.flatnonzero(~ok), name, arrow(values), rule, field)
    return list(problems.values())


def _first_in(first: np.ndarray):
    return lambda row: first[row] + 2


def pandera_row_problems(table: Table) -> list[Problem]:
    """The same as `row_problems`, by running the pandera schema itself (slower: for tests)."""
    import pandera.errors

    resource, frame = table.resource, table.frame
    if frame is None:
        return []
    _repeats().clear()
    try:
        to_pandera(resource).validate(frame, lazy=True)
        return []
    except pandera.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    finally:
        _repeats().clear()
    problems: dict[tuple, Problem] = {}
    first_rows: dict[str, np.ndarray] = {}
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
            first_row = first_rows[check][index]
            field = None
        else:
            rule = _PANDERA_RULES.get(check, check)
            column = str(case.column)
            field = resource.field(column)
            value = None if pd.isna(case.failure_case) else str(case.failure_case)
            first_row = None
            if rule == "unique":
                if column not in first_rows:
                    first_rows[column] = _first_rows(frame, [column])
                first_row = first_rows[column][index]
        problem = Problem(
            table.label,
            index + 2,
            column,
            value,
            rule,
            rule_message(rule, field, value, first_row=first_row),
        )
        problems.setdefault(problem.key, problem)
    return list(problems.values())


def implied_patterns(package: Package) -> dict[tuple[str, str], tuple[str, str]]:
    """Foreign key fields whose pattern the lookup nearly implies: {(table, field): (target,
    target field)} where both fields are text with the same pattern.

    A value found in the target equals a target value, which the target's own pattern check has
    seen; so only the values not found, and those equal to a target value that failed, need
    matching. On a link table of millions of rows this spares a regular expression per cell."""
    implied = {}
    for resource in package.resources:
        for fk in resource.foreign_keys:
            fields, ref_fields = fk.fields, fk.reference_fields
            target = package.resource(fk.resource)
            if len(fields) != 1 or len(ref_fields) != 1 or target is None:
                continue
            field, ref = resource.field(fields[0]), target.field(ref_fields[0])
            if field is None or ref is None or target.name == resource.name:
                continue
            pattern = field.constraints.pattern
            if (
                pattern is not None
                and pattern == ref.constraints.pattern
                and field.type == ref.type == "string"
            ):
                implied[(resource.name, fields[0])] = (target.name, ref_fields[0])
    # A target field whose own pattern check is deferred vouches for nothing until it has run.
    return {key: target for key, target in implied.items() if target not in implied}


def implied_pattern_problems(
    table: Table, field: str, position: np.ndarray | None, target_failed: np.ndarray
) -> list[Problem]:
    """The pattern check `row_problems` deferred for one field: on the rows whose value was not
    found in the target (`position` -1; every row when there was no lookup) or was found in a
    target row that failed the same pattern (`target_failed`, rows of the target)."""
    if table.arrow is None or len(table) == 0:
        return []
    values = table.column(field)
    if position is None:
        rows = np.arange(len(table))
    else:
        rows = np.flatnonzero((position < 0) | np.isin(position, target_failed))
    if len(rows) == 0:
        return []
    subset = values if len(rows) == len(table) else select_rows(values, rows)
    column = plan(table.resource).columns[field]
    fn = dict(column.checks)["pattern"]
    ok = fn(pd.Series(pd.arrays.ArrowExtensionArray(subset))).to_numpy(dtype=bool, na_value=True)
    bad = rows[~ok]
    spec = table.resource.field(field)
    return [
        Problem(table.label, row + 2, field, value, "pattern", rule_message("pattern", spec, value))
        for row, value in zip(bad.tolist(), take_texts(values, bad), strict=True)
    ]


@dataclass
class Lookup:
    """Single-field foreign keys that point at the same target field: one hash table of the
    target's keys serves every table that refers to it."""

    target: str
    field: str
    referrers: list[tuple[str, str]]  # (table, field)

    @property
    def tables(self) -> set[str]:
        return {self.target} | {name for name, _ in self.referrers}


def foreign_key_plan(package: Package) -> tuple[list[Lookup], list[tuple]]:
    """The lookups for single-field keys, and the multi-field keys (table, fields, target, ref)."""
    single: dict[tuple[str, str], list[tuple[str, str]]] = {}
    multi = []
    for resource in package.resources:
        for fk in resource.foreign_keys:
            fields, target_name, ref_fields = fk.fields, fk.resource, fk.reference_fields
            if len(fields) == 1:
                single.setdefault((target_name, ref_fields[0]), []).append(
                    (resource.name, fields[0])
                )
            else:
                multi.append((resource.name, fields, target_name, ref_fields))
    return [Lookup(t, f, refs) for (t, f), refs in single.items()], multi


def look_up(lookup: Lookup, tables: dict[str, Table], positions: dict, missing: dict) -> None:
    """Find each referring value's row in the target (-1 where none): into `positions` by
    (table, field), and the rows whose value is missing into `missing`."""
    target = tables.get(lookup.target)
    if target is None or target.arrow is None:
        return
    referrers = [
        (name, field)
        for name, field in lookup.referrers
        if tables.get(name) is not None and tables[name].arrow is not None
    ]
    if not referrers:
        return
    value_set = target.column(lookup.field)
    columns = [tables[name].column(field) for name, field in referrers]
    # A sorted column (a link table in order of its first key) is looked up a run at a time.
    starts = [run_starts(column) for column in columns]
    probes = [c if s is None else run_values(c, s) for c, s in zip(columns, starts, strict=True)]
    found = positions_in(
        pyarrow.chunked_array([c for col in probes for c in col.chunks], pyarrow.string()),
        value_set,
    )
    offset = 0
    for (name, field), column, probe, start in zip(referrers, columns, probes, starts, strict=True):
        position = found[offset : offset + len(probe)]
        offset += len(probe)
        if start is not None:
            position = expand_runs(position, start, len(column))
        positions[(name, field)] = position
        present = to_numpy_bool(pc.is_valid(column), False)
        missing[(name, (field,), lookup.target)] = np.flatnonzero(present & (position < 0))


def look_up_multi(keys: list[tuple], tables: dict[str, Table], missing: dict) -> None:
    for name, fields, target_name, ref_fields in keys:
        child, parent = tables.get(name), tables.get(target_name)
        if child is None or child.arrow is None or parent is None or parent.arrow is None:
            continue
        missing[(name, tuple(fields), target_name)] = _missing_multi(
            [child.column(f) for f in fields], [parent.column(f) for f in ref_fields]
        )


def foreign_key_report(package: Package, tables: dict[str, Table], missing: dict) -> list[Problem]:
    """The problems for the missing references found by `look_up`, in the package's order."""
    problems = []
    for resource in package.resources:
        child = tables.get(resource.name)
        if child is None or child.arrow is None:
            continue
        for fk in resource.foreign_keys:
            fields, target_name, ref_fields = fk.fields, fk.resource, fk.reference_fields
            bad = missing.get((resource.name, tuple(fields), target_name))
            if bad is None or len(bad) == 0:
                continue
            keys = [take_texts(child.column(f), bad) for f in fields]
            for index, *cells in zip(bad.tolist(), *keys, strict=True):
                value = _KEY_SEPARATOR.join(str(v) for v in cells)
                message = rule_message(
                    "foreign_key", target=target_name, fields=", ".join(ref_fields), key=value
                )
                problems.append(
                    Problem(child.label, index + 2, ",".join(fields), value, "foreign_key", message)
                )
    return problems


def foreign_key_problems(
    package: Package,
    tables: dict[str, Table],
    positions: dict | None = None,
    parallel: bool = False,
) -> list[Problem]:
    """Every foreign key value must exist in the referenced table (vectorised with pyarrow).

    `positions`, when given, receives for each (table, field) the row of the target each value
    refers to (-1 when none), which the evidence checks reuse."""
    positions = {} if positions is None else positions
    missing: dict = {}
    lookups, multi = foreign_key_plan(package)
    # The targets are looked up in parallel: pyarrow works without holding the GIL.
    with executor(parallel, 2) as pool:
        for future in [pool.submit(look_up, lk, tables, positions, missing) for lk in lookups]:
            future.result()
    look_up_multi(multi, tables, missing)
    return foreign_key_report(package, tables, missing)


def _missing_multi(child: list, parent: list) -> np.ndarray:
    """Rows of the child whose key (all cells filled) is not among the parent's keys."""
    frame = pd.DataFrame({i: c.to_pandas(types_mapper=pd.ArrowDtype) for i, c in enumerate(child)})
    targets = pd.DataFrame(
        {i: c.to_pandas(types_mapper=pd.ArrowDtype) for i, c in enumerate(parent)}
    )
    found = pd.MultiIndex.from_frame(frame).isin(pd.MultiIndex.from_frame(targets))
    present = frame.notna().all(axis=1).to_numpy()
    return np.flatnonzero(present & ~found)
