"""The EDTF subset: bounds and precision derived from the date string."""

from __future__ import annotations

import datetime
import random

import edtf
import pandas as pd
import pytest
from edtf.parser.edtf_exceptions import EDTFParseException

from conftest import edit, run_validate
from jkdata.validate.edtf import PRECISIONS, parse_edtf


@pytest.mark.parametrize(
    "text, start, end, precision",
    [
        ("2025-08-23", "2025-08-23", "2025-08-23", "day"),
        ("1998-10", "1998-10-01", "1998-10-31", "month"),
        ("2024-02", "2024-02-01", "2024-02-29", "month"),
        ("2019", "2019-01-01", "2019-12-31", "year"),
        ("2025-08-23/2025-08-24", "2025-08-23", "2025-08-24", "day"),
        ("2019/2020-05", "2019-01-01", "2020-05-31", "year"),
        ("1998-10~", "1998-10-01", "1998-10-31", "month"),
        ("2008?", "2008-01-01", "2008-12-31", "year"),
        ("2025-08-14%", "2025-08-14", "2025-08-14", "day"),
    ],
)
def test_valid_dates_give_bounds_and_precision(text, start, end, precision):
    parsed = parse_edtf(pd.Series([text], dtype="str")).iloc[0]
    assert parsed["valid"] and parsed["matched"]
    assert parsed["start"] == pd.Timestamp(start)
    assert parsed["end"] == pd.Timestamp(end)
    assert parsed["precision"] == precision


@pytest.mark.parametrize(
    "text, matched",
    [
        ("2025-02-30", True),  # no such day
        ("2025-13", True),  # no such month
        ("2025-08-24/2025-08-23", True),  # ends before it starts
        ("Aug 2025", False),
        ("25-08-2025", False),
        ("2025-8", False),
    ],
)
def test_invalid_dates_are_flagged(text, matched):
    parsed = parse_edtf(pd.Series([text], dtype="str")).iloc[0]
    assert not parsed["valid"]
    assert parsed["matched"] == matched
    assert pd.isna(parsed["start"]) and pd.isna(parsed["end"])


def test_missing_dates_are_valid_and_unbounded():
    parsed = parse_edtf(pd.Series([None, "2019"], dtype="str"))
    assert parsed["valid"].tolist() == [True, True]
    assert pd.isna(parsed["start"].iloc[0])


def test_an_invalid_date_says_which_of_its_two_faults_it_has(package):
    """No such day, or an interval that ends before it starts: the message says which."""
    edit(package / "data/events.csv", ",2025-08-23/2025-08-24,", ",2025-02-30/2025-08-24,")
    edit(package / "data/events.csv", ",2019,", ",2019/2018,")
    _, report, _ = run_validate(package)
    messages = {p["value"]: p["message"] for p in report["problems"] if p["rule"] == "date_invalid"}
    assert messages == {
        "2025-02-30/2025-08-24": "is not a real date: 2025-02-30 has no such month or day",
        "2019/2018": "the interval ends before it starts",
    }


def _reference(text: str):
    """(start, end, precision) by the `edtf` library, or None where it finds no usable date.

    The library's strict bounds ignore qualifiers, as this package does. It lets through days no
    calendar has (1900-02-29, 2023-02-29) and year 0, which Python's dates refuse, and
    intervals that end before they start: none of these is usable."""
    try:
        parsed = edtf.parse_edtf(text)
    except EDTFParseException:
        return None
    try:
        start = datetime.date(*parsed.lower_strict()[:3])
        end = datetime.date(*parsed.upper_strict()[:3])
    except ValueError:
        return None
    if end < start:
        return None
    parts = [parsed.lower, parsed.upper] if hasattr(parsed, "lower") else [parsed]
    precisions = [getattr(part, "date", part).precision for part in parts]
    return start, end, max(precisions, key=PRECISIONS.index)


def _edtf_like(rng: random.Random) -> str:
    year = rng.choice(["0000", "0001", "1582", "1899", "1900", "1904", "2000", "2023", "2024"])
    text = year
    if rng.random() < 0.7:
        text += f"-{rng.choice([0, 1, 2, 2, 4, 9, 12, 13]):02d}"
        if rng.random() < 0.6:
            text += f"-{rng.choice([0, 1, 15, 28, 29, 30, 31, 32]):02d}"
    return text + rng.choice(["", "", "~", "?", "%"])


def test_bounds_and_precision_agree_with_the_edtf_library():
    """The `edtf` package is the reference for the vectorised parser. Validation does not call it:
    it parses a date in about 20 ms (pyparsing), and a package of a million events holds some
    95,000 distinct dates, so even parsing each distinct value once would take half an hour
    against a fraction of a second here."""
    rng = random.Random(14)
    texts = [_edtf_like(rng) for _ in range(150)]
    texts += [f"{_edtf_like(rng)}/{_edtf_like(rng)}" for _ in range(100)]
    texts += ["2019-XX", "2019/..", "-0500", "1998-10~?", "2019-05-01T10:00"]  # outside the subset
    parsed = parse_edtf(pd.Series(texts, dtype="str"))
    for text, row in zip(texts, parsed.itertuples(), strict=True):
        if not row.matched:  # the schema's pattern refuses it: the library is not asked
            assert text in {"2019-XX", "2019/..", "-0500", "1998-10~?", "2019-05-01T10:00"}
            continue
        expected = _reference(text)
        if expected is None:
            assert not row.valid and pd.isna(row.start), text
        else:
            assert row.valid, text
            got = (row.start.date(), row.end.date(), row.precision)
            assert got == expected, text
