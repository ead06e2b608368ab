"""timeline_sheet.csv: TimelineJS's Google Sheets template, one row per event, true precision."""

from __future__ import annotations

import csv
from html import escape

import pytest

from conftest import ROOT, csv_rows
from jkdata.exports import timelinejs_sheet
from jkdata.exports.cells import looks_like_formula
from jkdata.exports.dataset import load_dataset

# The template's header row, copied from TimelineJS's Google Sheets template (not from our code).
TEMPLATE = [
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
]
PARTS = {"year": ["Year"], "month": ["Year", "Month"], "day": ["Year", "Month", "Day"]}


@pytest.fixture(scope="module")
def sheet(built):
    raw = (built / timelinejs_sheet.FILE).read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")  # Google Sheets would keep a BOM in "Year"
    with open(built / timelinejs_sheet.FILE, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    return rows[0], [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def _by_headline(rows):
    return {row["Headline"]: row for row in rows}


def test_exactly_the_template_columns_and_one_row_per_event(sheet):
    header, rows = sheet
    assert header == TEMPLATE
    events = csv_rows("events")
    assert sorted(r["Headline"] for r in rows) == sorted(escape(e["title"]) for e in events)
    starts = {escape(e["title"]): e["date_start"] for e in events}
    order = [starts[r["Headline"]] for r in rows]
    assert order == sorted(order)  # date order


def test_dates_at_their_true_precision(sheet):
    _, rows = sheet
    by_headline = _by_headline(rows)
    for event in csv_rows("events"):
        row = by_headline[escape(event["title"])]
        filled = [c for c in ("Year", "Month", "Day") if row[c]]
        assert filled == PARTS[event["date_precision"]], event["event_id"]
        start = event["date_start"]
        assert row["Year"] == str(start.year)
        if "Month" in filled:
            assert row["Month"] == str(start.month)
        if "Day" in filled:
            assert row["Day"] == str(start.day)
        end_filled = [c for c in ("End Year", "End Month", "End Day") if row[c]]
        assert end_filled in ([], ["End " + c for c in filled]), event["event_id"]
        assert row["Time"] == row["End Time"] == ""


def test_known_rows_by_hand(sheet):
    _, rows = sheet
    events = {e["event_id"]: escape(e["title"]) for e in csv_rows("events")}
    row = _by_headline(rows)
    assert [row[events["EV-0004"]][c] for c in TEMPLATE[:9]] == ["2019"] + [""] * 8  # 2019
    ev1 = row[events["EV-0001"]]  # 2025-08-23/2025-08-24
    assert [ev1[c] for c in TEMPLATE[:7]] == ["2025", "8", "23", "", "2025", "8", "24"]
    assert ev1["Display Date"] == ""
    ev6 = row[events["EV-0006"]]  # 2025-08-24/2025-08?, month precision
    assert [ev6[c] for c in ("Year", "Month", "Day", "End Year")] == ["2025", "8", "", ""]
    assert ev6["Display Date"] == "24 August 2025 – August 2025, end uncertain"


def test_uncertain_dates_say_so_in_display_date(sheet):
    _, rows = sheet
    by_headline = _by_headline(rows)
    for event in csv_rows("events"):
        label = by_headline[escape(event["title"])]["Display Date"]
        if "?" in event["date"] and event["date_precision"] != "day":
            assert "uncertain" in label, event["event_id"]
        if event["date"][-1].isdigit() and "?" not in event["date"]:
            assert label == "", event["event_id"]


def test_text_is_escaped_and_no_cell_runs_as_a_formula():
    """Data the validator would refuse (a formula, markup) still comes out inert."""
    dataset = load_dataset(ROOT)
    events = dataset.text["events"]
    events.loc[events.index[0], "title"] = '=HYPERLINK("http://x","<b>x</b>")'
    events.loc[events.index[1], "description"] = "+1 <script>alert(1)</script>"
    rows = timelinejs_sheet.sheet_rows(dataset)
    cells = [cell for row in rows for cell in row]
    assert not any(looks_like_formula(cell) for cell in cells)
    assert not any("<script>" in cell or "<b>x" in cell for cell in cells)
    headlines = [row[TEMPLATE.index("Headline")] for row in rows]
    assert "'=HYPERLINK(&quot;http://x&quot;,&quot;&lt;b&gt;x&lt;/b&gt;&quot;)" in headlines
