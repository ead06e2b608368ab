"""Cell hygiene: what makes a CSV unsafe or awkward in a spreadsheet, checked column by column.

- text starting with = + - @ runs as a formula when a spreadsheet opens the file;
- control characters (tabs, line breaks, NUL, C1 controls) and the Unicode line and paragraph
  separators break one-record-per-line tools;
- text not in Unicode NFC looks identical but does not compare or join equal;
- whitespace around a value breaks joins on identifiers and is never meaningful here, and so do
  invisible characters inside it (zero-width spaces, byte-order marks, bidirectional marks).

Every rule is vectorised over the pyarrow column: the first and last character of each cell (for
formulas and whitespace), a search for control characters only when the raw bytes hold one, and
for NFC only the cells that hold a character normalisation could change. Python looks
at the few cells that fail.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from jkdata.columns import (
    mask_of,
    select_rows,
    take_texts,
    true_rows,
)
from jkdata.problems import Problem
from jkdata.validate.characters import (
    CONTROL_CLASS,
    FORMULA_STARTS,
    INVISIBLE_CLASS,
    SPACES,
    nfc_suspect_class,
)
from jkdata.validate.structure import Table

_CONTROL = f"[{CONTROL_CLASS}]"
_CONTROL_RE = re.compile(_CONTROL)
_INVISIBLE = f"[{INVISIBLE_CLASS}]"
_INVISIBLE_RE = re.compile(_INVISIBLE)
_EDGE_SPACE = re.compile(r"^\s|\s$")
_SPACES = pa.array(SPACES, pa.string())
_FORMULA_STARTS = pa.array(FORMULA_STARTS, pa.string())


def _first(pattern: re.Pattern, value: str) -> dict:
    """The first character of the value that the pattern matches, by code point and name (the
    `code` and `name` a message shows)."""
    char = pattern.search(value).group()
    name = unicodedata.name(
        char, {"\t": "TAB", "\n": "LINE FEED", "\r": "CARRIAGE RETURN"}.get(char, "control")
    )
    return {"code": ord(char), "name": name}


def _not_nfc_rows(values: pa.ChunkedArray) -> np.ndarray:
    """Rows whose text is not NFC. Text without a character that decomposes, reorders or
    composes is NFC (see `characters.nfc_suspect_class`); only the rest is normalised."""
    suspect = true_rows(pc.match_substring_regex(values, f"[{nfc_suspect_class()}]"))
    if len(suspect) == 0:
        return suspect
    texts = select_rows(values, suspect)
    return suspect[true_rows(pc.not_equal(texts, pc.utf8_normalize(texts, "NFC")))]


def hygiene_problems(table: Table) -> list[Problem]:
    """Problems of every rule above, in the order of the columns, then rows, then rules."""
    if table.arrow is None or len(table) == 0:
        return []
    rows_of = None  # positions in the table of the rows looked at, when not all of them
    data = table.arrow
    if table.suspect_rows is not None:
        if len(table.suspect_rows) == 0:
            return []  # the raw scan proved every cell clean
        rows_of = np.sort(table.suspect_rows)
        data = data.filter(pa.array(mask_of(len(table), rows_of)))
    found: list[tuple[int, int, Problem]] = []  # (row, order of the rule, problem)
    for field in table.resource.fields:
        name = field.name
        values = data.column(name)
        if values.null_count == len(values):
            continue
        is_string = field.type == "string"
        # One cheap pass over the first and last characters finds whitespace and formula suspects.
        first = pc.utf8_slice_codeunits(values, 0, 1)
        edge = pc.or_(
            pc.is_in(first, value_set=_SPACES),
            pc.is_in(pc.utf8_slice_codeunits(values, -1, 1 << 30), value_set=_SPACES),
        )
        suspects = set(true_rows(edge).tolist())
        if is_string:
            suspects.update(true_rows(pc.is_in(first, value_set=_FORMULA_STARTS)).tolist())
        suspects.update(true_rows(pc.match_substring_regex(values, _CONTROL)).tolist())
        suspects.update(true_rows(pc.match_substring_regex(values, _INVISIBLE)).tolist())
        rows = np.array(sorted(suspects), dtype=np.int64)
        for row, value in zip(_rows(rows, rows_of), take_texts(values, rows), strict=True):
            control = bool(_CONTROL_RE.search(value))
            if control:
                char = _first(_CONTROL_RE, value)
                found.append((row, 0, _problem(table, row, name, value, "control_character", char)))
            elif _EDGE_SPACE.search(value):
                found.append((row, 1, _problem(table, row, name, value, "whitespace")))
            if not control and _INVISIBLE_RE.search(value.strip()):
                char = _first(_INVISIBLE_RE, value)
                found.append(
                    (row, 1, _problem(table, row, name, value, "invisible_character", char))
                )
            if is_string and value[:1] in FORMULA_STARTS:
                found.append((row, 2, _problem(table, row, name, value, "formula")))
        nfc = _not_nfc_rows(values)
        for row, value in zip(_rows(nfc, rows_of), take_texts(values, nfc), strict=True):
            found.append((row, 3, _problem(table, row, name, value, "unicode_nfc")))
    return [problem for _, _, problem in found]  # merge() orders them by row, stably


def _rows(positions: np.ndarray, rows_of: np.ndarray | None) -> list[int]:
    return (positions if rows_of is None else rows_of[positions]).tolist()


def _problem(
    table: Table, row: int, column: str, value: str, rule: str, params: dict | None = None
) -> Problem:
    return Problem.of(rule, table.label, row + 2, column, value, **(params or {}))
