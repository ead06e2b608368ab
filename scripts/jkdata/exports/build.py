"""`jkdata build`: validate, then write every output into `dist/`, atomically and deterministically.

Nothing is written unless the package is valid. The outputs go into a fresh directory beside
`dist/` and only a complete set replaces it, by an atomic exchange of the two directories where
the system offers one (Linux `renameat2`), else two renames; a failure at any step removes the
new directory and leaves the previous `dist/` as it was. Dates come from the package, never
from the clock, so the same input gives byte-identical files.

Because the old `dist/` is deleted, the build first makes sure it is one: it refuses a `dist` that
is the package directory or contains it, that is, contains or lies inside one of the package's own
files or folders (data/, schemas/, docs/, the descriptor, README.md and the other documents, the
source texts), and an existing non-empty directory that a build did not make. A build marks its
output with a `.jkdata-build` file; a `dist/` of an earlier version, without the mark, is
recognised by its files.
"""

from __future__ import annotations

import contextlib
import ctypes
import fnmatch
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

try:
    import fcntl
except ImportError:  # not a POSIX system: stale staging directories are left for the user
    fcntl = None

from jkdata.exports import (
    bundle,
    dist_pattern,
    flat,
    graphml,
    parquet,
    picture,
    site,
    sqlite,
    timeline,
    timeline_html,
    timelinejs_sheet,
    xlsx,
)
from jkdata.exports.dataset import load_dataset
from jkdata.files import write_all
from jkdata.model.load import DESCRIPTOR, read_descriptor
from jkdata.validate.run import Report, validate_package

# The flat file, the workbook and the picture come before the bundle, which ships them; the site
# comes last, as it copies and checksums the others.
EXPORTS = (
    flat,
    xlsx,
    sqlite,
    parquet,
    timeline,
    timelinejs_sheet,
    timeline_html,
    graphml,
    picture,
    bundle,
    site,
)
DOCS_PICTURE = Path("docs") / picture.FILE  # committed copy shown at the top of the README


MARKER = ".jkdata-build"  # in every directory a build makes, so that the next build may replace it
MARKER_TEXT = "Made by `jkdata build`; the next build replaces this directory whole.\n"
# What a build wrote before it left the marker: such a dist/ may be replaced too.
_UNMARKED_BUILD = (flat.FILE, timeline.FILE)
_BUILD_NAMES = tuple(dist_pattern(path) for export in EXPORTS for path in export.FILES)
# The package's own files and folders (beside those its descriptor names): never a dist. The
# documents are those the release bundle ships (docs/codebook.md lies in "docs").
PACKAGE_PARTS = (
    DESCRIPTOR,
    "data",
    "schemas",
    "docs",
    *(name for name in bundle.DOCUMENTS if "/" not in name),
    "pyproject.toml",
    "requirements.lock",
    "Makefile",
    "scripts",
    "tests",
    ".git",
    ".github",
    ".ci",
    ".zenodo.json",
)


class UnsafeDist(Exception):
    """The output directory given would replace something the build did not make."""


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


