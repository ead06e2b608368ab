"""A new vocabulary value needs no code change: written into a schema's `categories` and
`constraints.enum`, it validates, and every output that knows the vocabulary carries it."""

from __future__ import annotations

import json
import sqlite3

import pyarrow.parquet as pq
from openpyxl import load_workbook

from conftest import SEEDS, run_validate
from jkdata.exports.build import build
from jkdata.model.load import load_package
from jkdata.tools.codebook import render_codebook

NEW = "cyber_incident"
LABEL = "Cyber incident: an attack on or intrusion into computer systems."


def _add_event_type(root) -> None:
    path = root / "schemas/events.schema.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    field = next(f for f in schema["fields"] if f["name"] == "event_type")
    field["categories"].append({"value": NEW, "label": LABEL})
    field["constraints"]["enum"].append(NEW)
    path.write_text(json.dumps(schema, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    # EV-0001, the first event, is recoded to the new type.
    events = root / "data/events.csv"
    header, first, rest = events.read_text(encoding="utf-8").split("\n", 2)
    old = next(v for v in field["constraints"]["enum"] if f",{v}," in first)
    events.write_text(
        "\n".join([header, first.replace(f",{old},", f",{NEW},", 1), rest]), encoding="utf-8"
    )


def test_a_new_vocabulary_value_validates_and_reaches_every_output(package, tmp_path):
    _add_event_type(package)
    sources = ["--sources-dir", str(SEEDS)] if SEEDS.is_dir() else []
    code, report, output = run_validate(package, *sources)
    assert code == 0, output

    dist = tmp_path / "dist"
    build(package, dist, sources_dir=SEEDS if SEEDS.is_dir() else None, refresh_docs=False)
    name = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))["name"]

    # SQLite: the CHECK constraint generated from the enum admits the row.
    with sqlite3.connect(dist / f"{name}.db") as db:
        (count,) = db.execute("SELECT count(*) FROM events WHERE event_type = ?", (NEW,)).fetchone()
    assert count == 1
    # Parquet: the dictionary is the whole vocabulary, the new value included.
    column = pq.read_table(dist / "parquet/events.parquet").column("event_type")
    assert NEW in column.chunk(0).dictionary.to_pylist()
    assert NEW in column.to_pylist()
    # The workbook's README sheet lists the value with its meaning.
    book = load_workbook(dist / f"{name}.xlsx", read_only=True)
    cells = {str(c) for row in book["README"].iter_rows(values_only=True) for c in row if c}
    assert any(f"{NEW}: {LABEL}" in c for c in cells)
    # The codebook documents it; the timeline page names it.
    package_model, _ = load_package(package)
    assert f"| `{NEW}` | {LABEL} |" in render_codebook(package_model)
    assert NEW in (dist / "timeline.html").read_text(encoding="utf-8")
