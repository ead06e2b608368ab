"""Small helpers for working on columns as pyarrow arrays, which is where the checks do their work.

pandas 3 keeps text in pyarrow; going through pandas' string methods or `isin` on those columns
can fall back to Python objects row by row. The checks therefore call pyarrow compute kernels on
the columns directly and come back to Python only for the few cells that fail.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

if TYPE_CHECKING:  # pandas is imported where a Series is made: reading needs only pyarrow
    import pandas as pd


def arrow(values) -> pa.ChunkedArray:
    """The column as a pyarrow ChunkedArray, without copying when it already lives in pyarrow."""
    if isinstance(values, pa.ChunkedArray):
        return values
    if isinstance(values, pa.Array):
        return pa.chunked_array([values])
    values = getattr(values, "array", values)  # a pandas Series: its extension array
    if hasattr(values, "__arrow_array__"):
        result = values.__arrow_array__()
        return result if isinstance(result, pa.ChunkedArray) else pa.chunked_array([result])
    return pa.chunked_array([pa.array(np.asarray(values, dtype=object), from_pandas=True)])


def true_rows(mask) -> np.ndarray:
    """Positions where a boolean column is true (null counts as false)."""
    if isinstance(mask, np.ndarray):
        return np.flatnonzero(mask)
    mask = arrow(mask)
    if mask.null_count:
        mask = pc.fill_null(mask, False)
    if not pc.any(mask).as_py():
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero(mask.to_numpy())


def to_numpy_bool(mask, fill: bool) -> np.ndarray:
    """A boolean column as a numpy array, nulls replaced by `fill`."""
    mask = arrow(mask)
    if mask.null_count:
        mask = pc.fill_null(mask, fill)
    if len(mask) == 0:
        return np.zeros(0, dtype=bool)
    return mask.to_numpy()


def as_series(mask, index: pd.Index, fill: bool = False) -> pd.Series:
    """A boolean pyarrow column as a plain numpy-backed pandas Series (what pandera expects)."""
    import pandas as pd

    return pd.Series(to_numpy_bool(mask, fill), index=index, copy=False)


def combined(values) -> pa.Array:
    """One contiguous array (for value sets of `is_in` and `index_in`)."""
    values = arrow(values)
    return values.combine_chunks() if values.num_chunks != 1 else values.chunk(0)


def select(values, mask: np.ndarray) -> pa.ChunkedArray:
    """The values where a numpy mask is true (a filter: much faster than `take` on many chunks)."""
    return pc.filter(arrow(values), pa.array(mask, pa.bool_()))


def take_texts(values, rows) -> list:
    """The Python values at some positions, in the order given.

    `take` on a column of many chunks first joins the chunks into one (a copy of the whole
    column); a few values are picked from their chunks, more with a filter, chunk by chunk."""
    rows = np.asarray(rows, dtype=np.int64)
    if len(rows) == 0:
        return []
    values = arrow(values)
    if len(rows) <= 256:
        ends = np.cumsum([len(chunk) for chunk in values.chunks])
        found = np.searchsorted(ends, rows, side="right")
        starts = ends - np.array([len(chunk) for chunk in values.chunks])
        return [
            values.chunk(k)[int(row - starts[k])].as_py()
            for row, k in zip(rows.tolist(), found.tolist(), strict=True)
        ]
    distinct, order = np.unique(rows, return_inverse=True)
    picked = select(values, mask_of(len(values), distinct)).to_pylist()
    return [picked[i] for i in order.tolist()]


def select_rows(values, rows) -> pa.ChunkedArray:
    """The values at ascending positions, as a column (a filter, chunk by chunk)."""
    return select(values, mask_of(len(values), np.asarray(rows, dtype=np.int64)))


def mask_of(length: int, rows: np.ndarray) -> np.ndarray:
    """A boolean array, true at the given positions."""
    mask = np.zeros(length, dtype=bool)
    mask[rows] = True
    return mask


def run_starts(values) -> np.ndarray | None:
    """Where each run of equal values starts, when the column is in non-decreasing order without
    gaps (as key columns usually are); None otherwise, or when runs would not save work."""
    values = arrow(values)
    if values.null_count or len(values) < 1024:
        return None
    later, earlier = values[1:], values[:-1]
    if pc.any(pc.less(later, earlier)).as_py():
        return None
    changes = np.flatnonzero(to_numpy_bool(pc.not_equal(later, earlier), False)) + 1
    if len(changes) > 0.7 * len(values):
        return None
    return np.concatenate([[0], changes])


def run_values(values, starts: np.ndarray) -> pa.ChunkedArray:
    """The first value of each run."""
    mask = np.zeros(len(values), dtype=bool)
    mask[starts] = True
    return select(values, mask)


def expand_runs(per_run: np.ndarray, starts: np.ndarray, length: int) -> np.ndarray:
    """A value per run repeated over the run's rows."""
    return np.repeat(per_run, np.diff(np.append(starts, length)))


class Inline:
    """A stand-in for a thread pool that runs each task at once in the calling thread: for small
    packages, where threads only add switching between GIL-bound Python."""

    def submit(self, fn, *args, **kwargs):
        from concurrent.futures import Future

        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # handed to whoever asks for the result
            future.set_exception(exc)
        return future

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        return None


def executor(parallel: bool, workers: int):
    from concurrent.futures import ThreadPoolExecutor

    return ThreadPoolExecutor(max_workers=workers) if parallel else Inline()


def codes_of(column, try_sorted: bool = True) -> tuple[np.ndarray, int]:
    """Integer codes for a column's values and how many there are. Equal values get equal codes,
    numbered in the order the values first appear; a missing cell is a value of its own.

    A column in non-decreasing order (usual for the first key field) is coded by counting value
    changes (unless `try_sorted` is false: the caller knows it is not); any other by dictionary
    encoding (one hash of each value)."""
    column = arrow(column)
    if len(column) == 0:
        return np.zeros(0, dtype=np.int64), 0
    if try_sorted and column.null_count == 0 and len(column) > 1:
        later, earlier = column[1:], column[:-1]
        if not pc.any(pc.less(later, earlier)).as_py():
            changes = to_numpy_bool(pc.not_equal(later, earlier), False)
            codes = np.concatenate([[0], np.cumsum(changes)])
            return codes, int(codes[-1]) + 1
    # The chunks of an encoded chunked array share one dictionary, so their indices agree.
    encoded = column.dictionary_encode(null_encoding="encode")
    codes = np.concatenate(
        [chunk.indices.to_numpy(zero_copy_only=False) for chunk in encoded.chunks]
    ).astype(np.int64)
    return codes, len(encoded.chunk(0).dictionary)


def first_of_codes(codes: np.ndarray) -> np.ndarray:
    """For codes numbered in order of first appearance (`codes_of`), the position of the first row
    with each row's code: a row is a first occurrence when its code exceeds every earlier one."""
    new = np.empty(len(codes), dtype=bool)
    new[:1] = True
    new[1:] = codes[1:] > np.maximum.accumulate(codes[:-1])
    return np.flatnonzero(new)[codes]
