"""The rule registry: every rule a problem can name, defined once.

Each `Rule` holds its code, the stage of validation that checks it, what it means in plain
words, and the wording of its problems: a message template with named placeholders
(`str.format`), plus named variants where one rule has several distinct wordings (the `type`
rule per field type, the `schema` rule per malformation). Checks pass the facts (a field's
pattern, the row a value first appeared in) and never write wording of their own:

    >>> RULES["enum"].message("did_you_mean", allowed="kor, jpn", meant="kor")
    'must be one of the allowed values: kor, jpn; did you mean kor?'

Everything else derives from here: `Problem` refuses a code not registered, the README's rule
table is generated from `RULES`, the engine comparison test takes the rules of the `cells` and
`keys` stages, and a test requires a corruption case for every rule.

Modelled on frictionless' `frictionless/errors/` (one class per error with a code, title,
description and template; one registry, many consumers).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

Stage = Literal["descriptor", "structure", "hygiene", "cells", "keys", "dates", "evidence"]
# In the order `jkdata validate` works through them (and the README's table lists them).
STAGES: tuple[Stage, ...] = (
    "descriptor",
    "structure",
    "cells",
    "keys",
    "hygiene",
    "dates",
    "evidence",
)


@dataclass(frozen=True)
class Rule:
    """One rule: what it checks and how its problems are worded."""

    code: str
    stage: Stage
    description: str  # plain words, for the rule table
    template: str  # the message, with {named} placeholders
    variants: Mapping[str, str] = field(default_factory=dict)  # other wordings, by name

    def __post_init__(self):
        if self.stage not in STAGES:
            raise ValueError(f"rule {self.code!r}: unknown stage {self.stage!r}")
        object.__setattr__(self, "variants", MappingProxyType(dict(self.variants)))

    def message(self, variant: str | None = None, **params) -> str:
        """The message, its placeholders filled in from `params`; `variant` names another
        wording of the rule (a KeyError when the rule has no such variant)."""
        template = self.template if variant is None else self.variants[variant]
        return template.format(**params)

    @property
    def templates(self) -> dict[str, str]:
        """Every wording: the main template under "", then the variants."""
        return {"": self.template, **self.variants}


def shown_list(values: Sequence, limit: int = 12) -> str:
    """Values for a message, comma-separated, the list cut after `limit` of them."""
    return ", ".join(map(str, values[:limit])) + (", …" if len(values) > limit else "")


# Shared wordings: one text, used by more than one rule or variant.
_SUPPORTED_CSV = (
    "only CSV files in UTF-8 with the default dialect (comma, double quote, a header row)"
)
_QUOTING = {
    "text_after_quote": "a quoted cell has text after its closing quote",
    "stray_quote": "a quote character inside an unquoted cell; quote the whole cell and double inner quotes",
    "unclosed": "a quoted cell is never closed (missing closing quote)",
}
_REPEATS = "repeats an earlier row"
# A constraint value of the wrong type (`"maxLength": "200"`), by the field's type.
_JSON_TYPE_WORDS = {
    "integer": "a whole number (not text)",
    "year": "a whole number (not text)",
    "number": "a number (not text)",
    "date": "a date written YYYY-MM-DD",
    "boolean": "true or false",
    "string": "text",
}
_QUOTE_NOT_FOUND = "does not appear verbatim in source {source_id}"
_COPY_IT = "; copy it character for character"
_DIFFERS = (
    " (its first {matched} characters match; then the quote has {quoted!r} where the source has "
)

# A problem inside a schema field also names the field (`fields[7]` alone means counting).
IN_FIELD = "{message} (field {field})"

# What a frictionless error that no rule of ours covers says: frictionless' own note.
UNMAPPED_PREFIX = "frictionless:"
UNMAPPED_TEMPLATE = "{note}"


_RULES = [
    # --- descriptor and schemas
    Rule(
        "missing_file",
        "descriptor",
        "A file the package needs (descriptor, schema, data file) is missing or unreadable, or is not a regular file (a directory, a named pipe, a device): only regular files inside the package are read.",
        "file not found",
        {
            "unreadable": "cannot be read: {reason}",
            "no_descriptor": "no {descriptor} in {root}: give the package's directory, which holds it",
            "not_regular": "is a {kind}, not a regular file: only regular files inside the package are read",
            "no_data_file": "the data file does not exist",
        },
    ),
    Rule(
        "json",
        "descriptor",
        "The descriptor or a schema is not valid JSON, or is nested too deeply to be a descriptor.",
        "is not valid JSON: {error}",
        {"too_deep": "is nested more than {limit} levels deep; no descriptor or schema needs that"},
    ),
    Rule(
        "descriptor",
        "descriptor",
        "The descriptor breaks the Data Package v2 profile or our layout rules, or asks for what jkdata does not read (a dialect, encoding or format other than CSV, UTF-8, the default dialect).",
        "does not follow the Data Package profile: {note}",
        {
            "unreadable": "frictionless cannot read it: {note}",
            "unopenable": "frictionless cannot open the package: {note}",
            "not_a_path": "must be a relative file path (a non-empty string)",
            "not_an_object": "must be a JSON object",
            "no_resources": "must be a non-empty list of resources",
            "unnamed_resource": "every resource needs a name",
            "duplicate_resource": "resource names must be unique",
            "multipart": "multipart resources are not supported; use one file",
            "no_schema": "every resource needs a Table Schema (a path or an object)",
            "unsupported": f"is not supported: {_SUPPORTED_CSV}",
            "dialect_not_inline": f"must be an inline dialect with default values: {_SUPPORTED_CSV}",
        },
    ),
    Rule(
        "schema",
        "descriptor",
        "A Table Schema is malformed (unknown type or constraint, a constraint value of the wrong type, categories that differ from the enum, bad key or reference) or uses a field format or missing values other than the default.",
        "does not follow the Table Schema profile: {note}",
        {
            "not_an_object": "must be a JSON object (a Table Schema)",
            "no_fields": "must be a non-empty list of fields",
            "unnamed_field": "must be an object with a `name`",
            "unsupported_type": "field type is not supported (use one of {types})",
            "constraints_not_an_object": "must be an object",
            "unknown_constraint": "unknown constraint",
            "bad_pattern": "is not a valid regular expression: {error}",
            "not_a_list": "must be a list",
            "not_a_boolean": "must be true or false",
            "length_of_non_string": "applies to string fields only, not {type}",
            "bad_length": "must be a whole number, 0 or more",
            "bound_of_non_number": "does not apply to {type} fields (only to numbers, dates and years)",
            **{f"bound_{t}": f"must be {words}" for t, words in _JSON_TYPE_WORDS.items()},
            "empty_enum": "must list at least one value",
            **{
                f"enum_value_{t}": f"every value must be {words}; {{bad}} is not"
                for t, words in _JSON_TYPE_WORDS.items()
            },
            "categories_differ": "must list the same values as constraints.enum, in the same order (frictionless does not enforce categories: the enum is what checks the cells)",
            "missing_values": 'is not supported: only [""] (an empty cell is a missing value)',
            "fields_match": 'is not supported: only "exact" (the header lists the fields in order)',
            "field_option": "is not supported: only the default ({default}; dates as YYYY-MM-DD, numbers as plain digits with a decimal point)",
            "duplicate_fields": "field names must be unique",
            "keys_not_a_list": "must be a list of keys",
            "bad_foreign_key": "needs `fields` and a `reference` with `fields`",
            "bad_reference_resource": "must be a resource name",
            "bad_key_fields": "must be a field name or a list of field names",
            "unknown_field": "names a field the schema does not have",
            "unknown_resource": "names a resource the package does not have",
            "unknown_target_field": "names a field that {target} does not have",
            "reference_length": "must list as many fields as the foreign key",
        },
    ),
    Rule(
        "unsafe_path",
        "descriptor",
        "A path is a URL, absolute, or leads outside the package directory (also through a symbolic link, the descriptor's own included).",
        "leads outside the package directory",
        {
            "url": "must be a local path inside the package, not a URL",
            "absolute": "must be relative to the package directory",
            "link_outside": "is a symbolic link to {target}, outside the package directory: only files inside the package are read",
        },
    ),
    Rule(
        "unsafe_url",
        "descriptor",
        "A link the outputs show (a licence, source or contributor path, the homepage) is neither an http(s) URL nor a relative path inside the package: Datasette and the other outputs would make it a link, and a javascript: or data: link runs when clicked.",
        "must be an http:// or https:// URL, or a relative path inside the package: {reason}",
    ),
    # --- CSV structure
    Rule(
        "encoding",
        "structure",
        "Bytes that are not UTF-8.",
        "is not valid UTF-8 text; save the file as UTF-8",
        {
            "json_file": "is not valid UTF-8 (byte {byte})",
            "line": "the file is not valid UTF-8 text; save it as UTF-8",
            "file": "the file is not valid UTF-8 text",
        },
    ),
    Rule(
        "bom",
        "structure",
        "The file starts with a byte-order mark.",
        "the file starts with a byte-order mark; save it as UTF-8 without BOM",
    ),
    Rule(
        "header",
        "structure",
        "The header row differs from the schema's field names and order.",
        "column {number} must be named {want!r} as in the schema",
        {
            "empty_file": "the file is empty; the header must be: {names}",
            "not_csv": "the header row is not valid CSV",
            "extra": "column {number} is not in the schema; the header must be exactly the schema's fields",
            "missing": "the header lacks column {number}, which the schema names {want!r}",
            "frictionless": "{note}",
        },
    ),
    Rule(
        "csv_syntax",
        "structure",
        "Broken quoting: a quoted cell never closed, or text after a closing quote.",
        "CSV syntax error: {error}",
        _QUOTING,
    ),
    Rule(
        "csv_quote",
        "structure",
        "A quote character inside an unquoted cell.",
        _QUOTING["stray_quote"],
        _QUOTING,
    ),
    Rule(
        "row_length",
        "structure",
        "A row has more or fewer cells than the header.",
        "the row has {cells} cells but the header has {width}",
        {
            "missing_cell": "the row has a missing cell",
            "extra_cell": "the row has an extra cell",
        },
    ),
    Rule("blank_row", "structure", "An empty line between rows.", "the row is blank"),
    # --- cells (pandera, cross-checked by frictionless)
    Rule(
        "type",
        "cells",
        "The text is not a valid value of the field's type (date, integer, number, boolean).",
        "has the wrong type",
        {
            "integer": "must be a whole number",
            "number": "must be a number (digits, optional decimal point)",
            "date": "must be a real calendar date written YYYY-MM-DD",
            "year": "must be a four-digit year",
        },
    ),
    Rule("required", "cells", "A required cell is empty.", "is required but the cell is empty"),
    Rule(
        "pattern",
        "cells",
        "The text does not match the field's pattern.",
        "must match the pattern {pattern}",
    ),
    Rule(
        "enum",
        "cells",
        "The value is not in the field's controlled vocabulary.",
        "must be one of the allowed values: {allowed}",
        {"did_you_mean": "must be one of the allowed values: {allowed}; did you mean {meant}?"},
    ),
    Rule(
        "min_length",
        "cells",
        "The text is shorter than the field's minimum length.",
        "must be at least {min_length} characters long",
    ),
    Rule(
        "max_length",
        "cells",
        "The text is longer than the field's maximum length.",
        "must be at most {max_length} characters long",
    ),
    Rule(
        "minimum",
        "cells",
        "The value is below the field's minimum.",
        "must be at least {minimum}",
    ),
    Rule(
        "maximum",
        "cells",
        "The value is above the field's maximum.",
        "must be at most {maximum}",
    ),
    Rule(
        "unique",
        "cells",
        "A value repeats in a column that must be unique.",
        f"must be unique in the column, but {_REPEATS} (first in row {{first_row}})",
        {"first_row_unknown": f"must be unique in the column, but {_REPEATS}"},
    ),
    # --- keys (pandera frame checks, foreign key lookups)
    Rule(
        "primary_key",
        "keys",
        "A record ID (or link key) repeats.",
        f"the ID must be unique, but {_REPEATS} (first in row {{first_row}})",
        {"first_row_unknown": f"the ID must be unique, but {_REPEATS}"},
    ),
    Rule(
        "id_number",
        "keys",
        "Two record IDs of a table differ only in the zeros before their number (EV-0014, EV-00014).",
        "has the same number as {other} (row {other_row}): an ID's number may appear once, whatever the zeros before it",
    ),
    Rule(
        "unique_key",
        "keys",
        "A combination declared in the schema's uniqueKeys repeats.",
        f"this combination must be unique, but {_REPEATS} (first in row {{first_row}})",
        {"first_row_unknown": f"this combination must be unique, but {_REPEATS}"},
    ),
    Rule(
        "foreign_key",
        "keys",
        "A reference to a record that does not exist.",
        "refers to a record that does not exist: {target} has no row with {fields} = {key}",
    ),
    # --- hygiene
    Rule(
        "formula",
        "hygiene",
        "Text starts with = + - or @, which spreadsheets run as a formula.",
        "starts with = + - or @, which a spreadsheet runs as a formula",
    ),
    Rule(
        "invisible_character",
        "hygiene",
        "A zero-width or other invisible format character (zero-width space, byte-order mark, soft hyphen, bidirectional mark) inside a cell: it shows as nothing but breaks joins and searches.",
        "holds an invisible character inside it (U+{code:04X} {name}), which shows as nothing but breaks joins and searches",
    ),
    Rule(
        "control_character",
        "hygiene",
        "A tab, line break or other control character, or a Unicode line or paragraph separator (U+2028, U+2029), inside a cell.",
        "contains a control character (U+{code:04X} {name})",
    ),
    Rule(
        "unicode_nfc",
        "hygiene",
        "Text not in Unicode NFC form.",
        "is not in Unicode NFC form; normalise it to NFC",
    ),
    Rule(
        "whitespace",
        "hygiene",
        "Spaces before or after a value.",
        "has spaces before or after the value",
    ),
    # --- dates
    Rule(
        "date_invalid",
        "dates",
        "The EDTF date is not a real date, or its interval ends before it starts.",
        "is not a real date: {date} has no such month or day",
        {"reversed_interval": "the interval ends before it starts"},
    ),
    Rule(
        "date_bounds",
        "dates",
        "date_start or date_end is not the earliest or latest day the date can mean.",
        "must be {expected}, the earliest day that date {date!r} can mean",
        {"end": "must be {expected}, the latest day that date {date!r} can mean"},
    ),
    Rule(
        "date_precision",
        "dates",
        "date_precision does not match the precision of the date.",
        "must be {precision!r} for date {date!r}",
    ),
    Rule(
        "date_order",
        "dates",
        "date_end is before date_start.",
        "is before date_start {start}",
    ),
    Rule(
        "date_note",
        "dates",
        "An inferred date has no note saying how it was inferred.",
        "must say how the date was inferred, because date_basis is 'inferred'",
    ),
    Rule(
        "date_incomplete",
        "dates",
        "Some date fields are filled and others not.",
        "must be filled: a date needs date, date_start, date_end, date_precision and date_basis together",
    ),
    # --- evidence
    Rule(
        "citation_missing",
        "evidence",
        "A record has no citation.",
        "has no evidence: add a row to {citations} quoting a source",
    ),
    Rule(
        "citation_target",
        "evidence",
        "A citation names a record that does not exist.",
        "{table} has no record with this ID",
    ),
    Rule(
        "link_citation",
        "evidence",
        "A link row cites evidence about a record it does not link.",
        "cites evidence about {subject}, not about a record this row links ({links})",
        {
            "undeclared_link": "cites evidence about {subject}, which this row holds in {column}, but no foreign key in {schema} declares {column} a link (this row links {links}): declare the foreign key again, or cite evidence about a linked record",
        },
    ),
    Rule(
        "source_file",
        "evidence",
        "A source document is missing from the sources directory, unreadable or not UTF-8.",
        "no such file in the sources directory {sources_dir}",
        {
            "not_a_file_name": "must be a plain file name",
            "unreadable": "cannot be read from the sources directory {sources_dir}: {reason}",
            "not_utf8": "the source text is not UTF-8",
        },
    ),
    Rule(
        "source_checksum",
        "evidence",
        "A source document's SHA-256 or size differs from the sources table.",
        "does not match the file in {sources_dir}, whose SHA-256 is {sha256}",
        {"size": "the file has {size} bytes"},
    ),
    Rule(
        "quote_not_found",
        "evidence",
        "A quote does not appear verbatim in its source document.",
        _QUOTE_NOT_FOUND + _COPY_IT,
        {
            "differs": _QUOTE_NOT_FOUND + _DIFFERS + "{found!r})" + _COPY_IT,
            "differs_unprintable": _QUOTE_NOT_FOUND + _DIFFERS + "U+{code:04X})" + _COPY_IT,
            "differs_at_end": _QUOTE_NOT_FOUND + _DIFFERS + "its end)" + _COPY_IT,
        },
    ),
    Rule(
        "quote_share",
        "evidence",
        "The quotes together reproduce more than half of a source document's text (not counting the citations listed in x-evidence.overShare, where the evidence needs more).",
        "the quotes together reproduce {share:.0%} of this source's text (at most {limit:.0%}): quote only the fragment that states each fact",
        {
            "over_share_listed": "the quotes not listed in x-evidence.overShare reproduce {share:.0%} of this source's text (at most {limit:.0%}; all quotes: {total:.0%}): quote only the fragment that states each fact",
        },
    ),
    # consistency (consistency.py; what each allows is read from the schemas' x- properties)
    Rule(
        "quote_short",
        "evidence",
        "A quote has fewer words than x-evidence.minWords in the citations schema and is not listed in x-evidence.shortQuotes with a reason.",
        "has {words} word{plural} (at least {minimum}): quote the passage that shows the subject and what is said of it, or list the citation with a reason in x-evidence.shortQuotes",
    ),
    Rule(
        "dispute_role_mix",
        "evidence",
        "One dispute holds two roles that may not appear together (x-role-rules.notTogether in the dispute_actors schema: party beside claimant or respondent).",
        "{record} also has a {first!r}: {second!r} and {first!r} may not appear in one {noun} (see the role definitions)",
    ),
    Rule(
        "agreement_role_conflict",
        "evidence",
        "One actor holds two contradictory roles in one agreement (x-role-rules.notBoth in the agreement_actors schema: candidate and non_member …).",
        "{actor} is also {first!r} of {record}: one actor may not be both {first!r} and {second!r} of one {noun}",
    ),
    Rule(
        "actor_unlinked",
        "evidence",
        "An actor is linked to no event, agreement or dispute and x-unlinked in the actors schema does not say why.",
        "is linked to no event, agreement or dispute: link it, or say why not in x-unlinked of the actors schema",
    ),
]

# Every rule by its code, in the order of the README's table.
RULES: Mapping[str, Rule] = MappingProxyType({rule.code: rule for rule in _RULES})
assert len(RULES) == len(_RULES), "a rule code is registered twice"


def rule(code: str) -> Rule:
    """The registered rule with this code (a KeyError naming the registry otherwise)."""
    try:
        return RULES[code]
    except KeyError:
        raise KeyError(f"undocumented rule {code!r}: add it to rules_registry.RULES") from None


def is_registered(code: str) -> bool:
    """A code a problem may carry: a registered rule, or a frictionless error no rule covers."""
    return code in RULES or code.startswith(UNMAPPED_PREFIX)


def message(code: str, /, variant: str | None = None, **params) -> str:
    """The message of a problem of rule `code` (see `Rule.message`). A frictionless error that
    no rule covers (`frictionless:...`) takes frictionless' note as its message."""
    if code.startswith(UNMAPPED_PREFIX):
        return UNMAPPED_TEMPLATE.format(**params)
    return rule(code).message(variant, **params)


def in_field(message_text: str, field_name: str) -> str:
    """A schema problem's message naming the field it is in."""
    return IN_FIELD.format(message=message_text, field=field_name)


def by_stage(*stages: Stage) -> list[Rule]:
    """The rules checked at these stages, in registry order."""
    return [r for r in RULES.values() if r.stage in stages]
