"""Consistency rules over the loaded tables: evidence strong enough to show its claim, roles that do
not contradict each other, and actors that are linked to something.

What a rule allows is read from the schemas' `x-` properties (the codebook shows them):

- citations → `x-evidence`: `minWords` (the fewest words a quote may have), `shortQuotes`
  (citation ID → why that quote may be shorter: a whole heading or title);
- a link table → `x-role-rules`: `notTogether`, pairs of roles that may not both appear in one
  linked record (`party` is for sides where no claimant is named); `notBoth`, pairs of roles one
  actor may not hold in one linked record (`candidate` and `non_member` …);
- actors → `x-unlinked`: actor ID → why the actor is linked to nothing.

Which fields are the record, the actor and the role is read off the link table's keys. Every check
is vectorised: the link tables of a large package have millions of rows.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from jkdata.columns import take_texts, to_numpy_bool
from jkdata.model.schema import ACTORS, CITATIONS, QUOTE, Package, Resource
from jkdata.problems import Problem
from jkdata.validate.characters import SPACE_CLASS
from jkdata.validate.structure import Table

# The rule each kind of role rule reports under.
_ROLE_RULES = {"notTogether": "dispute_role_mix", "notBoth": "agreement_role_conflict"}


def consistency_problems(package: Package, tables: dict[str, Table]) -> list[Problem]:
    """Every consistency rule, in a stable order."""
    problems = short_quote_problems(package, tables)
    for resource in package.resources:
        problems += role_problems(resource, tables)
    return problems + unlinked_actor_problems(package, tables)


def _loaded(tables: dict[str, Table], name: str) -> Table | None:
    table = tables.get(name)
    return None if table is None or table.arrow is None else table


def _report(table: Table, rows: np.ndarray, column: str, rule: str, params) -> list[Problem]:
    """A problem per row; `params(row)` gives the facts its message template names."""
    values = take_texts(table.column(column), rows)
    return [
        Problem.of(rule, table.label, int(row) + 2, column, value, **params(int(row)))
        for row, value in zip(rows.tolist(), values, strict=True)
    ]


def short_quote_problems(package: Package, tables: dict[str, Table]) -> list[Problem]:
    """`quote_short`: a quote of fewer than `minWords` words that `shortQuotes` does not list."""
    resource, table = package.resource(CITATIONS), _loaded(tables, CITATIONS)
    if resource is None or table is None:
        return []
    evidence = resource.extension("x-evidence")
    minimum = evidence.get("minWords")
    if not isinstance(minimum, int) or isinstance(minimum, bool):
        return []
    allowed = pa.array([str(k) for k in evidence.get("shortQuotes") or {}], pa.string())
    quotes = table.column(QUOTE)
    # Words as Python's str.split() sees them. One RE2 pass finds the quotes with `minimum` words
    # or more (splitting every quote into its words took several times as long); only the others
    # are counted.
    if minimum >= 1:
        space, word = f"[{SPACE_CLASS}]", f"[^{SPACE_CLASS}]"
        long_enough = pc.match_substring_regex(
            quotes, f"^{space}*(?:{word}+{space}+){{{minimum - 1}}}{word}"
        )
        short = pc.and_(
            pc.invert(long_enough),
            pc.invert(pc.is_in(table.column(resource.primary_key[0]), allowed)),
        )
        rows = np.flatnonzero(to_numpy_bool(short, False))
    else:
        rows = np.zeros(0, dtype=np.int64)
    texts = take_texts(quotes, rows)
    words = {row: len(text.split()) for row, text in zip(rows.tolist(), texts, strict=True)}

    def params(row: int) -> dict:
        n = words[row]
        return {"words": n, "plural": "s" if n != 1 else "", "minimum": minimum}

    return _report(table, rows, QUOTE, "quote_short", params)


def role_problems(resource: Resource, tables: dict[str, Table]) -> list[Problem]:
    """`x-role-rules` of one link table: for a pair (first, second), each row holding `second`
    where `first` is held too, in the same linked record (`notTogether`) or by the same actor in
    it (`notBoth`)."""
    rules = resource.extension("x-role-rules")
    fields, table = resource.roles(ACTORS), _loaded(tables, resource.name)
    if not rules or fields is None or table is None:
        return []
    record, actor, role = fields
    noun = next(fk.resource for fk in resource.foreign_keys if fk.fields == (record,)).rstrip("s")
    roles, records = table.column(role), table.column(record)
    pair_keys = pc.binary_join_element_wise(records, table.column(actor), "\x1f")
    problems = []
    for kind, rule in _ROLE_RULES.items():
        for first, second in rules.get(kind) or []:
            holds_first = pc.equal(roles, first)
            holds_second = to_numpy_bool(pc.equal(roles, second), False)
            keys = records if kind == "notTogether" else pair_keys
            also = to_numpy_bool(pc.is_in(keys, pc.unique(pc.filter(keys, holds_first))), False)
            rows = np.flatnonzero(holds_second & also)
            ids = take_texts(records, rows)
            actors = take_texts(table.column(actor), rows)
            where = dict(zip(rows.tolist(), zip(ids, actors, strict=True), strict=True))

            def params(row: int, first=first, second=second, where=where) -> dict:
                linked, who = where[row]
                return {"record": linked, "actor": who, "first": first, "second": second}

            problems += _report(
                table, rows, role, rule, lambda row, p=params: p(row) | {"noun": noun}
            )
    return sorted(problems, key=lambda p: p.row)


def unlinked_actor_problems(package: Package, tables: dict[str, Table]) -> list[Problem]:
    """`actor_unlinked`: an actor no link table names and `x-unlinked` does not explain."""
    resource, table = package.resource(ACTORS), _loaded(tables, ACTORS)
    if resource is None or table is None or len(resource.primary_key) != 1:
        return []
    key = resource.primary_key[0]
    named = [
        pc.unique(linking.column(fk.fields[0]))
        for other, fk in package.referrers(ACTORS)
        if len(fk.fields) == 1 and (linking := _loaded(tables, other.name)) is not None
    ]
    explained = [str(k) for k in resource.extension("x-unlinked")]
    known = pa.chunked_array(named + [pa.array(explained, pa.string())], pa.string())
    rows = np.flatnonzero(~to_numpy_bool(pc.is_in(table.column(key), known), False))
    return _report(
        table,
        rows,
        key,
        "actor_unlinked",
        lambda _row: {},
    )
