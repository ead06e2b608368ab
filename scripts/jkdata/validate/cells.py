"""Per-table checks: the pandera schema for a table's text, generated from the model, and its
failures as problems.

Every column stays text (`pl.String`, empty cells null), so a failure carries the cell as written.
Each Table Schema rule becomes a pandera check named by our rule code (see `schema.rule_message`):
pandera's built-in checks where it has them (`str_matches`, `isin`, `str_length`), polars
expressions where it has none (dates, bounds on the typed value, keys). `jkdata validate` runs
the schema with pandera's polars backend on every table (`cell_problems`).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandera.polars as pa
import polars as pl
from pandera.config import ValidationDepth, config_context
from pandera.errors import SchemaErrors

from jkdata.columns import select_rows
from jkdata.model.schema import TYPES, Field, Resource
from jkdata.problems import Problem
from jkdata.validate.messages import rule_message
from jkdata.validate.structure import Table

KEY_SEPARATOR = "|"  # how a key of several fields is shown as one value
_DATE_SHAPE = "^" + TYPES["date"].text_pattern + "$"

# The order of a field's checks, which is the order of its problems within a row (after the keys).
COLUMN_RULES = (
    "required",
    "unique",
    "type",
    "pattern",
    "enum",
    "min_length",
    "max_length",
    "minimum",
    "maximum",
)


def full_match(pattern: str) -> str:
    """A Table Schema pattern matches the whole cell; `str_matches` anchors only its start."""
    return f"^(?:{pattern})$"


def type_ok(field: Field) -> pl.Expr:
    """True where the text is a value of the field's type, or the cell is empty."""
    text = pl.col(field.name)
    if field.type == "boolean":
        ok = text.is_in(list(field.true_values + field.false_values))
    elif field.type == "date":
        # YYYY-MM-DD exactly, a real calendar day, from year 1 (polars also reads year 0).
        ok = (
            text.str.contains(_DATE_SHAPE)
            & text.str.to_date("%Y-%m-%d", strict=False, cache=False).is_not_null()
            & ~text.str.starts_with("0000")
        )
    elif field.kind.text_pattern is not None:
        ok = text.str.contains(full_match(field.kind.text_pattern))
    else:
        return pl.lit(True)
    return text.is_null() | ok


def typed(field: Field) -> pl.Expr:
    """The cell as a value of the field's type; null where it is empty or not of the type."""
    text = pl.col(field.name)
    if field.type == "string":
        return text
    if field.type == "boolean":
        return (
            pl.when(text.is_in(list(field.true_values)))
            .then(True)
            .when(text.is_in(list(field.false_values)))
            .then(False)
        )
    valid = pl.when(type_ok(field) & text.is_not_null())
    if field.type in ("integer", "year"):
        return valid.then(text.str.to_integer(strict=False))
    if field.type == "number":
        return valid.then(text.cast(pl.Float64, strict=False))
    if field.type == "date":
        return valid.then(text.str.to_date("%Y-%m-%d", strict=False, cache=False))
    raise ValueError(f"unsupported type {field.type}")


def _bound(value, field: Field):
    """A minimum or maximum as a value of the field's type."""
    if field.type == "date":
        return dt.date.fromisoformat(str(value))
    if field.type == "string":
        return str(value)
    return value


def _expression_check(expression: pl.Expr, rule: str) -> pa.Check:
    """A check whose outcome is a polars expression over the frame (true: the row passes)."""
    return pa.Check(lambda data: data.lazyframe.select(expression), name=rule, error=rule)


