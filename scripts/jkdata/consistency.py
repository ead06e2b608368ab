"""Consistency rules over the loaded tables (issue 17): evidence strong enough to show its claim,
roles that do not contradict each other, and actors that are linked to something.

Each rule is a plain function that takes the package and the loaded tables and returns the
project's `Problem`s (file, row, column, value, rule). What a rule allows is not a hidden constant:
it is read from the schemas, where the codebook shows it:

- `citations.schema.json` → `x-evidence`: `minWords` (the fewest words a quote may have),
  `shortQuotes` (citation ID → why that quote may be shorter: a whole heading or title);
- `dispute_actors.schema.json` → `x-role-rules`: `notTogether`, pairs of roles that may not both
  appear in one dispute (`party` is for sides where no claimant is named);
- `agreement_actors.schema.json` → `x-role-rules`: `notBoth`, pairs of roles one actor may not
  hold in one agreement (`candidate` and `non_member`, `member` and `non_member` …);
- `actors.schema.json` → `x-unlinked`: actor ID → why the actor is linked to nothing.
"""

from __future__ import annotations

from .csvread import Table
from .package import Package
from .problems import Problem

CITATIONS = "citations"
ACTORS = "actors"


def consistency_problems(package: Package, tables: dict[str, Table]) -> list[Problem]:
    """Every consistency rule, in a stable order."""
    return (
        short_quote_problems(package, tables)
        + role_mix_problems(package, tables, "dispute_actors", "dispute_id", "dispute_role")
        + role_pair_problems(package, tables, "agreement_actors", "agreement_id", "agreement_role")
        + unlinked_actor_problems(package, tables)
    )


def _extension(package: Package, name: str, key: str) -> dict:
    resource = package.resource(name)
    value = resource.schema.get(key) if resource is not None else None
    return value if isinstance(value, dict) else {}


def _rows(tables: dict[str, Table], name: str) -> list[dict] | None:
    table = tables.get(name)
    if table is None or table.arrow is None:
        return None
    return table.arrow.to_pylist()


def words(text: str) -> int:
    """Words as a reader counts them: runs of characters between spaces."""
    return len(text.split())


def short_quote_problems(package: Package, tables: dict[str, Table]) -> list[Problem]:
    """`quote_short`: a quote of fewer than `minWords` words that `shortQuotes` does not list."""
    evidence = _extension(package, CITATIONS, "x-evidence")
    minimum = evidence.get("minWords")
    rows = _rows(tables, CITATIONS)
    if not isinstance(minimum, int) or rows is None:
        return []
    allowed = evidence.get("shortQuotes") or {}
    label = tables[CITATIONS].label
    problems = []
    for index, row in enumerate(rows):
        quote = row.get("quote")
        if not isinstance(quote, str) or words(quote) >= minimum:
            continue
        if row.get("citation_id") in allowed:
            continue
        problems.append(
            Problem(
                label,
                index + 2,
                "quote",
                quote,
                "quote_short",
                f"has {words(quote)} word{'s' if words(quote) != 1 else ''} (at least {minimum}): "
                "quote the passage that shows the subject and what is said of it, or list the "
                "citation with a reason in x-evidence.shortQuotes",
            )
        )
    return problems


def role_mix_problems(
    package: Package, tables: dict[str, Table], name: str, record: str, role: str
) -> list[Problem]:
    """`dispute_role_mix`: two roles of `x-role-rules.notTogether` in one record (any actors);
    each row holding the second role of a pair is reported."""
    pairs = _extension(package, name, "x-role-rules").get("notTogether") or []
    rows = _rows(tables, name)
    if not pairs or rows is None:
        return []
    roles: dict[str, set[str]] = {}
    for row in rows:
        roles.setdefault(row.get(record), set()).add(row.get(role))
    problems = []
    for index, row in enumerate(rows):
        held = roles.get(row.get(record), set())
        for first, second in pairs:
            if row.get(role) == second and first in held:
                problems.append(
                    Problem(
                        tables[name].label,
                        index + 2,
                        role,
                        second,
                        "dispute_role_mix",
                        f"{row.get(record)} also has a {first!r}: {second!r} and {first!r} may "
                        "not appear in one dispute (see the role definitions)",
                    )
                )
    return problems


def role_pair_problems(
    package: Package, tables: dict[str, Table], name: str, record: str, role: str
) -> list[Problem]:
    """`agreement_role_conflict`: one actor holds both roles of an `x-role-rules.notBoth` pair in
    one agreement; the row with the second role of the pair is reported."""
    pairs = _extension(package, name, "x-role-rules").get("notBoth") or []
    rows = _rows(tables, name)
    if not pairs or rows is None:
        return []
    roles: dict[tuple, set[str]] = {}
    for row in rows:
        roles.setdefault((row.get(record), row.get("actor_id")), set()).add(row.get(role))
    problems = []
    for index, row in enumerate(rows):
        held = roles.get((row.get(record), row.get("actor_id")), set())
        for first, second in pairs:
            if row.get(role) == second and first in held:
                problems.append(
                    Problem(
                        tables[name].label,
                        index + 2,
                        role,
                        second,
                        "agreement_role_conflict",
                        f"{row.get('actor_id')} is also {first!r} of {row.get(record)}: one actor "
                        f"may not be both {first!r} and {second!r} of one agreement",
                    )
                )
    return problems


def linked_actors(package: Package, tables: dict[str, Table]) -> set[str]:
    """The actor IDs any link table (a table with a foreign key to actors) names."""
    linked: set[str] = set()
    for resource in package.resources:
        for fk in resource.foreign_keys:
            if fk.get("reference", {}).get("resource") != ACTORS or len(fk["fields"]) != 1:
                continue
            rows = _rows(tables, resource.name)
            if rows is not None:
                linked.update(row.get(fk["fields"][0]) for row in rows)
    return linked


def unlinked_actor_problems(package: Package, tables: dict[str, Table]) -> list[Problem]:
    """`actor_unlinked`: an actor no link table names and `x-unlinked` does not explain."""
    resource = package.resource(ACTORS)
    rows = _rows(tables, ACTORS)
    if resource is None or rows is None or not resource.primary_key:
        return []
    explained = _extension(package, ACTORS, "x-unlinked")
    linked = linked_actors(package, tables)
    key = resource.primary_key[0]
    return [
        Problem(
            tables[ACTORS].label,
            index + 2,
            key,
            row.get(key),
            "actor_unlinked",
            "is linked to no event, agreement or dispute: link it, or say why not in "
            "x-unlinked of the actors schema",
        )
        for index, row in enumerate(rows)
        if row.get(key) not in linked and row.get(key) not in explained
    ]
