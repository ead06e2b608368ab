"""One module per output format, each with `write(dataset, out_dir) -> list[str]` (files written).

`jkdata.build` runs them in order into a temporary directory and swaps it into place.
"""


class BuildError(Exception):
    """The package is valid but cannot be built as it stands (say, a file the bundle needs is missing)."""
