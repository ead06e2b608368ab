"""Dates in words (exports/dates.py): one wording for every output that shows a date to people."""

from __future__ import annotations

import pytest

from conftest import ROOT
from jkdata.exports.dates import date_legend, human_date
from jkdata.model.load import load_package


@pytest.mark.parametrize(
    ("edtf", "words"),
    [
        ("2025-08-23", "23 August 2025"),
        ("1998-10", "October 1998"),
        ("2019", "2019"),
        ("2025-08?", "August 2025, uncertain"),
        ("2025?", "2025, uncertain"),
        ("1998~", "about 1998"),
        ("2025%", "about 2025, uncertain"),
        ("2025-08-23/2025-08-24", "23–24 August 2025"),
        ("2025-08-23/2025-09-05", "23 August – 5 September 2025"),
        ("2025-08/2025-09", "August–September 2025"),
        ("1998/2019", "1998–2019"),
        ("2025-08-23?/2025-08-24?", "23–24 August 2025, uncertain"),
        ("2025-08-24/2025-08?", "24 August 2025 – August 2025, end uncertain"),
        ("2024~/2025-08-01", "2024 – 1 August 2025, start approximate"),
    ],
)
def test_words_keep_the_precision_and_the_hedge(edtf, words):
    assert human_date(edtf) == words


def test_not_a_date_is_refused():
    with pytest.raises(ValueError):
        human_date("August 2025")


def test_legend_uses_the_schema_vocabularies():
    package, _ = load_package(ROOT)
    events = package.resource("events")
    legend = date_legend(events.field("date_precision"), events.field("date_basis"))
    assert "the day, the month or the year" in legend
    assert "Stated: the cited source gives the date" in legend
    assert "inferred: the source only implies the date" in legend
    assert "“Uncertain” (EDTF ?)" in legend
