"""`timeline.html`: a self-contained page that shows the timeline, with filters and evidence.

No network: the data is embedded as JSON in a `<script type="application/json">` block (every `<`
written as `\\u003c`, so no value can close the tag), the script and styles are inline, and a
Content-Security-Policy forbids loading anything else. The script puts data on the page only with
`textContent`, so a title holding markup shows as text.
"""

from __future__ import annotations

import json
from html import escape
from pathlib import Path

from jkdata.exports.dataset import Dataset
from jkdata.exports.dates import date_legend, human_date
from jkdata.exports.html import page_head
from jkdata.exports.views import (
    NATIVE_FIELD,
    for_links,
    link_evidence,
    link_notes,
    record_views,
    short_label,
)

ENTITY = "events"
FILE = "timeline.html"
# What `write` makes in dist/, each with what it is for (the README's Downloads table).
FILES = {FILE: "the timeline as one page that works offline"}
TYPE_FIELD = "event_type"


# The language a name in native script is written in, by the country of its record, so that the
# page can say it (`lang`) and browsers draw Japanese or Korean glyph forms for the same Han
# characters. Countries not listed get no attribute.
NATIVE_LANGUAGES = {"KOR": "ko", "PRK": "ko", "JPN": "ja", "CHN": "zh", "TWN": "zh"}


def native_languages(dataset: Dataset, entity: str) -> dict[str, str]:
    """Record ID → language of its native-script name, for tables with one and a country code."""
    resource = dataset.resource(entity)
    if not {NATIVE_FIELD, "country_code"} <= set(resource.field_names):
        return {}
    frame = dataset.text[entity]
    pairs = zip(frame[resource.primary_key[0]], frame["country_code"], strict=True)
    return {id_: NATIVE_LANGUAGES[code] for id_, code in pairs if code in NATIVE_LANGUAGES}


def page_data(dataset: Dataset) -> dict:
    views = record_views(dataset, ENTITY)
    entities = {entity for view in views for entity in view.links}
    languages = {entity: native_languages(dataset, entity) for entity in entities}
    type_field = dataset.resource(ENTITY).field(TYPE_FIELD)
    events, seen = [], {}
    for view in views:
        row = view.row
        links = {
            entity: [
                {
                    "id": i.id,
                    "label": i.label,
                    "native": i.native,
                    "lang": languages[entity].get(i.id) if i.native else None,
                    "role": i.role_label,
                }
                for i in linked
            ]
            for entity, linked in view.links.items()
        }
        filters = {TYPE_FIELD: [row[TYPE_FIELD]]} | {
            entity: sorted({i.id for i in linked}) for entity, linked in view.links.items()
        }
        for entity, linked in view.links.items():
            seen.setdefault(entity, {}).update({i.id: i.label for i in linked})
        events.append(
            {
                "id": view.id,
                "title": row["title"],
                "description": row["description"],
                "date": row["date"],
                "when": human_date(row["date"]),
                "precision": row["date_precision"],
                "basis": row["date_basis"],
                "date_note": row.get("date_note"),
                "location": row.get("location"),
                "type": short_label(type_field, row[TYPE_FIELD]),
                "links": links,
                "evidence": [{"quote": e.quote, "source": e.cited_as()} for e in view.evidence]
                + [
                    {"quote": e.quote, "source": f"{e.cited_as()}, {for_links(linked)}"}
                    for e, linked in link_evidence(view)
                ],
                "notes": link_notes(view),
                "filters": filters,
            }
        )
    used_types = {e["filters"][TYPE_FIELD][0] for e in events}
    type_options = [
        [value, short_label(type_field, value)]
        for value in type_field.vocabulary or sorted(used_types)
        if value in used_types
    ]
    filters = [{"key": TYPE_FIELD, "label": "Event type", "options": type_options}]
    for entity in sorted(seen, key=lambda e: (e != "actors", e)):
        options = sorted(seen[entity].items(), key=lambda item: (item[1].casefold(), item[0]))
        filters.append({"key": entity, "label": dataset.title_of(entity), "options": options})
    return {"events": events, "filters": filters}


def embed_json(data) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")


STYLE = """
:root { font-family: "Segoe UI", "Noto Sans", "Noto Sans CJK KR", "Noto Sans CJK JP", sans-serif;
  color: #1f2328; background: #fff; line-height: 1.45; }
:lang(ja) { font-family: "Noto Sans CJK JP", "Hiragino Sans", "Yu Gothic", sans-serif; }
:lang(ko) { font-family: "Noto Sans CJK KR", "Apple SD Gothic Neo", "Malgun Gothic", sans-serif; }
body { max-width: 60rem; margin: 0 auto; padding: 1rem 1.25rem 3rem; }
h1 { font-size: 1.6rem; margin: 0 0 .4rem; }
header p { margin: .3rem 0; color: #57606a; }
#legend { font-size: .85rem; }
#filter-box summary { cursor: pointer; font-weight: 600; margin-top: .75rem; }
#filters { display: flex; flex-wrap: wrap; gap: .75rem 1.5rem; margin: 1rem 0 .5rem;
  padding: .75rem 1rem; background: #f6f8fa; border-radius: 8px; }
#filters label { font-weight: 600; font-size: .9rem; }
#filters select { margin-left: .35rem; max-width: 18rem; font: inherit; font-weight: 400; }
#count { color: #57606a; font-size: .9rem; }
#events { list-style: none; padding: 0 0 0 1.25rem; border-left: 3px solid #d0d7de; }
.event { position: relative; margin: 0 0 1.5rem; padding: .25rem 0 0 .75rem; }
.event::before { content: ""; position: absolute; left: -1.85rem; top: .55rem; width: .85rem;
  height: .85rem; border-radius: 50%; background: #0969da; border: 2px solid #fff; }
.event[hidden] { display: none; }
@media (max-width: 40rem) {
  body { padding: .6rem .8rem 2rem; }
  h1 { font-size: 1.2rem; }
  header p, #legend { font-size: .8rem; }
  #filters { margin: .4rem 0; gap: .4rem .75rem; }
}
.date { font-weight: 700; color: #0969da; margin: 0; }
.date small { font-weight: 400; color: #57606a; }
.event h2 { font-size: 1.15rem; margin: .15rem 0 .25rem; }
.type { display: inline-block; font-size: .8rem; padding: 0 .5rem; border-radius: 1rem;
  background: #ddf4ff; color: #0550ae; margin: 0 0 .35rem; }
.event p { margin: .25rem 0; }
.links { display: grid; grid-template-columns: max-content 1fr; gap: .1rem .75rem; margin: .4rem 0;
  font-size: .92rem; }
.links dt { font-weight: 600; color: #57606a; }
.links dd { margin: 0; }
blockquote { margin: .5rem 0 0; padding: .35rem .75rem; border-left: 3px solid #bf8700;
  background: #fff8c5; }
.source { font-size: .85rem; color: #57606a; margin: .15rem 0 0 .75rem; }
.note { font-size: .85rem; color: #57606a; }
footer { margin-top: 2rem; font-size: .85rem; color: #57606a; }
"""

