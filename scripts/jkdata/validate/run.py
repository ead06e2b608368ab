"""Validate a whole package: descriptor, structure, hygiene, types and keys, cross-table rules, evidence.

Order matters only for what can be checked at all: a file that cannot be parsed as CSV is reported
once, precisely, and its rows are not checked further. Problems are reported in the same order
however the work was scheduled.

Environment: JKDATA_TRACE=1 prints when each step ran and how long it took (on stderr);
JKDATA_THREADS=N sets the number of worker threads (default: the usable cores, at least 2; 1
checks serially).
"""

from __future__ import annotations

import contextlib
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

from jkdata.columns import executor
from jkdata.model.schema import CITED_RECORD, CITED_TABLE, QUOTE, SOURCE_ID
from jkdata.problems import Problem, merge
from jkdata.trace import traced


@dataclass
class Report:
    problems: list[Problem]
    rows: dict[str, int] = field(default_factory=dict)  # rows read per table
    notes: list[str] = field(default_factory=list)  # what was and was not checked

    @property
    def valid(self) -> bool:
        return not self.problems

    def text_lines(self, notes: bool = True) -> list[str]:
        """The report as `jkdata validate` prints it: one line a problem, a summary, the notes."""
        from jkdata.problems import text_lines

        lines = text_lines(self.problems)  # repeats of one rule in one file summarised
        tables, rows = len(self.rows), sum(self.rows.values())
        if self.valid:
            lines.append(f"valid: {tables} tables, {rows} rows, no problems")
        else:
            count = len(self.problems)
            files = len({p.file for p in self.problems})
            lines.append(
                f"invalid: {count} problem{'s' if count != 1 else ''} in {files} "
                f"file{'s' if files != 1 else ''} ({tables} tables, {rows} rows)"
            )
        return lines + ([f"  {note}" for note in self.notes] if notes else [])

    def as_dict(self) -> dict:
        from jkdata.problems import JSON_VALUE_LIMIT, SHOWN_PER_RULE, as_json, capped

        shown, omitted = capped(self.problems, SHOWN_PER_RULE["json"])
        notes = list(self.notes)
        if any(len(p.value or "") > JSON_VALUE_LIMIT for p in shown):
            notes.append(f"values longer than {JSON_VALUE_LIMIT:,} characters are cut (marked)")
        return {
            "valid": self.valid,
            "problem_count": len(self.problems),  # all of them, listed or not
            "problems": [as_json(p) for p in shown],
            "omitted": omitted,  # problems of one rule in one file beyond the first ones
            "rows": self.rows,
            "notes": notes,
        }


def _needed_later(package) -> dict[str, set[str]]:
    """The columns of each table that cross-table checks read after the per-table checks."""
    from jkdata.model.schema import CITATION_FIELD, CITATIONS, SOURCES

    keep: dict[str, set[str]] = {r.name: set(r.primary_key) for r in package.resources}
    for resource in package.resources:
        for fk in resource.foreign_keys:
            keep[resource.name].update(fk.fields)
            keep.setdefault(fk.resource, set()).update(fk.reference_fields)
        if resource.has(CITATION_FIELD):
            keep[resource.name].add(CITATION_FIELD)
    keep.setdefault(CITATIONS, set()).update(
        {"citation_id", CITED_TABLE, CITED_RECORD, SOURCE_ID, QUOTE}
    )
    sources = package.resource(SOURCES)
    if sources is not None:
        keep[SOURCES] = set(sources.field_names)
    return keep


def _threads_asked() -> int:
    """JKDATA_THREADS as a positive number; 0 (the default) when it is unset or not one."""
    value = os.environ.get("JKDATA_THREADS", "").strip()
    return int(value) if value.isdigit() else 0