def _column_checks(field: Field) -> list[tuple[str, pa.Check]]:
    constraints = field.constraints
    name = field.name
    checks: list[tuple[str, pa.Check]] = []
    if field.type in ("integer", "number", "year"):
        checks.append(
            ("type", pa.Check.str_matches(full_match(field.kind.text_pattern), error="type"))
        )
    elif field.type == "boolean":
        values = list(field.true_values + field.false_values)
        checks.append(("type", pa.Check.isin(values, error="type")))
    elif field.type == "date":
        checks.append(("type", _expression_check(type_ok(field), "type")))
    if constraints.pattern is not None and field.type == "string":
        checks.append(
            ("pattern", pa.Check.str_matches(full_match(constraints.pattern), error="pattern"))
        )
    if constraints.enum is not None:
        if field.type == "string":
            checks.append(("enum", pa.Check.isin(list(field.vocabulary), error="enum")))
        else:  # compared as typed values (1 and 01 are the same integer); other types fail `type`
            allowed = pl.DataFrame({name: list(field.vocabulary)}).select(typed(field))
            value = typed(field)
            ok = value.is_null() | value.is_in(allowed.to_series().drop_nulls().implode())
            checks.append(("enum", _expression_check(ok, "enum")))
    if constraints.min_length is not None:
        checks.append(
            (
                "min_length",
                pa.Check.str_length(min_value=constraints.min_length, error="min_length"),
            )
        )
    if constraints.max_length is not None:
        checks.append(
            (
                "max_length",
                pa.Check.str_length(max_value=constraints.max_length, error="max_length"),
            )
        )
    # pandera's `ge`/`le` compare the column as it is, text here: the bounds apply to the value.
    for rule, limit in (("minimum", constraints.minimum), ("maximum", constraints.maximum)):
        if limit is not None:
            value, bound = typed(field), _bound(limit, field)
            ok = value.is_null() | (value >= bound if rule == "minimum" else value <= bound)
            checks.append((rule, _expression_check(ok, rule)))
    return checks


def key_hash(columns: tuple[str, ...]) -> pl.Expr:
    """A 64-bit hash of each row's key: each field hashed with a seed of its own, mixed by a
    wrapping multiply (several times faster than hashing a struct of the fields). Equal keys hash
    alike, so rows whose hashes differ hold different keys; rows whose hashes agree may not."""
    mixed = None
    for seed, column in enumerate(columns):
        hashed = pl.col(column).hash(seed=seed)
        mixed = hashed if mixed is None else mixed * pl.lit(_MIX, dtype=pl.UInt64) ^ hashed
    return mixed.alias("hash")


_MIX = 0x9E3779B97F4A7C15  # an odd 64-bit constant (the golden ratio's bits)


def _repeated_hashes(hashes: pl.Series) -> pl.Series | None:
    """The hashes that occur more than once (None when none does): sorted, equal neighbours."""
    if len(hashes) < 2:
        return None
    ordered = hashes.sort()
    same = ordered.slice(1) == ordered.slice(0, len(ordered) - 1)
    if not same.any():
        return None
    return ordered.slice(1).filter(same).unique()


def _no_repeats(columns: tuple[str, ...], rule: str, skip_empty: bool) -> pa.Check:
    """No key repeats an earlier row's (true for a first occurrence; with `skip_empty`, also for a
    key with an empty field).

    A hash of each key first: when no two rows hash alike no key repeats (the usual case). The
    exact comparison, several times slower, runs only on the rows whose hash repeats: a key that
    repeats an earlier one is among them, in the same order."""
    key = pl.col(columns[0]) if len(columns) == 1 else pl.struct(columns)
    exact = key.is_first_distinct()
    if skip_empty:
        exact = pl.any_horizontal([pl.col(c).is_null() for c in columns]) | exact

    def check(data):
        rows = data.lazyframe.select(columns)
        hashes = rows.select(key_hash(columns)).collect().to_series()
        passes = pl.repeat(True, len(hashes), dtype=pl.Boolean, eager=True)
        repeated = _repeated_hashes(hashes)
        if repeated is not None:
            candidates = hashes.is_in(repeated.implode())
            among = rows.with_row_index("row").filter(candidates).collect()
            again = among.filter(~among.select(exact).to_series())["row"]
            passes = passes.scatter(again, False)
        return pl.LazyFrame([passes])

    return pa.Check(check, name=rule, error=rule)


