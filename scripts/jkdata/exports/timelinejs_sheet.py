"""`timeline_sheet.csv`: the events in the columns of TimelineJS's Google Sheets template, for a
newsroom that makes its timelines by pasting rows into that template.

One row per event, in date order, with exactly the template's columns. The dates are those of
`timeline.json`: only the parts the event's `date_precision` supports (a year-only date fills only
Year), an end only when it differs from the start at that precision, and a date the source hedges
says so in Display Date in words ("2025, uncertain", "about 1998"; exports/dates.py). Headline, Text and Group are
HTML as the template reads them, escaped; a cell that a spreadsheet would run as a formula starts
with an apostrophe, which Google Sheets and Excel read as "this is text" and do not show.
UTF-8 without a byte-order mark, which Google Sheets' import would otherwise keep in "Year".
"""

from __future__ import annotations

import csv
import io
from html import escape
from pathlib import Path

from jkdata.exports.cells import excel_csv_text
from jkdata.exports.dataset import Dataset
from jkdata.exports.dates import QUALIFIERS, human_date
from jkdata.exports.timeline import ENTITY, group_of, slide_dates, slide_text
from jkdata.exports.views import record_views

FILE = "timeline_sheet.csv"
# What `write` makes in dist/, each with what it is for (the README's Downloads table).
FILES = {FILE: "the events in the columns of TimelineJS's Google Sheets template"}
# The template's header row, in its order (TimelineJS "Using Google Sheets").
COLUMNS = (
    "Year",
    "Month",
    "Day",
    "Time",
    "End Year",
    "End Month",
    "End Day",
    "End Time",
    "Display Date",
    "Headline",
    "Text",
    "Media",
    "Media Credit",
    "Media Caption",
    "Media Thumbnail",
    "Type",
    "Group",
    "Background",
)


def sheet_rows(dataset: Dataset) -> list[list[str]]:
    rows = []
    for view in record_views(dataset, ENTITY):
        dates = slide_dates(view.row)
        start, end = dates["start_date"], dates.get("end_date", {})
        date = view.row["date"]
        cells = dict.fromkeys(COLUMNS, "")
        cells |= {
            "Year": start["year"],
            "Month": start.get("month", ""),
            "Day": start.get("day", ""),
            "End Year": end.get("year", ""),
            "End Month": end.get("month", ""),
            "End Day": end.get("day", ""),
            # A hedged date in words, as every output shows it to people; TimelineJS shows this
            # label instead of the dates, so a plain date leaves it empty.
            "Display Date": human_date(date) if any(q in date for q in QUALIFIERS) else "",
            "Headline": escape(view.row["title"]),
            "Text": slide_text(view, dataset),
            "Group": escape(group_of(view, dataset, "event_type")),
        }
        rows.append([excel_csv_text(cells[column]) for column in COLUMNS])
    return rows


def write(dataset: Dataset, out: Path) -> list[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows([list(COLUMNS), *sheet_rows(dataset)])
    (out / FILE).write_text(buffer.getvalue(), encoding="utf-8", newline="")
    return [FILE]
