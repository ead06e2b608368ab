"""Links: the one place that judges a URL or path the outputs may show as a link.

A descriptor's licence, source and contributor paths and its homepage end up as links (Datasette's
`license_url`, the workbook's README sheet). A link is safe when it is an http:// or https:// URL
with a host, or a relative path inside the package; anything else (`javascript:`, `data:`, `file:`,
`//host`, an absolute path, `..`) is refused by validation and never written by an export.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from urllib.parse import urlsplit

WEB_SCHEMES = ("http", "https")
# A scheme: two characters at least, so that a Windows drive (`C:`) is not taken for one.
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]+):")
# Browsers drop or skip these inside a URL (`java\tscript:` runs): none may appear in a link.
_UNSAFE_CHARACTERS = re.compile(r"[\x00-\x20\x7f-\x9f\u00a0\u1680\u2000-\u200f\u2028-\u202f\ufeff]")

# The descriptor's lists whose entries' `path` is shown as a link (Data Package v2), and its
# other link-valued properties.
LINK_LISTS = ("licenses", "sources", "contributors")
LINK_PROPERTIES = ("homepage",)


def scheme_of(text: str) -> str | None:
    """The URL scheme `text` starts with (`javascript` for `javascript:alert(1)`), else None."""
    found = _SCHEME.match(text)
    return found[1].lower() if found else None


def link_problem(value: object) -> str | None:
    """Why `value` may not be shown as a link, in words, or None when it may."""
    if not isinstance(value, str) or not value:
        return "it must be non-empty text"
    if _UNSAFE_CHARACTERS.search(value):
        return "it holds whitespace or a control character, which browsers skip over"
    scheme = scheme_of(value)
    if scheme is not None:
        if scheme not in WEB_SCHEMES:
            return f"a {scheme}: link is not allowed"
        if not urlsplit(value).hostname:
            return "the URL names no host"
        return None
    if value.startswith(("/", "\\")) or "\\" in value or re.match(r"^[A-Za-z]:", value):
        return "an absolute path or a link to another host"
    if ".." in PurePosixPath(value).parts:
        return "the path leads outside the package"
    return None


def safe_link(value: object) -> str:
    """`value` when it may be shown as a link, else "" (exports call this: defence in depth, since
    validation has already refused the package)."""
    return value if isinstance(value, str) and link_problem(value) is None else ""


def descriptor_links(descriptor: dict) -> list[tuple[str, object]]:
    """(place in the JSON, value) of every link the descriptor gives, for validation."""
    found = [(key, descriptor[key]) for key in LINK_PROPERTIES if key in descriptor]
    for key in LINK_LISTS:
        entries = descriptor.get(key)
        for i, entry in enumerate(entries if isinstance(entries, list) else []):
            if isinstance(entry, dict) and "path" in entry:
                found.append((f"{key}[{i}].path", entry["path"]))
    return found