def _usable_cores() -> int:
    """The cores this process may run on (a container or `taskset` may allow fewer than exist)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _file_size(resource) -> int:
    try:
        return resource.file.stat().st_size
    except OSError:
        return 0


_PARALLEL_FROM = 1 << 25  # bytes of CSV: a smaller package is checked in one thread
_LARGE = 1 << 25  # bytes: a table this large is read, and checked by pandera, one at a time
# Reading a large table holds the file's bytes and its columns at once, and pyarrow's own threads
# keep both cores busy; pandera's polars view of a table comes on top of its pyarrow columns, and
# polars' threads keep both cores busy. So one large table is read while the one read before it is
# in pandera, and no more: memory stays bounded by about two large tables.
_LARGE_READ = threading.BoundedSemaphore(1)
_LARGE_PANDERA = threading.BoundedSemaphore(1)


def _one_large(resource, semaphore):
    """The semaphore when the table is large; otherwise nothing to wait for."""
    return semaphore if _file_size(resource) >= _LARGE else contextlib.nullcontext()


def _reading_order(resources) -> list:
    """The largest table first, then the small ones (checked while it is read), then the other
    large tables, largest first: each large table's columns are slimmed before the next ones
    are read, and the largest keeps the fewest (its key), so it goes before the others."""
    largest_first = sorted(resources, key=_file_size, reverse=True)
    large = [r for r in largest_first if _file_size(r) >= _LARGE]
    small = [r for r in largest_first if _file_size(r) < _LARGE]
    return large[:1] + small + large[1:]


@dataclass
class Checked:
    """One table, checked on its own: its problems in the order they are reported (the cell
    problems kept apart, for the pattern checks the foreign key lookups add to them)."""

    table: object
    read: list[Problem]  # structure and hygiene
    cells: list[Problem]  # the pandera schema
    ids: list[Problem]
    dates: list[Problem]  # reported later, after the foreign keys


def _check_table(resource, keep: set[str], parallel: bool, deferred: frozenset[str]) -> Checked:
    """Read one table and run every check that needs only it (the pattern checks of `deferred`
    fields are left to the foreign key lookups); then drop the columns no later check reads."""
    from jkdata.validate.structure import read_table

    name = resource.name
    with _one_large(resource, _LARGE_READ):
        table = traced(f"read {name}", read_table, resource)
    # Imported once a table is read (see `_import_checks`): reading does not need pandera.
    from jkdata.validate import cells, dates, hygiene, ids

    read = table.problems + traced(f"hygiene {name}", hygiene.hygiene_problems, table)
    # The date rules run beside the pandera schema, in a thread of their own.
    with executor(parallel, 1) as pool:
        date_problems = pool.submit(traced, f"dates {name}", dates.date_problems, table)
        with _one_large(resource, _LARGE_PANDERA):
            found = traced(f"pandera {name}", cells.cell_problems, table, deferred)
        id_problems = traced(f"ID numbers {name}", ids.id_number_problems, table)
        date_problems = date_problems.result()
    table.slim(keep)
    _release_memory()
    return Checked(table, read, found, id_problems, date_problems)


def _look_up(lookup, tables: dict, positions: dict, missing: dict, implied: dict, outcome: dict):
    """One foreign key lookup, then the pattern checks it leaves to do (see
    `keys.implied_patterns`), run by pandera on the rows it does not vouch for. Returns their
    problems by table."""
    import numpy as np

    from jkdata.validate import cells, keys

    keys.look_up(lookup, tables, positions, missing)
    target = outcome.get(lookup.target)
    failed = np.array(
        [
            p.row - 2
            for p in (target.cells if target is not None else [])
            if p.rule == "pattern" and p.column == lookup.field
        ],
        dtype=np.int64,
    )
    found: dict[str, list[Problem]] = {}
    for name, field_name in lookup.referrers:
        table = tables.get(name)
        if implied.get((name, field_name)) != (lookup.target, lookup.field) or table is None:
            continue
        if table.arrow is None:
            continue
        column = table.column(field_name)
        rows = keys.unvouched_rows(column, positions.get((name, field_name)), failed)
        found.setdefault(name, []).extend(cells.pattern_problems(table, field_name, rows))
    return found


def _lookup_key(lookup) -> str:
    return f"foreign keys to {lookup.target}.{lookup.field}"


def _unparsed_notes(package, tables: dict) -> list[str]:
    """A note for each table whose CSV could not be parsed: its rows, and the foreign keys into
    it, were not checked (and are not in the row count)."""
    notes = []
    for resource in package.resources:
        if tables[resource.name].arrow is not None:
            continue
        referrers = sorted({other.name for other, _ in package.referrers(resource.name)})
        into = f" (from {', '.join(referrers)})" if referrers else ""
        notes.append(
            f"{resource.path} could not be parsed: its rows and the foreign keys into it{into} "
            "were not checked until its structure is fixed"
        )
    return notes


def _left_out_notes(package) -> list[str]:
    """A note for each table the descriptor declares but that could not be loaded (its entry,
    schema or data file has a problem reported above): none of its rows were checked, nor the
    foreign keys into it, and the summary does not count it."""
    loaded = {r.name for r in package.resources}
    notes = []
    for entry in package.descriptor.get("resources", []):
        name = entry.get("name") if isinstance(entry, dict) else None
        if isinstance(name, str) and name in package.declared and name not in loaded:
            path = entry.get("path")
            where = f"{name} ({path})" if isinstance(path, str) else name
            notes.append(
                f"table {where} was not checked: its rows and the foreign keys into it are "
                "checked once the problem reported for it is fixed"
            )
    return notes


METADATA = "frictionless metadata"


def _import_checks() -> None:
    """Import the per-table checks (pandera, polars and pandas: about half a second) in a thread
    of their own while the first large table is read: otherwise the first table to need them
    waits for the import, with the largest table's checks behind it."""
    with contextlib.suppress(Exception):  # a broken install is reported where they are used
        from jkdata.validate import cells, dates, hygiene, ids  # noqa: F401


