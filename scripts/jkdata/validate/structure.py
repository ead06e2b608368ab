"""Read a resource's CSV into a table of raw strings, reporting structural problems precisely.

The fast path is pyarrow's CSV reader, after a vectorised strictness check on the raw bytes. When
either refuses a file (a bad quote, a row of the wrong length, a blank line, bytes that are not
UTF-8) the slower standard-library reader goes over the text again to say exactly which row and
column is wrong, and still returns the rows when the structure is sound.
"""

from __future__ import annotations

import contextlib
import csv
import io
import mmap
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from jkdata.files import read_regular
from jkdata.model.load import Resource
from jkdata.problems import Problem
from jkdata.trace import traced

if TYPE_CHECKING:  # pandas and polars are imported when asked for: reading needs only pyarrow
    import pandas as pd
    import polars as pl

BOM = b"\xef\xbb\xbf"
# The standard-library reader must read a cell of any length (a file's size bounds it), whether
# or not frictionless, which raises the limit when it reads a CSV, ran first: a long cell is
# judged by the schema's maxLength, never by the reader's default limit of 128 KiB.
csv.field_size_limit(max(csv.field_size_limit(), (1 << 31) - 1))
_CHUNK = 1 << 24  # bytes scanned at a time by the vectorised checks (bounds their memory)


@dataclass
class Table:
    resource: Resource
    arrow: pa.Table | None  # one string column per field, missing cells as null; None if unreadable
    problems: list[Problem]
    # The rows hygiene must look at: None for every row; otherwise only these, because the scan
    # of the raw bytes found every other line free of anything a hygiene rule could flag.
    suspect_rows: np.ndarray | None = None
    _frame: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def label(self) -> str:
        return self.resource.path

    @property
    def frame(self) -> pd.DataFrame | None:
        """The same table in pandas, one pyarrow-backed string column per field (no copy)."""
        if self.arrow is None:
            return None
        if self._frame is None:
            import pandas as pd

            self._frame = self.arrow.to_pandas(types_mapper=pd.ArrowDtype)
        return self._frame

    def to_polars(self) -> pl.DataFrame | None:
        """The same table in polars, one string column per field: the text is shared, polars adds
        a view of each cell (not kept: it is made for the pandera schema and dropped after)."""
        if self.arrow is None:
            return None
        import polars as pl

        return pl.from_arrow(self.arrow, rechunk=False)

    def __len__(self) -> int:
        return 0 if self.arrow is None else self.arrow.num_rows

    def column(self, name: str) -> pa.ChunkedArray:
        return self.arrow.column(name)

    def slim(self, keep: set[str]) -> None:
        """Drop the columns no later check needs, to free memory on large tables."""
        if self.arrow is not None:
            self.arrow = self.arrow.select([n for n in self.arrow.column_names if n in keep])
            self._frame = None


def read_table(resource: Resource) -> Table:
    label = resource.path
    names = resource.field_names
    try:
        raw = _map(resource.file)
    except OSError as exc:
        return Table(
            resource,
            None,
            [
                Problem.of(
                    "missing_file", label, None, None, None, "unreadable", reason=exc.strerror
                )
            ],
        )
    problems: list[Problem] = []
    if raw[: len(BOM)] == BOM:
        problems.append(Problem.of("bom", label, 1, None, None))
        raw = bytes(raw[len(BOM) :])

    # The header is read from the first line alone unless its quoting spans lines.
    end = raw.find(b"\n")
    first_line = raw[:] if end < 0 else raw[:end]
    try:
        head = first_line.decode("utf-8") if first_line.count(b'"') % 2 == 0 else None
    except UnicodeDecodeError:
        head = None
    if head is None:
        return _read_strictly(resource, raw, problems)
    header, header_problems = _check_header(head, names, label)
    if header_problems:
        try:
            bytes(raw).decode("utf-8")
        except UnicodeDecodeError as exc:  # bad bytes are reported first, as the strict path does
            return Table(
                resource, None, problems + _encoding_problems(raw, exc.start, names, label)
            )
        return Table(resource, None, problems + header_problems)

    # pyarrow parses first (in its own threads, without holding the GIL); the strictness scan
    # then says whether its lenient reading can be trusted.
    try:
        arrow = traced(f"parse {resource.name}", _read_fast, raw, names)
    except (pa.ArrowInvalid, ValueError):
        return _read_strictly(resource, raw, problems)
    sound, suspect_rows = traced(f"scan {resource.name}", scan_bytes, raw)
    if not sound:
        return _read_strictly(resource, raw, problems)
    _release(raw)
    return Table(resource, arrow, problems, suspect_rows)


