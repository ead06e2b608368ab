"""Read a resource's CSV into a frame of raw strings, reporting structural problems precisely.

The fast path is pyarrow's CSV reader. When it refuses a file (a bad quote, a row of the wrong
length, a blank line) the slower standard-library reader goes over the text again to say exactly
which row and column is wrong, and still returns the rows when the structure is sound.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from .package import Resource
from .problems import Problem

BOM = b"\xef\xbb\xbf"


@dataclass
class Table:
    resource: Resource
    frame: pd.DataFrame | None  # one str column per field, missing cells as NA; None if unreadable
    problems: list[Problem]

    @property
    def label(self) -> str:
        return self.resource.path


def read_table(resource: Resource) -> Table:
    label = resource.path
    names = resource.field_names
    try:
        raw = resource.file.read_bytes()
    except OSError as exc:
        return Table(
            resource,
            None,
            [Problem(label, None, None, None, "missing_file", f"cannot be read: {exc.strerror}")],
        )
    problems: list[Problem] = []
    if raw.startswith(BOM):
        problems.append(
            Problem(
                label,
                1,
                None,
                None,
                "bom",
                "the file starts with a byte-order mark; save it as UTF-8 without BOM",
            )
        )
        raw = raw[len(BOM) :]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Table(resource, None, problems + _encoding_problems(raw, exc.start, names, label))

    header, header_problems = _check_header(text, names, label)
    problems += header_problems
    if header_problems:
        return Table(resource, None, problems)

    try:
        if not structure_looks_sound(text):
            raise ValueError("needs the strict reader")
        frame = _read_fast(raw, text, names)
    except (pa.ArrowInvalid, ValueError):
        records, scan_problems = scan(text, names, label)
        problems += scan_problems
        # A stray quote leaves the row readable; anything else makes rows unreliable to check.
        unreadable = any(p.rule != "csv_quote" for p in scan_problems)
        frame = None if unreadable else _frame_from_records(records, names)
    return Table(resource, frame, problems)


# One CSV line with no line breaks inside cells: plain cells, or quoted cells with doubled quotes.
_CELL = r'(?:[^",\r\n]*|"(?:[^"]|"")*")'
_SOUND_LINE = rf"^{_CELL}(?:,{_CELL})*\r?$"
_SOUND_LINE_RE = re.compile(_SOUND_LINE)


def structure_looks_sound(text: str) -> bool:
    """A vectorised strictness check that pyarrow's lenient reader lacks.

    pyarrow accepts a stray or unclosed quote and turns a blank line into a row of nulls; here
    every line holding a quote must be well-formed CSV and no line may be blank. When this says
    no, the strict standard-library reader takes over and locates the problem.
    """
    import pyarrow.compute as pc

    lines = pc.split_pattern(pa.array([text], pa.large_string()), "\n")[0].values
    if text.endswith("\n"):
        lines = lines.slice(0, len(lines) - 1)
    if pc.any(pc.match_substring_regex(lines, r"^\r?$")).as_py():
        return False
    quoted = lines.filter(pc.match_substring(lines, '"'))
    return len(quoted) == 0 or pc.all(pc.match_substring_regex(quoted, _SOUND_LINE)).as_py()


def _read_fast(raw: bytes, text: str, names: list[str]) -> pd.DataFrame:
    # Every column is read as text: types are checked and converted later, cell by cell,
    # so that a bad value is reported instead of silently becoming NaN.
    if text.partition("\n")[2] == "":
        return _frame_from_records([], names)  # header only
    table = pacsv.read_csv(
        io.BytesIO(raw),
        read_options=pacsv.ReadOptions(column_names=names, skip_rows=1),
        parse_options=pacsv.ParseOptions(newlines_in_values=False, ignore_empty_lines=False),
        convert_options=pacsv.ConvertOptions(
            column_types={name: pa.string() for name in names},
            strings_can_be_null=True,
            quoted_strings_can_be_null=True,
            null_values=[""],
        ),
    )
    return table.to_pandas()


def _frame_from_records(records: list[list[str]], names: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame(records, columns=names, dtype="str")
    return frame.mask(frame == "")


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
            Problem(
                label,
                1,
                None,
                None,
                "header",
                f"the file is empty; the header must be: {','.join(names)}",
            )
        ]
    header = _first_record(text)
    if header is None:
        return None, [Problem(label, 1, None, None, "header", "the header row is not valid CSV")]
    problems = []
    for i in range(max(len(header), len(names))):
        got = header[i] if i < len(header) else None
        want = names[i] if i < len(names) else None
        if got == want:
            continue
        if want is None:
            message = f"column {i + 1} is not in the schema; the header must be exactly the schema's fields"
        elif got is None:
            message = f"the header lacks column {i + 1}, which the schema names {want!r}"
        else:
            message = f"column {i + 1} must be named {want!r} as in the schema"
        problems.append(Problem(label, 1, want or got, got, "header", message))
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
                problems.append(Problem(label, row, None, None, "blank_row", "the row is blank"))
            elif len(record) > width:
                problems.append(
                    Problem(
                        label,
                        row,
                        f"(column {width + 1})",
                        record[width],
                        "row_length",
                        f"the row has {len(record)} cells but the header has {width}",
                    )
                )
            elif len(record) < width:
                problems.append(
                    Problem(
                        label,
                        row,
                        names[len(record)],
                        None,
                        "row_length",
                        f"the row has {len(record)} cells but the header has {width}",
                    )
                )
            else:
                records.append(record)
    except csv.Error as exc:
        field_index, value, message = locate_quote_error(text, last_line)
        column = names[field_index] if field_index is not None and field_index < width else None
        problems.append(
            Problem(
                label, row + 1, column, value, "csv_syntax", message or f"CSV syntax error: {exc}"
            )
        )
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
            field_index, value, message = locate_quote_error(line, 0)
            if message:
                column = names[field_index] if field_index < len(names) else None
                problems.append(
                    Problem(label, line_rows[number], column, value, "csv_quote", message)
                )
    return problems


def locate_quote_error(text: str, start_line: int) -> tuple[int | None, str | None, str | None]:
    """Walk the record that starts after `start_line` lines and find the cell whose quoting is bad.

    Returns (field index, the cell's opening text, message); Nones when the quoting looks fine.
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
                    return (
                        field_index,
                        _opening(rest, field_start),
                        "a quoted cell has text after its closing quote",
                    )
                else:
                    in_quotes = False
        elif char == '"':
            if i != field_start:
                return (
                    field_index,
                    _opening(rest, field_start),
                    "a quote character inside an unquoted cell; quote the whole cell and double inner quotes",
                )
            in_quotes = True
        elif char == ",":
            field_index, field_start = field_index + 1, i + 1
        elif char in "\r\n":
            return None, None, None
        i += 1
    if in_quotes:
        return (
            field_index,
            _opening(rest, field_start),
            "a quoted cell is never closed (missing closing quote)",
        )
    return None, None, None


def _opening(rest: str, start: int) -> str:
    return rest[start : start + 60].split("\n")[0]


def _encoding_problems(raw: bytes, first_bad: int, names: list[str], label: str) -> list[Problem]:
    """Point at each cell that holds bytes which are not UTF-8."""
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
                    problems.append(
                        Problem(
                            label,
                            row,
                            column,
                            shown,
                            "encoding",
                            "is not valid UTF-8 text; save the file as UTF-8",
                        )
                    )
    except csv.Error:
        pass
    if not problems:  # the bad bytes sit where the CSV cannot be parsed; give the line at least
        line = raw[:first_bad].count(b"\n") + 1
        problems.append(
            Problem(
                label,
                line,
                None,
                None,
                "encoding",
                "the file is not valid UTF-8 text; save it as UTF-8",
            )
        )
    return problems