def _release_memory() -> None:
    """Hand memory pyarrow freed back to the system: a large table's columns are done with."""
    import pyarrow

    pyarrow.default_memory_pool().release_unused()


def validate_package(
    root: Path, sources_dir: Path | None = None, frictionless: str = "auto"
) -> Report:
    """Check everything; `frictionless` is "auto", "always" or "never" for its row checks.

    frictionless always checks the descriptor and schemas. Its row checks (row by row, tens of
    thousands of rows a second, lookup tables loaded whole) run with "always" only: the
    vectorised engine checks every row, and the test suite keeps the two engines in agreement.

    Tables are checked in parallel threads (pyarrow releases the GIL), the largest first, while
    frictionless reads the metadata; each is then trimmed to the columns the cross-table checks
    need, so that a large package never holds every column of every table at once. Each
    cross-table check (a foreign key lookup, evidence for a table, the links of a table, the
    quotes) starts as soon as the tables it reads are done. A small package is checked serially.
    """
    from concurrent.futures import FIRST_COMPLETED, wait

    from jkdata.model.load import DESCRIPTOR, load_package
    from jkdata.model.schema import CITATION_FIELD, CITATIONS, SOURCES
    from jkdata.validate import consistency, evidence, frictionless_engine, keys, quotes

    package, problems = load_package(root)
    if package is None:
        return Report(merge(problems))
    needed = _needed_later(package)
    # As many threads as usable cores (at least two): pyarrow parses with threads of its own,
    # and a third worker only made the two cores switch between more tables at once (measured
    # at 1M events: about 5% slower, with more memory).
    workers = _threads_asked() or max(2, _usable_cores())
    parallel = workers > 1 and sum(_file_size(r) for r in package.resources) >= _PARALLEL_FROM
    names = {r.name for r in package.resources}
    lookups, multi = keys.foreign_key_plan(package)
    implied = keys.implied_patterns(package)
    tables: dict = {}
    positions: dict = {}  # foreign key lookups, reused by the evidence checks
    missing: dict = {}
    outcome: dict[str, object] = {}  # what each task returned, by table or check name
    # The cross-table checks, each started as soon as the tables it reads are checked; of those
    # ready at once, the longest first (the quotes, the consistency rules), so that the short
    # ones fill the other thread rather than leave one of these running alone at the end.
    later: dict[str, tuple[set[str], tuple]] = {}
    if sources_dir is not None:
        later["quotes"] = (
            {SOURCES, CITATIONS},
            (quotes.quote_problems, tables, sources_dir),
        )
    later["consistency"] = (names, (consistency.consistency_problems, package, tables))
    for lookup in lookups:
        later[_lookup_key(lookup)] = (
            lookup.tables,
            (_look_up, lookup, tables, positions, missing, implied, outcome),
        )
    for name in package.cited_tables:
        later[f"evidence for {name}"] = (
            {CITATIONS, name},
            (evidence.coverage_problems, tables, name),
        )
    for resource in package.resources:
        if resource.cites:
            needs = {CITATIONS, resource.name}
            needs |= {
                _lookup_key(lk) for lk in lookups if (resource.name, CITATION_FIELD) in lk.referrers
            }
            later[f"links of {resource.name}"] = (
                needs,
                (evidence.link_problems, tables, resource, positions),
            )

    def implied_in(name: str) -> frozenset[str]:
        return frozenset(field for table, field in implied if table == name)

    waits_for = names | set(later)  # a need outside these (a table that failed to load) is moot

    if parallel:
        threading.Thread(target=_import_checks, name="import checks", daemon=True).start()
    with executor(parallel, workers) as pool:
        order = _reading_order(package.resources)
        tasks = [
            ((_check_table, r, needed.get(r.name, set()), parallel, implied_in(r.name)), r.name)
            for r in order
        ]
        # frictionless' check of the descriptor holds the GIL, as the import of pandera does,
        # which every table's checks wait for: it goes after the first tables, before the last
        # large one, where a worker would otherwise wait for the large table read before it.
        large = [i for i, r in enumerate(order) if _file_size(r) >= _LARGE]
        metadata = (traced, METADATA, frictionless_engine.metadata_problems, package)
        tasks.insert(large[-1] if len(large) > 1 else len(tasks), (metadata, METADATA))
        pending = {pool.submit(*task): key for task, key in tasks}
        done: set[str] = set()

        def start_ready() -> None:
            for key, (needs, (fn, *args)) in list(later.items()):
                if needs & waits_for <= done:
                    del later[key]
                    pending[pool.submit(traced, key, fn, *args)] = key

        start_ready()  # checks that need no table (every table they read failed to load)
        while pending:
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                key = pending.pop(future)
                outcome[key] = future.result()
                if key in names:
                    tables[key] = outcome[key].table
                done.add(key)
            start_ready()
    problems += outcome.pop(METADATA)

    # A broken descriptor or schema (the package's JSON files) or a missing data file makes
    # frictionless' own view of the package unreliable: its row checks are then skipped.
    descriptor_broken = any(p.file.endswith(".json") or p.rule == "missing_file" for p in problems)
    report = Report([], {r.name: len(tables[r.name]) for r in package.resources})
    from jkdata.validate import cells

    for resource in package.resources:
        checked = outcome[resource.name]
        found = checked.cells + [
            problem
            for lookup in lookups
            for problem in outcome.get(_lookup_key(lookup), {}).get(resource.name, [])
        ]
        if len(found) > len(checked.cells):
            found = cells.in_order(resource, found)
        problems += checked.read + found + checked.ids
    keys.look_up_multi(multi, tables, missing)
    problems += keys.foreign_key_report(package, tables, missing)
    if frictionless == "always" and package.resources and not descriptor_broken:
        unreadable = {name for name, t in tables.items() if t.arrow is None}
        problems += frictionless_engine.row_problems(package, skip=unreadable)
        report.notes.append("rows checked by both the pandera schemas and frictionless")
    else:
        report.notes.append(
            "rows checked by the pandera schemas; frictionless checked the descriptor and schemas"
        )
    report.notes += _left_out_notes(package) + _unparsed_notes(package, tables)
    for resource in package.resources:
        problems += outcome[resource.name].dates
    for name in package.cited_tables:
        problems += outcome.get(f"evidence for {name}", [])
    for resource in package.resources:
        problems += outcome.get(f"links of {resource.name}", [])
    problems += outcome.get("consistency", [])
    if sources_dir is None:
        report.notes.append("quotes not checked: no sources directory (give --sources-dir)")
    else:
        quote_problems, checked_texts = outcome["quotes"]
        problems += quote_problems
        report.notes.append(
            f"quotes checked against {checked_texts} source text"
            f"{'s' if checked_texts != 1 else ''} in {sources_dir}"
            if checked_texts
            else f"quotes not checked: no source text could be read from {sources_dir}"
        )
    file_order = (
        [DESCRIPTOR]
        + [r.schema_path or DESCRIPTOR for r in package.resources]
        + [r.path for r in package.resources]
    )
    report.problems = merge(problems, file_order)
    return report
