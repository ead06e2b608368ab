"""The EDTF subset: bounds and precision derived from the date string."""

from __future__ import annotations

import pandas as pd
import pytest

from conftest import edit, run_validate
from jkdata.edtf import parse_edtf


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
