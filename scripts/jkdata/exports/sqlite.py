"""`<name>.db` for SQLite and Datasette, with `metadata.json`: all generated from the schemas.

Column types, NOT NULL, UNIQUE, primary and foreign keys and CHECK constraints (vocabularies,
lengths, bounds, real ISO dates) come from each Table Schema; `pattern` has no SQLite equivalent
without an extension and is left to the validator. Rows go in file order, foreign keys are
checked by SQLite itself, and a final VACUUM leaves a file that is byte-identical across builds.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
from pathlib import Path

from jkdata.exports import flat
from jkdata.exports.dataset import Dataset
from jkdata.exports.views import LABEL_FIELDS
from jkdata.model.schema import Field, Resource

METADATA = "metadata.json"
# What `write` makes in dist/, each with what it is for (the README's Downloads table).
FILES = {
    "{name}.db": "SQLite with full-text search (Korean and Japanese names too), for Datasette",
    METADATA: "Datasette's metadata for it: titles, descriptions, licence, search",
}


def file_name(dataset: Dataset) -> str:
    return f"{dataset.name}.db"


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def literal(value) -> str:
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, int | float):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def field_checks(field: Field) -> list[str]:
    """CHECK expressions for a field's constraints (NULL passes, as in Table Schema)."""
    col, ftype = ident(field.name), field.type
    constraints = field.constraints.as_json()
    checks = []
    if ftype == "date":
        # julianday() rolls 2025-02-30 over to March, so only real calendar dates compare equal.
        checks.append(f"{col} IS date(julianday({col}))")
    if ftype == "boolean":
        checks.append(f"{col} IN (0, 1)")
    if "enum" in constraints:
        checks.append(f"{col} IN ({', '.join(literal(v) for v in constraints['enum'])})")
    if "minLength" in constraints:
        checks.append(f"length({col}) >= {int(constraints['minLength'])}")
    if "maxLength" in constraints:
        checks.append(f"length({col}) <= {int(constraints['maxLength'])}")
    if "minimum" in constraints:
        checks.append(f"{col} >= {literal(constraints['minimum'])}")
    if "maximum" in constraints:
        checks.append(f"{col} <= {literal(constraints['maximum'])}")
    return checks


def _names(fields) -> str:
    return ", ".join(ident(f) for f in fields)


def create_table(resource: Resource) -> str:
    lines = []
    for field in resource.fields:
        # Dates are TEXT (ISO 8601, checked with date()), so they sort and compare as text.
        parts = [ident(field.name), field.kind.sql]
        if not resource.nullable(field):
            parts.append("NOT NULL")
        if field.constraints.unique:
            parts.append("UNIQUE")
        parts += [f"CHECK ({check})" for check in field_checks(field)]
        lines.append(" ".join(parts))
    if resource.primary_key:
        lines.append(f"PRIMARY KEY ({_names(resource.primary_key)})")
    lines += [f"UNIQUE ({_names(key)})" for key in resource.unique_keys]
    for fk in resource.foreign_keys:
        lines.append(
            f"FOREIGN KEY ({_names(fk.fields)}) REFERENCES {ident(fk.resource)} "
            f"({_names(fk.reference_fields)})"
        )
    body = ",\n  ".join(lines)
    return f"CREATE TABLE {ident(resource.name)} (\n  {body}\n)"


def indexes(resource: Resource) -> list[str]:
    """Indexes on foreign keys (unless the primary key already leads with them) and on dates."""
    wanted = []
    for fk in resource.foreign_keys:
        if resource.primary_key[: len(fk.fields)] != fk.fields:
            wanted.append(fk.fields)
    wanted += [(f.name,) for f in resource.fields if f.type == "date"]
    statements = []
    for fields in dict.fromkeys(tuple(f) for f in wanted):
        name = ident(f"idx_{resource.name}_{'_'.join(fields)}")
        cols = ", ".join(ident(f) for f in fields)
        statements.append(f"CREATE INDEX {name} ON {ident(resource.name)} ({cols})")
    return statements


def text_fields(resource: Resource) -> list[str]:
    """Free text worth searching: strings with no vocabulary or pattern, outside the keys."""
    keys = set(resource.primary_key)
    return [
        f.name
        for f in resource.fields
        if f.type == "string"
        and not f.is_vocabulary
        and f.constraints.pattern is None
        and f.name not in keys
    ]


def fts_table(resource: Resource) -> str | None:
    """Entity tables (one-field primary key) get an FTS5 index over their free text."""
    if len(resource.primary_key) == 1 and text_fields(resource):
        return f"{resource.name}_fts"
    return None


# The hidden FTS column that holds the CJK bigrams of a record's text (see `cjk_bigrams`).
BIGRAMS = "cjk_bigrams"
# Han, Hiragana, Katakana and Hangul: scripts written without spaces between words.
_CJK = re.compile(
    "[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
    "\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]{2,}"
)


