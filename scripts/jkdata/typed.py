"""Typed tables and their pandera schemas, for people analysing the package in Python.

`read_table("events")` gives a table typed for analysis: IDs and codes as text (`"04"` stays
`"04"`), each vocabulary field as a categorical whose categories are the whole vocabulary in
schema order, dates as dates, integers and numbers as nullable numbers. `pandera_schema("events")`
gives a pandera schema of that frame, generated from the same Table Schema: a researcher can
validate the frame they derived (`schema.validate(frame)`).

Everything comes from the schema model (`model.py`): each field's dtype from its `FieldType`
(`pandas` and `polars` names), a vocabulary field's categories from `Field.vocabulary`. pandas,
pandera and polars are imported when a function is called, so `import jkdata` stays cheap.
"""

from __future__ import annotations

import difflib
import importlib
import re
from pathlib import Path
from typing import TYPE_CHECKING

from jkdata.model.schema import Field, Resource
from jkdata.problems import Problem, format_problem

if TYPE_CHECKING:
    import pandas as pd

BACKENDS = ("pandas", "polars")
_SHOWN_PROBLEMS = 5


class PackageError(ValueError):
    """The package cannot be loaded, the table is not in it, or its file cannot be read as typed
    values. `problems` holds what was found (empty for an unknown table)."""

    def __init__(self, message: str, problems: list[Problem] | None = None):
        super().__init__(message)
        self.problems = list(problems or [])


def read_table(name: str, package_dir: str | Path = ".", backend: str = "pandas"):
    """The table `name` of the package in `package_dir`, typed for analysis.

    A pandas DataFrame (or with `backend="polars"` a polars DataFrame), one column per field in
    schema order: text as strings, a vocabulary as a categorical of the whole vocabulary (polars:
    an Enum), dates as datetimes (polars: Date), integers as Int64, numbers as Float64, booleans
    as boolean. Raises `PackageError` if the package cannot be loaded, the table is unknown, or a
    cell cannot be typed (a broken date, a value outside the vocabulary): run `jkdata validate`
    for the full report.
    """
    _check_backend(backend)
    resource = _resource(name, package_dir)
    frame = _typed_pandas(resource)
    if backend == "polars":
        return _to_polars(frame, resource)
    return frame


def pandera_schema(name: str, package_dir: str | Path = ".", backend: str = "pandas"):
    """A pandera schema of the frame `read_table(name, package_dir, backend)` gives.

    `backend="pandas"` gives a `pandera.pandas.DataFrameSchema`, `backend="polars"` a
    `pandera.polars.DataFrameSchema`. Dtypes as `read_table` gives them; a column may be empty
    unless its field is required or in the primary key; checks for pattern, vocabulary, lengths,
    minimum and maximum; unique fields, the primary key and the schema's uniqueKeys; exactly the
    schema's columns, in its order. A value outside a vocabulary, a repeated ID or a missing
    required value makes `validate` raise pandera's `SchemaError` (`SchemaErrors` with
    `lazy=True`).

    A vocabulary field is checked by its dtype and by one `isin` check: its vocabulary, less any
    value its other rules (pattern, lengths, minimum, maximum) refuse.
    """
    _check_backend(backend)
    resource = _resource(name, package_dir)
    return _schema(resource, backend)


# --- the package and the table -------------------------------------------------------------------


def _check_backend(backend: str) -> None:
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {', '.join(BACKENDS)}, not {backend!r}")


def _problems_text(problems: list[Problem]) -> str:
    shown = [format_problem(p) for p in problems[:_SHOWN_PROBLEMS]]
    more = len(problems) - len(shown)
    if more:
        shown.append(f"… and {more} more (run `jkdata validate` for all of them)")
    return "\n  ".join(["", *shown])


