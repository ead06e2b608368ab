"""A problem found in the package, and the two ways it is printed (text for people, JSON for CI).

What rules there are, and how their problems are worded, is `rules_registry`'s to say."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from jkdata import rules_registry

# Longest value shown in a text report.
_SHOWN_VALUE = 80
# Longest value (and message) a JSON report carries; a longer one is cut and ends in the marker
# below, which gives its length: one 20 MB cell must not be repeated whole in every problem.
JSON_VALUE_LIMIT = 1000
CUT_MARKER = "… [cut: {length:,} characters in all]"
# Problems of one rule in one file that a report lists (a header of 100,000 unknown columns);
# the rest are counted in one summary line (text) or entry (JSON).
SHOWN_PER_RULE = {"text": 20, "json": 1000}


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
        if not rules_registry.is_registered(self.rule):
            raise ValueError(f"undocumented rule {self.rule!r}: add it to rules_registry.RULES")

    @classmethod
    def of(
        cls,
        rule: str,
        file: str,
        row: int | None,
        column: str | None,
        value,
        /,
        variant=None,
        **params,
    ) -> Problem:
        """A problem of a registered rule, its message rendered from the rule's template (or the
        named `variant`) with `params`: `Problem.of("required", "data/events.csv", 5, "title",
        None)`."""
        return cls(file, row, column, value, rule, rules_registry.message(rule, variant, **params))

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


def cut(text: str | None, limit: int = JSON_VALUE_LIMIT) -> str | None:
    """`text`, or its first `limit` characters and the cut marker when it is longer."""
    if text is None or len(text) <= limit:
        return text
    return text[:limit] + CUT_MARKER.format(length=len(text))


def as_json(problem: Problem) -> dict:
    """A problem for the JSON report, its value and message cut at JSON_VALUE_LIMIT characters."""
    shown = asdict(problem)
    shown["value"], shown["message"] = cut(problem.value), cut(problem.message)
    return shown


def capped(problems: list[Problem], limit: int) -> tuple[list[Problem], list[dict]]:
    """The problems a report lists, at most `limit` of each rule in each file, and a summary of
    the rest: [{"file", "rule", "omitted"}], in the order the problems came."""
    counts: dict[tuple[str, str], int] = {}
    shown = []
    for problem in problems:
        key = (problem.file, problem.rule)
        counts[key] = counts.get(key, 0) + 1
        if counts[key] <= limit:
            shown.append(problem)
    omitted = [
        {"file": file, "rule": rule, "omitted": n - limit}
        for (file, rule), n in counts.items()
        if n > limit
    ]
    return shown, omitted


def omitted_line(summary: dict) -> str:
    """The text report's line for the problems `capped` left out."""
    n = summary["omitted"]
    return (
        f"{summary['file']}: {n:,} more {summary['rule']} problem{'s' if n != 1 else ''} "
        f"not shown (repeats of one rule in one file; --format json lists up to "
        f"{SHOWN_PER_RULE['json']:,} of them)"
    )


def text_lines(problems: list[Problem]) -> list[str]:
    """One line a problem, at most SHOWN_PER_RULE["text"] of one rule in one file, then a line
    for each rule whose repeats were left out."""
    shown, omitted = capped(problems, SHOWN_PER_RULE["text"])
    return [format_problem(p) for p in shown] + [omitted_line(s) for s in omitted]
