"""A problem found in the package, and the two ways it is printed (text for people, JSON for CI)."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable
from dataclasses import asdict, dataclass

# Longest value shown in a text report; JSON output always carries the whole value.
_SHOWN_VALUE = 80

# Every rule a problem can name, with what it means. The README's rule table is checked against it.
RULES = {
    # descriptor and schemas
    "missing_file": "A file the package needs (descriptor, schema, data file) is missing or unreadable.",
    "json": "The descriptor or a schema is not valid JSON.",
    "descriptor": "The descriptor breaks the Data Package v2 profile or our layout rules, or asks for what jkdata does not read (a dialect, encoding or format other than CSV, UTF-8, the default dialect).",
    "schema": "A Table Schema is malformed (unknown type or constraint, a constraint value of the wrong type, categories that differ from the enum, bad key or reference) or uses a field format or missing values other than the default.",
    "unsafe_path": "A path is a URL, absolute, or leads outside the package directory.",
    # CSV structure
    "encoding": "Bytes that are not UTF-8.",
    "bom": "The file starts with a byte-order mark.",
    "header": "The header row differs from the schema's field names and order.",
    "csv_syntax": "Broken quoting: a quoted cell never closed, or text after a closing quote.",
    "csv_quote": "A quote character inside an unquoted cell.",
    "row_length": "A row has more or fewer cells than the header.",
    "blank_row": "An empty line between rows.",
    # cells (pandera, cross-checked by frictionless)
    "type": "The text is not a valid value of the field's type (date, integer, number, boolean).",
    "required": "A required cell is empty.",
    "pattern": "The text does not match the field's pattern.",
    "enum": "The value is not in the field's controlled vocabulary.",
    "min_length": "The text is shorter than the field's minimum length.",
    "max_length": "The text is longer than the field's maximum length.",
    "minimum": "The value is below the field's minimum.",
    "maximum": "The value is above the field's maximum.",
    "unique": "A value repeats in a column that must be unique.",
    "primary_key": "A record ID (or link key) repeats.",
    "id_number": "Two record IDs of a table differ only in the zeros before their number (EV-0014, EV-00014).",
    "unique_key": "A combination declared in the schema's uniqueKeys repeats.",
    "foreign_key": "A reference to a record that does not exist.",
    # hygiene
    "formula": "Text starts with = + - or @, which spreadsheets run as a formula.",
    "invisible_character": "A zero-width or other invisible format character (zero-width space, byte-order mark, soft hyphen, bidirectional mark) inside a cell: it shows as nothing but breaks joins and searches.",
    "control_character": "A tab, line break or other control character, or a Unicode line or paragraph separator (U+2028, U+2029), inside a cell.",
    "unicode_nfc": "Text not in Unicode NFC form.",
    "whitespace": "Spaces before or after a value.",
    # dates
    "date_invalid": "The EDTF date is not a real date, or its interval ends before it starts.",
    "date_bounds": "date_start or date_end is not the earliest or latest day the date can mean.",
    "date_precision": "date_precision does not match the precision of the date.",
    "date_order": "date_end is before date_start.",
    "date_note": "An inferred date has no note saying how it was inferred.",
    "date_incomplete": "Some date fields are filled and others not.",
    # evidence
    "citation_missing": "A record has no citation.",
    "citation_target": "A citation names a record that does not exist.",
    "link_citation": "A link row cites evidence about a record it does not link.",
    "source_file": "A source document is missing from the sources directory, unreadable or not UTF-8.",
    "source_checksum": "A source document's SHA-256 or size differs from the sources table.",
    "quote_not_found": "A quote does not appear verbatim in its source document.",
    "quote_share": "The quotes together reproduce more than half of a source document's text (not counting the citations listed in x-evidence.overShare, where the evidence needs more).",
    # consistency (consistency.py; what each allows is read from the schemas' x- properties)
    "quote_short": "A quote has fewer words than x-evidence.minWords in the citations schema and is not listed in x-evidence.shortQuotes with a reason.",
    "dispute_role_mix": "One dispute holds two roles that may not appear together (x-role-rules.notTogether in the dispute_actors schema: party beside claimant or respondent).",
    "agreement_role_conflict": "One actor holds two contradictory roles in one agreement (x-role-rules.notBoth in the agreement_actors schema: candidate and non_member …).",
    "actor_unlinked": "An actor is linked to no event, agreement or dispute and x-unlinked in the actors schema does not say why.",
}


@dataclass(frozen=True)
class Problem:
    """One broken rule at one place.

    `row` is the row number a spreadsheet shows (the header is row 1, the first record row 2);
    it is None for problems that are not about a row (the descriptor, a whole file).
    For descriptor problems `column` holds the place in the JSON, such as `resources[2].path`.
    """

    file: str
    row: int | None
    column: str | None
    value: str | None
    rule: str
    message: str

    def __post_init__(self):
        if self.rule not in RULES and not self.rule.startswith("frictionless:"):
            raise ValueError(f"undocumented rule {self.rule!r}: add it to problems.RULES")

    @property
    def key(self) -> tuple:
        """What makes two reports the same problem, whichever check found it."""
        return (self.file, self.row, self.column, self.rule)


def show_value(value: str, limit: int = _SHOWN_VALUE) -> str:
    """Quote a value so that empty strings, spaces and invisible characters can be seen: control
    and format characters (such as a zero-width space) and every space or line separator but
    the plain space are written as JSON escapes (U+00A0 as \\u00a0); Korean, Japanese and any
    other visible text stays as it is."""
    if len(value) > limit:
        value = value[: limit - 1] + "…"
    shown = json.dumps(value, ensure_ascii=False)
    return "".join(json.dumps(c)[1:-1] if _invisible(c) else c for c in shown)


def _invisible(char: str) -> bool:
    """A character that shows as nothing or as a plain space: a control or format character
    (Cc, Cf), or a space or separator (Zs, Zl, Zp) other than U+0020."""
    return char > "~" and unicodedata.category(char) in ("Cc", "Cf", "Zs", "Zl", "Zp")


def format_problem(problem: Problem) -> str:
    where = [problem.file]
    if problem.row is not None:
        where.append(f"row {problem.row}")
    if problem.column:
        where.append(f"column {problem.column}")
    if problem.value is not None:
        where.append(f"value {show_value(problem.value)}")
    return f"{', '.join(where)}: {problem.message} [{problem.rule}]"


def merge(problems: Iterable[Problem], file_order: Iterable[str] = ()) -> list[Problem]:
    """Drop repeats of the same problem (same place and rule); sort by file, then row.

    The sort is stable, so problems on one row keep the order the checks found them in.
    """
    seen: dict[tuple, Problem] = {}
    order: dict[str, int] = {}
    for problem in problems:
        seen.setdefault(problem.key, problem)
        order.setdefault(problem.file, len(order))
    return sorted(
        seen.values(),
        key=lambda p: (order[p.file], p.row if p.row is not None else -1),
    )


def as_json(problem: Problem) -> dict:
    return asdict(problem)