def _key_checks(resource: Resource) -> list[tuple[str, tuple[str, ...], pa.Check]]:
    """(rule, fields, check) of the primary key and each unique key.

    pandera's own `unique=True` reports every copy of a repeated value, the first included, and
    counts empty cells as equal; we report only the copies after the first, and (like SQL's
    UNIQUE, and frictionless) skip a unique key with an empty field. A primary key's fields are
    all required: their empty cells are reported as such and still compared."""
    checks = []
    if resource.primary_key:
        key = resource.primary_key
        checks.append(("primary_key", key, _no_repeats(key, "primary_key", skip_empty=False)))
    for key in resource.unique_keys:
        name = "unique_key:" + ",".join(key)
        checks.append(("unique_key", key, _no_repeats(key, name, skip_empty=True)))
    return checks


def pandera_schema(
    resource: Resource, deferred: frozenset[str] = frozenset()
) -> pa.DataFrameSchema:
    """The pandera (polars) schema of one table's text, generated from its Table Schema; without
    the pattern checks of the `deferred` fields (`pattern_problems` runs them on the rows a
    foreign key lookup leaves: see `keys.implied_patterns`)."""
    columns = {}
    for field in resource.fields:
        checks = [
            check
            for rule, check in _column_checks(field)
            if not (rule == "pattern" and field.name in deferred)
        ]
        if field.constraints.unique and resource.primary_key != (field.name,):
            # Not pandera's `unique=True`: see `_key_checks`. Empty cells are not values.
            checks.insert(0, _no_repeats((field.name,), "unique", skip_empty=True))
        columns[field.name] = pa.Column(
            None,  # every column is text: `type` checks what the text must parse as
            name=field.name,
            nullable=resource.nullable(field),
            checks=checks,
        )
    return pa.DataFrameSchema(
        columns,
        checks=[check for _, _, check in _key_checks(resource)],
        strict=True,
        ordered=True,
        name=resource.name,
    )


def failure_cases(
    resource: Resource, frame: pl.DataFrame, deferred: frozenset[str] = frozenset()
) -> pl.DataFrame | None:
    """Run the table's pandera schema on its text; pandera's failure cases (None when it passes)."""
    return _failures(pandera_schema(resource, deferred), frame)


def _failures(schema: pa.DataFrameSchema, frame: pl.DataFrame) -> pl.DataFrame | None:
    # Whatever PANDERA_VALIDATION_* says in the environment: the data is what we check.
    with config_context(validation_enabled=True, validation_depth=ValidationDepth.SCHEMA_AND_DATA):
        try:
            schema.validate(frame, lazy=True)
        except SchemaErrors as exc:
            return exc.failure_cases
    return None


def cell_problems(table: Table, deferred: frozenset[str] = frozenset()) -> list[Problem]:
    """The per-table checks of one table, run by pandera: a problem for each failing cell, in
    row order, and within a row keys first, then field by field in `COLUMN_RULES` order (see
    `pandera_schema` for the `deferred` fields)."""
    resource, frame = table.resource, table.to_polars()
    if frame is None or frame.columns != resource.field_names:
        return []  # the header check reports it; rows cannot be matched to fields
    cases = failure_cases(resource, frame, deferred)
    if cases is None:
        return []
    return problems_of(table, frame, cases)


def _rule_of(check: str) -> str:
    if check == "not_nullable":
        return "required"
    return "unique_key" if check.startswith("unique_key:") else check


