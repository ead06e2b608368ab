"""Parquet per table: Arrow types from the schemas; DuckDB and pandas read back what the CSVs hold."""

from __future__ import annotations

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import TABLES, csv_rows, schema_of


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