SCRIPT = """
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("timeline-data").textContent);
  const form = document.getElementById("filters");
  const list = document.getElementById("events");
  const count = document.getElementById("count");

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  const selects = data.filters.map(function (filter) {
    const label = el("label", null, filter.label);
    const select = el("select");
    select.id = "filter-" + filter.key;
    select.name = filter.key;
    select.appendChild(new Option("All", ""));
    filter.options.forEach(function (option) {
      select.appendChild(new Option(option[1], option[0]));
    });
    label.appendChild(select);
    form.appendChild(label);
    return select;
  });

  const items = data.events.map(function (event) {
    const item = el("li", "event");
    item.dataset.id = event.id;
    const date = el("p", "date", event.when + " ");
    date.appendChild(el("small", null, "to the " + event.precision + " · " + event.basis + " · EDTF " + event.date));
    item.appendChild(date);
    item.appendChild(el("h2", "title", event.title));
    item.appendChild(el("p", "type", event.type));
    item.appendChild(el("p", "description", event.description));
    if (event.location) item.appendChild(el("p", "note", "Where: " + event.location));
    if (event.date_note) item.appendChild(el("p", "note", "Date: " + event.date_note));
    const links = el("dl", "links");
    data.filters.forEach(function (filter) {
      const linked = event.links[filter.key];
      if (!linked || !linked.length) return;
      links.appendChild(el("dt", null, filter.label));
      const dd = el("dd");
      linked.forEach(function (l, i) {
        dd.appendChild(document.createTextNode((i ? "; " : "") + l.label));
        if (l.native) {
          dd.appendChild(document.createTextNode(" ("));
          const native = el("span", "native", l.native);
          if (l.lang) native.lang = l.lang;  // Japanese or Korean glyph forms
          dd.appendChild(native);
          dd.appendChild(document.createTextNode(")"));
        }
        if (l.role) dd.appendChild(document.createTextNode(" – " + l.role));
      });
      links.appendChild(dd);
    });
    if (links.childNodes.length) item.appendChild(links);
    event.notes.forEach(function (note) { item.appendChild(el("p", "note", note)); });
    const evidence = el("div", "evidence");
    event.evidence.forEach(function (e) {
      evidence.appendChild(el("blockquote", "quote", e.quote));  // verbatim: the block marks it as a quote
      evidence.appendChild(el("p", "source", "— " + e.source));
    });
    item.appendChild(evidence);
    list.appendChild(item);
    return { event: event, node: item };
  });

  function apply() {
    let shown = 0;
    items.forEach(function (it) {
      const match = selects.every(function (s) {
        return !s.value || (it.event.filters[s.name] || []).indexOf(s.value) >= 0;
      });
      it.node.hidden = !match;
      if (match) shown += 1;
    });
    count.textContent = "Showing " + shown + " of " + items.length + " events";
  }
  selects.forEach(function (s) { s.addEventListener("change", apply); });
  // On a phone the filters fold away, so that the first event is on the first screen.
  if (window.matchMedia("(max-width: 40rem)").matches) document.getElementById("filter-box").open = false;
  apply();
})();
"""

CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"


def legend(dataset: Dataset) -> str:
    resource = dataset.resource(ENTITY)
    return date_legend(resource.field("date_precision"), resource.field("date_basis"))


def page(dataset: Dataset) -> str:
    title = escape(dataset.title)
    return f"""{page_head(f"{dataset.title} – timeline", CSP, STYLE)}
<body>
<header>
<h1 id="title">{title}</h1>
<p id="about">{escape(dataset.descriptor.get("description", ""))}</p>
<p id="legend">{escape(legend(dataset))}</p>
<p>Cite as: {escape(dataset.citation())}</p>
</header>
<details id="filter-box" open><summary>Filter the events</summary>
<form id="filters" aria-label="Filters"></form>
</details>
<p id="count" aria-live="polite"></p>
<noscript><p>This page needs JavaScript to show the timeline; the same data is in timeline.json and events_flat.csv.</p></noscript>
<ol id="events"></ol>
<footer>Every event carries its verbatim evidence quote and the source it comes from.</footer>
<script type="application/json" id="timeline-data">{embed_json(page_data(dataset))}</script>
<script>{SCRIPT}</script>
</body>
</html>
"""


def write(dataset: Dataset, out: Path) -> list[str]:
    (out / FILE).write_text(page(dataset), encoding="utf-8")
    return [FILE]
