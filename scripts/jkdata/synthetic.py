"""Synthetic packages that satisfy every rule `jkdata validate` checks, at any size, for benchmarks.

`generate(out, events=N)` writes a complete package directory: a copy of the descriptor and
schemas, `data/*.csv` with N events (each with 2–4 actor links, about 3 on average), agreements,
disputes, topics, every link table, sources, and a citation for every record, plus a `sources/`
directory of synthetic source texts whose SHA-256 and size are in `sources.csv`, so that the quote
check runs too. Rows are built column by column with numpy and pyarrow (no Python loop over rows),
and written with minimal CSV quoting as the real package is.

With `bad=True` a fixed list of errors is injected at known rows, one per class of problem (types,
enum, pattern, required, lengths, primary and unique keys, foreign keys, dates, hygiene, evidence,
quotes); `Generated.expected` lists the (file, row, column, rule) each must be reported as, and
nothing else may be.
"""

from __future__ import annotations

import hashlib
import shutil
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .package import DESCRIPTOR, load_package

SOURCES_DIR = "sources"  # inside the generated package directory
_SENTENCES_PER_SOURCE = 48
_DAY0 = np.datetime64("1950-01-01")
_DAYS = int((np.datetime64("2025-12-31") - _DAY0).astype(int))

_PLACES = ["Tokyo", "Seoul", "Busan", "Osaka", "Washington, D.C.", "Beijing", "Jeju", "Hiroshima"]
_COUNTRIES = ["KOR", "JPN", "USA", "CHN", "PRK", "RUS", "AUS", "IND"]
_VERBS = [
    "meets",
    "visits",
    "hosts",
    "calls",
    "writes to",
    "criticises",
    "praises",
    "negotiates with",
]
_SUBJECTS = [
    "trade",
    "export controls",
    "security cooperation",
    "history",
    "fisheries",
    "the islets",
    "semiconductors",
    "tourism",
    "climate action",
    "labour",
    "energy",
    "North Korea",
]
_GIVEN = ["Lee", "Kim", "Park", "Choi", "Ishiba", "Kishida", "Suga", "Yoon", "Moon", "Abe"]
_NATIVE = ["이재명", "김대중", "박정희", "石破茂", "岸田文雄", "安倍晋三", None, None, None, None]
_CLAUSES = [
    ("the two sides discussed ", " and agreed to keep talking"),
    ("officials said ", " remained the hardest question"),
    ("the statement named ", ", but gave no timetable"),
    ("critics in Seoul called the talks on ", " a missed opportunity"),
    ("Tokyo’s position on ", " did not change"),
    ("the leaders’ aides prepared a note on ", ""),
]


@dataclass
class Generated:
    root: Path
    sources_dir: Path
    rows: dict[str, int]
    # With bad=True: every problem validate must report, as (file, row, column, rule).
    expected: set[tuple] = field(default_factory=set)


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


def _dates(rng: np.random.Generator, count: int, optional: bool) -> dict[str, pa.Array]:
    """EDTF dates with consistent bounds: days, months, years and short intervals, some hedged."""
    day = _DAY0 + rng.integers(0, _DAYS, count).astype("timedelta64[D]")
    kind = rng.choice(4, count, p=[0.7, 0.15, 0.1, 0.05])  # day, month, year, interval
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
    precision = _pick(["day", "month", "year", "day"], kind)
    inferred = rng.random(count) < 0.15
    basis = pc.if_else(pa.array(inferred), "inferred", "stated")
    note = _nulls_where(
        _join("Inferred from the ", _pick(["caption", "dateline", "context"], kind), "."),
        ~inferred,
    )
    columns = {
        "date": text,
        "date_start": _day_text(start),
        "date_end": end_text,
        "date_precision": precision,
        "date_basis": basis,
        "date_note": note,
    }
    if optional:  # about a fifth of the records carry no date at all
        undated = rng.random(count) < 0.2
        columns = {name: _nulls_where(values, undated) for name, values in columns.items()}
    return columns


def _clause(clause: np.ndarray, subject: np.ndarray) -> pa.Array:
    """A clause about a subject: "officials said trade remained the hardest question"."""
    before = _pick([b for b, _ in _CLAUSES], clause)
    after = _pick([a for _, a in _CLAUSES], clause)
    return _join(before, _pick(_SUBJECTS, subject), after)


def _description(rng: np.random.Generator, count: int, what: pa.Array) -> pa.Array:
    draws = rng.integers(0, 1 << 30, (2, count))
    return _join(what, ": ", _clause(draws[0], draws[1]), ".")


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


