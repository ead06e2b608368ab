"""The SQLite database and Datasette metadata: schema-generated DDL, round trip, search, Datasette."""

from __future__ import annotations

import asyncio
import csv
import json
import re
import sqlite3

import pytest
from datasette.app import Datasette

from conftest import DESCRIPTOR, TABLES, csv_rows, schema_of

DB = "japan-korea-relations.db"
DB_NAME = "japan-korea-relations"


@pytest.fixture(scope="module")
def db(built):
    connection = sqlite3.connect(f"file:{built / DB}?mode=ro", uri=True)
    connection.row_factory = sqlite3.Row
    yield connection
    connection.close()


def _sql_value(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


@pytest.mark.parametrize("name", TABLES)
def test_table_round_trips_to_the_csv(db, name):
    fields = [f["name"] for f in schema_of(name)["fields"]]
    columns = [row["name"] for row in db.execute(f'PRAGMA table_info("{name}")')]
    assert columns == fields
    rows = [dict(r) for r in db.execute(f'SELECT * FROM "{name}" ORDER BY rowid')]
    expected = [{k: _sql_value(v) for k, v in row.items()} for row in csv_rows(name)]
    assert rows == expected


@pytest.mark.parametrize("name", TABLES)
def test_primary_and_foreign_keys_come_from_the_schema(db, name):
    schema = schema_of(name)
    info = {row["name"]: row for row in db.execute(f'PRAGMA table_info("{name}")')}
    primary = sorted((row["pk"], n) for n, row in info.items() if row["pk"])
    assert [n for _, n in primary] == schema["primaryKey"]
    foreign = {
        (row["from"], row["table"], row["to"])
        for row in db.execute(f'PRAGMA foreign_key_list("{name}")')
    }
    assert foreign == {
        (fk["fields"][0], fk["reference"]["resource"], fk["reference"]["fields"][0])
        for fk in schema.get("foreignKeys", [])
    }
    for field in schema["fields"]:
        assert bool(info[field["name"]]["notnull"]) == bool(
            field.get("constraints", {}).get("required") or field["name"] in schema["primaryKey"]
        )


def test_foreign_keys_hold_in_the_database(db):
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE events SET event_type = 'lecture' WHERE event_id = 'EV-0001'",  # enum
        "UPDATE events SET date_start = '2025-02-30' WHERE event_id = 'EV-0001'",  # real date
        "UPDATE events SET date_start = '23/08/2025' WHERE event_id = 'EV-0001'",  # ISO date
        "UPDATE events SET title = NULL WHERE event_id = 'EV-0001'",  # required
        "UPDATE events SET title = printf('%.301c', 'x') WHERE event_id = 'EV-0001'",  # maxLength
        "UPDATE citations SET quote = 'short' WHERE citation_id = 'CI-0001'",  # minLength
        "UPDATE sources SET byte_size = 0 WHERE source_id = 'SR-0001'",  # minimum
        "INSERT INTO event_actors VALUES ('EV-0001', 'AC-0001', 'visitor', 'CI-0001', NULL)",  # pk
        "UPDATE actors SET name = 'Japan' WHERE actor_id = 'AC-0001'",  # uniqueKeys
    ],
)
def test_check_constraints_refuse_bad_values(built, tmp_path, sql):
    copy = tmp_path / DB
    copy.write_bytes((built / DB).read_bytes())
    connection = sqlite3.connect(copy)
    with pytest.raises(sqlite3.IntegrityError):
        connection.execute(sql)
    connection.close()


def test_foreign_keys_refuse_dangling_references(built, tmp_path):
    copy = tmp_path / DB
    copy.write_bytes((built / DB).read_bytes())
    connection = sqlite3.connect(copy)
    connection.execute("PRAGMA foreign_keys = ON")
    with pytest.raises(sqlite3.IntegrityError):
        connection.execute("UPDATE event_actors SET actor_id = 'AC-9999'")
    connection.close()


def test_indexes_on_foreign_keys_and_dates(db):
    indexed = {
        (
            row["tbl_name"],
            tuple(c["name"] for c in db.execute(f'PRAGMA index_info("{row["name"]}")')),
        )
        for row in db.execute("SELECT name, tbl_name FROM sqlite_master WHERE type = 'index'")
    }
    assert ("events", ("date_start",)) in indexed and ("events", ("date_end",)) in indexed
    assert ("event_actors", ("actor_id",)) in indexed
    assert ("citations", ("source_id",)) in indexed
    leading = {(table, cols[0]) for table, cols in indexed}
    for name in TABLES:
        for fk in schema_of(name).get("foreignKeys", []):
            assert (name, fk["fields"][0]) in leading, (name, fk["fields"])


