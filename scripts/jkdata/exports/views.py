"""How the tables fit together, read from the schemas' keys, and records with their links joined in.

An entity table has a one-field primary key (events, actors, ...). A link table has one-field
foreign keys to two entity tables other than `citations`; its role is the part of its primary key
that is no foreign key (`event_role`). Every joined output (flat CSV, timelines, network, picture)
is built from these views, so they all agree on what links to what.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import pandas as pd

from jkdata.exports.dataset import Dataset
from jkdata.model.schema import (
    CITATION_FIELD,
    CITATIONS,
    CITED_RECORD,
    CITED_TABLE,
    QUOTE,
    SOURCE_FILE,
    SOURCE_ID,
    SOURCES,
    Field,
    Package,
    Resource,
)

# A record's human-readable label: the first of these fields that is filled (sources may lack a title).
LABEL_FIELDS = ("name", "title", SOURCE_FILE)
NATIVE_FIELD = "name_native"  # the name in Korean or Japanese script, where the table has one


@dataclass(frozen=True)
class LinkTable:
    resource: Resource
    sides: tuple[tuple[str, str], tuple[str, str]]  # ((entity, field), (entity, field))
    role_field: str | None

    def other(self, entity: str) -> tuple[str, str, str]:
        """(this side's field, the other entity, the other side's field)."""
        (a, a_field), (b, b_field) = self.sides
        return (a_field, b, b_field) if a == entity else (b_field, a, a_field)


def link_tables(package: Package) -> list[LinkTable]:
    found = []
    for resource in package.resources:
        fks = [
            (fk.resource, fk.fields[0])
            for fk in resource.foreign_keys
            if len(fk.fields) == 1 and fk.resource not in (resource.name, CITATIONS)
        ]
        if len(fks) != 2:
            continue
        roles = [f for f in resource.primary_key if f not in {name for _, name in fks}]
        found.append(LinkTable(resource, (fks[0], fks[1]), roles[0] if roles else None))
    return found


def links_of(package: Package, entity: str) -> list[LinkTable]:
    return [link for link in link_tables(package) if entity in (s[0] for s in link.sides)]


def short_label(field: Field, value) -> str:
    """A vocabulary value's label up to its colon ("Summit: a meeting of…" → "Summit")."""
    label = field.label_of(str(value))
    return label.split(":")[0].strip() if label else str(value)


def labels(dataset: Dataset, entity: str) -> dict[str, str]:
    """Record ID → label, for every record of an entity table."""
    resource = dataset.resource(entity)
    frame = dataset.text[entity]
    chosen = pd.Series(pd.NA, index=frame.index, dtype="str")
    for name in LABEL_FIELDS:
        if name in resource.field_names:
            chosen = chosen.fillna(frame[name])
    key = resource.primary_key[0]
    return dict(zip(frame[key], chosen.fillna(frame[key]), strict=True))


@dataclass(frozen=True)
class Linked:
    entity: str  # the linked table, e.g. "actors"
    id: str
    label: str
    native: str | None  # name in native script, when the table has one
    role: str | None
    role_label: str | None
    evidence: Evidence | None = None  # the citation the link row gives, where it gives one
    note: str | None = None  # the link row's note

    def display(self) -> str:
        text = self.label + (f" ({self.native})" if self.native else "")
        return text + (f" [{self.role}]" if self.role else "")

    def named(self) -> str:
        """The linked record by name and ID ("South Korea (AC-0003)"), to say which link a note
        or a quote is about."""
        return f"{self.label} ({self.id})"


@dataclass(frozen=True)
class Evidence:
    citation_id: str
    quote: str
    source_id: str
    source: str  # the source's title, or its file name when it shows none
    source_file: str | None  # the source document's file name

    def cited_as(self) -> str:
        """ "Title (file name), SR-0001": how the source is named under a quote."""
        file = f" ({self.source_file})" if self.source_file not in (None, self.source) else ""
        return f"{self.source}{file}, {self.source_id}"


@dataclass
class RecordView:
    id: str
    row: dict  # the record's cells as text (None where empty)
    links: dict[str, list[Linked]] = field(default_factory=dict)  # by linked table name
    evidence: list[Evidence] = field(default_factory=list)


