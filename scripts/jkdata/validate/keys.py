"""Foreign keys: every referring value must exist in the referenced table.

Single-field keys that point at the same target field share one lookup (a hash table of the
target's values, or a table indexed by packed fixed-width IDs: see `columns.positions_in`); the
rows each value refers to are kept as "positions", which the evidence checks reuse.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow
import pyarrow.compute as pc

from jkdata.columns import (
    executor,
    expand_runs,
    positions_in,
    run_starts,
    run_values,
    take_texts,
    to_numpy_bool,
)
from jkdata.model.schema import Package
from jkdata.problems import Problem
from jkdata.validate.messages import rule_message
from jkdata.validate.structure import Table

KEY_SEPARATOR = "|"


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


def implied_patterns(package: Package) -> dict[tuple[str, str], tuple[str, str]]:
    """Foreign key fields whose pattern check the lookup nearly implies: {(table, field): (target,
    target field)} for a key of one text field whose target field is text with the same pattern.

    A value found in the target equals a target value, which the target's own pattern check has
    seen: only the values not found, and those equal to a target value that failed, need the
    pattern (`unvouched_rows`). On a link table of millions of rows this spares a regular
    expression per cell."""
    implied = {}
    for resource in package.resources:
        for fk in resource.foreign_keys:
            target = package.resource(fk.resource)
            if len(fk.fields) != 1 or target is None or target.name == resource.name:
                continue
            name, ref = fk.fields[0], fk.reference_fields[0]
            if not (resource.has(name) and target.has(ref)):
                continue
            field, ref_field = resource.field(name), target.field(ref)
            pattern = field.constraints.pattern
            if (
                pattern is not None
                and pattern == ref_field.constraints.pattern
                and field.type == ref_field.type == "string"
            ):
                implied[(resource.name, name)] = (target.name, ref)
    # A target field whose own pattern check is left to a lookup vouches for nothing.
    return {key: target for key, target in implied.items() if target not in implied}


def unvouched_rows(column, position: np.ndarray | None, target_failed: np.ndarray) -> np.ndarray:
    """The rows (ascending) of a filled foreign key cell the lookup does not vouch for: its value
    was not found in the target (`position` -1; every row when there was no lookup), or was
    found in a target row that failed the pattern itself (`target_failed`)."""
    present = to_numpy_bool(pc.is_valid(column), False)
    if position is None:
        return np.flatnonzero(present)
    return np.flatnonzero(present & ((position < 0) | np.isin(position, target_failed)))


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
                value = KEY_SEPARATOR.join(str(v) for v in cells)
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
    import pandas as pd  # imported here: a validate run starts reading before pandas is loaded

    frame = pd.DataFrame({i: c.to_pandas(types_mapper=pd.ArrowDtype) for i, c in enumerate(child)})
    targets = pd.DataFrame(
        {i: c.to_pandas(types_mapper=pd.ArrowDtype) for i, c in enumerate(parent)}
    )
    found = pd.MultiIndex.from_frame(frame).isin(pd.MultiIndex.from_frame(targets))
    present = frame.notna().all(axis=1).to_numpy()
    return np.flatnonzero(present & ~found)
