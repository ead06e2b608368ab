"""Synthetic packages that satisfy every rule `jkdata validate` checks, at any size, for benchmarks.

`generate(out, events=N)` writes a complete package directory: a copy of the template's
descriptor and schemas, `data/*.csv` with N events and every other table grown with them, a
citation for every record of each cited table, and a `sources/` directory of synthetic source
texts whose SHA-256 and size are in the sources table, so that the quote check runs too. Rows are
built column by column with numpy and pyarrow (no Python loop over rows), and written with
minimal CSV quoting as the real package is.

Every column is generated from the schema model (`model.Package`), so a new field or a new
vocabulary value needs no change here:

- a vocabulary field draws every value of `field.vocabulary`, spread evenly over the rows;
- a single-field primary key is numbered after its pattern's prefix (`EV-[0-9]{4,}`: `EV-0001`);
- a foreign key draws existing keys of its parent: a table with its own ID hangs off its first
  parent, a link table (its primary key made of foreign keys) links each row of its first parent
  to distinct rows of the others;
- text respects `maxLength` (and `minLength`), a field in a unique key stays unique, a field with
  any other pattern draws texts generated from that pattern (an EDTF pattern gives real dates);
- integers, numbers and years keep within `minimum`/`maximum`; booleans and dates are typed;
- optional fields are left empty in most rows, required fields never;
- a dated table (`model.DATE_FIELDS`) has consistent EDTF dates, bounds, precision and basis,
  with a `model.DATE_NOTE` wherever the basis is not the vocabulary's first value;
- every record of `package.cited_tables` has a citation quoting a sentence of a generated source
  text, and a row naming its evidence (`model.CITATION_FIELD`) cites a record it links.

What remains a convention of the generator, not a schema fact: which table `events=N` counts
(`ROOT`), and the benchmark's proportions (`_SHAPE`; a table not listed there gets a default).

With `bad=True` a fixed list of errors is injected at known rows, one per class of problem (types,
enum, pattern, required, lengths, primary and unique keys, foreign keys, dates, hygiene, evidence,
quotes), each in a field chosen by what the schema says of it; `Generated.expected` lists the
(file, row, column, rule) each must be reported as, and nothing else may be.
"""

from __future__ import annotations

import hashlib
import math
import re
import shutil
import unicodedata
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from jkdata.model.load import DESCRIPTOR, load_package
from jkdata.model.schema import (
    ACTORS,
    CITATION_FIELD,
    CITATIONS,
    CITED_RECORD,
    CITED_TABLE,
    DATE_FIELDS,
    DATE_NOTE,
    QUOTE,
    SOURCE_FILE,
    SOURCE_SHA256,
    SOURCE_SIZE,
    SOURCES,
    Field,
    Package,
    Resource,
)
from jkdata.validate.edtf import PRECISIONS

SOURCES_DIR = "sources"  # inside the generated package directory
ROOT = "events"  # the table whose rows `generate(events=N)` counts
_SENTENCES_PER_SOURCE = 48
_DAY0 = np.datetime64("1950-01-01")
_DAYS = int((np.datetime64("2025-12-31") - _DAY0).astype(int))
_FILLED = 0.2  # the share of rows in which an optional field has a value
_UNDATED = 0.2  # the share of records without a date, where the date is optional
_SECOND_CITATION_EVERY = 50  # every 50th root record has a second citation, from another source
# The basis that rules.date_problems requires a date note for (used by the injected error only).
_INFERRED = "inferred"

F = Fraction
# The benchmark's proportions (the real package is too small to scale from), as (low, high,
# floor): a table without foreign keys has low rows per root row (at least floor); a table with
# its own ID and a parent has low rows per row of its first parent; a link table links each row
# of its first parent to between low and high rows of the others, or, for a fraction, links that
# share of its first parent's rows once each.
_SHAPE: dict[str, tuple[Fraction, Fraction, int]] = {
    "actors": (F(1, 100), F(1, 100), 12),
    "agreements": (F(1, 20), F(1, 20), 4),
    "disputes": (F(1, 100), F(1, 100), 4),
    SOURCES: (F(1, 1000), F(1, 1000), 2),
    "agreement_topics": (F(1, 2), F(1, 2), 2),
    "event_actors": (F(2), F(4), 0),
    "agreement_actors": (F(2), F(2), 0),
    "dispute_actors": (F(2), F(2), 0),
    "event_agreements": (F(1, 20), F(1, 20), 4),
    "event_disputes": (F(1, 50), F(1, 50), 8),
}
_UNPARENTED = (F(1, 100), F(1, 100), 12)  # a table not in _SHAPE, without foreign keys
_PARENTED = (F(2), F(2), 0)  # a table not in _SHAPE, with a parent

# Words for generated text: flavour only, no schema fact.
_NAMES = ["Lee", "Kim", "Park", "Choi", "Ishiba", "Kishida", "Suga", "Yoon", "Moon", "Abe"]
_NAMES += ["이재명", "김대중", "石破茂", "岸田文雄"]
_VERBS = ["meets", "visits", "hosts", "calls", "writes to", "criticises", "praises"]
_VERBS += ["negotiates with"]
_SUBJECTS = ["trade", "export controls", "security cooperation", "history", "fisheries"]
_SUBJECTS += ["the islets", "semiconductors", "tourism", "climate action", "labour", "energy"]
_SUBJECTS += ["North Korea"]
_CLAUSES = [
    ("the two sides discussed ", " and agreed to keep talking"),
    ("officials said ", " remained the hardest question"),
    ("the statement named ", ", but gave no timetable"),
    ("critics in Seoul called the talks on ", " a missed opportunity"),
    ("Tokyo’s position on ", " did not change"),
    ("the leaders’ aides prepared a note on ", ""),
]
_DATE_SOURCES = ["caption", "dateline", "context"]
_LONG = 1000  # text with at least this maxLength (or none) is prose; shorter text a phrase


