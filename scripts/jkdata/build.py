"""`jkdata build`: validate, then write every output into `dist/`, atomically and deterministically.

Nothing is written unless the package is valid. The outputs go into a fresh directory beside
`dist/` and only a complete set replaces it, by an atomic exchange of the two directories where
the system offers one (Linux `renameat2`), else two renames; a failure at any step removes the
new directory and leaves the previous `dist/` as it was. Dates come from the package, never
from the clock, so the same input gives byte-identical files.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .exports import (
    bundle,
    flat,
    graphml,
    parquet,
    picture,
    sqlite,
    timeline,
    timeline_html,
    xlsx,
)
from .exports.dataset import load_dataset
from .validate import Report, validate_package

# The picture comes before the bundle, which ships it beside the README that shows it.
EXPORTS = (flat, xlsx, sqlite, parquet, timeline, timeline_html, graphml, picture, bundle)
DOCS_PICTURE = Path("docs") / picture.FILE  # committed copy shown at the top of the README


class InvalidPackage(Exception):
    def __init__(self, report: Report):
        super().__init__(f"the package has {len(report.problems)} problems")
        self.report = report


@dataclass
class BuildResult:
    dist: Path
    files: list[str]  # paths relative to dist, in the order they were written
    report: Report
    picture_current: bool  # docs/timeline.png already matched the picture just built
    picture_written: bool  # docs/timeline.png was rewritten

    def sizes(self) -> list[tuple[str, int]]:
        return [(name, (self.dist / name).stat().st_size) for name in self.files]


def write_outputs(root: Path, out: Path) -> list[str]:
    """Every export of the (already validated) package under `root`, into the directory `out`."""
    dataset = load_dataset(root)
    files: list[str] = []
    for export in EXPORTS:
        files += export.write(dataset, out)
    return files


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one atomic step (Linux renameat2 RENAME_EXCHANGE); False if unsupported."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    return renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0


def swap_into_place(staging: Path, dist: Path) -> None:
    """Make `staging` the new `dist`; the previous contents are deleted only once it is in place."""
    if not dist.exists():
        os.rename(staging, dist)
        return
    if _exchange(staging, dist):
        shutil.rmtree(staging)  # it now holds the previous dist
        return
    old = staging.with_name(staging.name.replace(".tmp-", ".old-"))
    os.rename(dist, old)
    try:
        os.rename(staging, dist)
    except OSError:
        os.rename(old, dist)
        raise
    shutil.rmtree(old)


def refresh_picture(root: Path, built: bytes, write: bool) -> tuple[bool, bool]:
    """Compare docs/timeline.png with the picture just built; rewrite it if asked. (current, written)"""
    target = root / DOCS_PICTURE
    if target.is_file() and target.read_bytes() == built:
        return True, False
    if not write:
        return False, False
    target.parent.mkdir(exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    partial.write_bytes(built)
    os.replace(partial, target)
    return False, True


def build(
    root: Path,
    dist: Path | None = None,
    *,
    sources_dir: Path | None = None,
    frictionless: str = "auto",
    refresh_docs: bool = True,
) -> BuildResult:
    """Validate the package under `root`, then build all outputs into `dist` (default root/dist).

    Raises InvalidPackage (with the validation report) before touching anything when the
    package is invalid. With refresh_docs, docs/timeline.png is rewritten when it is stale.
    """
    root = Path(root)
    dist = Path(dist) if dist is not None else root / "dist"
    report = validate_package(root, sources_dir=sources_dir, frictionless=frictionless)
    if not report.valid:
        raise InvalidPackage(report)
    dist.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f"{dist.name}.tmp-", dir=dist.parent))
    try:
        files = write_outputs(root, staging)
        staging.chmod(0o755)  # mkdtemp makes it private; dist/ is for everyone to read
        swap_into_place(staging, dist)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    current, written = refresh_picture(root, (dist / picture.FILE).read_bytes(), refresh_docs)
    return BuildResult(dist, files, report, current, written)
