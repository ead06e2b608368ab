"""Rules that span fields or tables, which a Table Schema cannot express.

They rely on the data model's conventions: date fields named as below, a `citations` table with
`table_name`/`record_id`, and link tables carrying a `citation_id`.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .columns import (
    arrow,
    combined,
    positions_in,
    select,
    select_rows,
    take_texts,
    to_numpy_bool,
    true_rows,
)
from .csvread import Table
from .edtf import PRECISIONS, Parsed, parse_edtf_arrays
from .model import CITATION_FIELD, CITATIONS, DATE_FIELDS, DATE_NOTE, Resource
from .problems import Problem
from .schema import civil_from_days, date_days, days_in_month


def date_problems(table: Table) -> list[Problem]:
    """`date` (EDTF), its bounds and precision must agree; inferred dates need a note."""
    resource = table.resource
    if table.arrow is None or not resource.dated:
        return []
    label = table.label
    problems = []
    column = table.column

    def problem(row: int, name: str, value, rule: str, variant=None, **params) -> None:
        problems.append(Problem.of(rule, label, int(row) + 2, name, value, variant, **params))

    filled = {name: to_numpy_bool(pc.is_valid(column(name)), False) for name in DATE_FIELDS}
    count = np.sum([filled[name] for name in DATE_FIELDS], axis=0)
    partial = (count > 0) & (count < len(DATE_FIELDS))
    for name in DATE_FIELDS:
        if resource.field(name).required:
            continue  # the required check already reports it
        for row in np.flatnonzero(partial & ~filled[name]):
            problem(row, name, None, "date_incomplete")

    dates = column("date")
    start, end = date_days(column("date_start")), date_days(column("date_end"))
    precision = column("date_precision")
    codes = positions_in(precision, pa.array(PRECISIONS, pa.string()))
    parsed = _parse_dates(dates, column("date_start"), start, end, codes)
    rows = np.flatnonzero(parsed.matched & ~parsed.valid)
    for row, value in zip(rows, take_texts(dates, rows), strict=True):
        variant, params = _why_invalid(value)
        problem(row, "date", value, "date_invalid", variant, **params)
    usable = ~np.isnat(parsed.start)
    for name, actual, expected, which in (
        ("date_start", start, parsed.start, None),  # the earliest day the date can mean
        ("date_end", end, parsed.end, "end"),  # the latest
    ):
        rows = np.flatnonzero(usable & ~np.isnat(actual) & (actual != expected))
        texts = take_texts(column(name), rows)
        for row, value, date in zip(rows, texts, take_texts(dates, rows), strict=True):
            problem(row, name, value, "date_bounds", which, expected=expected[row], date=date)
    rows = np.flatnonzero(usable & filled["date_precision"] & (codes != parsed.precision))
    texts = take_texts(precision, rows)
    for row, value, date in zip(rows, texts, take_texts(dates, rows), strict=True):
        precision_of_date = PRECISIONS[parsed.precision[row]]
        problem(
            row, "date_precision", value, "date_precision", precision=precision_of_date, date=date
        )
    with np.errstate(invalid="ignore"):
        reversed_ = ~np.isnat(start) & ~np.isnat(end) & (start > end)
    rows = np.flatnonzero(reversed_)
    texts = take_texts(column("date_end"), rows)
    for row, value, first in zip(rows, texts, take_texts(column("date_start"), rows), strict=True):
        problem(row, "date_end", value, "date_order", start=first)
    if resource.has(DATE_NOTE):
        inferred = pc.and_(
            pc.equal(column("date_basis"), "inferred"), pc.is_null(column("date_note"))
        )
        for row in true_rows(inferred):
            problem(row, "date_note", None, "date_note")
    return problems


def _consistent(
    dates, start_text, start: np.ndarray, end: np.ndarray, precision: np.ndarray
) -> np.ndarray:
    """Rows whose EDTF date is exactly the one its bounds and precision describe: a day, month or
    year written plainly. No date rule can fail on these, so only the other rows (intervals,
    qualified dates, and anything wrong) need the full parse. Vectorised, without a regex."""
    texts = arrow(dates)
    known = ~np.isnat(start) & ~np.isnat(end)
    if not known.any():
        return known
    first = np.where(known, start, np.datetime64("1970-01-01", "D")).view(np.int64)
    last = np.where(known, end, np.datetime64("1970-01-01", "D")).view(np.int64)
    # Calendar arithmetic only for the rows that claim a month or a year.
    whole_month = np.zeros(len(first), dtype=bool)
    whole_year = np.zeros(len(first), dtype=bool)
    coarse = np.flatnonzero(known & (precision >= 1))
    if len(coarse):
        first_year, first_month, first_day = civil_from_days(first[coarse])
        last_year, last_month, last_day = civil_from_days(last[coarse])
        same_year = first_year == last_year
        whole_month[coarse] = (
            same_year
            & (first_month == last_month)
            & (first_day == 1)
            & (last_day == days_in_month(last_year, last_month))
        )
        whole_year[coarse] = (
            same_year
            & (first_month == 1)
            & (first_day == 1)
            & (last_month == 12)
            & (last_day == 31)
        )
    written = arrow(start_text)  # a valid date_start is written YYYY-MM-DD (the type checks it)
    ok = np.zeros(len(texts), dtype=bool)
    for code, width, shape in ((0, 10, first == last), (1, 7, whole_month), (2, 4, whole_year)):
        candidates = known & (precision == code) & shape
        if candidates.any():
            same = pc.equal(texts, pc.utf8_slice_codeunits(written, 0, width))
            ok |= candidates & to_numpy_bool(same, False)
    return ok


def _parse_dates(
    dates, start_text, start: np.ndarray, end: np.ndarray, precision: np.ndarray
) -> Parsed:
    """`parse_edtf_arrays` of every date, parsing in full only those `_consistent` cannot vouch for."""
    ok = _consistent(dates, start_text, start, end, precision)
    if not ok.any():
        return parse_edtf_arrays(dates)
    parsed = Parsed(
        matched=ok.copy(),
        valid=ok | ~to_numpy_bool(pc.is_valid(arrow(dates)), False),
        start=np.where(ok, start, np.datetime64("NaT", "D")),
        end=np.where(ok, end, np.datetime64("NaT", "D")),
        precision=np.where(ok, precision, -1).astype(np.int8),
    )
    rest = ~ok
    if rest.any():
        others = parse_edtf_arrays(select(dates, rest))
        rows = np.flatnonzero(rest)
        for name in ("matched", "valid", "start", "end", "precision"):
            getattr(parsed, name)[rows] = getattr(others, name)
    return parsed


# An ID's letters, then its number without leading zeros: EV-0014 and EV-00014 give EV-14.
_ID_NUMBER = r"^([^0-9]*?)0*([0-9]+)$"


def id_number_problems(table: Table) -> list[Problem]:
    """Two record IDs of a table must not differ only in the zeros before their number
    (`EV-0014` and `EV-00014`): readers, and sorting by number, take them for one record. IDs
    all of one width cannot (the usual case, and nothing is computed then)."""
    from .columns import codes_of, first_of_codes, fixed_width

    key = table.resource.primary_key
    if table.arrow is None or len(key) != 1 or len(table) < 2:
        return []
    column = table.column(key[0])
    if not pa.types.is_string(column.type) or fixed_width(column):
        return []
    codes, distinct = codes_of(pc.replace_substring_regex(column, _ID_NUMBER, r"\1\2"))
    if distinct == len(codes):
        return []
    first = first_of_codes(codes)
    rows = np.flatnonzero(first != np.arange(len(first)))
    values, earlier = take_texts(column, rows), take_texts(column, first[rows])
    return [
        Problem.of(
            "id_number",
            table.label,
            row + 2,
            key[0],
            value,
            other=other,
            other_row=int(first[row]) + 2,
        )
        for row, value, other in zip(rows.tolist(), values, earlier, strict=True)
        if value is not None and value != other  # an exact repeat is the primary key's problem
    ]


def _why_invalid(value: str) -> tuple[str | None, dict]:
    """Which of the two ways an EDTF date of the right form can be wrong this one is: the
    `date_invalid` rule's wording (variant) and its params."""
    import datetime as dt

    for part in value.split("/"):
        digits = part.rstrip("~?%")
        year, *rest = (int(n) for n in digits.split("-"))
        try:
            dt.date(year, rest[0] if rest else 1, rest[1] if len(rest) > 1 else 1)
        except ValueError:
            return None, {"date": digits}
    return "reversed_interval", {}