def _within(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _descriptor_paths(root: Path) -> list[str]:
    """The data and schema paths the descriptor names, read leniently (validation comes later)."""
    descriptor, _ = read_descriptor(root)
    resources = (descriptor or {}).get("resources", [])
    paths = []
    for entry in resources if isinstance(resources, list) else []:
        if isinstance(entry, dict):
            paths += [v for v in (entry.get("path"), entry.get("schema")) if isinstance(v, str)]
    return paths


def made_by_build(folder: Path) -> bool:
    """True when a build made this directory: it holds the marker, or (a build from before the
    marker) only names a build writes, among them its flat file and timeline."""
    if (folder / MARKER).is_file():
        return True
    names = [entry.name for entry in folder.iterdir()]
    return all(name in names for name in _UNMARKED_BUILD) and all(
        any(fnmatch.fnmatchcase(name, pattern) for pattern in _BUILD_NAMES) for name in names
    )


def check_dist(root: Path, dist: Path, sources_dir: Path | None = None) -> None:
    """Raise UnsafeDist unless replacing `dist` can only delete an earlier build's outputs."""
    root, target = Path(root).resolve(), Path(dist).resolve()
    if _within(root, target):
        raise UnsafeDist(f"{dist} is the package directory or contains it")
    protected = [root / part for part in (*PACKAGE_PARTS, *_descriptor_paths(root))]
    if sources_dir is not None:
        protected.append(Path(sources_dir).resolve())
    for part in (p.resolve() for p in protected):
        if _within(target, part) or _within(part, target):
            raise UnsafeDist(f"{dist} would replace {part} (the package's own files)")
    if target.exists() and not target.is_dir():
        raise UnsafeDist(f"{dist} is not a directory")
    if target.is_dir() and any(target.iterdir()) and not made_by_build(target):
        raise UnsafeDist(
            f"{dist} is a non-empty directory that `jkdata build` did not make (it has no "
            f"{MARKER}); remove it or choose another --dist"
        )


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
        try:
            os.rename(staging, dist)
            return
        except OSError:
            if not dist.is_dir():
                raise
        # Another build's first dist arrived in between: replace it like any earlier build's.
        if not made_by_build(dist):
            raise UnsafeDist(f"{dist} appeared during the build and no build made it")
    if _exchange(staging, dist):
        # It now holds the previous dist; a build that starts meanwhile may remove it first.
        shutil.rmtree(staging, ignore_errors=True)
        return
    old = staging.with_name(staging.name.replace(".tmp-", ".old-"))
    with _in_use(dist):  # the previous dist, soon `old`: no other build removes it meanwhile
        os.rename(dist, old)
        try:
            os.rename(staging, dist)
        except OSError:
            os.rename(old, dist)
            raise
        shutil.rmtree(old, ignore_errors=True)


@contextlib.contextmanager
def _in_use(staging: Path):
    """Hold an exclusive lock on the staging directory while the build writes and swaps it in:
    the lock ends with the process, so a directory whose lock can be taken was left by a build
    that was killed (see `remove_stale_staging`). Where there are no such locks, nothing is held."""
    if fcntl is None:
        yield
        return
    handle = os.open(staging, os.O_RDONLY)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)


def remove_stale_staging(dist: Path) -> list[Path]:
    """Delete the staging directories that killed builds left beside `dist` (`dist.tmp-*`, and the
    `dist.old-*` of a swap cut short): only directories a build made (they hold its marker) and
    that no running build holds (their lock can be taken). Returns what was removed."""
    if fcntl is None or not dist.parent.is_dir():
        return []
    removed = []
    prefixes = (f"{dist.name}.tmp-", f"{dist.name}.old-")
    for path in sorted(p for p in dist.parent.iterdir() if p.name.startswith(prefixes)):
        if path.is_symlink() or not path.is_dir() or not (path / MARKER).is_file():
            continue
        try:
            handle = os.open(path, os.O_RDONLY)
        except OSError:
            continue
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            continue  # a running build's
        else:
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
        finally:
            os.close(handle)
    return removed


def refresh_picture(root: Path, built: bytes, write: bool) -> tuple[bool, bool]:
    """Compare docs/timeline.png with the picture just built; rewrite it if asked. (current, written)"""
    target = root / DOCS_PICTURE
    if target.is_file() and target.read_bytes() == built:
        return True, False
    if not write:
        return False, False
    write_all({target: built})
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

    Raises UnsafeDist when `dist` is not an earlier build's to replace (see check_dist), and
    InvalidPackage (with the validation report) when the package is invalid, before touching
    anything. With refresh_docs, docs/timeline.png is rewritten when it is stale.
    """
    root = Path(root)
    dist = Path(dist) if dist is not None else root / "dist"
    check_dist(root, dist, sources_dir)
    report = validate_package(root, sources_dir=sources_dir, frictionless=frictionless)
    if not report.valid:
        raise InvalidPackage(report)
    dist.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_staging(dist)
    staging = Path(tempfile.mkdtemp(prefix=f"{dist.name}.tmp-", dir=dist.parent))
    try:
        with _in_use(staging):
            (staging / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
            files = write_outputs(root, staging)
            staging.chmod(0o755)  # mkdtemp makes it private; dist/ is for everyone to read
            swap_into_place(staging, dist)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    current, written = refresh_picture(root, (dist / picture.FILE).read_bytes(), refresh_docs)
    return BuildResult(dist, files, report, current, written)