def _constant(value: str, count: int) -> pa.Array:
    return pc.take(pa.array([value], pa.string()), pa.array(np.zeros(count, dtype=np.int64)))


class _Builder:
    """Builds every table's columns for `events` events; tables are dicts of pyarrow arrays."""

    def __init__(self, events: int, seed: int):
        self.rng = np.random.default_rng(seed)
        self.n = events
        self.width = max(4, len(str(max(events, 1) * 2)))
        self.counts = {
            "events": events,
            "actors": max(12, events // 100),
            "agreements": max(4, events // 20),
            "disputes": max(4, events // 100),
            "sources": max(2, events // 1000),
        }
        self.counts["agreement_topics"] = max(2, self.counts["agreements"] // 2)
        self.tables: dict[str, dict[str, pa.Array]] = {}

    def ids(self, prefix: str, table: str) -> pa.Array:
        return _ids(prefix, self.counts[table], self.width)

    def build(self) -> dict[str, dict[str, pa.Array]]:
        rng, n, c = self.rng, self.n, self.counts
        event_ids = self.ids("EV-", "events")
        actor_ids = self.ids("AC-", "actors")
        agreement_ids = self.ids("AG-", "agreements")
        dispute_ids = self.ids("DI-", "disputes")
        topic_ids = self.ids("AT-", "agreement_topics")
        source_ids = self.ids("SR-", "sources")

        # --- actors: unique names (a number keeps them apart), some native names in Hangul/kanji
        a = c["actors"]
        ai = np.arange(a)
        self.tables["actors"] = {
            "actor_id": actor_ids,
            "name": _join(_pick(_GIVEN, ai), " ", _pick(_GIVEN, ai // 10 + 3), " ", _num(ai + 1)),
            "name_native": _pick(_NATIVE, ai),
            "actor_type": _pick(["person", "state", "government", "political_party"], ai),
            "country_code": _pick(_COUNTRIES, ai),
            "office": _nulls_where(_pick(["Minister", "Ambassador", "Envoy"], ai), ai % 3 == 0),
            "wikidata_id": _nulls_where(_join("Q", _num(ai + 100)), ai % 4 != 0),
            "description": _description(rng, a, _join("Actor ", _num(ai + 1))),
        }

        # --- events
        ei = np.arange(n)
        dates = _dates(rng, n, optional=False)
        place = rng.integers(0, len(_PLACES) + 2, n)
        self.tables["events"] = {
            "event_id": event_ids,
            "title": _join(
                _pick(_GIVEN, ei),
                " ",
                _pick(_VERBS, ei // 3),
                " ",
                _pick(_GIVEN, ei // 7 + 1),
                " on ",
                _pick(_SUBJECTS, ei // 11),
            ),
            "description": _join(
                _description(rng, n, _join("Event ", _num(ei + 1))),
                " Afterwards ",
                _clause(*rng.integers(0, 1 << 30, (2, n))),
                ".",
            ),
            "event_type": _pick(
                ["summit", "visit", "meeting", "speech", "press_statement", "trade_measure"],
                rng.integers(0, 6, n),
            ),
            **dates,
            "location": _nulls_where(_pick(_PLACES, place), place >= len(_PLACES)),
            "country_code": _nulls_where(_pick(_COUNTRIES, place), place >= len(_PLACES)),
            "cameo_code": _nulls_where(
                pc.utf8_lpad(_num(rng.integers(1, 21, n)), 2, "0"), rng.random(n) < 0.3
            ),
        }
        # --- agreements and disputes (optional dates)
        g = c["agreements"]
        gi = np.arange(g)
        self.tables["agreements"] = {
            "agreement_id": agreement_ids,
            "name": _join(_pick(_SUBJECTS, gi), " agreement no. ", _num(gi + 1)),
            "agreement_type": _pick(
                ["joint_declaration", "joint_statement", "treaty", "trade_agreement"], gi
            ),
            "description": _description(rng, g, _join("Agreement ", _num(gi + 1))),
            **_dates(rng, g, optional=True),
        }
        d = c["disputes"]
        di = np.arange(d)
        self.tables["disputes"] = {
            "dispute_id": dispute_ids,
            "name": _join("Dispute over ", _pick(_SUBJECTS, di), " no. ", _num(di + 1)),
            "dispute_type": _pick(["historical", "territorial", "trade", "security"], di),
            "dispute_status": _pick(["ongoing", "easing", "resolved", "unclear"], di // 4),
            "status_note": _nulls_where(
                _constant("Named among recurring disputes.", d), di % 2 == 1
            ),
            "description": _description(rng, d, _join("Dispute ", _num(di + 1))),
            **_dates(rng, d, optional=True),
        }
        t = c["agreement_topics"]
        ti = np.arange(t)
        self.tables["agreement_topics"] = {
            "agreement_topic_id": topic_ids,
            "agreement_id": pc.take(agreement_ids, pa.array(ti * 2)),  # one topic per agreement
            "topic": _pick(_SUBJECTS, ti),
            "coverage": _pick(["covered", "omitted"], ti // 5),
            "description": _description(rng, t, _join("Topic ", _num(ti + 1))),
        }

        # --- citations: one per record, in table order, and a second one for every 50th event
        first = {}  # table -> citation index of each record's first citation
        parts = []
        offset = 0
        for table, ids in (
            ("events", event_ids),
            ("agreements", agreement_ids),
            ("actors", actor_ids),
            ("disputes", dispute_ids),
            ("agreement_topics", topic_ids),
        ):
            first[table] = np.arange(offset, offset + len(ids))
            parts.append((table, ids))
            offset += len(ids)
        parts.append(("events", pc.take(event_ids, pa.array(np.arange(0, n, 50)))))
        self.second_citation = np.arange(0, n, 50)  # events that have a second citation
        self.second_offset = offset
        total = sum(len(ids) for _, ids in parts)
        source = rng.integers(0, c["sources"], total)
        # A second citation quotes another source than the first, so the two never repeat.
        second = slice(offset, total)
        source[second] = (source[first["events"][self.second_citation]] + 1) % c["sources"]
        sentence = source * _SENTENCES_PER_SOURCE + rng.integers(0, _SENTENCES_PER_SOURCE, total)
        sentences = _sentences(c["sources"])
        self.sentences = sentences
        self.tables["citations"] = {
            "citation_id": _ids("CI-", total, self.width),
            "table_name": pa.concat_arrays([_constant(table, len(ids)) for table, ids in parts]),
            "record_id": pa.concat_arrays([ids for _, ids in parts]),
            "source_id": pc.take(source_ids, pa.array(source)),
            "quote": pc.take(sentences, pa.array(sentence)),
            "note": _nulls_where(
                _constant("Quoted from the synthetic text.", total), source % 7 != 0
            ),
        }
        citation_ids = self.tables["citations"]["citation_id"]
        self.first_citation = first

        def cite(table: str, index: np.ndarray) -> pa.Array:
            return pc.take(citation_ids, pa.array(first[table][index]))

        # --- link tables: every link cites the evidence about its first record
        per_event = rng.integers(2, 5, n)  # 2, 3 or 4 actors: about 3 on average
        link_event = np.repeat(ei, per_event)
        slot = np.arange(len(link_event)) - np.repeat(np.cumsum(per_event) - per_event, per_event)
        step = 1 + ei % max(1, min(7, a // 5))
        link_actor = (
            np.repeat(rng.integers(0, a, n), per_event) + slot * np.repeat(step, per_event)
        ) % a
        self.tables["event_actors"] = {
            "event_id": pc.take(event_ids, pa.array(link_event)),
            "actor_id": pc.take(actor_ids, pa.array(link_actor)),
            "event_role": _pick(
                ["initiator", "host", "visitor", "participant", "speaker", "target", "subject"],
                slot + link_event,
            ),
            "citation_id": cite("events", link_event),
            "note": _nulls_where(_constant("Named in the quote.", len(link_event)), slot != 3),
        }
        pair = np.repeat(gi, 2)
        pair_actor = (pair * 3 + np.tile([0, 1], g)) % a
        self.tables["agreement_actors"] = {
            "agreement_id": pc.take(agreement_ids, pa.array(pair)),
            "actor_id": pc.take(actor_ids, pa.array(pair_actor)),
            "agreement_role": _pick(["signatory", "party"], pair),
            "citation_id": cite("agreements", pair),
            "note": pa.nulls(2 * g, pa.string()),
        }
        pair = np.repeat(di, 2)
        pair_actor = (pair * 5 + np.tile([0, 1], d)) % a
        self.tables["dispute_actors"] = {
            "dispute_id": pc.take(dispute_ids, pa.array(pair)),
            "actor_id": pc.take(actor_ids, pa.array(pair_actor)),
            "dispute_role": _pick(["claimant", "respondent", "party", "third_party"], pair),
            "citation_id": cite("disputes", pair),
            "note": pa.nulls(2 * d, pa.string()),
        }
        link_event = (gi * 17) % n
        self.tables["event_agreements"] = {
            "event_id": pc.take(event_ids, pa.array(link_event)),
            "agreement_id": agreement_ids,
            "agreement_relation": _pick(["signs", "issues", "negotiates", "references"], gi),
            "citation_id": cite("events", link_event),
            "note": pa.nulls(g, pa.string()),
        }
        pair = np.repeat(di, 2)
        link_event = (pair * 31 + np.tile([0, 1], d)) % n
        self.tables["event_disputes"] = {
            "event_id": pc.take(event_ids, pa.array(link_event)),
            "dispute_id": pc.take(dispute_ids, pa.array(pair)),
            "dispute_relation": _pick(["escalates", "de_escalates", "concerns"], pair),
            "citation_id": cite("events", link_event),
            "note": pa.nulls(2 * d, pa.string()),
        }

        # --- sources: metadata only; the texts and their checksums are filled in by `texts`
        s = c["sources"]
        si = np.arange(s)
        self.tables["sources"] = {
            "source_id": source_ids,
            "file_name": _join("synthetic_", pc.utf8_lpad(_num(si + 1), 6, "0"), ".txt"),
            "sha256": None,
            "byte_size": None,
            "title": _join("Synthetic report ", _num(si + 1)),
            "publisher": _nulls_where(_constant("Synthetic Press", s), si % 2 == 1),
            "author": pa.nulls(s, pa.string()),
            "published": _nulls_where(_day_text(_DAY0 + si.astype("timedelta64[D]")), si % 3 != 0),
            "language": _constant("en", s),
            "description": _join(
                "A synthetic source text for benchmarks, number ", _num(si + 1), "."
            ),
        }
        return self.tables

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
            for i in range(self.counts["sources"])
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


def _inject(builder: _Builder) -> set[tuple]:
    tables, n = builder.tables, builder.n
    events, links, cites = tables["events"], tables["event_actors"], tables["citations"]
    expected: set[tuple] = set()

    def at(fraction: float, size: int) -> int:
        return min(size - 1, int(size * fraction))

    def expect(table: str, index: int, column: str, rule: str) -> None:
        expected.add((f"data/{table}.csv", index + 2, column, rule))

    # Events: ten distinct rows; where a date matters, the row's date is first rewritten to a
    # valid date of the kind needed, so that any size of package has the rows to break.
    used: set[int] = set()

    def fresh(fraction: float) -> int:
        index = min(n - 1, int(n * fraction))
        while index in used:
            index = (index + 1) % n
        used.add(index)
        return index

    def dated(index: int, text: str, start: str, end: str, precision: str) -> None:
        for name, value in (
            ("date", text),
            ("date_start", start),
            ("date_end", end),
            ("date_precision", precision),
            ("date_basis", "stated"),
            ("date_note", None),
        ):
            _set(events, name, index, value)

    def a_day(index: int) -> str:
        day = str(_DAY0 + np.timedelta64(index % _DAYS, "D"))
        dated(index, day, day, day, "day")
        return day

    i = fresh(0.05)
    day = a_day(i)
    _set(events, "date_start", i, day[:5] + "02-30")  # not a calendar date
    expect("events", i, "date_start", "type")
    i = fresh(0.10)
    _set(events, "event_type", i, "lecture")
    expect("events", i, "event_type", "enum")
    i = fresh(0.15)
    _set(events, "title", i, None)
    expect("events", i, "title", "required")
    i = fresh(0.20)
    _set(events, "title", i, ("A very long title, " * 20).strip())
    expect("events", i, "title", "max_length")
    i = fresh(0.25)
    _set(events, "title", i, "=HYPERLINK(0)")
    expect("events", i, "title", "formula")
    i = fresh(0.30)
    _set(events, "description", i, _get(events, "description", i) + " ")
    expect("events", i, "description", "whitespace")
    i = fresh(0.35)
    day = a_day(i)
    _set(events, "date_end", i, str(np.datetime64(day) + 1))
    expect("events", i, "date_end", "date_bounds")
    i = fresh(0.40)
    dated(i, "1984-01", "1984-01-01", "1984-01-31", "day")  # a month, said to be a day
    expect("events", i, "date_precision", "date_precision")
    i = fresh(0.45)
    a_day(i)
    _set(events, "date_basis", i, "inferred")  # inferred, without a note saying how
    expect("events", i, "date_note", "date_note")
    i = fresh(0.50)
    day = np.datetime64(a_day(i))
    _set(events, "date", i, f"{day + 2}/{day}")  # an interval that ends before it starts
    expect("events", i, "date", "date_invalid")

    # Link rows: a repeated key, a missing actor, and evidence about another event.
    size = len(links["event_id"])
    i = at(0.55, size)
    while _get(links, "event_id", i) != _get(links, "event_id", i - 1):
        i += 1
    for name in ("actor_id", "event_role"):
        _set(links, name, i, _get(links, name, i - 1))
    expect("event_actors", i, "event_id,actor_id,event_role", "primary_key")
    i = max(at(0.60, size), i + 1)
    _set(links, "actor_id", i, "AC-" + "9" * builder.width)
    expect("event_actors", i, "actor_id", "foreign_key")
    i += 1
    other = (i + 50) % size
    while _get(links, "event_id", other) == _get(links, "event_id", i):
        other = (other + 1) % size
    _set(links, "citation_id", i, _get(links, "citation_id", other))
    expect("event_actors", i, "citation_id", "link_citation")

    # Actors, agreements, disputes: pattern, unique key, Unicode form, control character.
    actors = tables["actors"]
    i = len(actors["actor_id"]) // 2
    _set(actors, "wikidata_id", i, "Q0123")
    expect("actors", i, "wikidata_id", "pattern")
    i = len(actors["actor_id"]) // 3
    _set(actors, "name_native", i, unicodedata.normalize("NFD", "이재명"))
    expect("actors", i, "name_native", "unicode_nfc")
    agreements = tables["agreements"]
    i = len(agreements["agreement_id"]) // 2
    _set(agreements, "name", i, _get(agreements, "name", i - 1))
    expect("agreements", i, "name", "unique_key")
    i = len(agreements["agreement_id"]) // 3
    for name, value in zip(
        ("date", "date_start", "date_end", "date_precision", "date_note"),
        ("2008", "2008-01-01", "2008-12-31", "year", None),
        strict=True,
    ):
        _set(agreements, name, i, value)
    _set(agreements, "date_basis", i, None)  # a date without its basis
    expect("agreements", i, "date_basis", "date_incomplete")
    disputes = tables["disputes"]
    i = len(disputes["dispute_id"]) // 2
    _set(disputes, "description", i, _get(disputes, "description", i).replace(": ", ":\t", 1))
    expect("disputes", i, "description", "control_character")

    # Evidence: an actor left without a citation, a citation to nowhere, a quote not in its source.
    first = builder.first_citation["actors"]
    victim = len(first) // 4
    i, j = int(first[victim]), int(first[victim + 1])
    # Now two citations of one actor: they must not repeat (source, quote), a unique key.
    while (_get(cites, "source_id", i), _get(cites, "quote", i)) == (
        _get(cites, "source_id", j),
        _get(cites, "quote", j),
    ):
        victim += 1
        i, j = int(first[victim]), int(first[victim + 1])
    _set(cites, "record_id", i, _get(cites, "record_id", j))
    expect("actors", victim, "actor_id", "citation_missing")
    i = builder.second_offset + len(builder.second_citation) // 2  # an event's second citation
    _set(cites, "record_id", i, "EV-" + "9" * builder.width)
    expect("citations", i, "record_id", "citation_target")
    i = int(builder.first_citation["agreements"][0])
    _set(cites, "quote", i, "A sentence that no synthetic source contains.")
    expect("citations", i, "quote", "quote_not_found")
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
    template = template or Path(__file__).resolve().parents[2]
    package, problems = load_package(template)
    if package is None or problems:
        raise ValueError(f"the template package in {template} does not load cleanly")
    out.mkdir(parents=True, exist_ok=True)
    if any(out.iterdir()):
        raise ValueError(f"{out} is not empty")
    shutil.copy(template / DESCRIPTOR, out / DESCRIPTOR)
    for resource in package.resources:
        if resource.schema_path:
            target = out / resource.schema_path
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(template / resource.schema_path, target)

    builder = _Builder(events, seed)
    tables = builder.build()
    sources_dir = out / SOURCES_DIR
    sources_dir.mkdir()
    texts = builder.texts()
    names = tables["sources"]["file_name"].to_pylist()
    for name, text in zip(names, texts, strict=True):
        (sources_dir / name).write_bytes(text)
    tables["sources"]["sha256"] = pa.array([hashlib.sha256(t).hexdigest() for t in texts])
    tables["sources"]["byte_size"] = pa.array([str(len(t)) for t in texts])
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
