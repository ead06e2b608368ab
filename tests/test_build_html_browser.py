"""timeline.html in a real headless Chromium: no errors, no network, every event, working filters.

Needs Debian's `chromium` (`.ci/run` installs it); Playwright drives it through `executable_path`
and never downloads a browser of its own.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from conftest import SEEDS, copy_package, csv_rows, needs_chromium
from jkdata.exports.build import build

pytestmark = needs_chromium
XSS = "<script>alert(1)</script> summit"


def set_title(path: Path, event_id: str, title: str) -> None:
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    for row in rows[1:]:
        if row[0] == event_id:
            row[rows[0].index("title")] = title
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


class Page:
    """A page opened from a file, recording console errors, page errors, dialogs and requests."""

    def __init__(self, browser, path: Path):
        self.url = path.resolve().as_uri()
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.page = browser.new_page()
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("dialog", self._dialog)
        self.page.goto(self.url)
        self.page.wait_for_selector("#events li.event")

    def _dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def shown(self) -> list[str]:
        return self.page.eval_on_selector_all(
            "#events li.event:not([hidden])", "nodes => nodes.map(n => n.dataset.id)"
        )

    def choose(self, key: str, value: str) -> list[str]:
        self.page.select_option(f"#filter-{key}", value)
        return self.shown()


@pytest.fixture(scope="module")
def page(browser, built):
    opened = Page(browser, built / "timeline.html")
    yield opened
    opened.page.close()


def test_loads_without_errors_or_network(page):
    assert page.errors == []
    assert page.requests == [page.url]
    assert page.dialogs == []


def test_shows_every_event_with_its_evidence(page):
    events = csv_rows("events")
    assert sorted(page.shown()) == sorted(e["event_id"] for e in events)
    assert page.page.text_content("#count") == f"Showing {len(events)} of {len(events)} events"
    sources = {s["source_id"]: s for s in csv_rows("sources")}
    for cite in csv_rows("citations"):
        if cite["table_name"] == "events":
            item = page.page.locator(f'li.event[data-id="{cite["record_id"]}"]')
            assert cite["quote"] in item.locator("blockquote").all_text_contents()
            source = sources[cite["source_id"]]
            cited = " ".join(item.locator(".source").all_text_contents())
            assert (source["title"] or source["file_name"]) in cited
            assert cite["source_id"] in cited
    assert "石破茂" in page.page.locator('li.event[data-id="EV-0002"]').text_content()


def test_native_names_say_their_language(page):
    """Japanese and Korean names carry `lang`, so the browser draws each in its own glyph forms
    (石破茂 in Japanese ones, not Korean Hanja forms)."""
    actors = {a["actor_id"]: a for a in csv_rows("actors") if a["name_native"]}
    item = page.page.locator('li.event[data-id="EV-0002"]')
    langs = {
        span.text_content(): span.get_attribute("lang")
        for span in item.locator("span.native").all()
    }
    assert langs["石破茂"] == "ja" and langs["이재명"] == "ko"
    expected = {"JPN": "ja", "KOR": "ko"}
    for native, lang in langs.items():
        (actor,) = [a for a in actors.values() if a["name_native"] == native]
        assert lang == expected.get(actor["country_code"]), native


def test_shows_each_links_evidence_and_note(page):
    quotes = {c["citation_id"]: c["quote"] for c in csv_rows("citations")}
    for name in ("event_actors", "event_agreements", "event_disputes"):
        for link in csv_rows(name):
            item = page.page.locator(f'li.event[data-id="{link["event_id"]}"]')
            assert quotes[link["citation_id"]] in item.locator("blockquote").all_text_contents()
            if link["note"]:
                assert any(link["note"] in n for n in item.locator(".note").all_text_contents())


def test_filters_reduce_the_list(page):
    def linked(table, key, value):
        return sorted({r["event_id"] for r in csv_rows(table) if r[key] == value})

    summits = sorted(e["event_id"] for e in csv_rows("events") if e["event_type"] == "summit")
    assert sorted(page.choose("event_type", "summit")) == summits
    page.choose("event_type", "")
    assert sorted(page.choose("actors", "AC-0001")) == linked("event_actors", "actor_id", "AC-0001")
    assert page.page.text_content("#count").startswith(
        f"Showing {len(linked('event_actors', 'actor_id', 'AC-0001'))} of"
    )
    assert sorted(page.choose("event_type", "summit")) == sorted(
        set(summits) & set(linked("event_actors", "actor_id", "AC-0001"))
    )
    page.choose("event_type", "")
    page.choose("actors", "")
    assert sorted(page.choose("disputes", "DI-0003")) == linked(
        "event_disputes", "dispute_id", "DI-0003"
    )
    page.choose("disputes", "")
    assert len(page.shown()) == len(csv_rows("events"))


def test_a_title_with_markup_shows_as_text(browser, tmp_path):
    root = copy_package(tmp_path)
    set_title(root / "data/events.csv", "EV-0002", XSS)
    result = build(root, sources_dir=SEEDS if SEEDS.is_dir() else None, refresh_docs=False)
    html = (result.dist / "timeline.html").read_text(encoding="utf-8")
    assert "<script>alert(1)" not in html  # the embedded JSON cannot close its script tag
    opened = Page(browser, result.dist / "timeline.html")
    try:
        title = opened.page.text_content('li.event[data-id="EV-0002"] h2')
        assert title == XSS
        assert opened.dialogs == [] and opened.errors == []
        assert opened.page.locator("#events script").count() == 0
    finally:
        opened.page.close()


def test_dates_are_in_words_with_a_legend(page):
    """People read "August 2025, uncertain", not `2025-08?`; a legend says what precision and
    stated/inferred mean."""
    from jkdata.exports.dates import human_date

    for event in csv_rows("events"):
        shown = page.page.text_content(f'li.event[data-id="{event["event_id"]}"] .date')
        assert shown.startswith(human_date(event["date"]) + " "), (event["event_id"], shown)
        assert event["date_basis"] in shown and event["date_precision"] in shown
    assert page.page.text_content('li.event[data-id="EV-0001"] .date').startswith(
        "23–24 August 2025 "
    )
    assert page.page.text_content('li.event[data-id="EV-0004"] .date').startswith("2019 ")
    legend = page.page.text_content("#legend")
    assert "the day, the month or the year" in legend
    assert "Stated:" in legend and "inferred:" in legend and "“Uncertain”" in legend


@pytest.mark.parametrize("width, height", [(390, 844), (1280, 800)])
def test_first_event_is_on_the_first_screen(browser, built, width, height):
    """At phone size (390 × 844) and on a laptop the first event's date, title and type are in
    the first screen; a screenshot of each is left in /tmp for a person to look at."""
    context = browser.new_context(viewport={"width": width, "height": height})
    try:
        tab = context.new_page()
        tab.goto((built / "timeline.html").resolve().as_uri())
        tab.wait_for_selector("#events li.event")
        first = tab.locator("#events li.event").first
        for part in (".date", "h2", ".type"):
            box = first.locator(part).bounding_box()
            assert box is not None, part
            assert box["y"] >= 0 and box["y"] + box["height"] <= height, (part, box)
            assert box["x"] >= 0 and box["x"] + box["width"] <= width, (part, box)
        assert tab.evaluate("document.documentElement.scrollWidth") <= width  # no sideways scroll
        tab.screenshot(path=f"/tmp/jkdata-timeline-{width}.png")
    finally:
        context.close()