def _release(raw) -> None:
    """Unmap a mapped file now rather than when the garbage collector gets to it: its pages count
    towards the process' memory until then."""
    if isinstance(raw, mmap.mmap):
        with contextlib.suppress(BufferError):  # still exported somewhere: leave it to the GC
            raw.close()


def _read_strictly(resource: Resource, raw: bytes, problems: list[Problem]) -> Table:
    """The standard-library path: exact places for encoding, header and structure problems."""
    label, names = resource.path, resource.field_names
    raw = bytes(raw)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Table(resource, None, problems + _encoding_problems(raw, exc.start, names, label))
    header, header_problems = _check_header(text, names, label)
    problems += header_problems
    if header_problems:
        return Table(resource, None, problems)
    records, scan_problems = scan(text, names, label)
    problems += scan_problems
    # A stray quote leaves the row readable; anything else makes rows unreliable to check.
    unreadable = any(p.rule != "csv_quote" for p in scan_problems)
    return Table(resource, None if unreadable else _table_from_records(records, names), problems)


# One CSV line with no line breaks inside cells: plain cells, or quoted cells with doubled quotes.
_CELL = r'(?:[^",\r\n]*|"(?:[^"]|"")*")'
_SOUND_LINE = rf"^{_CELL}(?:,{_CELL})*\r?$"
# The same for Python's `re`, with possessive quantifiers: the pattern above keeps a backtracking
# point per character of a quoted cell (about 140 bytes of memory per byte of the cell); this one
# keeps none inside a cell. RE2 (pyarrow) needs no such care, and does not know the syntax.
_CELL_NO_BACKTRACKING = r'(?:"[^"]*+(?:""[^"]*+)*+"|[^",\r\n]*+)'
_SOUND_LINE_RE = re.compile(rf"^{_CELL_NO_BACKTRACKING}(?:,{_CELL_NO_BACKTRACKING})*+\r?$")
# The same over raw lines that still end in their line feed.
_SOUND_RAW_LINE = rf"^{_CELL}(?:,{_CELL})*\r?\n?$"


def _clean_grammar() -> tuple[str, str]:
    """Regular expressions (RE2) for lines that are sound CSV *and* give the hygiene rules nothing
    to flag: no blank line, no control or invisible character, no character NFC could change, no
    cell that starts or ends with whitespace or starts with = + - @. Returns (a block of whole
    lines, one line)."""
    from jkdata.validate.characters import (
        CONTROL_CLASS,
        FORMULA_STARTS,
        INVISIBLE_CLASS,
        SPACE_CLASS,
        nfc_suspect_class,
    )

    # A line holding any of these is looked at by hygiene. Leaving them out of the grammar costs
    # RE2 nothing measurable, and spares a second pass over the bytes. RE2 reads an encoded
    # surrogate as a character; leaving those out too means every byte that is not UTF-8 sits on
    # a line that fails the grammar, where `scan_bytes` checks the encoding.
    control = CONTROL_CLASS + INVISIBLE_CLASS + nfc_suspect_class() + _SURROGATES
    spaces = SPACE_CLASS  # the controls among them are left out by `control` already
    formula = "".join("\\" + c for c in FORMULA_STARTS)
    inner = f'[^",{control}]'
    first = f'[^",{control}{spaces}{formula}]'
    last = f'[^",{control}{spaces}]'
    q_inner = f'(?:[^"{control}]|"")'
    q_first = f'(?:[^"{control}{spaces}{formula}]|"")'
    q_last = f'(?:[^"{control}{spaces}]|"")'
    filled = f'(?:{first}(?:{inner}*{last})?|"{q_first}(?:{q_inner}*{q_last})?"|"")'
    cell = f"(?:{filled})?"
    line = f"(?:{filled}(?:,{cell})*|(?:,{cell})+)\\r?"
    return f"^(?:{line}\\n)*(?:{line})?$", f"^{line}\\n?$"