def problems_of(table: Table, frame: pl.DataFrame, cases: pl.DataFrame) -> list[Problem]:
    """pandera's failure cases as our problems (file, spreadsheet row, column, value, rule)."""
    resource = table.resource
    keys = {check.name: key for _, key, check in _key_checks(resource)}
    order = {rule: i for i, rule in enumerate(COLUMN_RULES)}
    columns = {name: i for i, name in enumerate(resource.field_names)}
    key_order = {name: i for i, name in enumerate(keys)}
    cases = cases.filter(pl.col("index").is_not_null())  # whole-column failures: the header's
    found = []
    for check, column, index, value in cases.select(
        "check", "column", "index", "failure_case"
    ).iter_rows():
        rule = _rule_of(check)
        if check in keys:
            found.append(((index, 0, key_order[check], 0), check, None, index, None))
        elif rule in order:
            place = (index, 1, columns[column], order[rule])
            found.append((place, rule, column, index, value))
    found.sort(key=lambda item: item[0])
    first = {}  # for each key check, where each repeated key first appears
    for check, key in keys.items():
        rows = [index for _, name, _, index, _ in found if name == check]
        if rows:
            first[check] = _first_rows(frame, key, rows)
    problems = []
    for _, check, column, index, value in found:
        if check in keys:
            key = keys[check]
            row = frame.row(index, named=True)
            text = KEY_SEPARATOR.join("" if row[c] is None else row[c] for c in key)
            rule = _rule_of(check)
            message = rule_message(rule, first_row=first[check][index] + 2)
            problems.append(Problem(table.label, index + 2, ",".join(key), text, rule, message))
            continue
        field = resource.field(column)
        first_row = None
        if check == "unique":
            if ("unique", column) not in first:
                rows = [i for _, r, c, i, _ in found if r == "unique" and c == column]
                first[("unique", column)] = _first_rows(frame, (column,), rows)
            first_row = first[("unique", column)][index] + 2
        message = rule_message(check, field, value, first_row=first_row)
        problems.append(Problem(table.label, index + 2, column, value, check, message))
    return problems


def pattern_problems(table: Table, name: str, rows: np.ndarray) -> list[Problem]:
    """The pattern check of one field, run by pandera on the given rows only (ascending): those
    whose value a foreign key lookup could not vouch for (see `keys.implied_patterns`)."""
    if len(rows) == 0 or table.arrow is None:
        return []
    field = table.resource.field(name)
    check = next(check for rule, check in _column_checks(field) if rule == "pattern")
    frame = pl.DataFrame([pl.Series(name, select_rows(table.column(name), rows))])
    schema = pa.DataFrameSchema(
        {name: pa.Column(None, name=name, nullable=True, checks=[check])},
        name=table.resource.name,
    )
    cases = _failures(schema, frame)
    if cases is None:
        return []
    cases = cases.filter(pl.col("index").is_not_null()).sort("index")
    return [
        Problem(
            table.label,
            int(rows[index]) + 2,
            name,
            value,
            "pattern",
            rule_message("pattern", field, value),
        )
        for index, value in cases.select("index", "failure_case").iter_rows()
    ]


def in_order(resource: Resource, problems: list[Problem]) -> list[Problem]:
    """Cell problems of one table in the order `cell_problems` gives them (the keys' problems of
    a row first, in the order found; then field by field in `COLUMN_RULES` order)."""
    order = {rule: i for i, rule in enumerate(COLUMN_RULES)}
    columns = {name: i for i, name in enumerate(resource.field_names)}

    def place(problem: Problem) -> tuple:
        if problem.rule not in order:
            return (problem.row, 0, 0, 0)
        return (problem.row, 1, columns[problem.column], order[problem.rule])

    return sorted(problems, key=place)


def _first_rows(frame: pl.DataFrame, key: tuple[str, ...], rows: list[int]) -> dict[int, int]:
    """For the given rows (repeats of a key), the row where their key first appears: only the
    rows whose key hashes like one of those keys are grouped."""
    numbered = frame.select(key).with_row_index("row")
    hashes = numbered.select(key_hash(key)).to_series()
    among = numbered.filter(hashes.is_in(hashes.gather(rows).unique().implode()))
    firsts = among.group_by(list(key), maintain_order=True).agg(
        pl.col("row").first().alias("first")
    )
    joined = among.join(firsts, on=list(key), how="left", nulls_equal=True)
    return dict(zip(joined["row"].to_list(), joined["first"].to_list(), strict=True))
