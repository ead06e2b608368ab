"""`timeline.json` in the TimelineJS3 format: a title slide, then one slide per event.

Date objects carry only the parts the event's `date_precision` supports (a month-precision date
has no day), and an `end_date` only when the end differs from the start at that precision; a
date the source hedges (EDTF `~`, `?`, `%`) is labelled so (`display_date`: "about 1998",
"August 2025, uncertain"), and every slide's `display_date` is its date in words (exports/dates.py).
The slide text (HTML, escaped) gives the description, the date as the source states it, the linked
records and each evidence quote with its source.
"""

from __future__ import annotations

import datetime as dt
import json
from html import escape
from pathlib import Path

from jkdata.exports.dataset import Dataset
from jkdata.exports.dates import QUALIFIERS, human_date
from jkdata.exports.views import (
    RecordView,
    for_links,
    link_evidence,
    link_notes,
    record_views,
    short_label,
    year_span,
)

ENTITY = "events"
FILE = "timeline.json"
# What `write` makes in dist/, each with what it is for (the README's Downloads table).
FILES = {FILE: "the events in TimelineJS's JSON format"}
PARTS = {"year": ("year",), "month": ("year", "month"), "day": ("year", "month", "day")}


def date_object(value: str, precision: str) -> dict:
    """TimelineJS date parts as strings, up to the given precision ("1998-10-01", "month" → 1998, 10)."""
    day = dt.date.fromisoformat(value)
    return {part: str(getattr(day, part)) for part in PARTS[precision]}


def slide_dates(row: dict) -> dict:
    """Start and end date objects at the date's precision. A hedged part carries its words as
    `display_date` (TimelineJS would show "August 2025" for `2025-08?`); the slide's own
    `display_date` is the whole date in words, as every output shows it to people."""
    precision = row["date_precision"]
    start = date_object(row["date_start"], precision)
    end = date_object(row["date_end"], precision)
    first, _, last = row["date"].partition("/")
    last = last or first
    if first[-1] in QUALIFIERS:
        start["display_date"] = human_date(first)
    elif end == start and last[-1] in QUALIFIERS:  # one slide date: the hedged end labels it
        start["display_date"] = human_date(last)
    if end != start and last[-1] in QUALIFIERS:
        end["display_date"] = human_date(last)
    return (
        {"start_date": start}
        | ({"end_date": end} if end != start else {})
        | {"display_date": human_date(row["date"])}
    )


def _paragraph(label: str, text: str) -> str:
    return f"<p><strong>{escape(label)}:</strong> {escape(text)}</p>"


def slide_text(view: RecordView, dataset: Dataset) -> str:
    row = view.row
    resource = dataset.resource(ENTITY)
    date = f"{human_date(row['date'])} ({row['date']}: {row['date_precision']} precision, {row['date_basis']})"
    if row.get("date_note"):
        date += f". {row['date_note']}"
    parts = [f"<p>{escape(row['description'])}</p>", _paragraph("Date", date)]
    if row.get("location"):
        parts.append(_paragraph("Where", row["location"]))
    parts.append(_paragraph("Type", short_label(resource.field("event_type"), row["event_type"])))
    for entity, linked in view.links.items():
        shown = "; ".join(item.display() for item in linked)
        parts.append(_paragraph(dataset.title_of(entity), shown))
    for note in link_notes(view):
        parts.append(f"<p>{escape(note)}</p>")
    for evidence in view.evidence:
        parts.append(
            f"<blockquote>{escape(evidence.quote)}</blockquote>"
            f"<p>— {escape(evidence.cited_as())}</p>"
        )
    for evidence, linked in link_evidence(view):
        parts.append(
            f"<blockquote>{escape(evidence.quote)}</blockquote>"
            f"<p>— {escape(evidence.cited_as())}, {escape(for_links(linked))}</p>"
        )
    return "".join(parts)


def group_of(view: RecordView, dataset: Dataset, group_by: str) -> str:
    if group_by == "dispute":
        disputes = view.links.get("disputes", [])
        return disputes[0].label if disputes else "No dispute"
    return short_label(dataset.resource(ENTITY).field(group_by), view.row[group_by])


def timeline(dataset: Dataset, group_by: str = "event_type") -> dict:
    views = record_views(dataset, ENTITY)
    span = year_span(views)
    intro = (
        f"<p>{escape(dataset.descriptor.get('description', ''))}</p>"
        f"<p>Version {escape(dataset.version)} · {len(views)} events, {escape(span)} · "
        f"{escape(dataset.license_title)}</p>"
    )
    return {
        "title": {"text": {"headline": escape(dataset.title), "text": intro}},
        "events": [
            {
                **slide_dates(view.row),
                "text": {"headline": escape(view.row["title"]), "text": slide_text(view, dataset)},
                "group": escape(group_of(view, dataset, group_by)),
                "unique_id": view.id,
            }
            for view in views
        ],
    }


def write(dataset: Dataset, out: Path) -> list[str]:
    text = json.dumps(timeline(dataset), ensure_ascii=False, indent=2)
    (out / FILE).write_text(text + "\n", encoding="utf-8")
    return [FILE]