def containing(table: str, key: str, word: str) -> list[str]:
    """Records whose free text holds the word, found in the CSV without SQLite."""
    pattern = re.compile(rf"(?<!\w){re.escape(word)}(?!\w)", re.IGNORECASE)
    return [
        row[key]
        for row in csv_rows(table)
        if any(isinstance(v, str) and pattern.search(v) for k, v in row.items() if k != key)
    ]


def test_full_text_search_on_titles_descriptions_and_native_names(db):
    def search(table, term):
        return [
            row[0]
            for row in db.execute(
                f'SELECT t.rowid FROM "{table}_fts" f JOIN "{table}" t ON t.rowid = f.rowid '
                f'WHERE "{table}_fts" MATCH ? ORDER BY t.rowid',
                [term],
            )
        ]

    def ids(table, key, rowids):
        return [
            db.execute(f'SELECT {key} FROM "{table}" WHERE rowid = ?', [r]).fetchone()[0]
            for r in rowids
        ]

    for table, key, word in (
        ("events", "event_id", "Tokyo"),
        ("events", "event_id", "semiconductor"),
        ("agreements", "agreement_id", "Obuchi"),
        ("actors", "actor_id", "石破茂"),
        ("actors", "actor_id", "이재명"),
    ):
        found = ids(table, key, search(table, word))
        assert found == containing(table, key, word) and found, (table, word)


def test_datasette_metadata_comes_from_descriptor_and_schemas(built):
    metadata = json.loads((built / "metadata.json").read_text(encoding="utf-8"))
    assert metadata["title"] == DESCRIPTOR["title"]
    assert metadata["license"] == DESCRIPTOR["licenses"][0]["title"]
    assert metadata["license_url"] == DESCRIPTOR["licenses"][0]["path"]
    assert metadata["source"] == DESCRIPTOR["sources"][0]["title"]
    tables = metadata["databases"][DB_NAME]["tables"]
    for resource in DESCRIPTOR["resources"]:
        table = tables[resource["name"]]
        assert table["title"] == resource["title"]
        assert table["description"] == resource["description"]
        for field in schema_of(resource["name"])["fields"]:
            assert field["description"] in table["columns"][field["name"]]


def _datasette_get(built, *paths):
    metadata = json.loads((built / "metadata.json").read_text(encoding="utf-8"))

    async def fetch():
        datasette = Datasette([str(built / DB)], metadata=metadata)
        await datasette.invoke_startup()
        return [await datasette.client.get(path) for path in paths]

    return asyncio.run(fetch())


def test_datasette_serves_the_tables_and_answers_json_queries(built):
    summits, searched, joined, page = _datasette_get(
        built,
        f"/{DB_NAME}/events.json?_shape=array&event_type=summit",
        f"/{DB_NAME}/events.json?_shape=array&_search=Tokyo",
        f"/{DB_NAME}.json?_shape=array&sql="
        "select+a.name_native+from+event_actors+e+join+actors+a+using+(actor_id)"
        "+where+e.event_id+%3D+'EV-0002'+order+by+a.actor_id",
        f"/{DB_NAME}/events",
    )
    assert summits.status_code == 200
    expected = [r for r in csv_rows("events") if r["event_type"] == "summit"]
    got = summits.json()
    assert sorted(r["event_id"] for r in got) == sorted(r["event_id"] for r in expected)
    by_id = {r["event_id"]: r for r in got}
    for row in expected:
        assert by_id[row["event_id"]] == {k: _sql_value(v) for k, v in row.items()}
    assert sorted(r["event_id"] for r in searched.json()) == containing(
        "events", "event_id", "Tokyo"
    )
    natives = {a["actor_id"]: a["name_native"] for a in csv_rows("actors")}
    in_event = sorted(r["actor_id"] for r in csv_rows("event_actors") if r["event_id"] == "EV-0002")
    assert joined.json() == [{"name_native": natives[a]} for a in in_event]
    assert {"name_native": "이재명"} in joined.json() and {"name_native": "石破茂"} in joined.json()
    assert page.status_code == 200
    html = page.text
    assert "Events" in html and schema_of("events")["fields"][1]["description"] in html


def test_every_linked_row_has_a_label_in_datasette(built):
    """A row linked to (a citation's source, an event link's actor) shows a name, never a blank:
    the label is a field the schema requires, so a source without a title shows its file name."""
    metadata = json.loads((built / "metadata.json").read_text(encoding="utf-8"))
    tables = metadata["databases"][DB_NAME]["tables"]
    assert tables["sources"]["label_column"] == "file_name"
    assert tables["events"]["label_column"] == "title"
    (citations,) = _datasette_get(
        built, f"/{DB_NAME}/citations.json?_shape=array&_labels=on&_size=max"
    )
    labels = {row["source_id"]["value"]: row["source_id"]["label"] for row in citations.json()}
    assert sorted(labels) == sorted(r["source_id"] for r in csv_rows("sources"))
    files = {r["source_id"]: r["file_name"] for r in csv_rows("sources")}
    assert labels == files


