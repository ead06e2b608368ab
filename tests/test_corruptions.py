"""The corruption corpus: each case breaks a copy of the package in one way, and `jkdata validate`
must exit 1 and name the exact file, row, column and rule. One case per class of problem."""

from __future__ import annotations

import csv
import io
import json
import os
import unicodedata
from pathlib import Path

import pytest

from conftest import SEEDS, edit, run_validate
from jkdata.rules_registry import RULES


def _write_bytes(path: Path, old: bytes, new: bytes) -> None:
    data = path.read_bytes()
    assert old in data
    path.write_bytes(data.replace(old, new, 1))


def _cell_value(path: Path, key: str, column: str) -> str:
    lines = path.read_text(encoding="utf-8").split("\n")
    header = next(csv.reader([lines[0]]))
    return next(csv.reader([lines[_row(path, key) - 1]]))[header.index(column)]


def _citations_of(package: Path, record_id: str) -> list[str]:
    with open(package / "data/citations.csv", encoding="utf-8", newline="") as handle:
        return [
            row["citation_id"] for row in csv.DictReader(handle) if row["record_id"] == record_id
        ]


def _json_edit(path: Path, change) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")


def _replace_with_fifo(path: Path) -> None:
    path.unlink()
    os.mkfifo(path)


def _link_outside(path: Path) -> None:
    """Move the file out of the package and leave a symbolic link to it in its place."""
    outside = path.parent.parent / f"outside-{path.name}"
    path.rename(outside)
    path.symlink_to(outside)


def _resource(name):
    def change(descriptor, key, value):
        entry = next(r for r in descriptor["resources"] if r["name"] == name)
        entry[key] = value

    return change


def _add_copy(path: Path, key: str, new_key: str) -> None:
    """Append a copy of the record starting with `key,` under another ID."""
    text = path.read_text(encoding="utf-8")
    line = next(row for row in text.split("\n") if row.startswith(key + ","))
    path.write_text(text.rstrip("\n") + "\n" + new_key + line[len(key) :] + "\n", encoding="utf-8")


def _row(path: Path, key: str) -> int:
    """The spreadsheet row of the record whose line starts with `key,` (its ID or link key)."""
    lines = path.read_text(encoding="utf-8").split("\n")
    return next(i for i, line in enumerate(lines, start=1) if line.startswith(key + ","))


def _quoted(cell: str) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow([cell])
    return out.getvalue()


def set_cell(path: Path, key: str, column: str, raw: str) -> None:
    """Put `raw` (written as is, unquoted) into one cell of the record starting with `key`."""
    lines = path.read_text(encoding="utf-8").split("\n")
    header = next(csv.reader([lines[0]]))
    index = _row(path, key) - 1
    cells = [_quoted(c) for c in next(csv.reader([lines[index]]))]
    cells[header.index(column)] = raw
    lines[index] = ",".join(cells)
    path.write_text("\n".join(lines), encoding="utf-8")


def _resolve(package: Path, expected: tuple, before: bool) -> tuple:
    where = expected[1]
    if isinstance(where, At) and where.before == before:
        return (expected[0], _row(package / expected[0], where.key), *expected[2:])
    return expected


def cell(table: str, key: str, column: str, raw: str):
    return lambda p: set_cell(p / f"data/{table}.csv", key, column, raw)


class At:
    """An expected row given by a record key: resolved after the corruption, or before it."""

    def __init__(self, key: str, before: bool = False):
        self.key = key
        self.before = before


