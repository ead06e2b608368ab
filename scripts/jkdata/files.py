"""Reading and writing the package's own files.

Only regular files are read (`read_regular`): a named pipe would block the read forever and a
device might never end, so anything else is refused at once, saying what it is.

Writing (data, docs, versioned files) is every file or none.

Each file is first written beside its target, with the target's permission bits, and only when
all are written are they renamed into place; a failure before the renames leaves every file as it
was, and no temporary file behind.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from pathlib import Path

NEW_FILE_MODE = 0o644  # a file that did not exist yet: readable by everyone, like a checkout's

_KINDS = (
    (stat.S_ISDIR, "directory"),
    (stat.S_ISFIFO, "named pipe (FIFO)"),
    (stat.S_ISSOCK, "socket"),
    (stat.S_ISCHR, "character device"),
    (stat.S_ISBLK, "block device"),
)


class NotRegularFile(OSError):
    """A path the package names that is not a regular file; `kind` says what it is."""

    def __init__(self, path: Path, kind: str):
        super().__init__(errno.EINVAL, f"is a {kind}, not a regular file", str(path))
        self.kind = kind


def kind_of(mode: int) -> str | None:
    """What a file of this mode is, in words, unless it is a regular file (None)."""
    if stat.S_ISREG(mode):
        return None
    return next((name for test, name in _KINDS if test(mode)), "special file")


def not_regular(path: Path) -> str | None:
    """What `path` (its symlinks followed) is when it exists and is not a regular file, else None."""
    try:
        return kind_of(path.stat().st_mode)
    except OSError:
        return None


def read_regular(path: Path) -> bytes:
    """The bytes of a regular file; NotRegularFile at once for anything else.

    The file is opened without blocking and checked on its open descriptor, so that a named pipe
    cannot block the open, and nothing can be swapped in between the check and the read."""
    handle = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        kind = kind_of(os.fstat(handle).st_mode)
    except BaseException:
        os.close(handle)
        raise
    if kind is not None:
        os.close(handle)
        raise NotRegularFile(path, kind)
    with open(handle, "rb", closefd=True) as stream:
        return stream.read()


def _stage(path: Path, data: str | bytes) -> Path:
    """Write data into a temporary sibling of path, with path's permission bits."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(handle)
    temporary = Path(name)
    try:
        if isinstance(data, str):
            temporary.write_text(data, encoding="utf-8")
        else:
            temporary.write_bytes(data)
        # mkstemp makes the file private (0600): give it the original's permission bits.
        mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else NEW_FILE_MODE
        os.chmod(temporary, mode)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return temporary


def write_all(files: dict[Path, str | bytes]) -> None:
    """Write every file (text as UTF-8) or, on an OSError before the renames, none."""
    staged: list[tuple[Path, Path]] = []
    try:
        for path, data in files.items():
            staged.append((_stage(path, data), path))
        for temporary, path in staged:
            os.replace(temporary, path)
    finally:
        for temporary, _ in staged:
            temporary.unlink(missing_ok=True)
