"""Each shortcut the validator takes for speed gives the same answers as the plain way."""

from __future__ import annotations

import random
import unicodedata

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from jkdata import csvread, rules
from jkdata.csvread import read_table, scan_bytes
from jkdata.hygiene import hygiene_problems
from jkdata.model import resource_from_schema
from jkdata.package import load_package
from jkdata.pandera_checks import first_occurrence
from jkdata.synthetic import generate


def _nfc_suspects() -> np.ndarray:
    codes = np.arange(0x80, 0x110000)
    return codes[csvread.nfc_suspect_codes(codes)]


def test_nfc_suspects_are_what_the_unicode_database_says():
    """The quick check read from `unicodedata.normalize` agrees, for every code point, with the
    definition from documented functions: on any Python and whatever its Unicode version."""
    suspects = set(_nfc_suspects().tolist())
    derived = {
        code
        for code in range(0x80, 0x110000)
        if not 0xD800 <= code < 0xE000 and csvread.composes_or_changes(chr(code))
    }
    assert suspects == derived
    # combining acute, vowel and trailing jamo, Oriya AA (composes), Ohm sign, CJK compatibility
    for char in "\u0301\u1161\u11a8\u0b3e\u2126\uf900":
        assert ord(char) in suspects
    for char in "가이石破é’ñÅ":
        assert ord(char) not in suspects


def test_text_without_a_suspect_character_is_nfc():
    # Characters of every kind, including all that compose or decompose, strung together.
    suspects = {chr(c) for c in _nfc_suspects().tolist()}
    others = ["a", "e", "A", "가", "ᄀ", "이", "é", "’", "石", "Å", " ", "0", "ñ", "ö"]
    pool = sorted(suspects) + others * 50
    rng = random.Random(0)
    for _ in range(20_000):
        text = "".join(rng.choice(pool) for _ in range(rng.randint(1, 6)))
        if not any(ch in suspects for ch in text):
            assert unicodedata.is_normalized("NFC", text), repr(text)


def test_text_not_in_nfc_is_found_whichever_reader_read_it(tmp_path):
    """The raw scan finds the row, and hygiene the cell, also when the strict reader takes over."""
    nfd = unicodedata.normalize("NFD", "이재명")
    body = f"a_id,text,note\nA-1,이재명,石破茂\nA-2,{nfd},x\nA-3,Ω,\u2126\n"
    for broken in ("", 'A-4,x"y",z\n'):  # a stray quote: the strict reader reads the file
        table = read_table(_resource(tmp_path, body + broken))
        found = [(p.row, p.column) for p in hygiene_problems(table) if p.rule == "unicode_nfc"]
        assert found == [(3, "text"), (4, "note")]


