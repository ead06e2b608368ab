"""jkdata: validate, format, diff and export the Japan–South Korea relations data package."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("jkdata")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"
