"""events_flat.csv and its Excel copy: one row per event, links and evidence joined in."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import ROOT, csv_rows, schema_of
from jkdata.exports import flat, views
from jkdata.exports.cells import excel_csv_text
from jkdata.exports.dataset import load_dataset
from jkdata.exports.views import record_views


def read_flat(path: Path, encoding: str = "utf-8") -> list[dict]:
    with open(path, encoding=encoding, newline="") as handle:
        return list(csv.DictReader(handle))


def raw_rows(name: str) -> list[dict]:
    with open(ROOT / "data" / f"{name}.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_one_row_per_event_with_every_event_column_as_in_the_csv(built):
    rows = read_flat(built / "events_flat.csv")
    events = {row["event_id"]: row for row in raw_rows("events")}
    assert len(rows) == len(events)
    assert {row["event_id"] for row in rows} == set(events)
    for row in rows:
        for name, text in events[row["event_id"]].items():
            assert row[name] == text, (row["event_id"], name)


def test_header_is_the_events_schema_then_the_joined_columns(built):
    with open(built / "events_flat.csv", encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    event_fields = [f["name"] for f in schema_of("events")["fields"]]
    assert header[: len(event_fields)] == event_fields
    assert header == [f.name for f in flat.flat_fields(load_dataset(ROOT).package)]
    for name in ("actor_ids", "actors", "agreement_ids", "disputes", "evidence", "sources"):
        assert name in header


def test_rows_are_in_date_order(built):
    rows = read_flat(built / "events_flat.csv")
    keys = [(r["date_start"], r["date_end"], r["event_id"]) for r in rows]
    assert keys == sorted(keys)


def test_actors_agreements_and_disputes_are_joined_with_names_and_roles(built):
    rows = {row["event_id"]: row for row in read_flat(built / "events_flat.csv")}
    actors = {a["actor_id"]: a for a in csv_rows("actors")}
    for link, key, entity, role in (
        ("event_actors", "actor_id", "actors", "event_role"),
        ("event_agreements", "agreement_id", "agreements", "agreement_relation"),
        ("event_disputes", "dispute_id", "disputes", "dispute_relation"),
    ):
        names = {r[key]: r["name"] for r in csv_rows(entity)}
        for event_id, row in rows.items():
            linked = [r for r in csv_rows(link) if r["event_id"] == event_id]
            ids = row[f"{key}s"].split("; ") if row[f"{key}s"] else []
            assert ids == [r[key] for r in linked]
            shown = row[entity].split("; ") if row[entity] else []
            assert len(shown) == len(linked)
            for text, r in zip(shown, linked, strict=True):
                assert text.startswith(names[r[key]]) and text.endswith(f"[{r[role]}]")
                native = actors.get(r[key], {}).get("name_native")
                if native:
                    assert f"({native})" in text
    assert "이재명" in rows["EV-0002"]["actors"] and "石破茂" in rows["EV-0002"]["actors"]


def test_evidence_quotes_and_source_titles_are_joined(built):
    rows = {row["event_id"]: row for row in read_flat(built / "events_flat.csv")}
    sources = {s["source_id"]: s for s in csv_rows("sources")}
    for event_id, row in rows.items():
        cites = [
            c
            for c in csv_rows("citations")
            if c["table_name"] == "events" and c["record_id"] == event_id
        ]
        assert cites, event_id
        assert row["citation_ids"].split("; ") == sorted(c["citation_id"] for c in cites)
        for cite in cites:
            assert f"{cite['quote']} [{cite['source_id']}]" in row["evidence"]
            source = sources[cite["source_id"]]
            assert (source["title"] or source["file_name"]) in row["sources"]
            assert cite["source_id"] in row["source_ids"].split("; ")


def test_every_link_evidence_and_note_reaches_its_event(built):
    """A link row's citation and note (why an event involves an actor, agreement or dispute) are
    in the event's row, named by the linked record's name and ID."""
    rows = {row["event_id"]: row for row in read_flat(built / "events_flat.csv")}
    quotes = {c["citation_id"]: c for c in raw_rows("citations")}
    names = {
        r[key]: r[label]
        for table, key, label in (
            ("actors", "actor_id", "name"),
            ("agreements", "agreement_id", "name"),
            ("disputes", "dispute_id", "name"),
        )
        for r in raw_rows(table)
    }
    seen = 0
    for name, other in (
        ("event_actors", "actor_id"),
        ("event_agreements", "agreement_id"),
        ("event_disputes", "dispute_id"),
    ):
        for link in raw_rows(name):
            row = rows[link["event_id"]]
            cite = quotes[link["citation_id"]]
            named = f"{names[link[other]]} ({link[other]})"
            assert f"{named}: {cite['quote']} [{cite['source_id']}]" in row["link_evidence"]
            if link["note"]:
                assert f"{named}: {link['note']}" in row["link_notes"].split(" | ")
            seen += 1
    assert seen


def test_excel_copy_has_a_bom_and_the_same_cells(built):
    raw = (built / "events_flat_excel.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert raw[3:] == (built / "events_flat.csv").read_bytes()  # no cell needed neutralising
    rows = read_flat(built / "events_flat_excel.csv", encoding="utf-8-sig")
    assert rows == read_flat(built / "events_flat.csv")


def test_excel_copy_neutralises_formula_text(tmp_path):
    dataset = load_dataset(ROOT)
    events = dataset.text["events"]
    events.loc[events["event_id"] == "EV-0002", "title"] = '=HYPERLINK("http://x","y")'
    flat.write(dataset, tmp_path)
    plain = {r["event_id"]: r for r in read_flat(tmp_path / "events_flat.csv")}
    excel = {r["event_id"]: r for r in read_flat(tmp_path / "events_flat_excel.csv", "utf-8-sig")}
    assert plain["EV-0002"]["title"] == '=HYPERLINK("http://x","y")'
    assert excel["EV-0002"]["title"] == '\'=HYPERLINK("http://x","y")'
    assert [excel_csv_text(t) for t in ("+1", "-1", "@a", "a=b", "")] == [
        "'+1",
        "'-1",
        "'@a",
        "a=b",
        "",
    ]


def test_csv_is_plain_utf8_with_unix_newlines(built):
    text = (built / "events_flat.csv").read_bytes().decode("utf-8")
    assert "\r" not in text and text.endswith("\n")
    assert len(list(csv.reader(io.StringIO(text)))) == len(raw_rows("events")) + 1


def test_every_joined_column_is_described_in_the_codebook():
    from jkdata.model.load import load_package

    package, _ = load_package(ROOT)
    codebook = (ROOT / "docs/codebook.md").read_text(encoding="utf-8")
    section = codebook.split(f"## {flat.FILE} (built)", 1)[1]
    own = {f.name for f in package.resource(flat.ENTITY).fields}
    joined = [f for f in flat.flat_fields(package) if f.name not in own]
    assert joined
    for field in joined:
        assert f"| `{field.name}` | string | " in section, field.name


def test_joined_names_promise_native_script_only_where_the_table_has_it():
    from jkdata.model.load import load_package

    package, _ = load_package(ROOT)
    for link in views.links_of(package, flat.ENTITY):
        _, other, _ = link.other(flat.ENTITY)
        (field,) = [f for f in flat.flat_fields(package) if f.name == other]
        has_native = views.NATIVE_FIELD in package.resource(other).field_names
        assert ("native script" in field.description) == has_native, other


def test_foreign_keys_written_with_one_field_as_a_string_join_the_same(package):
    """Table Schema allows `"fields": "event_id"` for one field: every reader sees a list."""
    from jkdata.model.load import load_package

    path = package / "schemas/event_actors.schema.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    for fk in schema["foreignKeys"]:
        fk["fields"], fk["reference"]["fields"] = fk["fields"][0], fk["reference"]["fields"][0]
    path.write_text(json.dumps(schema, indent=2), encoding="utf-8")
    loaded, problems = load_package(package)
    assert problems == []
    assert [
        (fk.fields, fk.reference_fields) for fk in loaded.resource("event_actors").foreign_keys
    ] == [
        (("event_id",), ("event_id",)),
        (("actor_id",), ("actor_id",)),
        (("citation_id",), ("citation_id",)),
    ]
    original, changed = load_dataset(ROOT), load_dataset(package)
    assert flat.flat_fields(changed.package) == flat.flat_fields(original.package)
    assert [flat.flat_row(v, changed.package) for v in record_views(changed, "events")] == [
        flat.flat_row(v, original.package) for v in record_views(original, "events")
    ]


SOFFICE = shutil.which("soffice")


def _readme_libreoffice_command() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    body = readme.split("\n## Open it in Excel or LibreOffice\n", 1)[1].split("\n## ", 1)[0]
    (command,) = re.findall(r"```sh\n(.*?)\n```", body, re.S)
    return command


@pytest.mark.skipif(
    SOFFICE is None, reason="no LibreOffice (soffice): apt-get install libreoffice-calc-nogui"
)
def test_readme_libreoffice_command_keeps_text_and_codes(built, tmp_path):
    """The README's command, run as written beside the built dist/: LibreOffice reads the flat
    file as UTF-8, keeps `04` and `1998-10` as text and gives the same cells as the CSV."""
    import openpyxl

    work = tmp_path / "work"
    work.mkdir()
    (work / "dist").symlink_to(built)
    env = {**os.environ, "HOME": str(tmp_path / "home")}  # a profile of its own, not the user's
    subprocess.run(
        ["bash", "-c", _readme_libreoffice_command()], cwd=work, env=env, check=True, timeout=240
    )
    book = openpyxl.load_workbook(work / "converted" / "events_flat.xlsx", read_only=True)
    rows = [list(r) for r in book.active.iter_rows(values_only=True)]
    with open(built / "events_flat.csv", encoding="utf-8", newline="") as handle:
        expected = list(csv.reader(handle))
    assert rows[0] == expected[0]
    header = expected[0]
    for got, want in zip(rows[1:], expected[1:], strict=True):
        for name, cell, text in zip(header, got, want, strict=True):
            if name in ("date_start", "date_end"):
                assert cell.date().isoformat() == text, (name, cell, text)
            else:
                assert (cell or "") == text, (name, cell, text)
    assert any("石破茂" in (r[header.index("actors")] or "") for r in rows[1:])
    assert "04" in {r[header.index("cameo_code")] for r in rows[1:]}
