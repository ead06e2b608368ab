"""Cell hygiene: what makes a CSV unsafe or awkward in a spreadsheet, checked column by column.

- text starting with = + - @ runs as a formula when a spreadsheet opens the file;
- control characters (tabs, line breaks, NUL, C1 controls) break one-record-per-line tools;
- text not in Unicode NFC looks identical but does not compare or join equal;
- whitespace around a value breaks joins on identifiers and is never meaningful here.
"""

from __future__ import annotations

import unicodedata

import pandas as pd

from .csvread import Table
from .problems import Problem

_FORMULA = r"^[=+\-@]"
_CONTROL = r"[\x00-\x1f\x7f-\x9f]"
_EDGE_SPACE = r"^\s|\s$"
_ANY = "|".join([_FORMULA, _CONTROL, _EDGE_SPACE, r"[^\x00-\x7f]"])


def _first_control(value: str) -> str:
    char = next(ch for ch in value if ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F)
    name = unicodedata.name(
        char, {"\t": "TAB", "\n": "LINE FEED", "\r": "CARRIAGE RETURN"}.get(char, "control")
    )
    return f"U+{ord(char):04X} {name}"


def _not_nfc(values: pd.Series) -> pd.Series:
    # ASCII text is always NFC; only the rest needs the (slower) normalisation.
    non_ascii = values.str.contains(r"[^\x00-\x7f]", regex=True).fillna(False).astype(bool)
    if not non_ascii.any():
        return non_ascii
    candidates = values[non_ascii]
    changed = candidates != candidates.str.normalize("NFC")
    return changed.reindex(values.index, fill_value=False)


def hygiene_problems(table: Table) -> list[Problem]:
    frame = table.frame
    if frame is None:
        return []
    problems = []
    for field in table.resource.fields:
        name = field["name"]
        # One pass finds the cells any rule could flag; the rules then look only at those.
        values = frame[name]
        suspect = values.str.contains(_ANY, regex=True).fillna(False).astype(bool)
        if not suspect.any():
            continue
        values = values[suspect]
        control = values.str.contains(_CONTROL, regex=True).fillna(False).astype(bool)
        for index in control[control].index:
            value = values[index]
            problems.append(
                Problem(
                    table.label,
                    index + 2,
                    name,
                    value,
                    "control_character",
                    f"contains a control character ({_first_control(value)})",
                )
            )
        edge = values.str.contains(_EDGE_SPACE, regex=True).fillna(False).astype(bool) & ~control
        for index in edge[edge].index:
            problems.append(
                Problem(
                    table.label,
                    index + 2,
                    name,
                    values[index],
                    "whitespace",
                    "has spaces before or after the value",
                )
            )
        if field.get("type", "string") == "string":
            formula = values.str.contains(_FORMULA, regex=True).fillna(False).astype(bool)
            for index in formula[formula].index:
                problems.append(
                    Problem(
                        table.label,
                        index + 2,
                        name,
                        values[index],
                        "formula",
                        "starts with = + - or @, which a spreadsheet runs as a formula",
                    )
                )
        nfc = _not_nfc(values)
        for index in nfc[nfc].index:
            problems.append(
                Problem(
                    table.label,
                    index + 2,
                    name,
                    values[index],
                    "unicode_nfc",
                    "is not in Unicode NFC form; normalise it to NFC",
                )
            )
    return problems