# (case id, how to break the package, expected (file, row, column, rule)); At(key) is the row of
# the record with that key, so the corpus keeps working as records are added or reordered.
CASES = [
    # --- CSV structure and encoding
    (
        "csv_unclosed_quote",
        cell("events", "EV-0005", "title", '"Lee’s speech'),
        ("data/events.csv", At("EV-0005"), "title", "csv_syntax"),
    ),
    (
        "csv_stray_quote",
        cell("actors", "AC-0003", "name", 'South "Korea'),
        ("data/actors.csv", At("AC-0003"), "name", "csv_quote"),
    ),
    (
        "not_utf8",
        lambda p: _write_bytes(p / "data/actors.csv", "石破茂".encode(), b"\x90\xce\x94j"),
        ("data/actors.csv", At("AC-0002", before=True), "name_native", "encoding"),
    ),
    (
        "byte_order_mark",
        lambda p: (p / "data/sources.csv").write_bytes(
            b"\xef\xbb\xbf" + (p / "data/sources.csv").read_bytes()
        ),
        ("data/sources.csv", 1, None, "bom"),
    ),
    (
        "header_renamed",
        lambda p: edit(
            p / "data/disputes.csv", "dispute_id,name,dispute_type", "dispute_id,title,dispute_type"
        ),
        ("data/disputes.csv", 1, "name", "header"),
    ),
    (
        "header_missing_column",
        lambda p: edit(p / "data/event_disputes.csv", ",note\n", "\n"),
        ("data/event_disputes.csv", 1, "note", "header"),
    ),
    (
        "extra_cell",
        cell("event_actors", "EV-0002,AC-0001", "note", ",surplus"),
        ("data/event_actors.csv", At("EV-0002,AC-0001"), "(column 6)", "row_length"),
    ),
    (
        "missing_cell",
        lambda p: edit(
            p / "data/event_agreements.csv",
            "EV-0003,AG-0001,issues,CI-0006,",
            "EV-0003,AG-0001,issues",
        ),
        ("data/event_agreements.csv", At("EV-0003,AG-0001"), "citation_id", "row_length"),
    ),
    (
        "blank_row",
        lambda p: edit(p / "data/agreements.csv", "\nAG-0003", "\n\nAG-0003"),
        ("data/agreements.csv", At("AG-0003", before=True), None, "blank_row"),
    ),
    # --- types and constraints (pandera, and frictionless as a cross-check)
    (
        "date_type",
        cell("events", "EV-0004", "date_start", "2019-02-30"),
        ("data/events.csv", At("EV-0004"), "date_start", "type"),
    ),
    (
        "integer_type",
        cell("sources", "SR-0001", "byte_size", "13.5k"),
        ("data/sources.csv", At("SR-0001"), "byte_size", "type"),
    ),
    (
        "minimum",
        cell("sources", "SR-0002", "byte_size", "0"),
        ("data/sources.csv", At("SR-0002"), "byte_size", "minimum"),
    ),
    (
        "required_empty",
        cell("events", "EV-0002", "title", ""),
        ("data/events.csv", At("EV-0002"), "title", "required"),
    ),
    (
        "enum",
        cell("events", "EV-0005", "event_type", "lecture"),
        ("data/events.csv", At("EV-0005"), "event_type", "enum"),
    ),
    (
        "pattern",
        cell("event_actors", "EV-0004,AC-0003", "actor_id", "AC-03"),
        ("data/event_actors.csv", At("EV-0004,AC-03"), "actor_id", "pattern"),
    ),
    (
        "max_length",
        cell("citations", "CI-0001", "quote", "x" * 401),
        ("data/citations.csv", At("CI-0001"), "quote", "max_length"),
    ),
    (
        "min_length",
        cell("citations", "CI-0001", "quote", "too short"),
        ("data/citations.csv", At("CI-0001"), "quote", "min_length"),
    ),
    (
        "maximum",  # a bound tightened below the sizes of the source texts
        lambda p: edit(
            p / "schemas/sources.schema.json", '"minimum": 1', '"minimum": 1, "maximum": 1000'
        ),
        ("data/sources.csv", At("SR-0001"), "byte_size", "maximum"),
    ),
    (
        "primary_key_repeated",
        cell("actors", "AC-0006", "actor_id", "AC-0005"),
        ("data/actors.csv", At("AC-0006", before=True), "actor_id", "primary_key"),
    ),
    (
        "link_primary_key_repeated",
        lambda p: (
            set_cell(p / "data/event_actors.csv", "EV-0001,AC-0004", "actor_id", "AC-0001"),
            set_cell(p / "data/event_actors.csv", "EV-0001,AC-0001,host", "event_role", "visitor"),
        ),
        (
            "data/event_actors.csv",
            At("EV-0001,AC-0004", before=True),
            "event_id,actor_id,event_role",
            "primary_key",
        ),
    ),
    (
        "id_number_with_other_zeros",  # EV-00014 beside EV-0014: one number, two records
        lambda p: _add_copy(p / "data/events.csv", "EV-0014", "EV-00014"),
        ("data/events.csv", At("EV-00014"), "event_id", "id_number"),
    ),
    (
        "unique_key_repeated",
        cell("actors", "AC-0004", "name", "South Korea"),
        ("data/actors.csv", At("AC-0004"), "name", "unique_key"),
    ),
    (
        "unique_field_repeated",
        lambda p: set_cell(
            p / "data/sources.csv",
            "SR-0002",
            "sha256",
            _cell_value(p / "data/sources.csv", "SR-0001", "sha256"),
        ),
        ("data/sources.csv", At("SR-0002"), "sha256", "unique"),
    ),
    (
        "foreign_key",
        cell("dispute_actors", "DI-0003,AC-0004", "actor_id", "AC-0099"),
        ("data/dispute_actors.csv", At("DI-0003,AC-0099"), "actor_id", "foreign_key"),
    ),
    # --- hygiene
    (
        "formula",
        cell("events", "EV-0003", "title", '"=HYPERLINK(""x"")"'),
        ("data/events.csv", At("EV-0003"), "title", "formula"),
    ),
    (
        "control_character",
        cell("disputes", "DI-0001", "name", "Dokdo/Takeshima\tislets"),
        ("data/disputes.csv", At("DI-0001"), "name", "control_character"),
    ),
    (
        "line_separator",  # U+2028: editors and splitlines() break the record there
        cell(
            "events", "EV-0002", "description", "Lee and Ishiba met.\u2028They issued a statement."
        ),
        ("data/events.csv", At("EV-0002"), "description", "control_character"),
    ),
    (
        "zero_width_space",  # shows as nothing, but "Lee\u200bJae-myung" joins with nothing
        cell("actors", "AC-0001", "name", "Lee\u200bJae-myung"),
        ("data/actors.csv", At("AC-0001"), "name", "invisible_character"),
    ),
    (
        "byte_order_mark_in_a_cell",  # pasted text can bring one along at its start
        cell("disputes", "DI-0002", "name", "\ufeffHistory issues"),
        ("data/disputes.csv", At("DI-0002"), "name", "invisible_character"),
    ),
    (
        "not_nfc",  # Hangul stored as decomposed jamo: looks the same, never joins equal
        cell("actors", "AC-0001", "name_native", unicodedata.normalize("NFD", "이재명")),
        ("data/actors.csv", At("AC-0001"), "name_native", "unicode_nfc"),
    ),
    (
        "whitespace_around_id",
        cell("event_disputes", "EV-0004,DI-0003", "dispute_id", "DI-0003 "),
        ("data/event_disputes.csv", At("EV-0004"), "dispute_id", "whitespace"),
    ),
    # --- dates
    (
        "date_bounds",
        cell("agreements", "AG-0003", "date_end", "2008-06-30"),
        ("data/agreements.csv", At("AG-0003"), "date_end", "date_bounds"),
    ),
    (
        "date_precision",
        cell("events", "EV-0003", "date_precision", "day"),
        ("data/events.csv", At("EV-0003"), "date_precision", "date_precision"),
    ),
    (
        "date_interval_reversed",
        cell("events", "EV-0001", "date", "2025-08-24/2025-08-23"),
        ("data/events.csv", At("EV-0001"), "date", "date_invalid"),
    ),
    (
        "date_order",
        lambda p: (
            set_cell(p / "data/events.csv", "EV-0004", "date", ""),
            set_cell(p / "data/events.csv", "EV-0004", "date_start", "2019-12-31"),
            set_cell(p / "data/events.csv", "EV-0004", "date_end", "2019-01-01"),
        ),
        ("data/events.csv", At("EV-0004"), "date_end", "date_order"),
    ),
    (
        "inferred_date_without_note",
        cell("events", "EV-0005", "date_note", ""),
        ("data/events.csv", At("EV-0005"), "date_note", "date_note"),
    ),
    (
        "date_incomplete",
        cell("agreements", "AG-0003", "date_start", ""),
        ("data/agreements.csv", At("AG-0003"), "date_start", "date_incomplete"),
    ),
    # --- evidence
    (
        "record_without_citation",
        lambda p: [
            set_cell(p / "data/citations.csv", k, "record_id", "AC-0005")
            for k in _citations_of(p, "AC-0006")
        ],
        ("data/actors.csv", At("AC-0006"), "actor_id", "citation_missing"),
    ),
    (
        "citation_to_nowhere",
        cell("citations", "CI-0022", "record_id", "DI-0999"),
        ("data/citations.csv", At("CI-0022"), "record_id", "citation_target"),
    ),
    (
        "link_cites_unrelated_evidence",
        cell("event_actors", "EV-0005,AC-0001", "citation_id", "CI-0004"),
        ("data/event_actors.csv", At("EV-0005,AC-0001"), "citation_id", "link_citation"),
    ),
    # --- consistency (consistency.py, issue 17)
    (
        "quote_too_short",
        cell("citations", "CI-0009", "quote", "Lee Jae-myung"),
        ("data/citations.csv", At("CI-0009"), "quote", "quote_short"),
    ),
    (
        "dispute_party_beside_claimant",
        cell("dispute_actors", "DI-0011,AC-0001", "dispute_role", "party"),
        ("data/dispute_actors.csv", At("DI-0011,AC-0001"), "dispute_role", "dispute_role_mix"),
    ),
    (
        "candidate_and_non_member",
        lambda p: edit(
            p / "data/agreement_actors.csv",
            "AG-0005,AC-0003,non_member",
            "AG-0005,AC-0003,candidate,CI-0076,\nAG-0005,AC-0003,non_member",
        ),
        (
            "data/agreement_actors.csv",
            At("AG-0005,AC-0003,non_member"),
            "agreement_role",
            "agreement_role_conflict",
        ),
    ),
    (
        "actor_linked_to_nothing",
        lambda p: edit(p / "data/event_actors.csv", "EV-0011,AC-0019,initiator,CI-0113,\n", ""),
        ("data/actors.csv", At("AC-0019"), "actor_id", "actor_unlinked"),
    ),
    # --- descriptor and schemas
    (
        "descriptor_not_json",
        lambda p: edit(
            p / "datapackage.json",
            '"name": "japan-korea-relations",',
            '"name": "japan-korea-relations"',
        ),
        ("datapackage.json", 4, "character 3", "json"),
    ),
    (
        "descriptor_missing",
        lambda p: (p / "datapackage.json").unlink(),
        ("datapackage.json", None, None, "missing_file"),
    ),
    (
        "descriptor_profile",
        lambda p: _json_edit(p / "datapackage.json", lambda d: d.update(licenses="CC-BY-4.0")),
        ("datapackage.json", None, None, "descriptor"),
    ),
    (
        "path_outside_package",
        lambda p: _json_edit(
            p / "datapackage.json", lambda d: _resource("events")(d, "path", "../events.csv")
        ),
        ("datapackage.json", None, "resources[0].path", "unsafe_path"),
    ),
    (
        "path_is_url",
        lambda p: _json_edit(
            p / "datapackage.json",
            lambda d: _resource("actors")(d, "path", "https://example.org/actors.csv"),
        ),
        ("datapackage.json", None, "resources[2].path", "unsafe_path"),
    ),
    (
        "data_file_missing",
        lambda p: (p / "data/disputes.csv").unlink(),
        ("datapackage.json", None, "resources[3].path", "missing_file"),
    ),
    (
        "all_data_files_missing",
        lambda p: [f.unlink() for f in (p / "data").glob("*.csv")],
        ("datapackage.json", None, "resources[11].path", "missing_file"),
    ),
    (
        "schema_file_missing",
        lambda p: (p / "schemas/disputes.schema.json").unlink(),
        ("schemas/disputes.schema.json", None, None, "missing_file"),
    ),
    (
        "schema_not_json",
        lambda p: edit(p / "schemas/actors.schema.json", '"fields": [', '"fields": [,'),
        ("schemas/actors.schema.json", 3, "character 14", "json"),
    ),
    (
        "schema_foreign_key_to_missing_field",
        lambda p: _json_edit(
            p / "schemas/event_actors.schema.json",
            lambda s: s["foreignKeys"][0]["reference"].update(fields=["event_idx"]),
        ),
        ("schemas/event_actors.schema.json", None, "foreignKeys[0].reference.fields", "schema"),
    ),
    (
        "schema_max_length_as_text",
        lambda p: edit(p / "schemas/events.schema.json", '"maxLength": 300', '"maxLength": "300"'),
        ("schemas/events.schema.json", None, "fields[1].constraints.maxLength", "schema"),
    ),
    (
        "schema_minimum_not_a_number",
        lambda p: edit(p / "schemas/sources.schema.json", '"minimum": 1', '"minimum": "a"'),
        ("schemas/sources.schema.json", None, "fields[3].constraints.minimum", "schema"),
    ),
    (
        "schema_category_without_enum",  # frictionless would not check the new category
        lambda p: _json_edit(
            p / "schemas/events.schema.json",
            lambda s: s["fields"][3]["categories"].append({"value": "lecture", "label": "A talk."}),
        ),
        ("schemas/events.schema.json", None, "fields[3].categories", "schema"),
    ),
    # options the vectorised engine does not implement: refused, not read as if they were defaults
    (
        "resource_dialect_delimiter",
        lambda p: _json_edit(
            p / "datapackage.json", lambda d: _resource("events")(d, "dialect", {"delimiter": ";"})
        ),
        ("datapackage.json", None, "resources[0].dialect.delimiter", "descriptor"),
    ),
    (
        "resource_encoding_latin1",
        lambda p: _json_edit(
            p / "datapackage.json", lambda d: _resource("actors")(d, "encoding", "latin-1")
        ),
        ("datapackage.json", None, "resources[2].encoding", "descriptor"),
    ),
    (
        "string_format_email",
        lambda p: _json_edit(
            p / "schemas/events.schema.json", lambda s: s["fields"][1].update(format="email")
        ),
        ("schemas/events.schema.json", None, "fields[1].format", "schema"),
    ),
    (
        "date_format_custom",
        lambda p: _json_edit(
            p / "schemas/events.schema.json",
            lambda s: next(f for f in s["fields"] if f["type"] == "date").update(format="%d/%m/%Y"),
        ),
        ("schemas/events.schema.json", None, "fields[5].format", "schema"),
    ),
    # hostile input (issue 15)
    (
        "licence_javascript_link",  # Datasette would show it as the "Data license" link
        lambda p: _json_edit(
            p / "datapackage.json",
            lambda d: d["licenses"][0].update(path="javascript:alert(document.domain)"),
        ),
        ("datapackage.json", None, "licenses[0].path", "unsafe_url"),
    ),
    (
        "schema_is_a_fifo",  # reading it would block forever
        lambda p: _replace_with_fifo(p / "schemas/actors.schema.json"),
        ("schemas/actors.schema.json", None, None, "missing_file"),
    ),
    (
        "data_file_is_a_fifo",
        lambda p: _replace_with_fifo(p / "data/actors.csv"),
        ("datapackage.json", None, "resources[2].path", "missing_file"),
    ),
    (
        "descriptor_is_a_fifo",
        lambda p: _replace_with_fifo(p / "datapackage.json"),
        ("datapackage.json", None, None, "missing_file"),
    ),
    (
        "descriptor_nested_too_deeply",  # 1,000 levels: Python's JSON decoder would recurse out
        lambda p: edit(
            p / "datapackage.json",
            "{",
            '{"x-deep": ' + "[" * 1000 + "]" * 1000 + ",",
        ),
        ("datapackage.json", None, None, "json"),
    ),
    (
        "schema_nested_too_deeply",
        lambda p: edit(
            p / "schemas/events.schema.json",
            "{",
            '{"x-deep": ' + '{"a": ' * 1000 + "1" + "}" * 1000 + ",",
        ),
        ("schemas/events.schema.json", None, None, "json"),
    ),
    (
        "descriptor_links_outside",  # held to the rule of resource paths
        lambda p: _link_outside(p / "datapackage.json"),
        ("datapackage.json", None, None, "unsafe_path"),
    ),
    (
        "schema_unknown_type",
        lambda p: edit(p / "schemas/sources.schema.json", '"type": "integer"', '"type": "int"'),
        ("schemas/sources.schema.json", None, "fields[3].type", "schema"),
    ),
]


