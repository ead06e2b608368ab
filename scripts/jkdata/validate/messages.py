"""What a cell or key rule's problem says: the registry's template, filled in from the field
(its type and constraints) and, for a value outside a vocabulary, the value it most likely meant.

Both the pandera schemas (`cells`) and the frictionless engine word problems with it, so a
problem reads the same whichever engine found it."""

from __future__ import annotations

import difflib

from jkdata.model.schema import Constraints, Field
from jkdata.rules_registry import RULES, message, shown_list


def closest_allowed(value: str, field: Field) -> str | None:
    """The allowed value a cell outside the field's vocabulary most likely meant: the same value
    in other case or with spaces around it (`kor`, `KOR `), the value whose category label it
    gives (`Make public statement` for `01`), or failing those the one closest in spelling."""
    allowed = list(field.vocabulary or ())
    wanted = value.strip().casefold()
    for candidate in allowed:
        if candidate.casefold() == wanted:
            return candidate
    for category in field.categories:
        if not category.label:
            continue
        label = category.label.casefold()
        code = category.value.casefold()
        # A label may start with its own code ("01 Make public statement").
        if wanted in (label, label.removeprefix(code).strip()):
            return category.value
    by_case = {candidate.casefold(): candidate for candidate in allowed}
    close = difflib.get_close_matches(wanted, list(by_case), n=1, cutoff=0.8)
    return by_case[close[0]] if close else None


def rule_message(rule: str, field: Field | None = None, value: str | None = None, **params) -> str:
    """The message of a cell or key rule, from its template in `rules_registry`: the wording the
    field's type and constraints choose (and for a value outside a vocabulary, the allowed value
    it most likely meant), with `params` (`first_row` of a repeat; `target`, `fields` and `key` of
    a foreign key)."""
    constraints = field.constraints.as_json() if field else {}
    variant = None
    if rule == "type":
        ftype = field.type if field else None
        variant = ftype if ftype in RULES["type"].variants else None
    elif rule in ("unique", "primary_key", "unique_key") and params.get("first_row") is None:
        variant = "first_row_unknown"
    elif rule == "pattern":
        params["pattern"] = constraints.get("pattern")
    elif rule == "enum":
        params["allowed"] = shown_list(constraints.get("enum", []))
        params["meant"] = closest_allowed(value, field) if value is not None else None
        variant = None if params["meant"] is None else "did_you_mean"
    elif rule in ("min_length", "max_length", "minimum", "maximum"):
        params[rule] = constraints.get(Constraints.SPELLING[rule])
    return message(rule, variant, **params)
