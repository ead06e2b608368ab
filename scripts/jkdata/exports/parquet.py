"""`parquet/<table>.parquet`: one file per table with Arrow types from the schema.

Dates are `date32`, integers `int64`, vocabularies (`enum`) dictionary-encoded strings whose
dictionary is the schema's list of allowed values, required fields non-nullable; each column
carries its schema description as field metadata. The Arrow table is built directly (no pandas
metadata), and Parquet itself stores no timestamps, so the bytes are the same on every build.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from jkdata.exports.dataset import Dataset
from jkdata.model.schema import Field, Resource

FOLDER = "parquet"
# What `write` makes in dist/, each with what it is for (the README's Downloads table).
FILES = {f"{FOLDER}/<table>.parquet": "one Parquet file per table, typed"}
DICTIONARY = pa.dictionary(pa.int32(), pa.string())


def arrow_field(field: Field) -> pa.Field:
    is_vocabulary = field.type == "string" and field.is_vocabulary
    return pa.field(
        field.name,
        DICTIONARY if is_vocabulary else getattr(pa, field.kind.arrow)(),
        nullable=not field.required,
        metadata={"description": field.description, "title": field.title},
    )


def arrow_schema(resource: Resource) -> pa.Schema:
    return pa.schema([arrow_field(f) for f in resource.fields])


def arrow_column(values: list, field: pa.Field, allowed: list | None) -> pa.Array:
    if pa.types.is_dictionary(field.type):
        dictionary = pa.array([str(v) for v in allowed], pa.string())
        position = {value: i for i, value in enumerate(dictionary.to_pylist())}
        indices = pa.array([None if v is None else position[v] for v in values], pa.int32())
        return pa.DictionaryArray.from_arrays(indices, dictionary)
    return pa.array(values, field.type)


def arrow_table(dataset: Dataset, name: str) -> pa.Table:
    resource = dataset.resource(name)
    schema = arrow_schema(resource)
    rows = dataset.rows(name)
    columns = [
        arrow_column(
            [row[i] for row in rows],
            schema.field(i),
            field.vocabulary,
        )
        for i, field in enumerate(resource.fields)
    ]
    return pa.Table.from_arrays(columns, schema=schema)


def write(dataset: Dataset, out: Path) -> list[str]:
    folder = out / FOLDER
    folder.mkdir()
    written = []
    for resource in dataset.resources:
        path = folder / f"{resource.name}.parquet"
        pq.write_table(arrow_table(dataset, resource.name), path, compression="zstd")
        written.append(f"{FOLDER}/{path.name}")
    return written