@pytest.mark.parametrize("case, corrupt, expected", CASES, ids=[c[0] for c in CASES])
def test_corruption_is_refused_precisely(package, case, corrupt, expected):
    expected = _resolve(package, expected, before=True)
    corrupt(package)
    expected = _resolve(package, expected, before=False)
    code, report, output = run_validate(package)
    assert code == 1, output
    assert report is not None, f"output is not the JSON report: {output}"
    found = {(p["file"], p["row"], p["column"], p["rule"]) for p in report["problems"]}
    assert expected in found, f"{expected} not among {sorted(found, key=str)}"


def test_corpus_covers_at_least_fifteen_classes():
    assert len({expected[3] for _, _, expected in CASES}) >= 15


def _edit_cell(table: str, key: str, column: str, change):
    def corrupt(package: Path) -> None:
        path = package / f"data/{table}.csv"
        set_cell(path, key, column, _quoted(change(_cell_value(path, key, column))))

    return corrupt


def _quote_whole_source(source_id: str):
    """Cite every paragraph of a source, in chunks of at most 400 characters: valid quotes, but
    together a copy of the document."""

    def corrupt(package: Path) -> None:
        name = _cell_value(package / "data/sources.csv", source_id, "file_name")
        text = (SEEDS / name).read_text(encoding="utf-8")
        path = package / "data/citations.csv"
        rows = []
        for n, paragraph in enumerate(p for p in text.split("\n") if p.strip()):
            for k in range(0, len(paragraph), 400):
                chunk = paragraph[k : k + 400].strip()
                if len(chunk) >= 10 and chunk == paragraph[k : k + 400].strip():
                    rows.append(
                        [
                            f"CI-{9000 + n}{k // 400:03d}",
                            "actors",
                            "AC-0003",
                            source_id,
                            chunk,
                            "",
                        ]
                    )
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(rows)
        path.write_text(path.read_text(encoding="utf-8") + out.getvalue(), encoding="utf-8")

    return corrupt


