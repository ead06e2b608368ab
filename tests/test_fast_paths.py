"""Each shortcut the validator takes for speed gives the same answers as the plain way."""

from __future__ import annotations

import random
import re
import unicodedata

import numpy as np
import pyarrow as pa

from jkdata.model.load import load_package
from jkdata.model.schema import resource_from_schema
from jkdata.tools.synthetic import generate
from jkdata.validate import characters, consistency, dates, structure
from jkdata.validate.hygiene import hygiene_problems
from jkdata.validate.structure import read_table, scan_bytes


def _nfc_suspects() -> set[int]:
    """The code points in `nfc_suspect_class`, read back through Python's re."""
    suspect = re.compile(f"[{characters.nfc_suspect_class()}]")
    return {c for c in range(0x80, 0x110000) if suspect.match(chr(c))}


def test_nfc_suspects_are_what_the_unicode_database_says():
    """The class derived from the quick check agrees, for every code point of the Basic
    Multilingual Plane, with the definition from documented functions: on any Python and whatever
    its Unicode version. Every character beyond it is a suspect."""
    suspects = _nfc_suspects()
    derived = {
        code
        for code in range(0x80, 0x10000)
        if not 0xD800 <= code < 0xE000 and characters.composes_or_changes(chr(code))
    }
    assert {c for c in suspects if c < 0x10000} == derived
    assert set(range(0x10000, 0x110000)) <= suspects
    # combining acute, vowel and trailing jamo, Oriya AA (composes), Ohm sign, CJK compatibility
    for char in "\u0301\u1161\u11a8\u0b3e\u2126\uf900":
        assert ord(char) in suspects
    for char in "가이石破é’ñÅ":
        assert ord(char) not in suspects


def test_text_without_a_suspect_character_is_nfc():
    # Characters of every kind, including all that compose or decompose, strung together.
    suspects = {chr(c) for c in _nfc_suspects()}
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


SCHEMA = {"fields": [{"name": n, "type": "string"} for n in ("a_id", "text", "note")]}


def _resource(tmp_path, body: str):
    path = tmp_path / "t.csv"
    path.write_bytes(body.encode())
    return resource_from_schema("t", "t.csv", path, SCHEMA, None, 0, {})


def test_scan_finds_suspect_rows_in_any_block(tmp_path, monkeypatch):
    monkeypatch.setattr(structure, "_BLOCK", 64)  # many small blocks
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
    monkeypatch.setattr(structure, "_MAP_AT_LEAST", 0)
    mapped = read_table(_resource(tmp_path, body))
    assert mapped.arrow.equals(read.arrow) and mapped.problems == read.problems == []


def test_dates_shortcut_reports_what_the_full_parse_does(tmp_path, monkeypatch):
    generated = generate(tmp_path / "bad", 2_000, seed=11, bad=True)
    package, _ = load_package(generated.root)
    tables = [read_table(r) for r in package.resources]
    fast = [p for t in tables for p in dates.date_problems(t)]
    monkeypatch.setattr(dates, "_consistent", lambda dates, *_: np.zeros(len(dates), bool))
    full = [p for t in tables for p in dates.date_problems(t)]
    assert fast == full and fast


def test_short_quotes_are_those_str_split_counts_short(tmp_path):
    """quote_short's one-regex shortcut finds exactly the quotes `str.split()` gives fewer than
    minWords words, whatever whitespace (ideographic, no-break, tabs) separates them."""
    generated = generate(tmp_path / "pkg", 300, seed=5)
    package, _ = load_package(generated.root)
    citations = read_table(package.resource("citations"))
    evidence = package.resource("citations").extension("x-evidence")
    minimum, allowed = evidence["minWords"], set(evidence.get("shortQuotes") or {})
    ids = citations.column("citation_id").to_pylist()
    pool = ["a", "石破", "이재명", " ", "\u3000", "\u00a0", "\t", "x y", "é", "  "]
    rng = random.Random(3)
    quotes = [
        "".join(rng.choice(pool) for _ in range(rng.randint(1, 14))) for _ in range(len(citations))
    ]
    citations.arrow = citations.arrow.set_column(
        citations.arrow.column_names.index("quote"), "quote", pa.array(quotes, pa.string())
    )
    found = consistency.short_quote_problems(package, {"citations": citations})
    expected = [
        row + 2
        for row, quote in enumerate(quotes)
        if len(quote.split()) < minimum and ids[row] not in allowed
    ]
    assert [p.row for p in found] == expected and expected
    assert all(f"{len(p.value.split())} word" in p.message for p in found)