def coverage_problems(tables: dict[str, Table], name: str) -> list[Problem]:
    """Every record of one cited table has a citation, and every citation of it a record."""
    citations = tables.get(CITATIONS)
    table = tables.get(name)
    if citations is None or citations.arrow is None:
        return []
    if table is None or table.arrow is None or not table.resource.primary_key:
        return []
    problems = []
    record_ids = citations.column("record_id")
    id_field = table.resource.primary_key[0]
    ids = table.column(id_field)
    about_mask = to_numpy_bool(pc.equal(citations.column("table_name"), name), False)
    about = np.flatnonzero(about_mask)
    cited = select(record_ids, about_mask)
    # One lookup of this table's citations among its IDs answers both questions.
    found = positions_in(cited, ids)
    covered = np.zeros(len(ids), dtype=bool)
    covered[found[found >= 0]] = True
    # An ID written twice counts as covered when either copy is (the ID repeats: a key error).
    missing = np.flatnonzero(to_numpy_bool(pc.is_valid(ids), False) & ~covered)
    if len(missing):
        candidates = select_rows(ids, missing)
        missing = missing[~to_numpy_bool(pc.is_in(candidates, value_set=combined(cited)), False)]
        for row, value in zip(missing.tolist(), take_texts(ids, missing), strict=True):
            problems.append(
                Problem.of(
                    "citation_missing",
                    table.label,
                    row + 2,
                    id_field,
                    value,
                    citations=citations.label,
                )
            )
    stray = about[to_numpy_bool(pc.is_valid(cited), False) & (found < 0)]
    for row, value in zip(stray.tolist(), take_texts(record_ids, stray), strict=True):
        problems.append(
            Problem.of("citation_target", citations.label, row + 2, "record_id", value, table=name)
        )
    return problems


