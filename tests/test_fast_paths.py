"""Each shortcut the validator takes for speed gives the same answers as the plain way."""

from __future__ import annotations

import random
import unicodedata

import numpy as np

from jkdata import csvread, rules, unicode_nfc
from jkdata.csvread import read_table, scan_bytes
from jkdata.model import resource_from_schema
from jkdata.package import load_package
from jkdata.synthetic import generate


def test_stored_nfc_table_is_current():
    assert unicode_nfc.compute_ranges() == unicode_nfc.RANGES


def test_text_without_a_suspect_character_is_nfc():
    # Characters of every kind, including all that compose or decompose, strung together.
    table = unicode_nfc.nfc_suspect_table()
    suspects = [chr(c) for c in np.flatnonzero(table)]
    others = ["a", "e", "A", "가", "ᄀ", "이", "é", "’", "石", "Å", " ", "0", "ñ", "ö"]
    pool = suspects + others * 50
    rng = random.Random(0)
    for _ in range(20_000):
        text = "".join(rng.choice(pool) for _ in range(rng.randint(1, 6)))
        if not any(table[ord(ch)] for ch in text):
            assert unicodedata.is_normalized("NFC", text), repr(text)


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
