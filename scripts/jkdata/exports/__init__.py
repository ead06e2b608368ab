"""One module per output format, each with `write(dataset, out_dir) -> list[str]` (files written)
and `FILES`: each path it writes in dist/ (with `{name}`, `{version}` or `<table>` standing for
the parts that vary) and what the file is for.

`exports.build` runs them in order into a temporary directory and swaps it into place; what a
build may replace, and the README's Downloads table, both derive from `FILES`.
"""

import re

_VARYING = re.compile(r"\{[^}]*\}|<[^>]*>")


def dist_pattern(path: str) -> str:
    """The glob of the name in dist/ that a declared path lies under."""
    return _VARYING.sub("*", path.split("/", 1)[0])


def shown_path(path: str, name: str) -> str:
    """A declared path as a reader sees it: the package's name filled in, the rest left open."""
    return path.replace("{name}", name).replace("{version}", "<version>")


class BuildError(Exception):
    """The package is valid but cannot be built as it stands (say, a file the bundle needs is missing)."""