@pytest.mark.parametrize("seed", range(12))
def test_first_occurrence_agrees_with_pandas(seed):
    # Seeds 6-11: no missing cells and rows in order of their first fields, as tables usually
    # are, so that the fields in order are coded by comparing neighbours.
    rng = np.random.default_rng(seed)
    in_order = seed >= 6
    n = 5_000 if seed % 2 else 80_000  # large enough for run codes and dictionary codes
    draws = [rng.integers(0, [4, 300, n][(seed + j) % 3], n) for j in range(1 + seed % 3)]
    if in_order:
        rows = np.lexsort(draws[: 1 + seed % 2][::-1])
        draws = [values[rows] for values in draws]
    elif seed % 2 == 0:
        draws[0] = np.sort(draws[0])
    columns = []
    for values in draws:
        texts = [None if not in_order and rng.random() < 0.01 else f"v{v:06d}" for v in values]
        array = pa.array(texts, pa.string())
        columns.append(pa.chunked_array([array.slice(0, n // 3), array.slice(n // 3)]))
    frame = pd.DataFrame({i: c.to_pandas() for i, c in enumerate(columns)})
    labels = pd.Series(np.arange(n))
    expected = labels.groupby([frame[c] for c in frame], dropna=False, sort=False).transform("min")
    got = first_occurrence(columns)
    assert np.array_equal(np.arange(n) if got is None else got, expected.to_numpy())


def test_first_occurrence_with_sparse_fixed_width_ids_in_a_later_field():
    """IDs of one width spread over a huge range (packed keys far sparser than the rows) are
    numbered densely before they go into the combined key, which must not overflow."""
    rng = np.random.default_rng(1)
    n = 20_000
    first = np.sort(rng.integers(0, 20_000, n))  # about 12,600 keys, times 10**15: past 2**62
    ids = [f"X{v:015d}" for v in rng.choice(10**15, 300, replace=False)]
    second = [ids[i] for i in rng.integers(0, 300, n)]
    columns = [
        pa.chunked_array([pa.array([f"k{v:05d}" for v in first])]),
        pa.chunked_array([second]),
    ]
    frame = pd.DataFrame({"a": columns[0].to_pandas(), "b": columns[1].to_pandas()})
    expected = pd.Series(np.arange(n)).groupby([frame.a, frame.b], sort=False).transform("min")
    assert np.array_equal(first_occurrence(columns), expected.to_numpy())


def test_a_key_in_increasing_order_is_unique_and_a_tie_is_found():
    ids = pa.chunked_array([["a", "a", "b"], ["b", "c"]])
    assert first_occurrence([ids, pa.chunked_array([["1", "2", "1"], ["2", "1"]])]) is None
    repeated = pa.chunked_array([["1", "2", "1"], ["1", "1"]])
    assert first_occurrence([ids, repeated]).tolist() == [0, 1, 2, 2, 4]


SCHEMA = {"fields": [{"name": n, "type": "string"} for n in ("a_id", "text", "note")]}


def _resource(tmp_path, body: str):
    path = tmp_path / "t.csv"
    path.write_bytes(body.encode())
    return resource_from_schema("t", "t.csv", path, SCHEMA, None, 0, {})


def test_scan_finds_suspect_rows_in_any_block(tmp_path, monkeypatch):
    monkeypatch.setattr(csvread, "_BLOCK", 64)  # many small blocks
    lines = [f"A-{i},plain text {i},note" for i in range(200)]
    lines[17] = "A-17,=formula,note"
    lines[90] = "A-90,tab\there,note"
    lines[150] = 'A-150,"quoted, fine",' + unicodedata.normalize("NFD", "é")
    lines[199] = "A-199,trailing ,note"
    raw = ("a_id,text,note\n" + "\n".join(lines) + "\n").encode()
    sound, rows = scan_bytes(raw)
    assert sound and rows.tolist() == [17, 90, 150, 199]
    assert not scan_bytes(raw.replace(b"A-120,", b'A-120,x"y",'))[0]  # text after a quote
    assert not scan_bytes(raw.replace(b"\nA-60,", b"\n\nA-60,"))[0]  # a blank line


def test_mapped_and_read_files_give_the_same_table(tmp_path, monkeypatch):
    body = 'a_id,text,note\nA-1,"comma, inside","say ""hi"""\nA-2,,\nA-3,이재명,石破茂\n'
    read = read_table(_resource(tmp_path, body))
    monkeypatch.setattr(csvread, "_MAP_AT_LEAST", 0)
    mapped = read_table(_resource(tmp_path, body))
    assert mapped.arrow.equals(read.arrow) and mapped.problems == read.problems == []


def test_dates_shortcut_reports_what_the_full_parse_does(tmp_path, monkeypatch):
    generated = generate(tmp_path / "bad", 2_000, seed=11, bad=True)
    package, _ = load_package(generated.root)
    tables = [read_table(r) for r in package.resources]
    fast = [p for t in tables for p in rules.date_problems(t)]
    monkeypatch.setattr(rules, "_consistent", lambda dates, *_: np.zeros(len(dates), bool))
    full = [p for t in tables for p in rules.date_problems(t)]
    assert fast == full and fast