def cjk_bigrams(text: str | None) -> str | None:
    """Every pair of neighbouring CJK characters in the text, space-separated ("石破茂" → "石破
    破茂"). FTS5's default tokenizer keeps a run of CJK characters as one word, so searching
    `石破` (a family name) finds nothing in `石破茂`; with the bigrams beside the text it does."""
    if not text:
        return None
    pairs = [run[i : i + 2] for run in _CJK.findall(text) for i in range(len(run) - 1)]
    return " ".join(dict.fromkeys(pairs)) or None


def create_fts(resource: Resource) -> list[str]:
    """An FTS5 table over the record's free text, plus a hidden column of CJK bigrams; its rowid
    is the record's. It keeps its own copy of the text (a table with `content=` could not hold
    the extra column), and Datasette finds it by `fts_table` in metadata.json."""
    name = fts_table(resource)
    if name is None:
        return []
    fields = text_fields(resource)
    cols = ", ".join(ident(f) for f in fields)
    joined = " || ' ' || ".join(f"coalesce({ident(f)}, '')" for f in fields)
    return [
        f"CREATE VIRTUAL TABLE {ident(name)} USING fts5({cols}, {BIGRAMS})",
        f"INSERT INTO {ident(name)} (rowid, {cols}, {BIGRAMS}) "
        f"SELECT rowid, {cols}, {BIGRAMS}({joined}) FROM {ident(resource.name)}",
    ]


def _sql_value(value):
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


def _load_table(connection: sqlite3.Connection, resource: Resource, rows) -> None:
    """Create a table from its schema, insert its rows, then its indexes and full-text search."""
    connection.execute(create_table(resource))
    marks = ", ".join("?" for _ in resource.fields)
    connection.executemany(f"INSERT INTO {ident(resource.name)} VALUES ({marks})", rows)
    for statement in indexes(resource) + create_fts(resource):
        connection.execute(statement)


def write_database(dataset: Dataset, path: Path) -> None:
    connection = sqlite3.connect(path, isolation_level=None)
    connection.create_function(BIGRAMS, 1, cjk_bigrams, deterministic=True)
    try:
        connection.execute("PRAGMA foreign_keys = OFF")  # load in file order, then check all
        connection.execute("BEGIN")
        for resource in dataset.resources:
            rows = ([_sql_value(v) for v in row] for row in dataset.rows(resource.name))
            _load_table(connection, resource, rows)
        # The flat file as a table too, for Datasette users: built from the same rows.
        rows = ([cell or None for cell in row] for row in flat.flat_rows(dataset))
        _load_table(connection, flat.flat_resource(dataset.package), rows)
        broken = connection.execute("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise ValueError(f"foreign keys broken in the database: {broken[:5]}")
        connection.execute("COMMIT")
        connection.execute("VACUUM")
    finally:
        connection.close()


def label_column(resource) -> str | None:
    """The column Datasette shows for a row that another row links to: the first label field the
    schema requires, so that no label is blank (a source may lack a title), else the first there is."""
    fields = sorted(
        (f for f in resource.fields if f.name in LABEL_FIELDS),
        key=lambda f: LABEL_FIELDS.index(f.name),
    )
    required = [f for f in fields if f.required]
    return (required or fields)[0].name if fields else None


def datasette_metadata(dataset: Dataset) -> dict:
    """Titles, descriptions, licence, source and column descriptions for `datasette -m`."""
    tables = {}
    described = []
    for resource in dataset.resources:
        described.append((resource, resource.title or resource.name, resource.description))
    described.append((flat.flat_resource(dataset.package), flat.TITLE, flat.DESCRIPTION))
    for resource, title, description in described:
        table = {
            "title": title,
            "description": description,
            "columns": {f.name: f.text for f in resource.fields},
        }
        label = label_column(resource)
        if label:
            table["label_column"] = label
        if resource.has("date_start"):
            table["sort"] = "date_start"
        if fts_table(resource):
            table["fts_table"] = fts_table(resource)
        tables[resource.name] = table
    sources = dataset.descriptor.get("sources") or [{}]
    return {
        "title": dataset.title,
        "description": dataset.descriptor.get("description", ""),
        "license": dataset.license_title,
        "license_url": dataset.license_url,
        "source": sources[0].get("title", ""),
        "databases": {Path(file_name(dataset)).stem: {"tables": tables}},
    }


def write(dataset: Dataset, out: Path) -> list[str]:
    name = file_name(dataset)
    write_database(dataset, out / name)
    metadata = json.dumps(datasette_metadata(dataset), ensure_ascii=False, indent=2)
    (out / METADATA).write_text(metadata + "\n", encoding="utf-8")
    return [name, METADATA]