def link_problems(tables: dict[str, Table], resource: Resource, positions: dict) -> list[Problem]:
    """A link row's citation must be evidence about one of the records the row links."""
    name = resource.name
    citations, table = tables.get(CITATIONS), tables.get(name)
    if citations is None or citations.arrow is None or not resource.cites:
        return []
    if table is None or table.arrow is None:
        return []
    linked = [
        fk.fields[0]
        for fk in resource.foreign_keys
        if fk.resource not in (name, CITATIONS) and len(fk.fields) == 1
    ]
    record_ids = combined(citations.column("record_id"))
    # What each row's citation is about (the first citation with that ID, as a lookup would):
    # row numbers from the foreign key check, -1 where there is none, or looked up here.
    position = positions.get((name, CITATION_FIELD))
    if position is None:
        position = positions_in(table.column(CITATION_FIELD), citations.column(CITATION_FIELD))
    position = pa.array(position, pa.int64(), mask=position < 0)
    subject = pc.take(record_ids, position)
    matches = np.zeros(len(table), dtype=bool)
    for col in linked:
        matches |= to_numpy_bool(pc.equal(subject, table.column(col)), False)
    rows = np.flatnonzero(to_numpy_bool(pc.is_valid(subject), False) & ~matches)
    if len(rows) == 0:
        return []
    subjects = take_texts(subject, rows)
    cited = take_texts(table.column(CITATION_FIELD), rows)
    links = [take_texts(table.column(col), rows) for col in linked]
    problems = []
    for i, row in enumerate(rows.tolist()):
        ids = ", ".join(str(values[i]) for values in links)
        problems.append(
            Problem.of(
                "link_citation",
                table.label,
                row + 2,
                CITATION_FIELD,
                cited[i],
                subject=subjects[i],
                links=ids,
            )
        )
    return problems
