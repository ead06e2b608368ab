"""timeline.json in the TimelineJS3 format: dates at their stated precision, evidence in the text."""

from __future__ import annotations

import json
from html import escape

import pytest

from conftest import DESCRIPTOR, ROOT, csv_rows
from jkdata.exports import timeline
from jkdata.exports.dataset import load_dataset
from jkdata.exports.dates import human_date

PARTS = {"year": ["year"], "month": ["year", "month"], "day": ["year", "month", "day"]}


@pytest.fixture(scope="module")
def slides(built):
    return json.loads((built / "timeline.json").read_text(encoding="utf-8"))


def _parts(day, precision):
    values = {"year": str(day.year), "month": str(day.month), "day": str(day.day)}
    return {part: values[part] for part in PARTS[precision]}


def test_title_slide(slides):
    assert slides["title"]["text"]["headline"] == escape(DESCRIPTOR["title"])
    assert DESCRIPTOR["version"] in slides["title"]["text"]["text"]


def test_one_slide_per_event_in_date_order(slides):
    events = csv_rows("events")
    assert sorted(s["unique_id"] for s in slides["events"]) == sorted(e["event_id"] for e in events)
    order = {e["event_id"]: (e["date_start"], e["date_end"], e["event_id"]) for e in events}
    keys = [order[s["unique_id"]] for s in slides["events"]]
    assert keys == sorted(keys)


def test_dates_keep_only_the_stated_precision(slides):
    by_id = {s["unique_id"]: s for s in slides["events"]}
    for event in csv_rows("events"):
        slide = by_id[event["event_id"]]
        precision = event["date_precision"]
        start = _parts(event["date_start"], precision)
        end = _parts(event["date_end"], precision)
        dates = {
            k: {p: v for p, v in slide.get(k, {}).items() if p != "display_date"}
            for k in ("start_date", "end_date")
        }
        assert dates["start_date"] == start
        assert list(dates["start_date"]) == PARTS[precision]
        if end == start:
            assert "end_date" not in slide
        else:
            assert dates["end_date"] == end
        assert slide["text"]["headline"] == escape(event["title"])


def test_a_hedged_date_is_labelled_as_hedged(slides):
    """TimelineJS labels {year, month} as "August 2025": an uncertain `2025-08?` must not lose its
    hedge there ("August 2025, uncertain"), nor an approximate date its "about"."""
    by_id = {s["unique_id"]: s for s in slides["events"]}
    hedged = [
        e
        for e in csv_rows("events")
        if e["date"].split("/")[0][-1] in "~?%"
        or (e["date"][-1] in "~?%" and e["date_precision"] != "day")
    ]
    assert hedged  # EV-0006 is `2025-08-24/2025-08?`, a month's slide date
    for event in hedged:
        label = by_id[event["event_id"]]["start_date"]["display_date"]
        assert label.endswith("uncertain") or label.startswith("about "), (event["event_id"], label)
    assert by_id["EV-0006"]["start_date"]["display_date"] == "August 2025, uncertain"
    plain = [e for e in csv_rows("events") if e["date"][-1].isdigit()]
    assert all("display_date" not in by_id[e["event_id"]]["start_date"] for e in plain)


def test_every_slide_shows_its_date_in_words(slides):
    """The slide's display_date is the wording every output shows people (exports/dates.py)."""
    by_id = {s["unique_id"]: s for s in slides["events"]}
    assert by_id["EV-0001"]["display_date"] == "23–24 August 2025"
    assert by_id["EV-0004"]["display_date"] == "2019"
    assert by_id["EV-0003"]["display_date"] == "October 1998"
    assert by_id["EV-0006"]["display_date"] == "24 August 2025 – August 2025, end uncertain"
    for event in csv_rows("events"):
        assert by_id[event["event_id"]]["display_date"] == human_date(event["date"])


def test_known_events_by_hand(slides):
    by_id = {s["unique_id"]: s for s in slides["events"]}
    assert by_id["EV-0003"]["start_date"] == {"year": "1998", "month": "10"}  # 1998-10: no day
    assert "end_date" not in by_id["EV-0003"]
    assert by_id["EV-0004"]["start_date"] == {"year": "2019"}  # a year, nothing invented
    assert by_id["EV-0001"]["start_date"] == {"year": "2025", "month": "8", "day": "23"}
    assert by_id["EV-0001"]["end_date"] == {"year": "2025", "month": "8", "day": "24"}


def test_text_has_the_evidence_quotes_and_their_sources(slides):
    by_id = {s["unique_id"]: s for s in slides["events"]}
    sources = {s["source_id"]: s for s in csv_rows("sources")}
    for cite in csv_rows("citations"):
        if cite["table_name"] != "events":
            continue
        text = by_id[cite["record_id"]]["text"]["text"]
        assert f"<blockquote>{escape(cite['quote'])}</blockquote>" in text
        source = sources[cite["source_id"]]
        assert escape(source["title"] or source["file_name"]) in text
        assert cite["source_id"] in text
    assert "이재명" in by_id["EV-0002"]["text"]["text"]


def test_text_has_each_links_evidence_and_note(slides):
    """Why an event involves an actor, agreement or dispute: the link rows' quotes and notes."""
    by_id = {s["unique_id"]: s for s in slides["events"]}
    quotes = {c["citation_id"]: c["quote"] for c in csv_rows("citations")}
    for name in ("event_actors", "event_agreements", "event_disputes"):
        for link in csv_rows(name):
            text = by_id[link["event_id"]]["text"]["text"]
            assert f"<blockquote>{escape(quotes[link['citation_id']])}</blockquote>" in text
            if link["note"]:
                assert escape(link["note"]) in text


def test_groups_by_event_type_or_dispute(slides):
    by_id = {s["unique_id"]: s for s in slides["events"]}
    assert by_id["EV-0002"]["group"] == "Summit"
    assert by_id["EV-0004"]["group"] == "Trade measure"
    by_dispute = {
        s["unique_id"]: s["group"]
        for s in timeline.timeline(load_dataset(ROOT), group_by="dispute")["events"]
    }
    names = {d["dispute_id"]: d["name"] for d in csv_rows("disputes")}
    first = {}
    for link in csv_rows("event_disputes"):
        first.setdefault(link["event_id"], names[link["dispute_id"]])
    assert by_dispute == {
        e["event_id"]: first.get(e["event_id"], "No dispute") for e in csv_rows("events")
    }
    assert by_dispute["EV-0004"] == "2019 export controls and retaliation"


def test_text_is_html_escaped():
    dataset = load_dataset(ROOT)
    events = dataset.text["events"]
    events.loc[events["event_id"] == "EV-0002", "title"] = "<img src=x onerror=alert(1)>"
    events.loc[events["event_id"] == "EV-0002", "description"] = "A & B <script>"
    slide = next(s for s in timeline.timeline(dataset)["events"] if s["unique_id"] == "EV-0002")
    assert slide["text"]["headline"] == "&lt;img src=x onerror=alert(1)&gt;"
    assert "<p>A &amp; B &lt;script&gt;</p>" in slide["text"]["text"]
    assert "<script>" not in json.dumps(slide)