def _resource(name: str, package_dir: str | Path) -> Resource:
    from jkdata.model.load import load_package

    root = Path(package_dir)
    package, problems = load_package(root)
    if package is None or problems:
        raise PackageError(
            f"the package in {root.resolve()} cannot be loaded:{_problems_text(problems)}",
            problems,
        )
    resource = package.resource(name)
    if resource is None:
        names = [r.name for r in package.resources]
        close = difflib.get_close_matches(str(name), names, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise PackageError(
            f"no table {name!r} in the package in {root.resolve()}{hint} "
            f"(its tables: {', '.join(names)})"
        )
    return resource


# --- pandas --------------------------------------------------------------------------------------


def pandas_dtype(field: Field):
    """The pandas dtype of a field in the typed frame: its type's, or for a vocabulary of text
    a categorical of the whole vocabulary, in schema order."""
    import pandas as pd

    if field.is_vocabulary and field.type == "string":
        return pd.CategoricalDtype(list(field.vocabulary), ordered=False)
    return pd.api.types.pandas_dtype(field.kind.pandas)


def _typed_pandas(resource: Resource) -> pd.DataFrame:
    import pandas as pd

    from jkdata.model.values import to_typed, type_ok
    from jkdata.validate.messages import rule_message
    from jkdata.validate.structure import read_table as read_text

    table = read_text(resource)
    if table.arrow is None or table.problems:
        raise PackageError(
            f"{resource.path} cannot be read:{_problems_text(table.problems)}", table.problems
        )
    text = table.frame
    columns, lost = {}, []
    for field in resource.fields:
        values = text[field.name]
        dtype = pandas_dtype(field)
        if isinstance(dtype, pd.CategoricalDtype):
            broken = values.notna() & ~values.isin(dtype.categories)
            typed = values.where(~broken).astype(dtype)
            rule = "enum"
        else:
            typed = to_typed(values, field).astype(dtype)
            broken = ~type_ok(values, field)
            rule = "type"
        for row in broken.to_numpy().nonzero()[0][:_SHOWN_PROBLEMS]:
            value = str(values.iloc[row])
            message = rule_message(rule, field, value=value)
            lost.append(Problem(resource.path, int(row) + 2, field.name, value, rule, message))
        columns[field.name] = typed
    if lost:
        raise PackageError(
            f"{resource.path} has cells that cannot be typed (run `jkdata validate`):"
            f"{_problems_text(lost)}",
            lost,
        )
    return pd.DataFrame(columns)


def _value(value, field: Field, backend: str):
    """A value written in the schema (a bound, a vocabulary value) as the typed column holds it."""
    if field.type == "date":
        import datetime

        day = datetime.date.fromisoformat(str(value))
        if backend == "polars":
            return day
        import pandas as pd

        return pd.Timestamp(day)
    if field.type == "number":
        return float(value)
    if field.type == "boolean":
        return value is True or str(value) in field.true_values
    return int(value)


def _vocabulary_values(field: Field, backend: str) -> list:
    """The allowed values as the typed column holds them: the vocabulary, less any value that
    breaks one of the field's other rules (so the one `isin` check holds them all, and no text
    check has to run on a categorical or Enum column)."""
    c = field.constraints
    allowed = []
    for text in field.vocabulary:
        value = text if field.type == "string" else _value(text, field, backend)
        if field.type == "string":
            broken = (
                (c.pattern is not None and re.fullmatch(c.pattern, text) is None)
                or (c.min_length is not None and len(text) < c.min_length)
                or (c.max_length is not None and len(text) > c.max_length)
            )
        else:
            broken = (c.minimum is not None and value < _value(c.minimum, field, backend)) or (
                c.maximum is not None and value > _value(c.maximum, field, backend)
            )
        if not broken:
            allowed.append(value)
    return allowed


def _keys(resource: Resource) -> tuple[list[str], list[list[str]], list[list[str]]]:
    """The columns pandera checks for repeats itself (`Column(unique=True)`), the key it checks at
    frame level (`DataFrameSchema(unique=...)`, at most one), and the keys left for a check.

    A key of one column that may be empty is left for the check, which ignores empty cells as
    Table Schema does (pandera would count two empty cells as a repeat)."""
    keys = [list(resource.primary_key)] if resource.primary_key else []
    keys += [list(k) for k in resource.unique_keys]
    keys += [[f.name] for f in resource.fields if f.constraints.unique]
    unique_columns, frame_key, checked = [], [], []
    for key in keys:
        if key in checked or key == frame_key or (len(key) == 1 and key[0] in unique_columns):
            continue
        nullable = any(resource.nullable(resource.field(n)) for n in key)
        if len(key) == 1 and not nullable:
            unique_columns.append(key[0])
        elif not frame_key and not nullable:
            frame_key = key
        else:
            checked.append(key)
    return unique_columns, [frame_key] if frame_key else [], checked


def _column_checks(field: Field, backend: str) -> list:
    """The checks of one column, with pandera's built-in checks."""
    if backend == "pandas":
        from pandera.pandas import Check
    else:
        from pandera.polars import Check
    c = field.constraints
    if field.is_vocabulary:
        return [Check.isin(_vocabulary_values(field, backend), name="enum")]
    checks = []
    if c.pattern is not None and field.type == "string":
        # Table Schema patterns match the whole value: `str_matches` anchors only the start
        # (pandas: re.match; polars: ^ added), so the end is anchored here.
        end = r"\Z" if backend == "pandas" else "$"
        checks.append(Check.str_matches(f"(?:{c.pattern}){end}", name="pattern"))
    if c.min_length is not None or c.max_length is not None:
        checks.append(Check.str_length(c.min_length, c.max_length, name="length"))
    if c.minimum is not None:
        checks.append(Check.ge(_value(c.minimum, field, backend), name="minimum"))
    if c.maximum is not None:
        checks.append(Check.le(_value(c.maximum, field, backend), name="maximum"))
    return checks


def _key_check(key: list[str], backend: str):
    """A key some of whose fields may be empty: rows with an empty field are not compared (as
    Table Schema and SQL UNIQUE do); pandera's own `unique` would count empties as repeats."""
    if backend == "pandas":
        return lambda frame: frame[key].isna().any(axis=1) | ~frame.duplicated(key)
    import polars as pl

    return lambda data: data.lazyframe.select(
        pl.any_horizontal(pl.col(key).is_null())
        | ~pl.struct(key).is_duplicated()
        | pl.struct(key).is_first_distinct()
    )


def _schema(resource: Resource, backend: str):
    """The pandera schema of the typed frame, for either backend: one generator, two dtypes."""
    pa = importlib.import_module(f"pandera.{backend}")
    dtype = pandas_dtype if backend == "pandas" else polars_dtype
    unique_columns, frame_key, checked = _keys(resource)
    columns = {
        f.name: pa.Column(
            dtype(f),
            checks=_column_checks(f, backend),
            nullable=resource.nullable(f),
            unique=f.name in unique_columns,
            title=f.title or None,
            description=f.description or None,
        )
        for f in resource.fields
    }
    checks = [
        pa.Check(_key_check(key, backend), name="unique_key:" + ",".join(key)) for key in checked
    ]
    return pa.DataFrameSchema(
        columns,
        checks=checks,
        unique=frame_key[0] if frame_key else None,
        strict=True,
        ordered=True,
        name=resource.name,
        title=resource.title or None,
        description=resource.description or None,
    )


# --- polars --------------------------------------------------------------------------------------


def polars_dtype(field: Field):
    """The polars dtype of a field in the typed frame: its type's, or for a vocabulary of text
    an Enum of the whole vocabulary, in schema order."""
    import polars as pl

    if field.is_vocabulary and field.type == "string":
        return pl.Enum(list(field.vocabulary))
    return getattr(pl, field.kind.polars)


def _to_polars(frame: pd.DataFrame, resource: Resource):
    import polars as pl

    return pl.from_pandas(frame).cast({f.name: polars_dtype(f) for f in resource.fields})
