"""Spreadsheet safety shared by the xlsx workbook and the Excel CSV: no cell may run as a formula.

The validator already refuses such text in the data (rule `formula`); this is the second line of
defence for anything a spreadsheet opens, using the same test.
"""

from __future__ import annotations

from jkdata.validate.characters import FORMULA_STARTS


def looks_like_formula(value) -> bool:
    return isinstance(value, str) and value[:1] in FORMULA_STARTS


def excel_csv_text(value: str) -> str:
    """A leading apostrophe makes Excel read the cell as text (the OWASP CSV-injection advice)."""
    return "'" + value if looks_like_formula(value) else value
