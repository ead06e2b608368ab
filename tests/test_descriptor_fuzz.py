"""A broken descriptor or schema of any shape gives problems and exit 1, never an internal error."""

from __future__ import annotations

import json

import pytest

from conftest import ROOT, run_validate

WRONG_VALUES = [None, 7, "x", [], {}]
PACKAGE_KEYS = list(json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8")))
RESOURCE_KEYS = ["name", "path", "schema", "type", "format", "encoding"]
SCHEMA_KEYS = ["fields", "primaryKey", "foreignKeys", "uniqueKeys", "missingValues"]


def _mutations():
    for key in PACKAGE_KEYS:
        yield "datapackage.json", (key,)
    for key in RESOURCE_KEYS:
        yield "datapackage.json", ("resources", 5, key)  # event_actors: has foreign keys
    for key in SCHEMA_KEYS:
        yield "schemas/event_actors.schema.json", (key,)
    yield "schemas/event_actors.schema.json", ("foreignKeys", 0, "reference")
    yield "schemas/event_actors.schema.json", ("fields", 0)
    yield "schemas/event_actors.schema.json", ("fields", 0, "constraints")


@pytest.mark.parametrize("file, path", list(_mutations()), ids=lambda v: str(v))
def test_wrong_shapes_never_crash(package, file, path):
    target = package / file
    original = json.loads(target.read_text(encoding="utf-8"))
    for wrong in WRONG_VALUES:
        data = json.loads(json.dumps(original))
        node = data
        for step in path[:-1]:
            node = node[step]
        node[path[-1]] = wrong
        target.write_text(json.dumps(data), encoding="utf-8")
        code, report, output = run_validate(package, "--frictionless", "never")
        assert code in (0, 1), f"{file} {path} = {wrong!r}: exit {code}\n{output}"
        assert report is not None, output
