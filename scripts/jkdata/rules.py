"""Rules that span fields or tables, which a Table Schema cannot express.

They rely on the data model's conventions: date fields named as below, a `citations` table with
`table_name`/`record_id`, and link tables carrying a `citation_id`.
"""

from __future__ import annotations

import pandas as pd

from .csvread import Table
from .edtf import parse_edtf
from .package import Package
from .problems import Problem
from .schema import parse_dates

DATE_FIELDS = ("date", "date_start", "date_end", "date_precision", "date_basis")
CITATIONS = "citations"


def _rows(mask: pd.Series):
    return mask[mask.fillna(False).astype(bool)].index


def date_problems(table: Table) -> list[Problem]:
    """`date` (EDTF), its bounds and precision must agree; inferred dates need a note."""
    frame, resource = table.frame, table.resource
    if frame is None or not set(DATE_FIELDS) <= set(resource.field_names):
        return []
    label = table.label
    problems = []
    filled = frame[list(DATE_FIELDS)].notna()
    partial = filled.any(axis=1) & ~filled.all(axis=1)
    for name in DATE_FIELDS:
        if resource.field(name).get("constraints", {}).get("required"):
            continue  # the required check already reports it
        for index in _rows(partial & ~filled[name]):
            problems.append(
                Problem(
                    label,
                    index + 2,
                    name,
                    None,
                    "date_incomplete",
                    "must be filled: a date needs date, date_start, date_end, date_precision and date_basis together",
                )
            )

    parsed = parse_edtf(frame["date"])
    for index in _rows(parsed["matched"] & ~parsed["valid"]):
        problems.append(
            Problem(
                label,
                index + 2,
                "date",
                frame.at[index, "date"],
                "date_invalid",
                "is not a real date, or the interval ends before it starts",
            )
        )
    start, end = parse_dates(frame["date_start"]), parse_dates(frame["date_end"])
    usable = parsed["start"].notna()
    for name, actual, expected, what in (
        ("date_start", start, parsed["start"], "the earliest day"),
        ("date_end", end, parsed["end"], "the latest day"),
    ):
        for index in _rows(usable & actual.notna() & (actual != expected)):
            problems.append(
                Problem(
                    label,
                    index + 2,
                    name,
                    frame.at[index, name],
                    "date_bounds",
                    f"must be {expected[index]:%Y-%m-%d}, {what} that date {frame.at[index, 'date']!r} can mean",
                )
            )
    precision = frame["date_precision"]
    for index in _rows(usable & precision.notna() & (precision != parsed["precision"])):
        problems.append(
            Problem(
                label,
                index + 2,
                "date_precision",
                precision[index],
                "date_precision",
                f"must be {parsed['precision'][index]!r} for date {frame.at[index, 'date']!r}",
            )
        )
    for index in _rows(start.notna() & end.notna() & (start > end)):
        problems.append(
            Problem(
                label,
                index + 2,
                "date_end",
                frame.at[index, "date_end"],
                "date_order",
                f"is before date_start {frame.at[index, 'date_start']}",
            )
        )
    if "date_note" in resource.field_names:
        for index in _rows((frame["date_basis"] == "inferred") & frame["date_note"].isna()):
            problems.append(
                Problem(
                    label,
                    index + 2,
                    "date_note",
                    None,
                    "date_note",
                    "must say how the date was inferred, because date_basis is 'inferred'",
                )
            )
    return problems


def cited_tables(package: Package) -> list[str]:
    """The tables whose records need evidence: the values allowed in citations.table_name."""
    citations = package.resource(CITATIONS)
    if citations is None:
        return []
    return list(citations.field("table_name").get("constraints", {}).get("enum", []))


def citation_problems(package: Package, tables: dict[str, Table]) -> list[Problem]:
    """Every record in a cited table has a citation; every citation and link points at a record."""
    citations = tables.get(CITATIONS)
    if citations is None or citations.frame is None:
        return []
    cites = citations.frame
    problems = []
    record_ids: dict[str, str] = {}  # record ID -> table, for the link check
    for name in cited_tables(package):
        table = tables.get(name)
        if table is None or table.frame is None or not table.resource.primary_key:
            continue
        id_field = table.resource.primary_key[0]
        ids = table.frame[id_field]
        record_ids.update(dict.fromkeys(ids.dropna(), name))
        cited = cites.loc[cites["table_name"] == name, "record_id"]
        for index in _rows(ids.notna() & ~ids.isin(cited)):
            problems.append(
                Problem(
                    table.label,
                    index + 2,
                    id_field,
                    ids[index],
                    "citation_missing",
                    f"has no evidence: add a row to {citations.label} quoting a source",
                )
            )
        stray = (
            (cites["table_name"] == name)
            & cites["record_id"].notna()
            & ~cites["record_id"].isin(ids)
        )
        for index in _rows(stray):
            problems.append(
                Problem(
                    citations.label,
                    index + 2,
                    "record_id",
                    cites.at[index, "record_id"],
                    "citation_target",
                    f"{name} has no record with this ID",
                )
            )
    problems += _link_problems(package, tables, cites)
    return problems


def _link_problems(
    package: Package, tables: dict[str, Table], cites: pd.DataFrame
) -> list[Problem]:
    """A link row's citation must be evidence about one of the records the row links."""
    about = cites.set_index("citation_id")["record_id"]
    about = about[~about.index.duplicated()]
    problems = []
    for resource in package.resources:
        table = tables.get(resource.name)
        if resource.name == CITATIONS or table is None or table.frame is None:
            continue
        if "citation_id" not in resource.field_names:
            continue
        frame = table.frame
        linked = [
            fk["fields"][0]
            for fk in resource.foreign_keys
            if fk["reference"].get("resource") not in (None, CITATIONS) and len(fk["fields"]) == 1
        ]
        subject = frame["citation_id"].map(about)
        matches = (
            pd.concat([subject == frame[col] for col in linked], axis=1).any(axis=1)
            if linked
            else subject.isna()
        )
        for index in _rows(subject.notna() & ~matches):
            ids = ", ".join(str(frame.at[index, col]) for col in linked)
            problems.append(
                Problem(
                    table.label,
                    index + 2,
                    "citation_id",
                    frame.at[index, "citation_id"],
                    "link_citation",
                    f"cites evidence about {subject[index]}, not about a record this row links ({ids})",
                )
            )
    return problems
