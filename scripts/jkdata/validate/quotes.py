"""Evidence against the source texts: checksums match, and every quote appears verbatim.

The texts are not part of the package (they are not ours to republish); they are read from a
sources directory, by default `../shared/seeds` beside the package.
"""

from __future__ import annotations

import hashlib
import unicodedata
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from jkdata.columns import codes_of, positions_in, take_texts, to_numpy_bool
from jkdata.model.schema import (
    CITATIONS,
    QUOTE,
    SOURCE_FILE,
    SOURCE_ID,
    SOURCE_SHA256,
    SOURCE_SIZE,
    SOURCES,
)
from jkdata.problems import Problem
from jkdata.validate.structure import Table


def default_sources_dir(root: Path) -> Path | None:
    candidate = root.resolve().parent / "shared" / "seeds"
    return candidate if candidate.is_dir() else None


def load_texts(sources: Table, sources_dir: Path) -> tuple[dict[str, str], list[Problem]]:
    """Read each source's text if its checksum and size match; report those that do not."""
    texts: dict[str, str] = {}
    problems = []
    for index, row in enumerate(sources.arrow.to_pylist()):
        name = row[SOURCE_FILE]

        def problem(column: str, rule: str, variant=None, row=row, index=index, **params) -> None:
            problems.append(
                Problem.of(rule, sources.label, index + 2, column, row[column], variant, **params)
            )

        if not isinstance(name, str) or "/" in name or "\\" in name or name in (".", ".."):
            problem(SOURCE_FILE, "source_file", "not_a_file_name")
            continue
        path = sources_dir / name
        if not path.is_file():
            problem(SOURCE_FILE, "source_file", sources_dir=sources_dir)
            continue
        try:
            data = path.read_bytes()
        except OSError as exc:
            problem(
                SOURCE_FILE,
                "source_file",
                "unreadable",
                sources_dir=sources_dir,
                reason=exc.strerror,
            )
            continue
        digest = hashlib.sha256(data).hexdigest()
        if digest != row[SOURCE_SHA256]:
            problem(SOURCE_SHA256, "source_checksum", sources_dir=sources_dir, sha256=digest)
            continue
        if _as_int(row[SOURCE_SIZE]) != len(data):  # "+13561" is 13561: compare numbers
            problem(SOURCE_SIZE, "source_checksum", "size", size=len(data))
        try:
            texts[row[SOURCE_ID]] = unicodedata.normalize("NFC", data.decode("utf-8"))
        except UnicodeDecodeError:
            problem(SOURCE_FILE, "source_file", "not_utf8")
    return texts, problems