# Cases that need the source texts (../shared/seeds), as (case id, how to break, expected).
EVIDENCE_CASES = [
    (
        "quote_changed",
        _edit_cell("citations", "CI-0001", "quote", lambda q: q.replace("August 23", "August 22")),
        ("data/citations.csv", At("CI-0001"), "quote", "quote_not_found"),
    ),
    (
        "straight_for_curly_apostrophe",
        _edit_cell("citations", "CI-0022", "quote", lambda q: q.replace("’", "'")),
        ("data/citations.csv", At("CI-0022"), "quote", "quote_not_found"),
    ),
    (
        "checksum",
        cell("sources", "SR-0001", "sha256", "0" * 64),
        ("data/sources.csv", At("SR-0001"), "sha256", "source_checksum"),
    ),
    (
        "source_file_missing",
        cell("sources", "SR-0002", "file_name", "999_missing.txt"),
        ("data/sources.csv", At("SR-0002"), "file_name", "source_file"),
    ),
    (
        "quotes_copy_the_source",
        _quote_whole_source("SR-0002"),
        ("data/sources.csv", At("SR-0002"), "source_id", "quote_share"),
    ),
]


@pytest.mark.skipif(not SEEDS.is_dir(), reason=f"source texts not found at {SEEDS}")
@pytest.mark.parametrize(
    "case, corrupt, expected", EVIDENCE_CASES, ids=[c[0] for c in EVIDENCE_CASES]
)
def test_evidence_against_source_texts(package, case, corrupt, expected):
    corrupt(package)
    expected = _resolve(package, expected, before=False)
    code, report, output = run_validate(package)
    assert code == 1, output
    found = {(p["file"], p["row"], p["column"], p["rule"]) for p in report["problems"]}
    assert expected in found, f"{expected} not among {found}"


