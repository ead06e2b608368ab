"""Reading CSV: the fast path and the strict path agree, and structural errors are located exactly."""

from __future__ import annotations

import pytest

from jkdata.model.schema import resource_from_schema
from jkdata.validate.structure import locate_quote_error, read_table, scan, scan_bytes

NAMES = ["a_id", "text", "note"]
SCHEMA = {"fields": [{"name": n, "type": "string"} for n in NAMES]}


def table(tmp_path, body: str, raw: bytes | None = None):
    path = tmp_path / "t.csv"
    if raw is None:
        path.write_text(body, encoding="utf-8", newline="")
    else:
        path.write_bytes(raw)
    return read_table(resource_from_schema("t", "t.csv", path, SCHEMA, None, 0, {}))


def test_fast_and_strict_paths_read_the_same_values(tmp_path):
    body = 'a_id,text,note\nA-1,"comma, inside","say ""hi"""\nA-2,,\nA-3,이재명,石破茂\n'
    fast = table(tmp_path, body).frame
    records, problems = scan(body, NAMES, "t.csv")
    assert problems == []
    assert fast.fillna("").values.tolist() == records
    assert fast["text"].isna().tolist() == [False, True, False]


def test_crlf_line_ends_are_accepted(tmp_path):
    result = table(tmp_path, "a_id,text,note\r\nA-1,x,y\r\n")
    assert result.problems == [] and result.frame["note"].tolist() == ["y"]


def test_header_only_file_has_no_rows(tmp_path):
    result = table(tmp_path, "a_id,text,note\n")
    assert result.problems == [] and len(result.frame) == 0


def test_quoted_line_break_is_read_then_left_to_hygiene(tmp_path):
    result = table(tmp_path, 'a_id,text,note\nA-1,"two\nlines",x\nA-2,y,z\n')
    assert result.problems == []
    assert result.frame["text"].tolist() == ["two\nlines", "y"]


@pytest.mark.parametrize(
    "body, row, column, rule",
    [
        ('a_id,text,note\nA-1,"never closed,x\nA-2,y,z\n', 2, "text", "csv_syntax"),
        ('a_id,text,note\nA-1,x,y\nA-2,"closed" then text,z\n', 3, "text", "csv_syntax"),
        ("a_id,text,note\nA-1,x,y\nA-2,y,z,extra\n", 3, "(column 4)", "row_length"),
        ("a_id,text,note\nA-1,x\n", 2, "note", "row_length"),
        ("a_id,text,note\nA-1,x,y\n\nA-2,y,z\n", 3, None, "blank_row"),
        ('a_id,text,note\nA-1,say "hi",y\n', 2, "text", "csv_quote"),
        ("a_id,txt,note\nA-1,x,y\n", 1, "text", "header"),
        ("", 1, None, "header"),
    ],
)
def test_structural_problem_is_located(tmp_path, body, row, column, rule):
    result = table(tmp_path, body)
    assert [(p.row, p.column, p.rule) for p in result.problems] == [(row, column, rule)]


def test_quote_error_after_a_multiline_record_keeps_spreadsheet_row(tmp_path):
    body = 'a_id,text,note\nA-1,"two\nlines",x\nA-2,"open,y\n'
    result = table(tmp_path, body)
    assert [(p.row, p.column, p.rule) for p in result.problems] == [(3, "text", "csv_syntax")]


def test_invalid_utf8_is_pinned_to_its_cell(tmp_path):
    result = table(tmp_path, "", raw=b"a_id,text,note\nA-1,ok,fine\nA-2,caf\xe9,x\n")
    assert result.frame is None
    assert [(p.row, p.column, p.rule, p.value) for p in result.problems] == [
        (3, "text", "encoding", "caf\\xe9")
    ]


@pytest.mark.parametrize(
    "bad",
    [b"\xe9", b"\xed\xa0\x80", b"\xc0\xaf", b"\xf4\x90\x80\x80", b"\xe3\x81"],
    ids=["latin-1", "surrogate", "overlong", "beyond-U+10FFFF", "cut-short"],
)
def test_bytes_that_are_not_utf8_are_found_far_into_a_large_file(tmp_path, bad):
    # The parse leaves UTF-8 to the raw scan: past its first blocks, on an otherwise clean line.
    clean = b"".join(b"A-%d,text,fine\n" % i for i in range(300_000))
    raw = b"a_id,text,note\n" + clean + b"A-X,caf" + bad + b",x\n"
    result = table(tmp_path, "", raw=raw)
    assert result.frame is None
    shown = "caf" + bad.decode("utf-8", "backslashreplace")
    assert [(p.row, p.column, p.rule, p.value) for p in result.problems] == [
        (300_002, "text", "encoding", shown)
    ]


def test_sound_structure_check():
    assert scan_bytes(b'a,b\n"x, y",z\n')[0]
    assert not scan_bytes(b'a,b\n"x,z\n')[0]
    assert not scan_bytes(b"a,b\n\nx,y\n")[0]
    assert locate_quote_error('x,"unclosed', 0)[0] == 1
