"""Fixed-width IDs as integers (`packed_keys`): the key checks and lookups that use them must give
exactly what pyarrow's text kernels give."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from jkdata.columns import codes_of, packed_keys, positions_in


def _ids(rng, n: int, prefixes=("EV", "AG", "DI"), digits: int = 7, top: int = 10**6) -> list:
    return [f"{rng.choice(prefixes)}-{v:0{digits}d}" for v in rng.integers(0, top, n)]


def _chunked(texts: list, kind: pa.DataType | None = None) -> pa.ChunkedArray:
    """Uneven chunks, one of them a slice that starts inside its buffers, and an empty one."""
    array = pa.array(["pad", *texts], kind or pa.string()).slice(1)
    third = len(texts) // 3
    return pa.chunked_array([array.slice(0, third), array.slice(third, 0), array.slice(third)])


def _index_in(values, value_set) -> np.ndarray:
    found = pc.index_in(values, value_set=pa.chunked_array(value_set).combine_chunks())
    return pc.fill_null(found, -1).to_numpy().astype(np.int64)


@pytest.mark.parametrize("seed", range(6))
def test_keys_keep_equality_and_order(seed):
    rng = np.random.default_rng(seed)
    texts = _ids(rng, 3_000, top=[50, 10**6][seed % 2])
    if seed >= 4:  # three-byte Korean syllables: fixed width in bytes, not only in ASCII
        syllables = rng.integers(0, 3, len(texts))
        texts = [t + "가나다"[int(v)] for t, v in zip(texts, syllables, strict=True)]
    column = _chunked(texts, [pa.string(), pa.large_string()][seed % 2])
    (keys,), size = packed_keys([column])
    assert keys.min() >= 0 and keys.max() < size
    as_bytes = [t.encode() for t in texts]
    assert sorted(as_bytes) == [as_bytes[i] for i in np.argsort(keys, kind="stable")]
    _, by_text = np.unique(np.array(texts, dtype=object), return_inverse=True)
    _, by_key = np.unique(keys, return_inverse=True)
    assert np.array_equal(by_text, by_key)


@pytest.mark.parametrize(
    "texts",
    [
        ["EV-1", None, "EV-2"],  # a missing cell
        ["EV-1", "EV-22"],  # widths differ
        [bytes(range(i, i + 12)).hex() for i in range(0, 200, 7)],  # keys too many for an int64
    ],
)
def test_other_columns_are_left_to_the_text_kernels(texts):
    assert packed_keys([pa.chunked_array([pa.array(texts, pa.string())])]) is None


def test_columns_of_different_widths_are_not_packed_together():
    first, second = pa.chunked_array([["EV-1"]]), pa.chunked_array([["EV-10"]])
    assert packed_keys([first, second]) is None
    assert packed_keys([pa.chunked_array([[1, 2]])]) is None  # not text


@pytest.mark.parametrize("seed", range(8))
def test_positions_agree_with_index_in(seed, monkeypatch):
    rng = np.random.default_rng(seed)
    # Seeds 0 and 2: dense IDs, looked up by table; the others go to pyarrow, for a repeated ID
    # (odd seeds) or sparse IDs (4-7).
    top = 20_000 if seed < 4 else 10**12
    targets = [f"EV-{v:012d}" for v in rng.choice(top, 2_000, replace=False)]
    if seed % 2:  # a repeated ID in the target: the first row is the one found
        targets[10] = targets[1_500]
    probes = [t if rng.random() < 0.8 else f"EV-{rng.integers(top):012d}" for t in targets]
    probes = list(rng.permutation(np.array(probes, dtype=object)))
    if seed % 4 == 2:  # a missing cell is not found
        probes[3] = None
    if seed % 4 == 3:  # a value of another width is not found
        probes[4] = "EV-1"
    target_column, probe_column = _chunked(targets), _chunked(probes)
    expected = _index_in(probe_column, target_column)
    if seed in (0, 2):
        monkeypatch.setattr(pc, "index_in", None)  # the table alone must answer
    got = positions_in(probe_column, target_column)
    assert got.dtype == np.int64
    assert np.array_equal(got, expected)


def test_empty_columns():
    empty = pa.chunked_array([], pa.string())
    assert positions_in(empty, pa.chunked_array([["EV-1"]])).tolist() == []
    assert positions_in(pa.chunked_array([["EV-1"]]), empty).tolist() == [-1]


def test_codes_of_ids_number_values_in_order_of_first_appearance():
    ids = pa.chunked_array([["EV-3", "EV-1", "EV-3"], ["EV-2", "EV-1"]])
    codes, count = codes_of(ids, try_sorted=False)
    assert codes.tolist() == [0, 1, 0, 2, 1] and count == 3