_SURROGATES = "\\x{d800}-\\x{dfff}"
_GRAMMAR: tuple[str, str] | None = None
_BLOCK = 1 << 22  # bytes per block of the raw scan: a problem costs a closer look at its block only


def _map(path) -> bytes | mmap.mmap:
    """The file's bytes: small files read, large ones mapped into memory (read-only, pages loaded
    up front), which spares a copy of hundreds of megabytes and its page faults."""
    size = path.stat().st_size
    if size < _MAP_AT_LEAST or not hasattr(mmap, "MAP_SHARED"):  # small, or not a POSIX system
        return read_regular(path)
    with path.open("rb") as handle:
        flags = mmap.MAP_SHARED | getattr(mmap, "MAP_POPULATE", 0)
        return mmap.mmap(handle.fileno(), 0, flags=flags, prot=mmap.PROT_READ)


_MAP_AT_LEAST = 1 << 24


def _count_newlines(raw, start: int, stop: int) -> int:
    buf = np.frombuffer(raw, dtype=np.uint8)
    return sum(
        int(np.count_nonzero(buf[at : min(at + _CHUNK, stop)] == 0x0A))
        for at in range(start, stop, _CHUNK)
    )


def _block_starts(raw: bytes) -> list[int]:
    """Offsets that cut the bytes into blocks of whole lines."""
    starts = [0]
    while True:
        cut = raw.find(b"\n", starts[-1] + _BLOCK)
        if cut < 0 or cut + 1 >= len(raw):
            return starts
        starts.append(cut + 1)


def _as_strings(raw: bytes, offsets: np.ndarray) -> pa.Array:
    """The bytes between consecutive offsets as a string array, without copying them."""
    return pa.Array.from_buffers(
        pa.large_string(),
        len(offsets) - 1,
        [None, pa.py_buffer(offsets.astype(np.int64)), pa.py_buffer(raw)],
    )


def scan_bytes(raw: bytes) -> tuple[bool, np.ndarray | None]:
    """A vectorised strictness check that pyarrow's lenient reader lacks, on the raw bytes, which
    also finds the rows hygiene must look at.

    pyarrow accepts a stray or unclosed quote and turns a blank line into a row of nulls; here
    every line holding a quote must be well-formed CSV, no line may be blank, and the bytes must
    be UTF-8 (the parse does not check it). When this says no, the strict standard-library
    reader takes over and locates the problem.

    One RE2 pass checks each block of lines against a grammar of clean lines (which also leaves
    out every character NFC could change); only a block that fails is split into lines to find
    which. Returns (structure looks sound, the data rows (0-based) whose lines may hold a hygiene
    problem: every other row is clean).
    """
    global _GRAMMAR
    if _GRAMMAR is None:
        _GRAMMAR = _clean_grammar()
    whole, one_line = _GRAMMAR
    starts = _block_starts(raw)
    blocks = _as_strings(raw, np.array([*starts, len(raw)]))
    clean = pc.match_substring_regex(blocks, whole).to_numpy(zero_copy_only=False)
    suspects = []
    for block in np.flatnonzero(~clean).tolist():
        start = starts[block]
        stop = starts[block + 1] if block + 1 < len(starts) else len(raw)
        buf = np.frombuffer(raw, dtype=np.uint8, count=stop - start, offset=start)
        ends = np.flatnonzero(buf[:-1] == 0x0A) + start + 1
        lines = _as_strings(raw, np.concatenate([[start], ends, [stop]]))
        refused = pc.invert(pc.match_substring_regex(lines, one_line))
        bad = np.flatnonzero(refused.to_numpy(zero_copy_only=False))
        texts = lines.take(pa.array(bad))
        try:  # the parse leaves UTF-8 to this scan: only these lines can hold bytes that are not
            texts.validate(full=True)
        except pa.ArrowInvalid:
            return False, None
        if pc.any(pc.match_substring_regex(texts, r"^\r?\n?$")).as_py():  # a blank line
            return False, None
        quoted = pc.match_substring(texts, '"')
        unsound = pc.and_(quoted, pc.invert(pc.match_substring_regex(texts, _SOUND_RAW_LINE)))
        if pc.any(unsound).as_py():
            return False, None
        suspects.append(bad + _count_newlines(raw, 0, start))  # line numbers in the file
    if not suspects:
        return True, np.zeros(0, dtype=np.int64)
    rows = (
        np.unique(np.concatenate(suspects)) - 1
    )  # line numbers to data rows: the header is line 0
    return True, rows[rows >= 0]


