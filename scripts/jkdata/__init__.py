"""jkdata: validate, format, diff and export the Japan–South Korea relations data package.

For analysis in Python: `read_table(name)` gives a table typed from its schema, and
`pandera_schema(name)` a pandera schema to validate the frames derived from it (see `typed`).
"""

__all__ = ["PackageError", "pandera_schema", "read_table"]

# Loaded on first use (`jkdata.read_table`), so that `import jkdata` and the command line stay cheap.
_TYPED = frozenset(__all__)


def __getattr__(name: str):
    if name in _TYPED:
        from jkdata import typed

        return getattr(typed, name)
    # The version is looked up on first use: importlib.metadata is slow to import, and the
    # command line needs it only for --version.
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("jkdata")
        except PackageNotFoundError:  # running from a source tree that is not installed
            return "0+unknown"
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
