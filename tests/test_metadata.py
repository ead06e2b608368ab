"""Metadata tests in the spirit of PUDL's: every schema valid, used and consistent with the data."""

from __future__ import annotations

import csv
import json
import re

import pytest
from frictionless import Package as FrictionlessPackage
from frictionless import Schema as FrictionlessSchema

from conftest import ROOT

V2 = "https://datapackage.org/profiles/2.0/"
DESCRIPTOR = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
RESOURCES = DESCRIPTOR["resources"]
SCHEMAS = {
    r["name"]: json.loads((ROOT / r["schema"]).read_text(encoding="utf-8")) for r in RESOURCES
}
IDS = [r["name"] for r in RESOURCES]


def test_descriptor_follows_v2_profile():
    assert DESCRIPTOR["$schema"] == V2 + "datapackage.json"
    assert list(FrictionlessPackage.metadata_validate(DESCRIPTOR)) == []
    for key in (
        "name",
        "title",
        "description",
        "version",
        "licenses",
        "sources",
        "contributors",
        "created",
        "keywords",
    ):
        assert DESCRIPTOR.get(key), f"descriptor lacks {key}"
    assert re.fullmatch(r"\d+\.\d+\.\d+", DESCRIPTOR["version"])
    assert all(c.get("roles") for c in DESCRIPTOR["contributors"])


@pytest.mark.parametrize("resource", RESOURCES, ids=IDS)
def test_resource_is_a_v2_table(resource):
    assert resource["$schema"] == V2 + "dataresource.json"
    assert resource["type"] == "table"
    assert resource["path"] == f"data/{resource['name']}.csv"
    assert resource["schema"] == f"schemas/{resource['name']}.schema.json"
    assert resource.get("title") and resource.get("description")
    assert resource["encoding"] == "utf-8"


def test_every_schema_file_is_referenced_once_and_every_data_file_described():
    referenced = sorted(r["schema"] for r in RESOURCES)
    on_disk = sorted(f"schemas/{p.name}" for p in (ROOT / "schemas").glob("*.json"))
    assert referenced == on_disk
    assert sorted(r["path"] for r in RESOURCES) == sorted(
        f"data/{p.name}" for p in (ROOT / "data").glob("*.csv")
    )


@pytest.mark.parametrize("name", IDS)
def test_schema_is_valid_table_schema(name):
    schema = SCHEMAS[name]
    assert schema["$schema"] == V2 + "tableschema.json"
    assert list(FrictionlessSchema.metadata_validate(schema)) == []
    assert isinstance(schema["primaryKey"], list)
    for fk in schema.get("foreignKeys", []):
        assert isinstance(fk["fields"], list) and isinstance(fk["reference"]["fields"], list)