def _read_fast(raw: bytes, names: list[str]) -> pa.Table:
    # Every column is read as text: types are checked and converted later, cell by cell,
    # so that a bad value is reported instead of silently becoming NaN.
    end = raw.find(b"\n")
    if end < 0 or end + 1 == len(raw):
        return _table_from_records([], names)  # header only
    return pacsv.read_csv(
        pa.BufferReader(pa.py_buffer(raw)),
        read_options=pacsv.ReadOptions(column_names=names, skip_rows=1),
        parse_options=pacsv.ParseOptions(newlines_in_values=False, ignore_empty_lines=False),
        convert_options=pacsv.ConvertOptions(
            column_types={name: pa.string() for name in names},
            strings_can_be_null=True,
            quoted_strings_can_be_null=True,
            null_values=[""],
            check_utf8=False,  # scan_bytes checks it, on the few lines that need a closer look
        ),
    )


def _table_from_records(records: list[list[str]], names: list[str]) -> pa.Table:
    columns = zip(*records, strict=True) if records else [[] for _ in names]
    return pa.table(
        {
            name: pa.array([value or None for value in column], pa.string())
            for name, column in zip(names, columns, strict=True)
        }
    )


def _first_record(text: str) -> list[str] | None:
    try:
        return next(csv.reader(io.StringIO(text, newline=""), strict=True), None)
    except csv.Error:
        return None


def _check_header(
    text: str, names: list[str], label: str
) -> tuple[list[str] | None, list[Problem]]:
    if not text.strip():
        return None, [
            Problem.of("header", label, 1, None, None, "empty_file", names=",".join(names))
        ]
    header = _first_record(text)
    if header is None:
        return None, [Problem.of("header", label, 1, None, None, "not_csv")]
    problems = []
    for i in range(max(len(header), len(names))):
        got = header[i] if i < len(header) else None
        want = names[i] if i < len(names) else None
        if got == want:
            continue
        variant = "extra" if want is None else "missing" if got is None else None
        problems.append(
            Problem.of("header", label, 1, want or got, got, variant, number=i + 1, want=want)
        )
    return header, problems


