"""Table Schema field types as vectorised pandas operations, and the plain-words text of each rule.

Both the pandera checks and the frictionless error mapping describe a broken rule with
`rule_message`, so a problem reads the same whichever engine found it.
"""

from __future__ import annotations

import pandas as pd

from .package import Resource

# The type check for each Table Schema type: a regular expression over the raw text, plus a
# calendar check for dates. Written for frictionless' default formats (bareNumber, ISO dates).
_TYPE_PATTERNS = {
    "integer": r"[+-]?[0-9]+",
    "number": r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?|NaN|INF|-INF",
    "date": r"[0-9]{4}-[0-9]{2}-[0-9]{2}",
    "year": r"[0-9]{4}",
}
_TYPE_WORDS = {
    "integer": "must be a whole number",
    "number": "must be a number (digits, optional decimal point)",
    "date": "must be a real calendar date written YYYY-MM-DD",
    "year": "must be a four-digit year",
}
DEFAULT_TRUE = ["true", "True", "TRUE", "1"]
DEFAULT_FALSE = ["false", "False", "FALSE", "0"]


def true_values(field: dict) -> list[str]:
    return field.get("trueValues", DEFAULT_TRUE)


def false_values(field: dict) -> list[str]:
    return field.get("falseValues", DEFAULT_FALSE)


def parse_dates(values: pd.Series) -> pd.Series:
    """YYYY-MM-DD text to datetime64; anything else (including 2025-02-30) becomes NaT."""
    return pd.to_datetime(values, format="%Y-%m-%d", errors="coerce")


def type_ok(values: pd.Series, field: dict) -> pd.Series:
    """True where the text is a valid value of the field's type (missing cells count as valid)."""
    ftype = field.get("type", "string")
    present = values.notna()
    if ftype == "string":
        return pd.Series(True, index=values.index)
    if ftype == "boolean":
        ok = values.isin(true_values(field) + false_values(field))
    else:
        ok = values.str.fullmatch(_TYPE_PATTERNS[ftype]).fillna(False).astype(bool)
        if ftype == "date":
            ok &= parse_dates(values.where(ok)).notna()
    return ok | ~present


def to_typed(values: pd.Series, field: dict) -> pd.Series:
    """Convert valid text to the field's type; invalid or missing cells become missing."""
    ftype = field.get("type", "string")
    if ftype == "string":
        return values
    if ftype in ("integer", "year"):
        return pd.to_numeric(values.where(type_ok(values, field)), errors="coerce").astype("Int64")
    if ftype == "number":
        return pd.to_numeric(values.where(type_ok(values, field)), errors="coerce").astype(
            "Float64"
        )
    if ftype == "boolean":
        mapping = dict.fromkeys(true_values(field), True) | dict.fromkeys(
            false_values(field), False
        )
        return values.map(mapping).astype("boolean")
    if ftype == "date":
        return parse_dates(values)
    raise ValueError(f"unsupported type {ftype}")


def typed_frame(frame: pd.DataFrame, resource: Resource) -> pd.DataFrame:
    return pd.DataFrame({f["name"]: to_typed(frame[f["name"]], f) for f in resource.fields})


def bound(value, field: dict):
    """A minimum or maximum constraint as a comparable value of the field's type."""
    if field.get("type") == "date":
        return pd.Timestamp(value)
    return value


def rule_message(
    rule: str, field: dict | None = None, resource: Resource | None = None, detail: str = ""
) -> str:
    """The rule in plain words, for people reading a report."""
    constraints = (field or {}).get("constraints", {})
    if rule == "type":
        return (
            _TYPE_WORDS.get(field.get("type"), "has the wrong type")
            if field
            else "has the wrong type"
        )
    if rule == "required":
        return "is required but the cell is empty"
    if rule == "unique":
        return f"must be unique in the column, but repeats an earlier row{detail}"
    if rule == "primary_key":
        return f"the ID must be unique, but repeats an earlier row{detail}"
    if rule == "unique_key":
        return f"this combination must be unique, but repeats an earlier row{detail}"
    if rule == "pattern":
        return f"must match the pattern {constraints.get('pattern')}"
    if rule == "enum":
        allowed = constraints.get("enum", [])
        shown = ", ".join(map(str, allowed[:12])) + (", …" if len(allowed) > 12 else "")
        return f"must be one of the allowed values: {shown}"
    if rule == "min_length":
        return f"must be at least {constraints.get('minLength')} characters long"
    if rule == "max_length":
        return f"must be at most {constraints.get('maxLength')} characters long"
    if rule == "minimum":
        return f"must be at least {constraints.get('minimum')}"
    if rule == "maximum":
        return f"must be at most {constraints.get('maximum')}"
    if rule == "foreign_key":
        return f"refers to a record that does not exist{detail}"
    return detail or rule