@pytest.mark.parametrize("name", IDS)
def test_schema_fields_equal_csv_header(name):
    with open(ROOT / f"data/{name}.csv", encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    assert header == [f["name"] for f in SCHEMAS[name]["fields"]]


@pytest.mark.parametrize("name", IDS)
def test_every_field_is_documented_for_readers(name):
    for field in SCHEMAS[name]["fields"]:
        assert re.fullmatch(r"[a-z][a-z0-9_]*", field["name"]), field["name"]
        assert field.get("title"), f"{name}.{field['name']} has no title"
        assert len(field.get("description", "")) >= 20, (
            f"{name}.{field['name']} needs a real description"
        )


@pytest.mark.parametrize("name", IDS)
def test_categories_are_mirrored_in_enum_with_meanings(name):
    # frictionless 5 does not enforce `categories`; `constraints.enum` must say the same thing.
    for field in SCHEMAS[name]["fields"]:
        if "categories" not in field:
            continue
        values = [c["value"] for c in field["categories"]]
        assert field["constraints"]["enum"] == values, f"{name}.{field['name']}"
        assert all(len(c.get("label", "")) >= 5 for c in field["categories"]), (
            f"{name}.{field['name']} lacks meanings"
        )


def test_same_named_fields_agree_across_tables():
    seen: dict[str, tuple[str, dict]] = {}
    for name, schema in SCHEMAS.items():
        for field in schema["fields"]:
            constraints = field.get("constraints", {})
            shape = {
                "type": field.get("type"),
                "format": field.get("format", "default"),
                "pattern": constraints.get("pattern"),
                "enum": constraints.get("enum"),
                "maxLength": constraints.get("maxLength"),
            }
            if field["name"] in seen:
                first_table, first_shape = seen[field["name"]]
                assert shape == first_shape, (
                    f"{field['name']} differs between {first_table} and {name}"
                )
            else:
                seen[field["name"]] = (name, shape)


def test_entity_ids_are_prefixed_and_foreign_keys_match_their_targets():
    prefixes = {}
    for name, schema in SCHEMAS.items():
        key = schema["primaryKey"]
        if len(key) == 1:
            field = next(f for f in schema["fields"] if f["name"] == key[0])
            assert key[0].endswith("_id")
            match = re.fullmatch(r"([A-Z]{2})-\[0-9\]\{4,\}", field["constraints"]["pattern"])
            assert match, f"{name}.{key[0]} needs an opaque prefixed ID pattern"
            prefixes[name] = (key[0], field["constraints"]["pattern"])
    assert len({p for _, p in prefixes.values()}) == len(prefixes), (
        "ID prefixes must differ per table"
    )
    for schema in SCHEMAS.values():
        for fk in schema.get("foreignKeys", []):
            target = fk["reference"]["resource"]
            assert target in SCHEMAS
            for local, remote in zip(fk["fields"], fk["reference"]["fields"], strict=True):
                field = next(f for f in schema["fields"] if f["name"] == local)
                remote_field = next(f for f in SCHEMAS[target]["fields"] if f["name"] == remote)
                assert field["type"] == remote_field["type"]
                assert field["constraints"].get("pattern") == remote_field["constraints"].get(
                    "pattern"
                )


def test_every_cited_table_is_an_entity_table_with_an_id():
    enum = next(f for f in SCHEMAS["citations"]["fields"] if f["name"] == "table_name")[
        "constraints"
    ]["enum"]
    for table in enum:
        assert len(SCHEMAS[table]["primaryKey"]) == 1
    record_pattern = next(f for f in SCHEMAS["citations"]["fields"] if f["name"] == "record_id")[
        "constraints"
    ]["pattern"]
    for table in enum:
        id_pattern = next(
            f for f in SCHEMAS[table]["fields"] if f["name"] == SCHEMAS[table]["primaryKey"][0]
        )["constraints"]["pattern"]
        assert id_pattern[:2] in record_pattern, (
            f"citations.record_id pattern must admit {table} IDs"
        )


def test_every_link_table_carries_evidence():
    for name, schema in SCHEMAS.items():
        if len(schema["primaryKey"]) > 1:
            fields = [f["name"] for f in schema["fields"]]
            assert "citation_id" in fields, f"{name} links records without evidence"
            assert any(fk["reference"]["resource"] == "citations" for fk in schema["foreignKeys"])


def test_identity_marks_are_valid_and_every_entity_table_has_one():
    for name, schema in SCHEMAS.items():
        marks = {f["name"]: f["x-identity"] for f in schema["fields"] if "x-identity" in f}
        assert set(marks.values()) <= {"exact", "similar", "overlap"}, name
        for field in (f for f in schema["fields"] if f.get("x-identity") == "overlap"):
            names = {f["name"] for f in schema["fields"]}
            assert field["name"] == "date" and {"date_start", "date_end"} <= names, name
        for field in (f for f in schema["fields"] if f.get("x-identity") == "similar"):
            assert field["type"] == "string" and "enum" not in field.get("constraints", {}), (
                f"{name}.{field['name']}"
            )
        if len(schema["primaryKey"]) == 1:
            assert marks, (
                f"{name} has an ID but no identity field: what would a change of meaning be?"
            )
