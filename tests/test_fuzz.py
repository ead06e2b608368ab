"""A seeded, bounded differential fuzzer: random mutations of a copy of the package.

Each case breaks the copy in one random way (a flipped byte, swapped, duplicated or removed cells
and rows, a truncated file, a schema or descriptor value replaced by a strange one), then checks:
`jkdata validate` never ends in an internal error (exit 3) or a traceback, and whenever
frictionless (its Python API) finds an error, jkdata finds one too. The reverse does not hold, on
purpose: the README lists the refusals jkdata does not share with frictionless.

The cases run in two worker processes (the two cores `make test` has). The default count keeps
the test under a minute; for a longer run: `JKDATA_FUZZ_CASES=5000 pytest tests/test_fuzz.py` or
`pytest tests/test_fuzz.py --fuzz-cases 5000` (and JKDATA_FUZZ_SEED for other cases).
"""

from __future__ import annotations

import csv
import io
import json
import multiprocessing
import os
import random
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from conftest import copy_package

DEFAULT_CASES = 200
WORKERS = 2
STRANGE_VALUES = [
    None,
    "",
    0,
    -1,
    1.5,
    True,
    "x" * 300,
    "[",
    "(",
    "^$",
    [],
    {},
    ["a", "a"],
    {"a": {"b": [1]}},
    "integer",
    "string",
    "date",
    "../x",
    "javascript:alert(1)",
    "événement",
    "\u200b",
]
SCHEMA_KEYS = ["type", "name", "format", "constraints", "missingValues", "categories"]
CONSTRAINT_KEYS = ["required", "unique", "minLength", "maxLength", "minimum", "maximum", "pattern"]


def case_count(config) -> int:
    return (
        config.getoption("--fuzz-cases")
        or int(os.environ.get("JKDATA_FUZZ_CASES", 0))
        or (DEFAULT_CASES)
    )


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def _text(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def _mutate_table(rng: random.Random, path: Path) -> str:
    data = path.read_bytes()
    kind = rng.choice(
        [
            "flip",
            "truncate",
            "swap_cells",
            "copy_cell",
            "drop_cell",
            "dup_row",
            "drop_row",
            "swap_rows",
            "set_cell",
        ]
    )
    if kind == "flip" and data:
        at = rng.randrange(len(data))
        path.write_bytes(data[:at] + bytes([rng.randrange(256)]) + data[at + 1 :])
        return f"{kind} byte {at}"
    if kind == "truncate" and data:
        at = rng.randrange(len(data))
        path.write_bytes(data[:at])
        return f"{kind} at {at}"
    try:
        rows = _rows(data.decode("utf-8"))
    except (UnicodeDecodeError, csv.Error):
        return "unchanged"
    body = range(1, len(rows))
    if len(rows) < 3:
        return "unchanged"
    r1, r2 = rng.choice(body), rng.choice(body)
    width = len(rows[r1])
    c1, c2 = rng.randrange(width), rng.randrange(width)
    if kind == "swap_cells":
        rows[r1][c1], rows[r1][c2] = rows[r1][c2], rows[r1][c1]
    elif kind == "copy_cell" and c1 < len(rows[r2]):
        rows[r2][c1] = rows[r1][c1]
    elif kind == "drop_cell":
        del rows[r1][c1]
    elif kind == "dup_row":
        rows.insert(r2, list(rows[r1]))
    elif kind == "drop_row":
        del rows[r1]
    elif kind == "swap_rows":
        rows[r1], rows[r2] = rows[r2], rows[r1]
    elif kind == "set_cell":
        rows[r1][c1] = str(rng.choice(STRANGE_VALUES[1:]))
    path.write_text(_text(rows), encoding="utf-8")
    return f"{kind} rows {r1},{r2} columns {c1},{c2}"


def _mutate_json(rng: random.Random, path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    if rng.random() < 0.15:
        at = rng.randrange(len(text))
        path.write_text(text[:at], encoding="utf-8")
        return f"truncate json at {at}"
    data = json.loads(text)
    value = rng.choice(STRANGE_VALUES)
    if "fields" in data:  # a schema
        field = rng.choice(data["fields"])
        if rng.random() < 0.5:
            field.setdefault("constraints", {})
            if isinstance(field["constraints"], dict):
                field["constraints"][rng.choice(CONSTRAINT_KEYS)] = value
        else:
            key = rng.choice(SCHEMA_KEYS)
            if rng.random() < 0.3:
                field.pop(key, None)
            else:
                field[key] = value
        where = f"field {field.get('name')!r}"
    else:  # the descriptor
        entry = rng.choice(data["resources"])
        key = rng.choice(["path", "name", "schema", "format", "encoding", "dialect"])
        entry[key] = value
        where = f"resource {key}"
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    return f"json {where} = {value!r}"[:120]


def _frictionless_finds_error(root: Path, resource: str | None) -> bool:
    """frictionless' verdict: the whole package when the descriptor changed, else the resource
    (with its foreign keys); an exception is a refusal too."""
    from frictionless import Package

    try:
        package = Package(str(root / "datapackage.json"))
        report = (
            package.validate() if resource is None else package.get_resource(resource).validate()
        )
    except Exception:
        return True
    return not report.valid


def _run_cases(seed: int, cases: list[int]) -> list[str]:
    """Run some cases in one worker process; returns a line per failure."""
    from click.testing import CliRunner

    from jkdata.cli import cli

    failures = []
    with tempfile.TemporaryDirectory() as scratch:
        root = copy_package(Path(scratch))
        originals = {p: p.read_bytes() for p in (root / "data").glob("*.csv")}
        originals |= {p: p.read_bytes() for p in (root / "schemas").glob("*.json")}
        originals[root / "datapackage.json"] = (root / "datapackage.json").read_bytes()
        descriptor = json.loads(originals[root / "datapackage.json"])
        by_file = {r["path"]: r["name"] for r in descriptor["resources"]}
        by_file |= {r["schema"]: r["name"] for r in descriptor["resources"]}
        targets = sorted(originals)
        for case in cases:
            rng = random.Random(f"{seed}:{case}")
            target = rng.choice(targets)
            if target.suffix == ".csv":
                what = _mutate_table(rng, target)
            else:
                what = _mutate_json(rng, target)
            relative = target.relative_to(root).as_posix()
            resource = by_file.get(relative)  # None for the descriptor: the whole package
            result = CliRunner().invoke(cli, ["validate", str(root), "--format", "json"])
            label = f"case {case} (seed {seed}): {relative}: {what}"
            if result.exit_code not in (0, 1) or "Traceback" in result.output:
                failures.append(f"{label}: exit {result.exit_code}: {result.output[-300:]}")
            elif result.exception is not None and not isinstance(result.exception, SystemExit):
                failures.append(f"{label}: {type(result.exception).__name__}: {result.exception}")
            elif result.exit_code == 0 and _frictionless_finds_error(root, resource):
                failures.append(f"{label}: frictionless finds an error, jkdata none")
            target.write_bytes(originals[target])
    return failures


def test_fuzzed_packages_never_crash_and_miss_nothing_frictionless_finds(request):
    cases = case_count(request.config)
    seed = int(os.environ.get("JKDATA_FUZZ_SEED", 15))
    context = multiprocessing.get_context("spawn")  # no fork of a process with thread pools
    with ProcessPoolExecutor(WORKERS, mp_context=context) as pool:
        shares = [list(range(i, cases, WORKERS)) for i in range(WORKERS)]
        failures = [f for found in pool.map(_run_cases, [seed] * WORKERS, shares) for f in found]
    assert not failures, f"{len(failures)} of {cases} cases failed:\n" + "\n".join(failures[:20])
