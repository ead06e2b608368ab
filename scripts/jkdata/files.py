"""Writing the package's own files (data, docs, versioned files): every file or none.

Each file is first written beside its target, with the target's permission bits, and only when
all are written are they renamed into place; a failure before the renames leaves every file as it
was, and no temporary file behind.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

NEW_FILE_MODE = 0o644  # a file that did not exist yet: readable by everyone, like a checkout's


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
