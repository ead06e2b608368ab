"""Small helpers for working on columns as pyarrow arrays, which is where the checks do their work.

pandas 3 keeps text in pyarrow; going through pandas' string methods or `isin` on those columns
can fall back to Python objects row by row. The checks therefore call pyarrow compute kernels on
the columns directly and come back to Python only for the few cells that fail.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


def arrow(values) -> pa.ChunkedArray:
    """The column as a pyarrow ChunkedArray, without copying when it already lives in pyarrow."""
    if isinstance(values, pa.ChunkedArray):
        return values
    if isinstance(values, pa.Array):
        return pa.chunked_array([values])
    if isinstance(values, pd.Series):
        values = values.array
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
    return pd.Series(to_numpy_bool(mask, fill), index=index, copy=False)


def combined(values) -> pa.Array:
    """One contiguous array (for value sets of `is_in` and `index_in`)."""
    values = arrow(values)
    return values.combine_chunks() if values.num_chunks != 1 else values.chunk(0)


def select(values, mask: np.ndarray) -> pa.ChunkedArray:
    """The values where a numpy mask is true (a filter: much faster than `take` on many chunks)."""
    return pc.filter(arrow(values), pa.array(mask, pa.bool_()))


def take_texts(values, rows: np.ndarray) -> list:
    """The Python values at a few positions."""
    if len(rows) == 0:
        return []
    return arrow(values).take(pa.array(rows, pa.int64())).to_pylist()