# Registered rules no corruption case produces, each with the reason. Empty: every rule has one.
WITHOUT_A_CASE: dict[str, str] = {}


def test_every_registered_rule_has_a_corruption_case():
    """The registry and the corpus agree: each rule in `rules_registry.RULES` is produced by at
    least one case above (or is listed, with its reason, in WITHOUT_A_CASE)."""
    covered = {expected[3] for _, _, expected in CASES + EVIDENCE_CASES}
    assert not covered - set(RULES), "a case expects a rule the registry does not have"
    assert not set(WITHOUT_A_CASE) & covered, "a rule listed in WITHOUT_A_CASE has a case now"
    missing = set(RULES) - covered - set(WITHOUT_A_CASE)
    assert not missing, f"rules without a corruption case: {sorted(missing)}"


def test_data_file_that_is_a_directory_is_named_so(package):
    (package / "data/disputes.csv").unlink()
    (package / "data/disputes.csv").mkdir()
    code, report, output = run_validate(package)
    assert code == 1, output
    [problem] = [p for p in report["problems"] if p["column"] == "resources[3].path"]
    assert problem["rule"] == "missing_file"
    assert "is a directory" in problem["message"], problem


@pytest.mark.skipif(not SEEDS.is_dir(), reason=f"source texts not found at {SEEDS}")
def test_unreadable_source_text_is_a_problem(package, tmp_path, monkeypatch):
    """A source text that exists but cannot be read (no permission) is a `source_file` problem,
    not an internal error."""
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for text in SEEDS.iterdir():
        (seeds / text.name).write_bytes(text.read_bytes())
    name = _cell_value(package / "data/sources.csv", "SR-0001", "file_name")
    (seeds / name).chmod(0)
    read_bytes = Path.read_bytes

    def refuse(path: Path) -> bytes:  # root reads a file whatever its mode: refuse it here too
        if path.name == name:
            raise PermissionError(13, "Permission denied", str(path))
        return read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", refuse)
    try:
        code, report, output = run_validate(package, "--sources-dir", str(seeds))
    finally:
        (seeds / name).chmod(0o644)
    assert code == 1, output
    found = {(p["file"], p["row"], p["column"], p["rule"]) for p in report["problems"]}
    expected = ("data/sources.csv", _row(package / "data/sources.csv", "SR-0001"), "file_name")
    assert (*expected, "source_file") in found, found


def test_unparsed_table_is_named_in_the_notes(package):
    """A table that cannot be parsed is not checked further: the report says so, and that the
    foreign keys into it were not checked either."""
    edit(package / "data/actors.csv", "\nAC-0003", "\n\nAC-0003")
    code, report, output = run_validate(package)
    assert code == 1, output
    [note] = [n for n in report["notes"] if n.startswith("data/actors.csv")]
    assert "could not be parsed" in note and "foreign keys into it" in note, note
    assert "event_actors" in note and "until its structure is fixed" in note, note
    assert not any("data/events.csv" in n for n in report["notes"])
