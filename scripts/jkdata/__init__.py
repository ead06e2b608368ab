"""jkdata: validate, format, diff and export the Japan–South Korea relations data package."""


def __getattr__(name: str):
    # The version is looked up on first use: importlib.metadata is slow to import, and the
    # command line needs it only for --version.
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("jkdata")
        except PackageNotFoundError:  # running from a source tree that is not installed
            return "0+unknown"
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
