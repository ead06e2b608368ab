"""`events_flat.csv`: one row per event with its actors, agreements, disputes and evidence joined in.

The event columns are the events schema's; the joined columns are named and described from the
link tables' schemas (`flat_fields`). An Excel copy with a byte-order mark makes Excel read the
file as UTF-8, so Korean and Japanese names display.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from jkdata.exports.cells import excel_csv_text
from jkdata.exports.dataset import Dataset
from jkdata.exports.views import (
    CITATIONS,
    NATIVE_FIELD,
    SOURCES,
    RecordView,
    links_of,
    record_views,
)
from jkdata.model.schema import Field, ForeignKey, Package, Resource

ENTITY = "events"
FILE = "events_flat.csv"
TABLE = "events_flat"  # its name as a table (the workbook's sheet, the database's table)
TITLE = "Events, flat: one row per event"
DESCRIPTION = (
    "One row per event, in date order: the events columns, then its actors, agreements and "
    "disputes, its evidence quotes and their sources, and the evidence and notes of each link, "
    "joined in as text (built from the tables; see the codebook)."
)
EXCEL_FILE = "events_flat_excel.csv"
# What `write` makes in dist/, each with what it is for (the README's Downloads table).
FILES = {
    FILE: "one row per event with its actors, agreements, disputes and quotes — the file to open first",
    EXCEL_FILE: "the same, with a byte-order mark for Excel",
}
LIST_SEP = "; "  # between linked records
EVIDENCE_SEP = " | "  # between quotes, which may themselves contain semicolons
BOM = "\ufeff"


def _derived(name: str, description: str) -> dict:
    return Field(name, "string", description=description)


def flat_fields(package: Package) -> list[Field]:
    """The flat file's fields: the events schema's, then the joined ones."""
    fields = list(package.resource(ENTITY).fields)
    for link in links_of(package, ENTITY):
        _, other, other_field = link.other(ENTITY)
        role = f", then its `{link.role_field}` in brackets" if link.role_field else ""
        native = (
            " (and its name in native script in parentheses, where known)"
            if NATIVE_FIELD in package.resource(other).field_names
            else ""
        )
        fields.append(
            _derived(
                f"{other_field}s",
                f"IDs of the {other} linked to the event in `{link.resource.name}`, separated by '{LIST_SEP}'.",
            )
        )
        fields.append(
            _derived(
                other,
                f"The linked {other}, in the same order: each one's name{native}{role}.",
            )
        )
    citation_key = package.resource(CITATIONS).primary_key[0]
    source_key = package.resource(SOURCES).primary_key[0]
    fields += [
        _derived(
            f"{citation_key}s",
            f"IDs of the citations giving evidence for the event, separated by '{LIST_SEP}'.",
        ),
        _derived(
            "evidence",
            f"The verbatim evidence quotes, each followed by its source ID in brackets, separated by '{EVIDENCE_SEP}'.",
        ),
        _derived(f"{source_key}s", "IDs of the sources quoted, separated by '; '."),
        _derived(
            "sources", "The sources quoted: each one's title, or its file name when it shows none."
        ),
        _derived(
            "link_evidence",
            "The evidence for each link above that cites one (the link row's `citation_id`), as "
            f"'<linked name> (<ID>): <quote> [<source ID>]', separated by '{EVIDENCE_SEP}'.",
        ),
        _derived(
            "link_notes",
            f"The notes on the links above, as '<linked name> (<ID>): <note>', separated by '{EVIDENCE_SEP}'.",
        ),
    ]
    return fields


def flat_row(view: RecordView, package: Package) -> list[str]:
    cells = [view.row[f.name] or "" for f in package.resource(ENTITY).fields]
    for link in links_of(package, ENTITY):
        linked = view.links.get(link.other(ENTITY)[1], [])
        cells.append(LIST_SEP.join(item.id for item in linked))
        cells.append(LIST_SEP.join(item.display() for item in linked))
    sources = dict.fromkeys((e.source_id, e.source) for e in view.evidence)
    cells.append(LIST_SEP.join(e.citation_id for e in view.evidence))
    cells.append(EVIDENCE_SEP.join(f"{e.quote} [{e.source_id}]" for e in view.evidence))
    cells.append(LIST_SEP.join(sid for sid, _ in sources))
    cells.append(LIST_SEP.join(title for _, title in sources))
    links = [
        item
        for link in links_of(package, ENTITY)
        for item in view.links.get(link.other(ENTITY)[1], [])
    ]
    cells.append(
        EVIDENCE_SEP.join(
            f"{item.named()}: {item.evidence.quote} [{item.evidence.source_id}]"
            for item in links
            if item.evidence
        )
    )
    cells.append(EVIDENCE_SEP.join(f"{item.named()}: {item.note}" for item in links if item.note))
    return cells


def flat_rows(dataset: Dataset) -> list[list[str]]:
    """Every event's flat row, in date order ("" for an empty cell, as in the CSV)."""
    return [flat_row(view, dataset.package) for view in record_views(dataset, ENTITY)]


def flat_resource(package: Package) -> Resource:
    """The flat file as a table of its own (for the SQLite database): `flat_fields`, keyed by the
    event's ID, which refers to the event."""
    key = package.resource(ENTITY).primary_key
    return Resource(
        TABLE,
        FILE,
        Path(FILE),
        None,
        -1,
        tuple(flat_fields(package)),
        primary_key=key,
        foreign_keys=(ForeignKey(key, ENTITY, key),),
    )


def _csv(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows(rows)
    return buffer.getvalue()


def write(dataset: Dataset, out: Path) -> list[str]:
    header = [f.name for f in flat_fields(dataset.package)]
    rows = flat_rows(dataset)
    (out / FILE).write_text(_csv([header, *rows]), encoding="utf-8", newline="")
    excel = [[excel_csv_text(cell) for cell in row] for row in rows]
    (out / EXCEL_FILE).write_text(BOM + _csv([header, *excel]), encoding="utf-8", newline="")
    return [FILE, EXCEL_FILE]
