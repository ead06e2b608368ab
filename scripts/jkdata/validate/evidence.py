"""Every record has evidence, and a link row cites evidence about a record it links."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from jkdata.columns import (
    combined,
    positions_in,
    select,
    select_rows,
    take_texts,
    to_numpy_bool,
)
from jkdata.model.schema import CITATION_FIELD, CITATIONS, CITED_RECORD, CITED_TABLE, Resource
from jkdata.problems import Problem
from jkdata.validate.structure import Table


def coverage_problems(tables: dict[str, Table], name: str) -> list[Problem]:
    """Every record of one cited table has a citation, and every citation of it a record."""
    citations = tables.get(CITATIONS)
    table = tables.get(name)
    if citations is None or citations.arrow is None:
        return []
    if table is None or table.arrow is None or not table.resource.primary_key:
        return []
    problems = []
    record_ids = citations.column(CITED_RECORD)
    id_field = table.resource.primary_key[0]
    ids = table.column(id_field)
    about_mask = to_numpy_bool(pc.equal(citations.column(CITED_TABLE), name), False)
    about = np.flatnonzero(about_mask)
    cited = select(record_ids, about_mask)
    # One lookup of this table's citations among its IDs answers both questions.
    found = positions_in(cited, ids)
    covered = np.zeros(len(ids), dtype=bool)
    covered[found[found >= 0]] = True
    # An ID written twice counts as covered when either copy is (the ID repeats: a key error).
    missing = np.flatnonzero(to_numpy_bool(pc.is_valid(ids), False) & ~covered)
    if len(missing):
        candidates = select_rows(ids, missing)
        missing = missing[~to_numpy_bool(pc.is_in(candidates, value_set=combined(cited)), False)]
        for row, value in zip(missing.tolist(), take_texts(ids, missing), strict=True):
            problems.append(
                Problem.of(
                    "citation_missing",
                    table.label,
                    row + 2,
                    id_field,
                    value,
                    citations=citations.label,
                )
            )
    stray = about[to_numpy_bool(pc.is_valid(cited), False) & (found < 0)]
    for row, value in zip(stray.tolist(), take_texts(record_ids, stray), strict=True):
        problems.append(
            Problem.of("citation_target", citations.label, row + 2, CITED_RECORD, value, table=name)
        )
    return problems


def link_problems(tables: dict[str, Table], resource: Resource, positions: dict) -> list[Problem]:
    """A link row's citation must be evidence about one of the records the row links."""
    name = resource.name
    citations, table = tables.get(CITATIONS), tables.get(name)
    if citations is None or citations.arrow is None or not resource.cites:
        return []
    if table is None or table.arrow is None:
        return []
    linked = [
        fk.fields[0]
        for fk in resource.foreign_keys
        if fk.resource not in (name, CITATIONS) and len(fk.fields) == 1
    ]
    record_ids = combined(citations.column(CITED_RECORD))
    # What each row's citation is about (the first citation with that ID, as a lookup would):
    # row numbers from the foreign key check, -1 where there is none, or looked up here.
    position = positions.get((name, CITATION_FIELD))
    if position is None:
        position = positions_in(table.column(CITATION_FIELD), citations.column(CITATION_FIELD))
    position = pa.array(position, pa.int64(), mask=position < 0)
    subject = pc.take(record_ids, position)
    matches = np.zeros(len(table), dtype=bool)
    for col in linked:
        matches |= to_numpy_bool(pc.equal(subject, table.column(col)), False)
    rows = np.flatnonzero(to_numpy_bool(pc.is_valid(subject), False) & ~matches)
    if len(rows) == 0:
        return []
    subjects = take_texts(subject, rows)
    cited = take_texts(table.column(CITATION_FIELD), rows)
    links = [take_texts(table.column(col), rows) for col in linked]
    # A column that holds the cited record but no foreign key declares (one was removed from
    # the schema): say so, rather than that the row does not link the record.
    others = [
        (col, take_texts(table.column(col), rows))
        for col in table.arrow.column_names
        if col not in linked and col != CITATION_FIELD
    ]
    problems = []
    for i, row in enumerate(rows.tolist()):
        ids = ", ".join(str(values[i]) for values in links)
        holder = next((col for col, values in others if values[i] == subjects[i]), None)
        problems.append(
            Problem.of(
                "link_citation",
                table.label,
                row + 2,
                CITATION_FIELD,
                cited[i],
                None if holder is None else "undeclared_link",
                subject=subjects[i],
                links=ids,
                column=holder,
                schema=resource.schema_path or "its schema",
            )
        )
    return problems
