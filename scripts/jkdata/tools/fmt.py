"""Canonical CSV form, so that a diff shows only real changes.

Canonical: the schema's header, rows ordered by primary key (IDs compared by their number, so
EV-10000 follows EV-9999), every cell in Unicode NFC with surrounding whitespace trimmed, LF line
ends, minimal quoting, UTF-8 without BOM. This is the only command that rewrites data files.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from jkdata.files import write_all
from jkdata.model.load import Package, Resource, load_package
from jkdata.problems import Problem
from jkdata.validate.structure import read_table

_ID_NUMBER = r"^(?P<prefix>.*?)(?P<number>[0-9]+)$"


class FormatError(Exception):
    """The canonical files could not be written (the data directory is read-only, the disk is
    full); no file was rewritten."""


@dataclass
class FormatResult:
    changed: list[str] = field(default_factory=list)  # files that are (or would be) rewritten
    problems: list[Problem] = field(default_factory=list)  # files that cannot be formatted


def sort_order(frame: pd.DataFrame, key: list[str]) -> pd.Index:
    """Row order by key columns, comparing the trailing number of IDs numerically."""
    columns = {}
    for i, name in enumerate(key):
        parts = frame[name].fillna("").str.extract(_ID_NUMBER)
        columns[f"p{i}"] = parts["prefix"].fillna(frame[name].fillna(""))
        columns[f"n{i}"] = pd.to_numeric(parts["number"], errors="coerce").fillna(-1)
        columns[f"s{i}"] = frame[name].fillna("")
    order = pd.DataFrame(columns, index=frame.index)
    return order.sort_values(list(order.columns), kind="stable").index


def canonical_text(frame: pd.DataFrame, resource: Resource) -> str:
    names = resource.field_names
    cells = frame[names].astype(object).where(frame[names].notna(), "")
    if resource.primary_key:
        cells = cells.loc[sort_order(frame, resource.primary_key)]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(names)
    for row in cells.itertuples(index=False, name=None):
        writer.writerow([unicodedata.normalize("NFC", value).strip() for value in row])
    return buffer.getvalue()


def format_package(package: Package, check: bool = False) -> FormatResult:
    """Check every file first; rewrite (unless check) only when every one can be formatted."""
    result = FormatResult()
    rewrites: dict[Path, bytes] = {}
    for resource in package.resources:
        table = read_table(resource)
        if table.frame is None:
            result.problems += table.problems
            continue
        wanted = canonical_text(table.frame, resource).encode("utf-8")
        if resource.file.read_bytes() != wanted:
            result.changed.append(resource.path)
            rewrites[resource.file] = wanted
    if not check and not result.problems:
        try:
            write_all(rewrites)  # every file or none: never a half-formatted package
        except OSError as exc:
            where = Path(exc.filename).parent if exc.filename else package.root
            raise FormatError(
                f"cannot write into {where}: {exc.strerror or exc}; no file was rewritten"
            ) from exc
    return result


def format_dir(root: Path, check: bool = False) -> FormatResult:
    package, problems = load_package(root)
    if package is None or problems:
        return FormatResult(problems=problems)
    return format_package(package, check=check)
