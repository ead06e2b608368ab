"""The EDTF subset the package uses, parsed vectorised.

Accepted: `YYYY`, `YYYY-MM`, `YYYY-MM-DD`, each optionally followed by `~` (approximate),
`?` (uncertain) or `%` (both), and closed intervals `A/B` of two such dates. From each value we
derive the earliest and latest possible day and the precision (the coarsest part of an interval).
A qualifier does not widen the bounds: it says the source hedged, which `date` keeps visibly.
"""

from __future__ import annotations

import pandas as pd

PRECISIONS = ("day", "month", "year")  # finest first
_PART = r"(?P<{p}y>[0-9]{{4}})(?:-(?P<{p}m>[0-9]{{2}})(?:-(?P<{p}d>[0-9]{{2}}))?)?(?P<{p}q>[~?%])?"
_EDTF = "^" + _PART.format(p="a") + "(?:/" + _PART.format(p="b") + ")?$"


def _part_bounds(parts: pd.DataFrame, p: str) -> tuple[pd.Series, pd.Series, pd.Series]:
    year, month, day = parts[f"{p}y"], parts[f"{p}m"], parts[f"{p}d"]
    first_month = month.fillna("01")
    start = pd.to_datetime(
        year + "-" + first_month + "-" + day.fillna("01"), format="%Y-%m-%d", errors="coerce"
    )
    month_start = pd.to_datetime(
        year + "-" + month.fillna("12") + "-01", format="%Y-%m-%d", errors="coerce"
    )
    end = (month_start + pd.offsets.MonthEnd(0)).where(day.isna(), start)
    precision = pd.Series("day", index=parts.index, dtype="str")
    precision = precision.mask(day.isna(), "month").mask(month.isna(), "year")
    return start, end, precision


def parse_edtf(values: pd.Series) -> pd.DataFrame:
    """Columns: matched, valid (bool), start, end (datetime64), precision ('day'/'month'/'year').

    `matched` is True where the text has the subset's shape (the schema's pattern checks that).

    `valid` is False for text outside the subset, impossible calendar dates, and intervals whose
    end comes before their start. Missing values give valid=True with missing bounds.
    """
    parts = values.astype("str").str.extract(_EDTF)
    a_start, a_end, a_precision = _part_bounds(parts, "a")
    is_interval = parts["by"].notna()
    b_start, b_end, b_precision = _part_bounds(parts.fillna({"by": "0001"}), "b")
    start = a_start
    end = b_end.where(is_interval, a_end)
    rank = {name: i for i, name in enumerate(PRECISIONS)}
    coarsest = pd.concat(
        [a_precision.map(rank), b_precision.map(rank).where(is_interval, 0)], axis=1
    ).max(axis=1)
    precision = coarsest.map(dict(enumerate(PRECISIONS)))
    matched = parts["ay"].notna()
    real = a_start.notna() & (~is_interval | b_start.notna())
    ordered = ~is_interval | (b_end >= a_start)
    valid = (matched & real & ordered) | values.isna()
    usable = matched & real & ordered
    return pd.DataFrame(
        {
            "matched": matched,
            "valid": valid,
            "start": start.where(usable),
            "end": end.where(usable),
            "precision": precision.where(usable),
        },
        index=values.index,
    )