def scan(text: str, names: list[str], label: str) -> tuple[list[list[str]], list[Problem]]:
    """Parse with the standard library, reporting blank rows, wrong row lengths and bad quoting.

    Returns the well-formed records and the problems; rows with problems are not returned.
    """
    width = len(names)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records: list[list[str]] = []
    problems: list[Problem] = []
    line_rows: dict[int, int] = {}  # physical line -> spreadsheet row, for one-line records
    row = 0
    last_line = 0
    try:
        for record in reader:
            row += 1
            if reader.line_num == last_line + 1:
                line_rows[reader.line_num] = row
            last_line = reader.line_num
            if row == 1:
                continue
            if not record:
                problems.append(Problem.of("blank_row", label, row, None, None))
            elif len(record) > width:
                problems.append(
                    Problem.of(
                        "row_length",
                        label,
                        row,
                        f"(column {width + 1})",
                        record[width],
                        cells=len(record),
                        width=width,
                    )
                )
            elif len(record) < width:
                problems.append(
                    Problem.of(
                        "row_length",
                        label,
                        row,
                        names[len(record)],
                        None,
                        cells=len(record),
                        width=width,
                    )
                )
            else:
                records.append(record)
    except csv.Error as exc:
        field_index, value, fault = locate_quote_error(text, last_line)
        column = names[field_index] if field_index is not None and field_index < width else None
        problems.append(Problem.of("csv_syntax", label, row + 1, column, value, fault, error=exc))
        return records, problems
    problems += _stray_quotes(text, line_rows, names, label)
    return records, problems


def _stray_quotes(
    text: str, line_rows: dict[int, int], names: list[str], label: str
) -> list[Problem]:
    """Quotes inside unquoted cells: readers take them literally, but they are not valid CSV."""
    problems = []
    for number, line in enumerate(text.split("\n"), start=1):
        if '"' in line and number in line_rows and not _SOUND_LINE_RE.match(line):
            field_index, value, fault = locate_quote_error(line, 0)
            if fault:
                column = names[field_index] if field_index < len(names) else None
                problems.append(
                    Problem.of("csv_quote", label, line_rows[number], column, value, fault)
                )
    return problems


def locate_quote_error(text: str, start_line: int) -> tuple[int | None, str | None, str | None]:
    """Walk the record that starts after `start_line` lines and find the cell whose quoting is bad.

    Returns (field index, the cell's opening text, what is wrong: the name of the wording the
    `csv_syntax` and `csv_quote` rules give it); Nones when the quoting looks fine.
    """
    rest = text.split("\n", start_line)[-1] if start_line else text
    field_index, field_start, in_quotes, i = 0, 0, False, 0
    while i < len(rest):
        char = rest[i]
        if in_quotes:
            if char == '"':
                if rest[i + 1 : i + 2] == '"':
                    i += 1
                elif i + 1 < len(rest) and rest[i + 1] not in ",\r\n":
                    return field_index, _opening(rest, field_start), "text_after_quote"
                else:
                    in_quotes = False
        elif char == '"':
            if i != field_start:
                return field_index, _opening(rest, field_start), "stray_quote"
            in_quotes = True
        elif char == ",":
            field_index, field_start = field_index + 1, i + 1
        elif char in "\r\n":
            return None, None, None
        i += 1
    if in_quotes:
        return field_index, _opening(rest, field_start), "unclosed"
    return None, None, None


def _opening(rest: str, start: int) -> str:
    return rest[start : start + 60].split("\n")[0]


def _encoding_problems(raw: bytes, first_bad: int, names: list[str], label: str) -> list[Problem]:
    """Point at each cell that holds bytes which are not UTF-8."""
    raw = bytes(raw)
    text = raw.decode("utf-8", "surrogateescape")
    problems = []
    try:
        for row, record in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
            for i, cell in enumerate(record):
                if any("\udc80" <= ch <= "\udcff" for ch in cell):
                    shown = cell.encode("utf-8", "surrogateescape").decode(
                        "utf-8", "backslashreplace"
                    )
                    column = names[i] if i < len(names) else f"(column {i + 1})"
                    problems.append(Problem.of("encoding", label, row, column, shown))
    except csv.Error:
        pass
    if not problems:  # the bad bytes sit where the CSV cannot be parsed; give the line at least
        line = raw[:first_bad].count(b"\n") + 1
        problems.append(Problem.of("encoding", label, line, None, None, "line"))
    return problems
