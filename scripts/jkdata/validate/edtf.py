"""The EDTF subset the package uses, parsed vectorised.

Accepted: `YYYY`, `YYYY-MM`, `YYYY-MM-DD`, each optionally followed by `~` (approximate),
`?` (uncertain) or `%` (both), and closed intervals `A/B` of two such dates. From each value we
derive the earliest and latest possible day and the precision (the coarsest part of an interval).
A qualifier does not widen the bounds: it says the source hedged, which `date` keeps visibly.

The text is split into its parts by one pyarrow regular expression; the calendar arithmetic is
numpy on day numbers, so a million dates take a fraction of a second.

The `edtf` package (its `parse_edtf` and strict bounds, which ignore qualifiers as this package
does) is the reference that tests/test_edtf.py compares this parser with, but validation does not
call it: measured, it parses one date in about 20 ms, and a package of a million events holds
some 95,000 distinct dates, so parsing even each distinct value once would take half an hour.
It also lets through days no calendar has (1900-02-29) and year 0000, which this parser refuses.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from jkdata.columns import arrow, select, to_numpy_bool
from jkdata.model.values import calendar_days, date_days, days_in_month

PRECISIONS = ("day", "month", "year")  # finest first
_PART = r"(?P<{p}y>[0-9]{{4}})(?:-(?P<{p}m>[0-9]{{2}})(?:-(?P<{p}d>[0-9]{{2}}))?)?(?P<{p}q>[~?%])?"
_EDTF = "^" + _PART.format(p="a") + "(?:/" + _PART.format(p="b") + ")?$"
_NAT = np.datetime64("NaT", "D")


@dataclass
class Parsed:
    """numpy arrays, one entry per value (see `parse_edtf`); precision is an index into PRECISIONS."""

    matched: np.ndarray
    valid: np.ndarray
    start: np.ndarray  # datetime64[D], NaT where unusable
    end: np.ndarray
    precision: np.ndarray  # int8: 0 day, 1 month, 2 year; -1 where unusable


def _numbers(parts: pa.StructArray, name: str) -> np.ndarray:
    """A group's digits as integers; -1 where the group did not take part in the match."""
    text = parts.field(name)
    text = pc.if_else(pc.equal(text, ""), None, text)
    return pc.fill_null(pc.cast(text, pa.int64()), -1).to_numpy()


def _part_bounds(parts: pa.StructArray, p: str):
    year, month, day = (_numbers(parts, p + k) for k in "ymd")
    has_month, has_day = month >= 0, day >= 0
    start = calendar_days(year, np.where(has_month, month, 1), np.where(has_day, day, 1))
    # The last day of the month, or of December for a bare year.
    last_month = np.where(has_month, month, 12)
    month_end = calendar_days(year, last_month, days_in_month(year, last_month))
    end = np.where(has_day, start, np.where(np.isnat(start), _NAT, month_end))
    precision = np.where(has_day, 0, np.where(has_month, 1, 2)).astype(np.int8)
    return start, end, precision


def parse_edtf_arrays(values) -> Parsed:
    texts = arrow(values)
    count = len(texts)
    present = to_numpy_bool(pc.is_valid(texts), False)
    matched = np.zeros(count, dtype=bool)
    start = np.full(count, _NAT)
    end = np.full(count, _NAT)
    precision = np.full(count, -1, dtype=np.int8)
    usable = np.zeros(count, dtype=bool)
    # Most dates are single days: their bounds are the day itself, parsed without the full regex.
    day_shaped = to_numpy_bool(
        pc.match_substring_regex(texts, "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"), False
    )
    if day_shaped.any():
        rows = np.flatnonzero(day_shaped)
        days = date_days(select(texts, day_shaped))
        ok = ~np.isnat(days)
        matched[rows] = True
        usable[rows] = ok
        start[rows] = days
        end[rows] = days
        precision[rows] = np.where(ok, 0, -1)
    others = present & ~day_shaped
    rows = np.zeros(0, dtype=np.int64)
    if others.any():
        rest = np.flatnonzero(others)
        candidates = select(texts, others)
        shaped = to_numpy_bool(pc.match_substring_regex(candidates, _EDTF), False)
        rows = rest[shaped]
        matched[rows] = True
    if len(rows):
        chunks = pc.extract_regex(pc.filter(candidates, pa.array(shaped)), _EDTF).chunks
        parts = pa.concat_arrays(chunks) if len(chunks) != 1 else chunks[0]
        a_start, a_end, a_precision = _part_bounds(parts, "a")
        is_interval = _numbers(parts, "by") >= 0
        b_start, b_end, b_precision = _part_bounds(parts, "b")
        real = ~np.isnat(a_start) & (~is_interval | ~np.isnat(b_start))
        with np.errstate(invalid="ignore"):
            ordered = ~is_interval | (b_end >= a_start)
        ok = real & ordered
        usable[rows] = ok
        start[rows] = np.where(ok, a_start, _NAT)
        end[rows] = np.where(ok, np.where(is_interval, b_end, a_end), _NAT)
        coarsest = np.where(is_interval, np.maximum(a_precision, b_precision), a_precision)
        precision[rows] = np.where(ok, coarsest, -1)
    valid = usable | ~present
    return Parsed(matched, valid, start, end, precision)


def parse_edtf(values: pd.Series) -> pd.DataFrame:
    """Columns: matched, valid (bool), start, end (datetime64), precision ('day'/'month'/'year').

    `matched` is True where the text has the subset's shape (the schema's pattern checks that).

    `valid` is False for text outside the subset, impossible calendar dates, and intervals whose
    end comes before their start. Missing values give valid=True with missing bounds.
    """
    parsed = parse_edtf_arrays(values)
    names = np.array([None, *PRECISIONS], dtype=object)
    return pd.DataFrame(
        {
            "matched": parsed.matched,
            "valid": parsed.valid,
            "start": parsed.start.astype("datetime64[s]"),
            "end": parsed.end.astype("datetime64[s]"),
            "precision": pd.Series(names[parsed.precision + 1], dtype="str"),
        },
    ).set_axis(values.index)
