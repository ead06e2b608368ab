"""Date rules a Table Schema cannot express: `date` (EDTF), its bounds and precision agree, and
an inferred date says how it was inferred."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from jkdata.columns import (
    arrow,
    positions_in,
    select,
    take_texts,
    to_numpy_bool,
    true_rows,
)
from jkdata.model.schema import DATE_FIELDS, DATE_NOTE
from jkdata.model.values import civil_from_days, date_days, days_in_month
from jkdata.problems import Problem
from jkdata.validate.edtf import PRECISIONS, Parsed, parse_edtf_arrays
from jkdata.validate.structure import Table


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