def test_the_flat_file_is_a_table_too(built, db):
    """Datasette users get the one-row-per-event table the CSV gives: the same cells (empty as
    NULL), each event once, searchable (actors' names included), described in the metadata."""
    with open(built / "events_flat.csv", encoding="utf-8", newline="") as handle:
        expected = [{k: v or None for k, v in row.items()} for row in csv.DictReader(handle)]
    got = [dict(row) for row in db.execute("SELECT * FROM events_flat ORDER BY rowid")]
    assert got == expected
    found = db.execute(
        "SELECT f.event_id FROM events_flat f JOIN events_flat_fts s ON s.rowid = f.rowid "
        "WHERE events_flat_fts MATCH 'Obuchi'"
    ).fetchall()
    assert {r["event_id"] for r in found} == {
        r["event_id"] for r in expected if any("Obuchi" in (v or "") for v in r.values())
    }
    assert "EV-0003" in {r["event_id"] for r in found}  # Obuchi is among its actors
    metadata = json.loads((built / "metadata.json").read_text(encoding="utf-8"))
    table = metadata["databases"][DB_NAME]["tables"]["events_flat"]
    assert table["title"] and table["description"]
    assert set(table["columns"]) == set(expected[0]) and all(table["columns"].values())


def test_cjk_bigrams():
    from jkdata.exports.sqlite import cjk_bigrams

    assert cjk_bigrams("Ishiba Shigeru 石破茂") == "石破 破茂"
    assert cjk_bigrams("Lee Jae-myung 이재명; 石破茂") == "이재 재명 石破 破茂"
    assert cjk_bigrams("Tokyo") is None and cjk_bigrams(None) is None
    assert cjk_bigrams("茂") is None  # one character has no pair


def test_part_of_a_cjk_name_is_found(db):
    """FTS5's default tokenizer keeps 石破茂 as one word; the hidden bigram column lets 石破 (a
    Japanese family name) and 재명 (a Korean given name) find it."""
    for table, term, name in (
        ("actors", "石破", "Ishiba Shigeru"),
        ("actors", "재명", "Lee Jae-myung"),
        ("actors", "石破茂", "Ishiba Shigeru"),
    ):
        found = [
            row[0]
            for row in db.execute(
                f'SELECT t.name FROM "{table}_fts" f JOIN "{table}" t ON t.rowid = f.rowid '
                f'WHERE "{table}_fts" MATCH ?',
                [f'"{term}"'],
            )
        ]
        assert found == [name], (term, found)


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _readme_datasette_command() -> list[str]:
    """The command in the README's Datasette section, as a list of words."""
    from conftest import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    body = readme.split("\n## Use it in Datasette\n", 1)[1].split("\n## ", 1)[0]
    (command,) = re.findall(r"```sh\n(.*?)\n```", body, re.S)
    return command.split()


def test_readme_datasette_command_serves_search_over_http(built):
    """The README's command, run for real on 127.0.0.1 beside the built dist/: searching part of
    a Japanese or Korean name over HTTP finds the actor and the flat events that name them."""
    import subprocess
    import sys
    import time
    import urllib.parse
    import urllib.request
    from pathlib import Path

    words = _readme_datasette_command()
    assert words[0] == ".venv/bin/datasette"
    executable = Path(sys.executable).parent / "datasette"
    port = _free_port()
    command = [str(executable), *words[1:], "--host", "127.0.0.1", "--port", str(port)]
    server = subprocess.Popen(
        command, cwd=built.parent, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    base = f"http://127.0.0.1:{port}/{DB_NAME}"

    def get(path: str) -> dict:
        with urllib.request.urlopen(base + path, timeout=10) as response:
            return json.loads(response.read().decode("utf-8"))

    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                get(".json")
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(server.stderr.read().decode()) from None
                time.sleep(0.3)
        for term, name in (("石破", "Ishiba Shigeru"), ("재명", "Lee Jae-myung")):
            query = urllib.parse.urlencode({"_search": term, "_shape": "objects"})
            rows = get(f"/actors.json?{query}")["rows"]
            assert [r["name"] for r in rows] == [name], (term, rows)
            flat = get(f"/events_flat.json?{query}")["rows"]
            assert flat and all(name in r["actors"] for r in flat), (term, flat)
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