def link_evidence(view: RecordView) -> list[tuple[Evidence, list[Linked]]]:
    """The evidence the record's link rows cite beyond the record's own, each quote once with the
    links that cite it."""
    own = {e.citation_id for e in view.evidence}
    grouped: dict[str, tuple[Evidence, list[Linked]]] = {}
    for linked in view.links.values():
        for item in linked:
            if item.evidence and item.evidence.citation_id not in own:
                grouped.setdefault(item.evidence.citation_id, (item.evidence, []))[1].append(item)
    return list(grouped.values())


def link_notes(view: RecordView) -> list[str]:
    """ "Kim Dae-Jung: the note": the notes of the record's link rows."""
    return [f"{item.label}: {item.note}" for v in view.links.values() for item in v if item.note]


def for_links(linked: list[Linked]) -> str:
    return "for the link to " + "; ".join(item.label for item in linked)


def year_span(views: list[RecordView]) -> str:
    """ "1998–2025": the years a list of dated records covers."""
    years = sorted(
        {v.row["date_start"][:4] for v in views} | {v.row["date_end"][:4] for v in views}
    )
    return f"{years[0]}–{years[-1]}" if years else "no dates"


def evidence_by_citation(dataset: Dataset) -> dict[str, tuple[str, str, Evidence]]:
    """Citation ID → (table, record ID, its evidence), in citation order."""
    citations = dataset.text[CITATIONS].sort_values(CITATION_FIELD)
    source_labels = labels(dataset, SOURCES)
    files = dataset.column(SOURCES, SOURCE_FILE)
    return {
        cid: (table, record, Evidence(cid, quote, sid, source_labels.get(sid, sid), files.get(sid)))
        for cid, table, record, sid, quote in zip(
            citations[CITATION_FIELD],
            citations[CITED_TABLE],
            citations[CITED_RECORD],
            citations[SOURCE_ID],
            citations[QUOTE],
            strict=True,
        )
    }


def evidence_by_record(dataset: Dataset, entity: str) -> dict[str, list[Evidence]]:
    found: dict[str, list[Evidence]] = defaultdict(list)
    for table, record, evidence in evidence_by_citation(dataset).values():
        if table == entity:
            found[record].append(evidence)
    return found


def record_views(dataset: Dataset, entity: str) -> list[RecordView]:
    """One view per record, chronological when the table is dated, else in file order."""
    resource = dataset.resource(entity)
    key = resource.primary_key[0]
    frame = dataset.text[entity]
    if {"date_start", "date_end"} <= set(resource.field_names):
        frame = frame.sort_values(
            ["date_start", "date_end", key], na_position="last", kind="stable"
        )
    views = {}
    for row in frame.astype(object).where(frame.notna(), None).to_dict("records"):
        views[row[key]] = RecordView(row[key], row)
    citations = evidence_by_citation(dataset)
    for link in links_of(dataset.package, entity):
        mine, other, other_field = link.other(entity)
        other_labels = labels(dataset, other)
        other_resource = dataset.resource(other)
        native = (
            dataset.column(other, NATIVE_FIELD)
            if NATIVE_FIELD in other_resource.field_names
            else {}
        )
        role_field = link.resource.field(link.role_field) if link.role_field else {}
        table = dataset.text[link.resource.name]
        nothing = pd.Series(None, index=table.index, dtype=object)
        roles = table[link.role_field] if link.role_field else nothing
        cited = table.get("citation_id", nothing)
        notes = table.get("note", nothing)
        for record, other_id, role, citation_id, note in zip(
            table[mine], table[other_field], roles, cited, notes, strict=True
        ):
            role = None if pd.isna(role) else role
            views[record].links.setdefault(other, []).append(
                Linked(
                    other,
                    other_id,
                    other_labels[other_id],
                    native.get(other_id),
                    role,
                    short_label(role_field, role) if role else None,
                    None if pd.isna(citation_id) else citations[citation_id][2],
                    None if pd.isna(note) else note,
                )
            )
    for record, evidence in evidence_by_record(dataset, entity).items():
        if record in views:
            views[record].evidence = evidence
    return list(views.values())
