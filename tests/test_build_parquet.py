"""Parquet per table: Arrow types from the schemas; DuckDB and pandas read back what the CSVs hold."""

from __future__ import annotations

import datetime as dt
import re

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import ROOT, TABLES, csv_rows, schema_of


def _plain(value):
    if value is None or value is pd.NaT or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    return value.item() if hasattr(value, "item") else value


@pytest.mark.parametrize("name", TABLES)
def test_duckdb_reads_back_the_csv(built, name):
    path = built / "parquet" / f"{name}.parquet"
    result = duckdb.sql(f"SELECT * FROM '{path}'")
    fields = schema_of(name)["fields"]
    assert result.columns == [f["name"] for f in fields]
    rows = [dict(zip(result.columns, row, strict=True)) for row in result.fetchall()]
    assert rows == csv_rows(name)
    types = dict(zip(result.columns, map(str, result.types), strict=True))
    for field in fields:
        want = {"date": "DATE", "integer": "BIGINT", "year": "BIGINT", "number": "DOUBLE"}.get(
            field["type"], {"boolean": "BOOLEAN"}.get(field["type"], "VARCHAR")
        )
        assert types[field["name"]] == want


@pytest.mark.parametrize("name", TABLES)
def test_pandas_reads_back_the_csv(built, name):
    frame = pd.read_parquet(built / "parquet" / f"{name}.parquet")
    rows = [
        {k: _plain(v) for k, v in row.items()} for row in frame.astype(object).to_dict("records")
    ]
    assert rows == csv_rows(name)
    for field in schema_of(name)["fields"]:
        enum = field.get("constraints", {}).get("enum")
        if enum:  # vocabularies are categoricals whose categories are the schema's values
            assert isinstance(frame[field["name"]].dtype, pd.CategoricalDtype)
            assert list(frame[field["name"]].cat.categories) == enum


@pytest.mark.parametrize("name", TABLES)
def test_arrow_schema_types_nullability_and_descriptions(built, name):
    schema = pq.read_schema(built / "parquet" / f"{name}.parquet")
    for field in schema_of(name)["fields"]:
        arrow = schema.field(field["name"])
        constraints = field.get("constraints", {})
        if field["type"] == "date":
            assert arrow.type == pa.date32()
        elif field["type"] == "integer":
            assert arrow.type == pa.int64()
        elif "enum" in constraints:
            assert pa.types.is_dictionary(arrow.type)
        else:
            assert arrow.type == pa.string()
        assert arrow.nullable == (not constraints.get("required", False))
        assert arrow.metadata[b"description"].decode("utf-8") == field["description"]
    assert schema.metadata is None or b"pandas" not in schema.metadata


def test_native_script_names_survive(built):
    names = duckdb.sql(
        f"SELECT name_native FROM '{built / 'parquet' / 'actors.parquet'}'"
    ).fetchall()
    assert ("이재명",) in names and ("石破茂",) in names


def test_readme_duckdb_snippet(built, monkeypatch):
    """The README's DuckDB query, run as written from beside the built dist/: dates as dates,
    codes as text ("04")."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    body = readme.split("\n## Use it in DuckDB\n", 1)[1].split("\n## ", 1)[0]
    (query,) = re.findall(r"```sql\n(.*?)```", body, re.S)
    monkeypatch.chdir(built.parent)
    with duckdb.connect() as connection:
        result = connection.execute(query)
        columns = [d[0] for d in result.description]
        rows = [dict(zip(columns, row, strict=True)) for row in result.fetchall()]
    events = csv_rows("events")
    assert len(rows) == len(events)
    assert all(isinstance(r["date_start"], dt.date) for r in rows)
    assert [r["date_start"] for r in rows] == sorted(r["date_start"] for r in rows)
    assert "04" in {r["cameo_code"] for r in rows}
