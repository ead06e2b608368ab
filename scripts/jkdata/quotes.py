"""Evidence against the source texts: checksums match, and every quote appears verbatim.

The texts are not part of the package (they are not ours to republish); they are read from a
sources directory, by default `../shared/seeds` beside the package.
"""

from __future__ import annotations

import hashlib
import unicodedata
from pathlib import Path

from .csvread import Table
from .problems import Problem

SOURCES = "sources"
CITATIONS = "citations"


def default_sources_dir(root: Path) -> Path | None:
    candidate = root.resolve().parent / "shared" / "seeds"
    return candidate if candidate.is_dir() else None


def load_texts(sources: Table, sources_dir: Path) -> tuple[dict[str, str], list[Problem]]:
    """Read each source's text if its checksum and size match; report those that do not."""
    texts: dict[str, str] = {}
    problems = []
    frame = sources.frame
    for index, row in frame.iterrows():
        spreadsheet_row = index + 2
        name = row["file_name"]
        if not isinstance(name, str) or "/" in name or "\\" in name or name in (".", ".."):
            problems.append(
                Problem(
                    sources.label,
                    spreadsheet_row,
                    "file_name",
                    name,
                    "source_file",
                    "must be a plain file name",
                )
            )
            continue
        path = sources_dir / name
        if not path.is_file():
            problems.append(
                Problem(
                    sources.label,
                    spreadsheet_row,
                    "file_name",
                    name,
                    "source_file",
                    f"no such file in the sources directory {sources_dir}",
                )
            )
            continue
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        if digest != row["sha256"]:
            problems.append(
                Problem(
                    sources.label,
                    spreadsheet_row,
                    "sha256",
                    row["sha256"],
                    "source_checksum",
                    f"does not match the file in {sources_dir}, whose SHA-256 is {digest}",
                )
            )
            continue
        if str(len(data)) != str(row["byte_size"]):
            problems.append(
                Problem(
                    sources.label,
                    spreadsheet_row,
                    "byte_size",
                    row["byte_size"],
                    "source_checksum",
                    f"the file has {len(data)} bytes",
                )
            )
        try:
            texts[row["source_id"]] = unicodedata.normalize("NFC", data.decode("utf-8"))
        except UnicodeDecodeError:
            problems.append(
                Problem(
                    sources.label,
                    spreadsheet_row,
                    "file_name",
                    name,
                    "source_file",
                    "the source text is not UTF-8",
                )
            )
    return texts, problems


def quote_problems(tables: dict[str, Table], sources_dir: Path) -> tuple[list[Problem], int]:
    """Returns the problems and how many source texts the quotes were checked against."""
    sources, citations = tables.get(SOURCES), tables.get(CITATIONS)
    if sources is None or sources.frame is None or citations is None or citations.frame is None:
        return [], 0
    texts, problems = load_texts(sources, sources_dir)
    frame = citations.frame
    for index, source_id, quote in zip(
        frame.index, frame["source_id"], frame["quote"], strict=True
    ):
        if source_id in texts and isinstance(quote, str) and quote not in texts[source_id]:
            problems.append(
                Problem(
                    citations.label,
                    index + 2,
                    "quote",
                    quote,
                    "quote_not_found",
                    f"does not appear verbatim in source {source_id}; copy it character for character",
                )
            )
    return problems, len(texts)