@dataclass
class Generated:
    root: Path
    sources_dir: Path
    rows: dict[str, int]
    # With bad=True: every problem validate must report, as (file, row, column, rule).
    expected: set[tuple] = field(default_factory=set)


# --- column helpers


def _ids(prefix: str, count: int, width: int, start: int = 1) -> pa.Array:
    numbers = pc.cast(pa.array(np.arange(start, start + count, dtype=np.int64)), pa.string())
    return pc.binary_join_element_wise(prefix, pc.utf8_lpad(numbers, width, "0"), "")


def _pick(choices: list, index: np.ndarray) -> pa.Array:
    return pc.take(pa.array(choices, pa.string()), pa.array(index % len(choices)))


def _join(*parts, sep: str = "") -> pa.Array:
    return pc.binary_join_element_wise(*parts, sep)


def _num(values: np.ndarray) -> pa.Array:
    return pc.cast(pa.array(values.astype(np.int64)), pa.string())


def _nulls_where(values: pa.Array, mask: np.ndarray) -> pa.Array:
    return pc.if_else(pa.array(mask), pa.nulls(len(values), pa.string()), values)


def _day_text(days: np.ndarray, unit: str = "D") -> pa.Array:
    return pa.array(np.datetime_as_string(days, unit=unit), pa.string())


def _spread(rng: np.random.Generator, count: int, choices: int) -> np.ndarray:
    """Indexes into `choices` values: each used equally often (every one, given the rows), in a
    random order."""
    return rng.permutation(count) % choices


# --- ID and pattern texts

_ID_PATTERN = re.compile(r"^([A-Za-z][A-Za-z0-9_]*-?)\[0-9\]\{([0-9]+),([0-9]*)\}$")


def id_prefix(fld: Field) -> tuple[str, int]:
    """An ID field's prefix and its fewest digits, from its pattern (`EV-[0-9]{4,}`: EV-, 4)."""
    match = _ID_PATTERN.match(fld.constraints.pattern or "")
    if match is None:
        raise ValueError(
            f"cannot number IDs for field {fld.name!r}: its pattern should read PREFIX[0-9]{{n,}}"
        )
    return match.group(1), int(match.group(2))


