"""Shared fixtures: a scratch copy of the real package, the source texts, and the CLI runner."""

from __future__ import annotations

import csv
import datetime
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from jkdata.cli import cli
from jkdata.exports.bundle import DOCUMENTS

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"
# The package and the documents that travel with it (the release bundle ships them; `release`
# and `docs` rewrite some of them).
# What a copy of the package holds: the descriptor, data, schemas and the documents the release
# bundle ships (those in docs/ come with the folder).
PACKAGE_PARTS = (
    "datapackage.json",
    "data",
    "schemas",
    *dict.fromkeys(name.split("/")[0] for name in DOCUMENTS),
)


def pytest_addoption(parser):
    parser.addoption(
        "--fuzz-cases",
        type=int,
        default=0,
        help="How many cases tests/test_fuzz.py runs (default: JKDATA_FUZZ_CASES, else 200).",
    )


needs_seeds = pytest.mark.skipif(not SEEDS.is_dir(), reason=f"source texts not found at {SEEDS}")


def copy_package(tmp_path: Path) -> Path:
    """A writable copy of the package in tmp_path/package, with ../shared/seeds linked beside it."""
    root = tmp_path / "package"
    root.mkdir()
    for part in PACKAGE_PARTS:
        source = ROOT / part
        if source.is_dir():
            shutil.copytree(source, root / part)
        else:
            shutil.copy(source, root / part)
    if SEEDS.is_dir() and not (tmp_path / "shared").exists():
        (tmp_path / "shared").mkdir()
        (tmp_path / "shared" / "seeds").symlink_to(SEEDS)
    return root


@pytest.fixture
def package(tmp_path: Path) -> Path:
    return copy_package(tmp_path)


def run_validate(package_dir: Path, *args: str):
    """Run `jkdata validate --format json` and return (exit code, report dict or None, output)."""
    result = CliRunner().invoke(cli, ["validate", str(package_dir), "--format", "json", *args])
    try:
        report = json.loads(result.output)
    except json.JSONDecodeError:
        report = None
    return result.exit_code, report, result.output


def edit(path: Path, old: str, new: str) -> None:
    """Replace the first `old` in a text file, failing loudly if it is not there."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# --- jkdata build -----------------------------------------------------------------------------

DESCRIPTOR = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
TABLES = [r["name"] for r in DESCRIPTOR["resources"]]


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Path:
    """dist/ built once per session from the real package, into a scratch directory."""
    from jkdata.exports.build import build

    dist = tmp_path_factory.mktemp("build") / "dist"
    build(ROOT, dist, sources_dir=SEEDS if SEEDS.is_dir() else None, refresh_docs=False)
    return dist


def schema_of(name: str, root: Path = ROOT) -> dict:
    return json.loads((root / "schemas" / f"{name}.schema.json").read_text(encoding="utf-8"))


def _typed(text: str, field: dict):
    # Written independently of jkdata's converters, so round trips compare against the CSV itself.
    kind = field.get("type", "string")
    if text == "":
        return None
    if kind == "date":
        return datetime.date.fromisoformat(text)
    if kind in ("integer", "year"):
        return int(text)
    if kind == "number":
        return float(text)
    if kind == "boolean":
        return text in field.get("trueValues", ["true", "True", "TRUE", "1"])
    return text


def csv_rows(name: str, root: Path = ROOT) -> list[dict]:
    """A table's rows as dicts of typed values (None for empty cells), straight from the CSV."""
    fields = {f["name"]: f for f in schema_of(name, root)["fields"]}
    with open(root / "data" / f"{name}.csv", encoding="utf-8", newline="") as handle:
        return [
            {key: _typed(value, fields[key]) for key, value in row.items()}
            for row in csv.DictReader(handle)
        ]