def _as_int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def quote_problems(tables: dict[str, Table], sources_dir: Path) -> tuple[list[Problem], int]:
    """Returns the problems and how many source texts the quotes were checked against.

    Each distinct (source, quote) pair is looked up once in its text; many citations quoting the
    same passage cost one search.
    """
    sources, citations = tables.get(SOURCES), tables.get(CITATIONS)
    if sources is None or sources.arrow is None or citations is None or citations.arrow is None:
        return [], 0
    texts, problems = load_texts(sources, sources_dir)
    source_ids = citations.column(SOURCE_ID)
    quotes = citations.column(QUOTE)
    if not texts or len(quotes) == 0:
        return problems, len(texts)
    # Each (source, quote) pair as one integer: the source's place among the texts, then the
    # quote's code. Equal pairs are searched for once, a source's quotes one after the other.
    names = list(texts)
    source = positions_in(source_ids, pa.array(names, pa.string()))
    codes, distinct = codes_of(quotes, try_sorted=False)
    checked = (source >= 0) & to_numpy_bool(pc.is_valid(quotes), False)
    key = np.where(checked, source * distinct + codes, -1)
    # Sorted: by source, then quote.
    keys, rows, pair = np.unique(key, return_index=True, return_inverse=True)
    # Citations where the evidence needs more than the cap allows (x-evidence.overShare): their
    # quotes are checked, and counted in the whole share the report gives, not in the capped one.
    over = _over_share(citations)
    listed = bool(over.any())
    capped_pair = np.bincount(pair[~over], minlength=len(keys)) > 0  # quoted where the cap holds
    keep = keys >= 0
    keys, rows, capped_pair = keys[keep], rows[keep], capped_pair[keep].tolist()
    # One search finds whether a quote is verbatim and where: every place it occurs counts
    # towards the share of its source that the quotes reproduce.
    spans: dict[str, tuple[list[int], list[int]]] = {name: ([], []) for name in names}
    capped: dict[str, tuple[list[int], list[int]]] = {name: ([], []) for name in names}
    found = [True] * len(keys)
    sought = take_texts(quotes, rows)
    # Where the pairs of one source end and the next source's begin (none when no pair is left).
    cuts = (np.flatnonzero(np.diff(keys // distinct)) + 1).tolist()
    bounds = [0, *cuts, len(keys)] if len(keys) else [0]
    for first, last in zip(bounds[:-1], bounds[1:], strict=True):
        name = names[source[rows[first]]]
        text, (starts, ends) = texts[name], spans[name]
        for i in range(first, last):
            found[i] = _occurrences(text, sought[i], starts, ends)
            if found[i] and listed and capped_pair[i]:
                _occurrences(text, sought[i], *capped[name])
    bad = keys[~np.array(found, dtype=bool)]
    problems += _share_problems(sources, texts, capped if listed else spans, spans)
    if len(bad):
        for row in np.flatnonzero(np.isin(key, bad)).tolist():
            source_id = names[source[row]]
            quote = quotes[row].as_py()
            variant, params = where_it_differs(texts[source_id], quote)
            problems.append(
                Problem.of(
                    "quote_not_found",
                    citations.label,
                    row + 2,
                    QUOTE,
                    quote,
                    variant,
                    source_id=source_id,
                    **params,
                )
            )
    return problems, len(texts)


def where_it_differs(text: str, quote: str) -> tuple[str | None, dict]:
    """Where a quote stops matching its source, for the report: the longest start of the quote
    that the text holds, and the character after it in the quote and in the text (a straight
    quote for a curly one, a changed letter). Returned as the `quote_not_found` rule's wording
    (variant: None when not even its first character is there) and its params."""
    low, high = 0, len(quote)  # the text holds quote[:low] and not quote[:high + 1]
    while low < high:
        middle = (low + high + 1) // 2
        if quote[:middle] in text:
            low = middle
        else:
            high = middle - 1
    if low == 0:
        return None, {}
    # Of the places holding that start, the one where the rest of the quote resumes matching
    # after the one character (a replaced character is the usual slip).
    rest = quote[low + 1 : low + 41]
    best, best_score, at = -1, -1, text.find(quote[:low])
    while at >= 0:
        follows = text[at + low + 1 : at + low + 41]
        pairs = zip(rest, follows, strict=False)  # the text may end first
        score = next((i for i, (a, b) in enumerate(pairs) if a != b), len(follows))
        if score > best_score:
            best, best_score = at, score
        at = text.find(quote[:low], at + 1)
    after = text[best + low : best + low + 1]
    params = {"matched": low, "quoted": quote[low], "found": after, "code": ord(after or " ")}
    if not after:
        return "differs_at_end", params
    return ("differs" if after.isprintable() else "differs_unprintable"), params


def _occurrences(text: str, quote: str, starts: list[int], ends: list[int]) -> bool:
    """Append where the quote occurs in the text; False when it does not occur."""
    start = text.find(quote)
    if start < 0:
        return False
    while start >= 0:
        starts.append(start)
        ends.append(start + len(quote))
        start = text.find(quote, start + 1)
    return True


# Quotes are evidence, not a copy: together they may reproduce at most this share of a source's
# (non-space) characters. A sentence needs only the fragment that states its fact.
MAX_QUOTED_SHARE = 0.5
# The characters that do not count as text (whitespace), as a lookup table of code points.
_SPACE_POINTS = [9, 10, 11, 12, 13, 32, 0x85, 0xA0, 0x1680, *range(0x2000, 0x200B), 0x2028]
_SPACE_POINTS += [0x2029, 0x202F, 0x205F, 0x3000]
_IS_SPACE = np.zeros(max(_SPACE_POINTS) + 2, dtype=bool)
_IS_SPACE[_SPACE_POINTS] = True


def quoted_share(text: str, quotes: list[str]) -> float:
    """The share of the text's non-space characters inside at least one occurrence of a quote."""
    starts: list[int] = []
    ends: list[int] = []
    for quote in quotes:
        _occurrences(text, quote, starts, ends)
    return _covered_share(text, starts, ends)


def _covered_share(text: str, starts: list[int], ends: list[int]) -> float:
    size = len(text) + 1
    depth = np.bincount(starts, minlength=size) - np.bincount(ends, minlength=size)
    covered = np.cumsum(depth[:-1]) > 0
    points = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    ink = ~_IS_SPACE[np.minimum(points, len(_IS_SPACE) - 1)]
    return float(covered[ink].sum() / max(int(ink.sum()), 1))


def _over_share(citations: Table) -> np.ndarray:
    """Rows of the citations listed in x-evidence.overShare of the citations schema."""
    listed = citations.resource.extension("x-evidence").get("overShare") or {}
    if not listed or "citation_id" not in citations.arrow.column_names:
        return np.zeros(len(citations), dtype=bool)
    ids = citations.column("citation_id")
    return to_numpy_bool(pc.is_in(ids, value_set=pa.array(list(listed), pa.string())), False)


def _share_problems(
    sources: Table, texts: dict[str, str], spans: dict, whole: dict | None = None
) -> list[Problem]:
    ids = sources.column(SOURCE_ID).to_pylist()
    problems = []
    for source_id, (starts, ends) in spans.items():
        if not starts:
            continue
        share = _covered_share(texts[source_id], starts, ends)
        if share > MAX_QUOTED_SHARE:
            # With citations listed in x-evidence.overShare left out, the message gives both shares.
            listed = whole is not None and whole is not spans
            extra = {"total": _covered_share(texts[source_id], *whole[source_id])} if listed else {}
            problems.append(
                Problem.of(
                    "quote_share",
                    sources.label,
                    ids.index(source_id) + 2,
                    SOURCE_ID,
                    source_id,
                    "over_share_listed" if listed else None,
                    share=share,
                    limit=MAX_QUOTED_SHARE,
                    **extra,
                )
            )
    return problems
