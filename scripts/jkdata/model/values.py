"""Cell text as typed values: dates checked on the calendar, numbers, booleans; the typed frames
the exports and the public API use. Vectorised on the pyarrow column behind each Series."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from jkdata.columns import arrow, to_numpy_bool
from jkdata.model.schema import TYPES, Field, Resource


def days_in_month(year, month) -> np.ndarray:
    year, month = np.asarray(year, dtype=np.int64), np.asarray(month, dtype=np.int64)
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    lengths = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)
    return lengths[np.clip(month, 1, 12) - 1] + ((month == 2) & leap)


def days_from_civil(year, month, day) -> np.ndarray:
    """Days since 1970-01-01 of proleptic Gregorian dates, with integer arithmetic only
    (H. Hinnant's algorithm): numpy's datetime64 unit conversions are far slower."""
    year, month, day = (np.asarray(v, dtype=np.int64) for v in (year, month, day))
    year = year - (month <= 2)
    era = np.floor_divide(year, 400)
    year_of_era = year - era * 400
    day_of_year = (153 * ((month + 9) % 12) + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    return era * 146097 + day_of_era - 719468


def civil_from_days(days) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(year, month, day) of days since 1970-01-01 (the inverse of `days_from_civil`)."""
    z = np.asarray(days, dtype=np.int64) + 719468
    era = np.floor_divide(z, 146097)
    day_of_era = z - era * 146097
    year_of_era = (
        day_of_era - day_of_era // 1460 + day_of_era // 36524 - day_of_era // 146096
    ) // 365
    day_of_year = day_of_era - (365 * year_of_era + year_of_era // 4 - year_of_era // 100)
    shifted = (5 * day_of_year + 2) // 153
    day = day_of_year - (153 * shifted + 2) // 5 + 1
    month = np.where(shifted < 10, shifted + 3, shifted - 9)
    return year_of_era + era * 400 + (month <= 2), month, day


def calendar_days(year, month, day) -> np.ndarray:
    """datetime64[D] from year, month and day numbers; NaT where they make no calendar date
    (year 0, month 13, 30 February). Missing numbers (negative) give NaT too."""
    year, month, day = (np.asarray(v, dtype=np.int64) for v in (year, month, day))
    ok = (year >= 1) & (month >= 1) & (month <= 12) & (day >= 1)
    ok &= day <= days_in_month(year, month)
    days = days_from_civil(np.where(ok, year, 1970), np.where(ok, month, 1), np.where(ok, day, 1))
    return np.where(ok, days, np.iinfo(np.int64).min).view("datetime64[D]")


def _numbers(texts: pa.ChunkedArray, start: int, stop: int) -> np.ndarray:
    """Digits at [start, stop) of every text as integers (-1 where missing)."""
    part = pc.cast(pc.utf8_slice_codeunits(texts, start, stop), pa.int64())
    return pc.fill_null(part, -1).to_numpy() if len(part) else np.zeros(0, dtype=np.int64)


_DAY_ONE = -719162  # 0001-01-01 in days since 1970-01-01: Python's (and frictionless') first day


def date_days(values) -> np.ndarray:
    """YYYY-MM-DD text to datetime64[D]; anything else (including 2025-02-30) becomes NaT."""
    texts = arrow(values)
    if texts.num_chunks > 1:  # chunk by chunk: a bad date costs the slow path in its chunk only
        parts = [_date_days(chunk) for chunk in texts.chunks]
        return np.concatenate(parts) if parts else np.zeros(0, dtype="datetime64[D]")
    return _date_days(texts.chunk(0) if texts.num_chunks else pa.array([], pa.string()))


def _date_days(texts: pa.Array) -> np.ndarray:
    try:  # pyarrow's parser is as strict as ours except for year 0; usually every date is good
        days = pc.cast(texts, pa.date32())
        if days.null_count == len(days) or pc.min(days).cast(pa.int32()).as_py() >= _DAY_ONE:
            return days.to_numpy(zero_copy_only=False).astype("datetime64[D]")
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    shaped = to_numpy_bool(
        pc.match_substring_regex(texts, "^" + TYPES["date"].text_pattern + "$"), False
    )
    days = np.full(len(texts), np.datetime64("NaT", "D"))
    rows = np.flatnonzero(shaped)
    if len(rows):
        good = pc.filter(texts, pa.array(shaped))
        days[rows] = calendar_days(
            _numbers(good, 0, 4), _numbers(good, 5, 7), _numbers(good, 8, 10)
        )
    return days


def parse_dates(values: pd.Series) -> pd.Series:
    """YYYY-MM-DD text to datetime64; anything else (including 2025-02-30) becomes NaT."""
    return pd.Series(date_days(values).astype("datetime64[s]"), index=values.index)


def type_ok_array(values, field: Field) -> np.ndarray:
    """True where the text is a valid value of the field's type (missing cells count as valid)."""
    texts = arrow(values)
    ftype = field.type
    if ftype == "string":
        return np.ones(len(texts), dtype=bool)
    if ftype == "boolean":
        allowed = pa.array(list(field.true_values + field.false_values), pa.string())
        ok = to_numpy_bool(pc.is_in(texts, value_set=allowed), False)
    elif ftype == "date":
        ok = ~np.isnat(date_days(texts))
    else:
        pattern = "^(?:" + field.kind.text_pattern + ")$"
        ok = to_numpy_bool(pc.match_substring_regex(texts, pattern), False)
    return ok | to_numpy_bool(pc.is_null(texts), False)


def type_ok(values: pd.Series, field: Field) -> pd.Series:
    """True where the text is a valid value of the field's type (missing cells count as valid)."""
    return pd.Series(type_ok_array(values, field), index=values.index)


def to_typed(values: pd.Series, field: Field) -> pd.Series:
    """Convert valid text to the field's type; invalid or missing cells become missing."""
    ftype = field.type
    if ftype == "string":
        return values
    if ftype == "date":
        return parse_dates(values)
    text = values.astype("str").where(type_ok(values, field))
    if ftype in ("integer", "year"):
        return pd.to_numeric(text, errors="coerce").astype("Int64")
    if ftype == "number":
        return pd.to_numeric(text, errors="coerce").astype("Float64")
    if ftype == "boolean":
        mapping = dict.fromkeys(field.true_values, True) | dict.fromkeys(field.false_values, False)
        return text.map(mapping).astype("boolean")
    raise ValueError(f"unsupported type {ftype}")


def typed_frame(frame: pd.DataFrame, resource: Resource) -> pd.DataFrame:
    return pd.DataFrame({f.name: to_typed(frame[f.name], f) for f in resource.fields})
