"""Small helpers for working on columns as pyarrow arrays, where hygiene, dates and the cross-table checks do their work.

pandas 3 keeps text in pyarrow; going through pandas' string methods or `isin` on those columns
can fall back to Python objects row by row. The checks therefore call pyarrow compute kernels on
the columns directly and come back to Python only for the few cells that fail.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


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
    changes (unless `try_sorted` is false: the caller knows it is not); fixed-width IDs by hashing
    their `packed_keys`; any other by dictionary encoding (one hash of each value)."""
    column = arrow(column)
    if len(column) == 0:
        return np.zeros(0, dtype=np.int64), 0
    if try_sorted and column.null_count == 0 and len(column) > 1:
        later, earlier = column[1:], column[:-1]
        if not pc.any(pc.less(later, earlier)).as_py():
            changes = to_numpy_bool(pc.not_equal(later, earlier), False)
            codes = np.concatenate([[0], np.cumsum(changes)])
            return codes, int(codes[-1]) + 1
    packed = packed_keys([column])
    if packed is not None:  # IDs: integers hash far faster than text
        import pandas as pd

        codes, distinct = pd.factorize(packed[0][0])
        return codes.astype(np.int64, copy=False), len(distinct)
    # The chunks of an encoded chunked array share one dictionary, so their indices agree.
    encoded = column.dictionary_encode(null_encoding="encode")
    codes = np.concatenate(
        [chunk.indices.to_numpy(zero_copy_only=False) for chunk in encoded.chunks]
    ).astype(np.int64)
    return codes, len(encoded.chunk(0).dictionary)


def _dense_enough(rows: int) -> int:
    """The largest range of packed keys worth using as they are for this many rows."""
    return 4 * rows + (1 << 16)


def first_of_codes(codes: np.ndarray) -> np.ndarray:
    """For codes numbered in order of first appearance (`codes_of`), the position of the first row
    with each row's code: a row is a first occurrence when its code exceeds every earlier one."""
    new = np.empty(len(codes), dtype=bool)
    new[:1] = True
    new[1:] = codes[1:] > np.maximum.accumulate(codes[:-1])
    return np.flatnonzero(new)[codes]


def _fixed_width_rows(column: pa.ChunkedArray) -> tuple[list[np.ndarray], int] | None:
    """Each chunk of a text column as a (values, width) matrix of its bytes, without copying, and
    the width: when every value has the same number of bytes and none is missing, as IDs such as
    EV-0000001 do. None otherwise."""
    if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
        return None
    offset_type = np.int64 if pa.types.is_large_string(column.type) else np.int32
    parts, width = [], None
    for chunk in column.chunks:
        if len(chunk) == 0:
            continue
        if chunk.null_count:
            return None
        _, offsets_buffer, data_buffer = chunk.buffers()
        offsets = np.frombuffer(
            offsets_buffer,
            offset_type,
            count=len(chunk) + 1,
            offset=chunk.offset * np.dtype(offset_type).itemsize,
        )
        first, last = int(offsets[0]), int(offsets[-1])
        size, rest = divmod(last - first, len(chunk))
        if rest or size == 0 or size != (width or size) or np.any(np.diff(offsets) != size):
            return None
        width = size
        data = np.frombuffer(data_buffer, np.uint8, count=last - first, offset=first)
        parts.append(data.reshape(-1, width))
    return parts, width or 0


def fixed_width(column) -> bool:
    """Every value has the same number of bytes and none is missing (see `_fixed_width_rows`)."""
    return _fixed_width_rows(arrow(column)) is not None


def _span_of_bytes(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The lowest and highest byte at each position of a byte matrix. Rows are taken 64 at a time:
    numpy reduces a wide row far faster than a column of a narrow one."""
    fold = 64
    whole = len(rows) // fold * fold
    lowest = np.full(rows.shape[1], 255, np.int64)
    highest = np.zeros(rows.shape[1], np.int64)
    for part, width in ((rows[:whole].reshape(-1, fold * rows.shape[1]), fold), (rows[whole:], 1)):
        if len(part):
            lowest = np.minimum(lowest, part.min(axis=0).reshape(width, -1).min(axis=0))
            highest = np.maximum(highest, part.max(axis=0).reshape(width, -1).max(axis=0))
    return lowest, highest


def packed_keys(columns: list) -> tuple[list[np.ndarray], int] | None:
    """Integer keys for text columns of fixed-width values, on one scale for all of them: equal
    texts get equal keys, and keys keep the texts' (byte) order. Returns the keys of each column
    and their range (every key is in [0, range)); None when a column is not fixed-width text
    without missing cells, the widths differ, or the keys would not fit in an int64.

    Each byte position is a digit of a mixed-radix number, its base the span of the bytes found
    there, so a position that never changes costs nothing: EV-0000001 to EV-1000000 span 2 × 10**6
    keys. Looking such a key up, or hashing it, is many times faster than doing so with text."""
    matrices = [_fixed_width_rows(arrow(column)) for column in columns]
    if any(m is None for m in matrices):
        return None
    widths = {width for parts, width in matrices if parts}
    if len(widths) > 1:
        return None
    if not widths:
        return [np.zeros(0, np.int64) for _ in columns], 0
    width = widths.pop()
    lowest, highest = np.full(width, 255, np.int64), np.zeros(width, np.int64)
    for parts, _ in matrices:
        for rows in parts:
            low, high = _span_of_bytes(rows)
            lowest, highest = np.minimum(lowest, low), np.maximum(highest, high)
    radix = highest - lowest + 1
    if np.prod(radix, dtype=np.float64) >= 2.0**54:  # 256 times that must still fit an int64
        return None
    # Horner's rule over the positions that vary (ID prefixes and leading zeros do not), a strided
    # column of bytes at a time: far faster than a matrix product over every position.
    varying = [int(i) for i in np.flatnonzero(radix > 1)]
    base = 0
    for i in varying:
        base = base * int(radix[i]) + int(lowest[i])
    keys = []
    for parts, _ in matrices:
        per_chunk = []
        for rows in parts:
            key = np.zeros(len(rows), np.int64)
            for i in varying:
                key *= radix[i]
                key += rows[:, i]
            per_chunk.append(key - base)
        keys.append(np.concatenate(per_chunk) if per_chunk else np.zeros(0, np.int64))
    return keys, int(np.prod(radix))


def positions_in(values, value_set) -> np.ndarray:
    """For each value, the position of the first equal value in `value_set`; -1 where there is
    none or the value is missing. `pc.index_in` as a numpy array of int64.

    Fixed-width IDs (`packed_keys`) whose keys are dense enough are looked up in a table indexed
    by key, when no key of `value_set` repeats; anything else goes to `pc.index_in`."""
    values, value_set = arrow(values), arrow(value_set)
    present = to_numpy_bool(pc.is_valid(values), False) if values.null_count else None
    packed = packed_keys([value_set, values if present is None else select(values, present)])
    if packed is not None:
        (targets, probes), size = packed
        if size <= _dense_enough(len(targets)):
            rows = np.arange(len(targets), dtype=np.int32)
            slot = np.full(size, -1, dtype=np.int32)
            slot[targets] = rows
            if np.array_equal(slot[targets], rows):  # no key repeats: each slot holds its row
                if present is None:
                    return slot[probes].astype(np.int64)
                found = np.full(len(values), -1, dtype=np.int64)
                found[present] = slot[probes]
                return found
    if len(values) == 0:
        return np.zeros(0, dtype=np.int64)
    found = pc.index_in(values, value_set=combined(value_set), skip_nulls=True)
    return pc.fill_null(found, -1).to_numpy().astype(np.int64)