def pattern_samples(pattern: str, count: int = 64) -> list[str]:
    """Up to `count` distinct texts that match the pattern, varied over its classes, branches
    and repeats; none starts with what a spreadsheet runs as a formula, or with a space."""
    from re import _constants as c
    from re import _parser as parser

    def walk(items, k: int) -> str:
        out = []
        for op, av in items:
            if op is c.LITERAL:
                out.append(chr(av))
            elif op is c.IN:
                chars = []
                for kind, value in av:
                    if kind is c.LITERAL:
                        chars.append(chr(value))
                    elif kind is c.RANGE:
                        chars += [chr(x) for x in range(value[0], value[1] + 1)]
                    else:
                        raise ValueError(f"cannot generate text for pattern {pattern!r}")
                out.append(chars[(k + 3 * len(out)) % len(chars)])
            elif op in (c.MAX_REPEAT, c.MIN_REPEAT):
                low, high, sub = av
                high = low + 2 if high is c.MAXREPEAT else min(high, low + 2)
                times = low + k % (high - low + 1)
                out += [walk(sub, k // 3 + 7 * i) for i in range(times)]
            elif op is c.SUBPATTERN:
                out.append(walk(av[-1], k))
            elif op is c.BRANCH:
                branches = av[1]
                out.append(walk(branches[k % len(branches)], k // len(branches)))
            elif op is c.ANY:
                out.append("x")
            else:
                raise ValueError(f"cannot generate text for pattern {pattern!r}")
        return "".join(out)

    parsed = parser.parse(pattern)
    found: list[str] = []
    for k in range(count * 4):
        text = walk(parsed, k)
        if text not in found and re.fullmatch(pattern, text) and not re.match(r"[=+\-@\s]", text):
            found.append(text)
        if len(found) == count:
            break
    if not found:
        raise ValueError(f"cannot generate text for pattern {pattern!r}")
    return found


# --- dates


def _dates(
    rng: np.random.Generator, count: int, resource: Resource, optional: bool
) -> dict[str, pa.Array]:
    """EDTF dates with consistent bounds: days, months, years and short intervals, some hedged,
    of the precisions the schema allows; the basis from its vocabulary, with a note wherever the
    basis is not the first (plain) one."""
    date, start_name, end_name, precision_name, basis_name = DATE_FIELDS
    allowed = resource.field(precision_name).vocabulary or PRECISIONS
    # day, month, year, and an interval of days (day precision)
    kinds = [k for k, p in enumerate((*PRECISIONS, PRECISIONS[0])) if p in allowed]
    weights = np.array([0.7, 0.15, 0.1, 0.05])[kinds]
    kind = np.array(kinds)[rng.choice(len(kinds), count, p=weights / weights.sum())]
    day = _DAY0 + rng.integers(0, _DAYS, count).astype("timedelta64[D]")
    month = day.astype("datetime64[M]")
    year = day.astype("datetime64[Y]")
    length = rng.integers(1, 6, count).astype("timedelta64[D]")
    start = np.select(
        [kind == 1, kind == 2], [month.astype("datetime64[D]"), year.astype("datetime64[D]")], day
    )
    end = np.select(
        [kind == 1, kind == 2, kind == 3],
        [
            (month + 1).astype("datetime64[D]") - 1,
            (year + 1).astype("datetime64[D]") - 1,
            day + length,
        ],
        day,
    )
    day_text, end_text = _day_text(day), _day_text(end)
    text = pc.if_else(
        pa.array(kind == 1),
        _day_text(month, "M"),
        pc.if_else(
            pa.array(kind == 2),
            _day_text(year, "Y"),
            pc.if_else(pa.array(kind == 3), _join(day_text, end_text, sep="/"), day_text),
        ),
    )
    hedge = rng.random(count)
    text = _join(text, _pick(["", "~", "?"], np.select([hedge < 0.02, hedge < 0.04], [1, 2], 0)))
    bases = resource.field(basis_name).vocabulary or ("",)
    # The first basis for most records; every other one for about 15% of them.
    other = rng.random(count) < 0.15
    basis_index = np.where(other, 1 + _spread(rng, count, max(1, len(bases) - 1)), 0)
    basis_index = np.minimum(basis_index, len(bases) - 1)
    columns = {
        date: text,
        start_name: _day_text(start),
        end_name: end_text,
        precision_name: _pick([(*PRECISIONS, PRECISIONS[0])[k] for k in range(4)], kind),
        basis_name: _pick(list(bases), basis_index),
    }
    if resource.has(DATE_NOTE):
        columns[DATE_NOTE] = _nulls_where(
            _join("Dated from the ", _pick(_DATE_SOURCES, kind), "."), basis_index == 0
        )
    if optional:  # some records carry no date at all
        undated = rng.random(count) < _UNDATED
        columns = {name: _nulls_where(values, undated) for name, values in columns.items()}
    return columns


# --- text


def _clause(clause: np.ndarray, subject: np.ndarray) -> pa.Array:
    """A clause about a subject: "officials said trade remained the hardest question"."""
    before = _pick([b for b, _ in _CLAUSES], clause)
    after = _pick([a for _, a in _CLAUSES], clause)
    return _join(before, _pick(_SUBJECTS, subject), after)


def _sentences(sources: int) -> pa.Array:
    """Every source's sentences, source-major: sentence j of source s is at s * K + j."""
    count = sources * _SENTENCES_PER_SOURCE
    n = np.arange(count)
    return _join(
        "In report ",
        _num(n // _SENTENCES_PER_SOURCE + 1),
        ", paragraph ",
        _num(n % _SENTENCES_PER_SOURCE + 1),
        ", ",
        _clause(n * 7 + n // _SENTENCES_PER_SOURCE, n * 5 + 3),
        ".",
    )


def _fit(values: pa.Array, fld: Field) -> pa.Array:
    """Text within the field's lengths: cut at maxLength (no space left at the end), and
    lengthened to minLength."""
    low, high = fld.constraints.min_length, fld.constraints.max_length
    if low and len(values) and pc.min(pc.utf8_length(values)).as_py() < low:
        values = _join(values, " " + "and so on, " * (low // 11 + 1))
        values = pc.utf8_rtrim(values, characters=" ,")
    if high and len(values) and pc.max(pc.utf8_length(values)).as_py() > high:
        values = pc.utf8_rtrim_whitespace(pc.utf8_slice_codeunits(values, 0, high))
    return values


def _unique_fields(resource: Resource) -> set[str]:
    """Fields that must be unique, alone or as part of a key (other than the primary key)."""
    names = {f.name for f in resource.fields if f.constraints.unique}
    for key in resource.unique_keys:
        names.update(key)
    return names


class _Builder:
    """Builds every table's columns for `events` root rows; tables are dicts of pyarrow arrays."""

    def __init__(self, package: Package, events: int, seed: int):
        self.package = package
        self.rng = np.random.default_rng(seed)
        self.n = events
        self.root = package.resource(ROOT)
        if self.root is None:
            raise ValueError(f"the template package has no {ROOT!r} table")
        self.cited = [name for name in package.cited_tables if package.resource(name)]
        self.citations = package.resource(CITATIONS)
        self.sources = package.resource(SOURCES)
        self.counts: dict[str, int] = {}
        # (table, field) -> the parent row of each row, for a single-field foreign key
        self.parents: dict[tuple[str, str], np.ndarray] = {}
        self.keys: dict[str, pa.Array] = {}  # each table's single-field primary key values
        self.prefix: dict[str, str] = {}
        self.tables: dict[str, dict[str, pa.Array]] = {}
        self.actors_linked = False  # the first link table to actors links every actor
        # The EDTF pattern of the date fields: any other field with it holds an EDTF date.
        dated = [r for r in package.resources if r.dated]
        self.edtf_pattern = dated[0].field(DATE_FIELDS[0]).constraints.pattern if dated else None

    # --- the structure: sizes, keys and who refers to whom

    def parent_fks(self, resource: Resource):
        """Single-field foreign keys to other tables, the evidence excepted."""
        return [
            fk
            for fk in resource.foreign_keys
            if len(fk.fields) == 1
            and fk.resource not in (resource.name, CITATIONS)
            and self.package.resource(fk.resource) is not None
        ]

    def own_id(self, resource: Resource) -> str | None:
        """The field that numbers the table's records: a one-field primary key of its own."""
        key = resource.primary_key
        if len(key) != 1:
            return None
        if any(key[0] in fk.fields for fk in resource.foreign_keys):
            return None
        return key[0]

    def ordered(self) -> list[Resource]:
        """The tables, each after the parents it draws keys from; the citations last."""
        done: list[Resource] = []
        seen: set[str] = set()

        def visit(resource: Resource, path: tuple[str, ...]) -> None:
            if resource.name in seen:
                return
            if resource.name in path:
                raise ValueError(f"foreign keys form a cycle through {resource.name}")
            for fk in self.parent_fks(resource):
                visit(self.package.resource(fk.resource), (*path, resource.name))
            seen.add(resource.name)
            done.append(resource)

        for resource in self.package.resources:
            if resource.name != CITATIONS:
                visit(resource, ())
        return done + ([self.citations] if self.citations is not None else [])

    def structure(self, resource: Resource) -> None:
        """The table's row count and, for each foreign key, the parent row of each row."""
        name, rng = resource.name, self.rng
        fks = self.parent_fks(resource)
        low, high, floor = _SHAPE.get(name, _PARENTED if fks else _UNPARENTED)
        if name == self.root.name:
            self.counts[name] = self.n
        elif not fks:
            self.counts[name] = max(floor, int(self.n * low))
        elif self.own_id(resource) is not None:  # its own records, each under a parent
            size = self.counts[fks[0].resource]
            count = max(floor, int(size * low))
            self.counts[name] = count
            self.parents[(name, fks[0].fields[0])] = np.arange(count) * size // count
            for fk in fks[1:]:
                parent = self.counts[fk.resource]
                self.parents[(name, fk.fields[0])] = rng.integers(0, parent, count)
        else:  # a link table: each row of its first parent to distinct rows of the others
            size = self.counts[fks[0].resource]
            if high >= 1:
                per = rng.integers(int(low), int(high) + 1, size)
                anchor = np.repeat(np.arange(size), per)
                slot = np.arange(len(anchor)) - np.repeat(np.cumsum(per) - per, per)
            else:  # a share of the parent's rows, each once
                count = min(size, max(floor, int(size * low)))
                anchor = np.arange(count) * size // count
                per, slot = np.ones(size, dtype=np.int64), np.zeros(count, dtype=np.int64)
            self.counts[name] = len(anchor)
            self.parents[(name, fks[0].fields[0])] = anchor
            most = max(1, int(per.max(initial=1)) - 1)
            for fk in fks[1:]:
                other = self.counts[fk.resource]
                base = rng.integers(0, other, size)
                step = 1 + np.arange(size) % max(1, min(7, (other - 1) // most))
                index = (base[anchor] + slot * step[anchor]) % other
                if fk.resource == ACTORS and not self.actors_linked:
                    index = _cover(index, anchor, other)
                    self.actors_linked = True
                self.parents[(name, fk.fields[0])] = index

    def numbering(self, width: int) -> None:
        for resource in self.package.resources:
            key = self.own_id(resource)
            if key is None:
                continue
            prefix, _ = id_prefix(resource.field(key))
            self.prefix[resource.name] = prefix
            self.keys[resource.name] = _ids(prefix, self.counts[resource.name], width)

    def evidence_layout(self) -> None:
        """One citation per record of each cited table, in table order, and a second one for every
        50th root record; each quotes a random sentence of a random source (a second citation
        another source than the first, so that the two never repeat)."""
        rng = self.rng
        self.first_citation: dict[str, np.ndarray] = {}
        names, records = [], []
        offset = 0
        for name in self.cited:
            count = self.counts[name]
            self.first_citation[name] = np.arange(offset, offset + count)
            names.append(np.full(count, len(names)))
            records.append(np.arange(count))
            offset += count
        root_at = self.cited.index(self.root.name)
        self.second_citation = np.arange(0, self.n, _SECOND_CITATION_EVERY)
        self.second_offset = offset
        names.append(np.full(len(self.second_citation), root_at))
        records.append(self.second_citation)
        total = offset + len(self.second_citation)
        self.citation_table = np.concatenate(names)
        self.citation_record = np.concatenate(records)
        sources = self.counts[SOURCES]
        source = rng.integers(0, sources, total)
        first = self.first_citation[self.root.name][self.second_citation]
        source[offset:] = (source[first] + 1) % sources
        self.citation_source = source
        self.citation_sentence = source * _SENTENCES_PER_SOURCE + rng.integers(
            0, _SENTENCES_PER_SOURCE, total
        )
        self.counts[CITATIONS] = total
        self.sentences = _sentences(sources)
        source_fk = next(fk for fk in self.citations.foreign_keys if fk.resource == SOURCES)
        self.source_field = source_fk.fields[0]
        self.parents[(CITATIONS, self.source_field)] = source

    def cited_by(self, resource: Resource) -> str:
        """The cited table whose record a row's evidence is about: its own, or the first cited
        table it links."""
        if resource.name in self.cited:
            return resource.name
        for fk in self.parent_fks(resource):
            if fk.resource in self.cited:
                return fk.resource
        raise ValueError(f"{resource.name} names its evidence but links no cited record")

    def cite(self, resource: Resource) -> np.ndarray:
        """The citation each row names: the first about the record `cited_by` says."""
        table = self.cited_by(resource)
        if table == resource.name:
            return self.first_citation[table]
        fk = next(fk for fk in self.parent_fks(resource) if fk.resource == table)
        return self.first_citation[table][self.parents[(resource.name, fk.fields[0])]]

    # --- the columns

    def build(self) -> dict[str, dict[str, pa.Array]]:
        if self.citations is None or self.sources is None:
            raise ValueError(f"the template package needs the {CITATIONS} and {SOURCES} tables")
        order = self.ordered()
        for resource in order[:-1]:
            self.structure(resource)
        self.evidence_layout()
        width = max(len(str(max(self.counts.values()))), 1)
        width = max(
            [width]
            + [
                id_prefix(r.field(self.own_id(r)))[1]
                for r in self.package.resources
                if self.own_id(r)
            ]
        )
        self.width = width
        self.numbering(width)
        for resource in order:
            self.tables[resource.name] = self.table(resource)
        return self.tables

    def table(self, resource: Resource) -> dict[str, pa.Array]:
        name, count = resource.name, self.counts[resource.name]
        dates = {}
        if resource.dated:
            optional = not resource.field(DATE_FIELDS[0]).required
            dates = _dates(self.rng, count, resource, optional)
        unique = _unique_fields(resource)
        columns = {}
        for fld in resource.fields:
            fk = next((k for k in resource.foreign_keys if k.fields == (fld.name,)), None)
            if fld.name in dates:
                values = dates[fld.name]
            elif fld.name == self.own_id(resource):
                values = self.keys[name]
            elif fk is not None and fk.resource == CITATIONS:
                values = pc.take(self.keys[CITATIONS], pa.array(self.cite(resource)))
            elif (name, fld.name) in self.parents:
                values = pc.take(self.keys[fk.resource], pa.array(self.parents[(name, fld.name)]))
            elif name == CITATIONS and fld.name in (CITED_TABLE, CITED_RECORD, QUOTE):
                values = self.evidence(fld.name)
            elif name == SOURCES and fld.name in (SOURCE_FILE, SOURCE_SHA256, SOURCE_SIZE):
                values = None  # filled in with the texts
                if fld.name == SOURCE_FILE:
                    numbers = pc.utf8_lpad(_num(np.arange(count) + 1), 6, "0")
                    values = _join("synthetic_", numbers, ".txt")
            else:
                values = self.values(resource, fld, count, fld.name in unique)
                if resource.nullable(fld) and fld.name not in unique:
                    values = _nulls_where(values, self.rng.random(count) >= _FILLED)
            columns[fld.name] = values
        return _roles_apart(resource, columns)

    def evidence(self, name: str) -> pa.Array:
        if name == CITED_TABLE:
            return _pick(self.cited, self.citation_table)
        if name == CITED_RECORD:
            ids = pa.concat_arrays([self.keys[t] for t in self.cited])
            starts = np.cumsum([0] + [self.counts[t] for t in self.cited])[:-1]
            return pc.take(ids, pa.array(starts[self.citation_table] + self.citation_record))
        return pc.take(self.sentences, pa.array(self.citation_sentence))

    def values(self, resource: Resource, fld: Field, count: int, unique: bool) -> pa.Array:
        """A column of valid values for a field the model says nothing more particular about."""
        rng, c = self.rng, fld.constraints
        if fld.vocabulary is not None:
            return _pick(list(fld.vocabulary), _spread(rng, count, len(fld.vocabulary)))
        if fld.type in ("integer", "number", "year"):
            low = math.ceil(c.minimum) if c.minimum is not None else 0
            if c.minimum is None and fld.type == "year":
                low = 1950
            high = math.floor(c.maximum) if c.maximum is not None else low + 1000
            return _num(rng.integers(low, high + 1, count))
        if fld.type == "boolean":
            return _pick([fld.true_values[0], fld.false_values[0]], rng.integers(0, 2, count))
        if fld.type == "date" or (c.pattern is not None and c.pattern == self.edtf_pattern):
            return _day_text(_DAY0 + rng.integers(0, _DAYS, count).astype("timedelta64[D]"))
        if c.pattern is not None:
            return _pick(pattern_samples(c.pattern), rng.integers(0, 1 << 30, count))
        return _fit(self.text(resource, fld, count, unique), fld)

    def text(self, resource: Resource, fld: Field, count: int, unique: bool) -> pa.Array:
        """A phrase ("Lee meets Kim on trade") for a short field, prose for a long one; a number
        keeps the values of a unique field apart."""
        draws = self.rng.integers(0, 1 << 30, (4, count))
        high = fld.constraints.max_length
        if high is not None and high < _LONG:
            text = _join(
                _pick(_NAMES, draws[0]),
                " ",
                _pick(_VERBS, draws[1]),
                " ",
                _pick(_NAMES, draws[0] // 17 + 1),
                " on ",
                _pick(_SUBJECTS, draws[2]),
            )
            if unique:
                suffix = _join(" no. ", _num(np.arange(count) + 1))
                room = max(1, high - (len(str(count)) + 5))
                text = _join(
                    pc.utf8_rtrim_whitespace(pc.utf8_slice_codeunits(text, 0, room)), suffix
                )
            return text
        label = resource.title or resource.name
        return _join(
            label,
            " ",
            _num(np.arange(count) + 1),
            ": ",
            _clause(draws[0], draws[1]),
            ". Afterwards ",
            _clause(draws[2], draws[3]),
            ".",
        )

    def texts(self) -> list[bytes]:
        """Each source's text: its sentences, one paragraph each, every one followed by commentary
        that no citation quotes, as in a real article (validate caps the quoted share of a source)."""
        sentences = self.sentences.to_pylist()
        k = _SENTENCES_PER_SOURCE
        return [
            (
                "\n\n".join(
                    f"{sentence} {_COMMENTARY} ({i + 1}.{j + 1})"
                    for j, sentence in enumerate(sentences[i * k : (i + 1) * k])
                )
                + "\n"
            ).encode()
            for i in range(self.counts[SOURCES])
        ]


_COMMENTARY = (
    "The author then weighs what this means for both governments, for their voters and for the "
    "wider region, at some length and without new facts."
)


# --- writing CSV, vectorised: minimal quoting, as the real files are written


def _cell(values: pa.Array) -> pa.Array:
    values = pc.cast(values, pa.large_string())
    needs_quotes = pc.match_substring_regex(values, '[",\r\n]')
    mark, nothing = pa.scalar('"', pa.large_string()), pa.scalar("", pa.large_string())
    quoted = pc.binary_join_element_wise(
        mark, pc.replace_substring(values, '"', '""'), mark, nothing
    )
    return pc.if_else(needs_quotes, quoted, values)


def write_csv(path: Path, columns: dict[str, pa.Array]) -> int:
    """Write the columns as CSV (header, LF line ends, empty cell for null); returns the row count."""
    names = list(columns)
    cells = [_cell(columns[name]) for name in names]
    comma, newline = pa.scalar(",", pa.large_string()), pa.scalar("\n", pa.large_string())
    lines = pc.binary_join_element_wise(*cells, comma, null_handling="replace", null_replacement="")
    lines = pc.binary_join_element_wise(lines, pa.scalar("", pa.large_string()), newline)
    with path.open("wb") as out:
        out.write((",".join(names) + "\n").encode())
        chunks = lines.chunks if isinstance(lines, pa.ChunkedArray) else [lines]
        for chunk in chunks:
            if len(chunk) == 0:
                continue
            offsets = np.frombuffer(chunk.buffers()[1], dtype=np.int64)
            start, end = offsets[chunk.offset], offsets[chunk.offset + len(chunk)]
            out.write(memoryview(chunk.buffers()[2])[start:end])
    return len(lines)


# --- errors for --bad: each at a known row, each reported as exactly one problem


def _set(columns: dict, name: str, index: int, value: str | None) -> None:
    values = columns[name]
    mask = np.zeros(len(values), dtype=bool)
    mask[index] = True
    replacement = pa.array([value], pa.string())
    columns[name] = pc.replace_with_mask(pc.cast(values, pa.string()), pa.array(mask), replacement)


def _get(columns: dict, name: str, index: int):
    return columns[name][index].as_py()


def _not_matching(pattern: str) -> str:
    return next(v for v in ("0", "x", "#", "x0x") if not re.fullmatch(pattern, v))


class _Targets:
    """Where each injected error goes: fields picked by what the schema says of them."""

    def __init__(self, builder: _Builder):
        self.b = builder
        self.package = builder.package

    def plain(self, resource: Resource, fld: Field) -> bool:
        """A field whose values the generator made up freely (no key, date or evidence role)."""
        b = self.b
        return not (
            fld.name in resource.primary_key
            or any(fld.name in fk.fields for fk in resource.foreign_keys)
            or fld.name in (*DATE_FIELDS, DATE_NOTE)
            or (resource.name, fld.name) in b.parents
            or resource.name in (CITATIONS, SOURCES)
        )

    def texts(self, resource: Resource, required: bool | None = None, unique: bool = False):
        """Free text fields (no pattern, no vocabulary) of a table."""
        keyed = _unique_fields(resource)
        return [
            f
            for f in resource.fields
            if self.plain(resource, f)
            and f.type == "string"
            and f.constraints.pattern is None
            and f.vocabulary is None
            and (required is None or f.required == required)
            and (f.name in keyed) == unique
        ]

    def first(self, found, what: str):
        for item in found:
            return item
        raise ValueError(f"--bad needs {what} in the template package")


def _inject(builder: _Builder) -> set[tuple]:
    tables, n = builder.tables, builder.n
    package, root = builder.package, builder.root
    targets = _Targets(builder)
    events, cites = tables[root.name], tables[CITATIONS]
    expected: set[tuple] = set()

    def at(fraction: float, size: int) -> int:
        return min(size - 1, int(size * fraction))

    def expect(resource: Resource, index: int, column: str, rule: str) -> None:
        expected.add((resource.path, index + 2, column, rule))

    # The root table: ten distinct rows; where a date matters, the row's date is first rewritten
    # to a valid date of the kind needed, so that any size of package has the rows to break.
    date, start, end, precision, basis = DATE_FIELDS
    if not root.dated:
        raise ValueError(f"--bad needs the {root.name} table to carry dates")
    plain_basis = root.field(basis).vocabulary[0]
    used: set[int] = set()

    def fresh(fraction: float) -> int:
        index = min(n - 1, int(n * fraction))
        while index in used:
            index = (index + 1) % n
        used.add(index)
        return index

    def dated(index: int, text: str, first: str, last: str, how: str) -> None:
        for name, value in (
            (date, text),
            (start, first),
            (end, last),
            (precision, how),
            (basis, plain_basis),
            (DATE_NOTE, None),
        ):
            if name in events:
                _set(events, name, index, value)

    def a_day(index: int) -> str:
        day = str(_DAY0 + np.timedelta64(index % _DAYS, "D"))
        dated(index, day, day, day, PRECISIONS[0])
        return day

    vocabulary = targets.first(
        (f for f in root.fields if targets.plain(root, f) and f.vocabulary), "a vocabulary field"
    )
    title = targets.first(
        (f for f in targets.texts(root, required=True) if f.constraints.max_length),
        f"a required text field with a maxLength in {root.name}",
    )
    prose = ([f for f in targets.texts(root, required=True) if f is not title] or [title])[0]

    i = fresh(0.05)
    day = a_day(i)
    _set(events, start, i, day[:5] + "02-30")  # not a calendar date
    expect(root, i, start, "type")
    i = fresh(0.10)
    _set(events, vocabulary.name, i, "not_in_the_vocabulary")
    expect(root, i, vocabulary.name, "enum")
    i = fresh(0.15)
    _set(events, title.name, i, None)
    expect(root, i, title.name, "required")
    i = fresh(0.20)
    words = "A very long title, " * (title.constraints.max_length // 19 + 2)
    _set(events, title.name, i, words.strip())
    expect(root, i, title.name, "max_length")
    i = fresh(0.25)
    _set(events, title.name, i, "=HYPERLINK(0)")
    expect(root, i, title.name, "formula")
    i = fresh(0.30)
    value = _get(events, prose.name, i)
    if prose.constraints.max_length:
        value = value[: prose.constraints.max_length - 1].rstrip()
    _set(events, prose.name, i, value + " ")
    expect(root, i, prose.name, "whitespace")
    i = fresh(0.35)
    day = a_day(i)
    _set(events, end, i, str(np.datetime64(day) + 1))
    expect(root, i, end, "date_bounds")
    i = fresh(0.40)
    dated(i, "1984-01", "1984-01-01", "1984-01-31", PRECISIONS[0])  # a month, said to be a day
    expect(root, i, precision, "date_precision")
    if DATE_NOTE in events and _INFERRED in (root.field(basis).vocabulary or ()):
        i = fresh(0.45)
        a_day(i)
        _set(events, basis, i, _INFERRED)  # inferred, without a note saying how
        expect(root, i, DATE_NOTE, "date_note")
    i = fresh(0.50)
    day = np.datetime64(a_day(i))
    _set(events, date, i, f"{day + 2}/{day}")  # an interval that ends before it starts
    expect(root, i, date, "date_invalid")

    # The largest link table under the root that names its evidence: a repeated key, a missing
    # parent, and evidence about another root record.
    link = targets.first(
        sorted(
            (
                r
                for r in package.resources
                if r.cites
                and builder.own_id(r) is None
                and builder.parent_fks(r)
                and builder.parent_fks(r)[0].resource == root.name
                and len(builder.parent_fks(r)) > 1
            ),
            key=lambda r: -builder.counts[r.name],
        ),
        f"a link table under {root.name} naming its evidence",
    )
    links = tables[link.name]
    anchor_fk, other_fk = builder.parent_fks(link)[:2]
    anchor, other = anchor_fk.fields[0], other_fk.fields[0]
    size = len(links[anchor])
    i = at(0.55, size)
    while _get(links, anchor, i) != _get(links, anchor, i - 1):
        i += 1
    for name in link.primary_key:
        if name != anchor:
            _set(links, name, i, _get(links, name, i - 1))
    expect(link, i, ",".join(link.primary_key), "primary_key")
    i = max(at(0.60, size), i + 1)
    _set(links, other, i, builder.prefix[other_fk.resource] + "9" * builder.width)
    expect(link, i, other, "foreign_key")
    i += 1
    there = (i + 50) % size
    while _get(links, anchor, there) == _get(links, anchor, i):
        there = (there + 1) % size
    _set(links, CITATION_FIELD, i, _get(links, CITATION_FIELD, there))
    expect(link, i, CITATION_FIELD, "link_citation")

    # Other tables: pattern, Unicode form, unique key, an incomplete date, a control character.
    resource, fld = targets.first(
        (
            (r, f)
            for r in package.resources
            for f in r.fields
            if r is not root
            and targets.plain(r, f)
            and f.constraints.pattern
            and f.constraints.pattern != builder.edtf_pattern
            and not f.vocabulary
            and not f.required
        ),
        "an optional field with a pattern",
    )
    columns = tables[resource.name]
    i = builder.counts[resource.name] // 2
    _set(columns, fld.name, i, _not_matching(fld.constraints.pattern))
    expect(resource, i, fld.name, "pattern")
    fld = targets.first(targets.texts(resource, required=False), "an optional text field")
    i = builder.counts[resource.name] // 3
    _set(columns, fld.name, i, unicodedata.normalize("NFD", "이재명"))
    expect(resource, i, fld.name, "unicode_nfc")
    touched = {root.name, link.name, resource.name}

    resource, fld = targets.first(
        (
            (r, r.field(key[0]))
            for r in package.resources
            if r.name not in touched
            for key in r.unique_keys
            if len(key) == 1 and targets.texts(r, unique=True)
        ),
        "a text field that is a unique key",
    )
    columns = tables[resource.name]
    i = builder.counts[resource.name] // 2
    _set(columns, fld.name, i, _get(columns, fld.name, i - 1))
    expect(resource, i, fld.name, "unique_key")
    touched.add(resource.name)
    optional = targets.first(
        (r for r in package.resources if r.dated and not r.field(date).required),
        "a table with optional dates",
    )
    columns = tables[optional.name]
    i = builder.counts[optional.name] // 3
    for name, value in zip(
        (date, start, end, precision, DATE_NOTE),
        ("2008", "2008-01-01", "2008-12-31", PRECISIONS[2], None),
        strict=True,
    ):
        if name in columns:
            _set(columns, name, i, value)
    _set(columns, basis, i, None)  # a date without its basis
    expect(optional, i, basis, "date_incomplete")
    touched.add(optional.name)
    resource, fld = targets.first(
        (
            (r, f)
            for r in package.resources
            if r.name not in touched
            for f in targets.texts(r, required=True)
        ),
        "a required text field in another table",
    )
    columns = tables[resource.name]
    i = builder.counts[resource.name] // 2
    _set(columns, fld.name, i, _get(columns, fld.name, i).replace(" ", "\t", 1))
    expect(resource, i, fld.name, "control_character")

    # Evidence: a record left without a citation, a citation to nowhere, a quote not in its source.
    # A table whose citations no link row names (a link names the evidence of what it links).
    named = {builder.cited_by(r) for r in package.resources if r.cites}
    cited = targets.first(
        sorted(
            (t for t in builder.cited if t not in named and builder.counts[t] > 1),
            key=lambda t: -builder.counts[t],
        ),
        "a second cited table",
    )
    first = builder.first_citation[cited]
    victim = len(first) // 4
    i, j = int(first[victim]), int(first[victim + 1])
    # Now two citations of one record: they must not repeat (source, quote), a unique key.
    while (_get(cites, builder.source_field, i), _get(cites, QUOTE, i)) == (
        _get(cites, builder.source_field, j),
        _get(cites, QUOTE, j),
    ):
        victim += 1
        i, j = int(first[victim]), int(first[victim + 1])
    _set(cites, CITED_RECORD, i, _get(cites, CITED_RECORD, j))
    victim_table = package.resource(cited)
    expect(victim_table, victim, builder.own_id(victim_table), "citation_missing")
    i = builder.second_offset + len(builder.second_citation) // 2  # a root record's second
    _set(cites, CITED_RECORD, i, builder.prefix[root.name] + "9" * builder.width)
    expect(builder.citations, i, CITED_RECORD, "citation_target")
    i = int(builder.first_citation[root.name][0])
    _set(cites, QUOTE, i, "A sentence that no synthetic source contains.")
    expect(builder.citations, i, QUOTE, "quote_not_found")
    return expected


def generate(
    out: Path,
    events: int,
    seed: int = 0,
    bad: bool = False,
    template: Path | None = None,
) -> Generated:
    """Write a synthetic package with `events` events into `out` (created; must be empty)."""
    if events < 10:
        raise ValueError("a synthetic package needs at least 10 events")
    template = template or Path(__file__).resolve().parents[3]
    package, problems = load_package(template)
    if package is None or problems:
        raise ValueError(f"the template package in {template} does not load cleanly")
    builder = _Builder(package, events, seed)
    tables = builder.build()
    out.mkdir(parents=True, exist_ok=True)
    if any(out.iterdir()):
        raise ValueError(f"{out} is not empty")
    shutil.copy(template / DESCRIPTOR, out / DESCRIPTOR)
    for resource in package.resources:
        if resource.schema_path:
            target = out / resource.schema_path
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(template / resource.schema_path, target)

    sources_dir = out / SOURCES_DIR
    sources_dir.mkdir()
    texts = builder.texts()
    names = tables[SOURCES][SOURCE_FILE].to_pylist()
    for name, text in zip(names, texts, strict=True):
        (sources_dir / name).write_bytes(text)
    tables[SOURCES][SOURCE_SHA256] = pa.array([hashlib.sha256(t).hexdigest() for t in texts])
    tables[SOURCES][SOURCE_SIZE] = pa.array([str(len(t)) for t in texts])
    expected = _inject(builder) if bad else set()

    rows = {}
    for resource in package.resources:
        columns = tables[resource.name]
        if list(columns) != resource.field_names:
            raise ValueError(f"{resource.name}: the generator's columns differ from the schema")
        target = out / resource.path
        target.parent.mkdir(parents=True, exist_ok=True)
        rows[resource.name] = write_csv(target, columns)
    return Generated(out, sources_dir, rows, expected)


def _roles_apart(resource: Resource, columns: dict[str, pa.Array]) -> dict[str, pa.Array]:
    """Roles drawn at random may meet where the table's `x-role-rules.notTogether` forbids (a
    `party` beside a `claimant` of one dispute): in such a record the pair's first role becomes
    the second (both stay in use across records), until no pair meets. Each record links
    distinct actors, so the key stays unique."""
    pairs = resource.extension("x-role-rules").get("notTogether") or []
    fields = resource.roles(ACTORS)
    if not pairs or fields is None:
        return columns
    record, _, role = fields
    for _ in range(len(pairs) + 1):
        roles, changed = columns[role], False
        for first, second in pairs:
            holders = pc.unique(pc.filter(columns[record], pc.equal(roles, second)))
            clash = pc.and_(pc.equal(roles, first), pc.is_in(columns[record], holders))
            if pc.any(clash).as_py():
                roles, changed = pc.if_else(clash, second, roles), True
        columns[role] = roles
        if not changed:
            break
    return columns


def _cover(index: np.ndarray, anchor: np.ndarray, size: int) -> np.ndarray:
    """Link every parent row at least once (an actor linked to nothing is a problem): each row
    never drawn takes the place of a row whose value is drawn again elsewhere, in a record that
    does not link it yet. Only small packages leave rows undrawn, so the loop is short."""
    index = index.copy()
    counts = np.bincount(index, minlength=size)
    for missing in np.flatnonzero(counts == 0):
        spare = counts[index] > 1
        taken = np.isin(anchor, anchor[index == missing])
        rows = np.flatnonzero(spare & ~taken)
        if len(rows) == 0:
            break  # more parent rows than links: nothing to spare
        row = rows[0]
        counts[index[row]] -= 1
        index[row], counts[missing] = missing, 1
    return index
