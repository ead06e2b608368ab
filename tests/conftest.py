"""Shared fixtures: a scratch copy of the real package, the source texts, and the CLI runner."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from jkdata.cli import cli

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"
PACKAGE_PARTS = ("datapackage.json", "data", "schemas", "CHANGELOG.md", "CITATION.cff")

needs_seeds = pytest.mark.skipif(not SEEDS.is_dir(), reason=f"source texts not found at {SEEDS}")


@pytest.fixture
def package(tmp_path: Path) -> Path:
    """A writable copy of the package; ../shared/seeds is linked beside it when available."""
    root = tmp_path / "package"
    root.mkdir()
    for part in PACKAGE_PARTS:
        source = ROOT / part
        if source.is_dir():
            shutil.copytree(source, root / part)
        else:
            shutil.copy(source, root / part)
    if SEEDS.is_dir():
        (tmp_path / "shared").mkdir()
        (tmp_path / "shared" / "seeds").symlink_to(SEEDS)
    return root


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
