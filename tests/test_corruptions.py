"""The corruption corpus: each case breaks a copy of the package in one way, and `jkdata validate`
must exit 1 and name the exact file, row, column and rule. One case per class of problem."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest
from conftest import SEEDS, edit, run_validate


def _write_bytes(path: Path, old: bytes, new: bytes) -> None:
    data = path.read_bytes()
    assert old in data
    path.write_bytes(data.replace(old, new, 1))


def _json_edit(path: Path, change) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")


def _resource(name):
    def change(descriptor, key, value):
        entry = next(r for r in descriptor["resources"] if r["name"] == name)
        entry[key] = value

    return change


# (case id, how to break the package, expected (file, row, column, rule))
CASES = [
    # --- CSV structure and encoding
    (
        "csv_unclosed_quote",
        lambda p: edit(p / "data/events.csv", "EV-0005,Lee’s speech", 'EV-0005,"Lee’s speech'),
        ("data/events.csv", 6, "title", "csv_syntax"),
    ),
    (
        "csv_stray_quote",
        lambda p: edit(p / "data/actors.csv", "AC-0003,South Korea", 'AC-0003,South "Korea'),
        ("data/actors.csv", 4, "name", "csv_quote"),
    ),
    (
        "not_utf8",
        lambda p: _write_bytes(p / "data/actors.csv", "石破茂".encode(), b"\x90\xce\x94j"),
        ("data/actors.csv", 3, "name_native", "encoding"),
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
        lambda p: edit(
            p / "data/event_actors.csv",
            "EV-0002,AC-0001,participant,CI-0002,",
            "EV-0002,AC-0001,participant,CI-0002,,surplus",
        ),
        ("data/event_actors.csv", 4, "(column 6)", "row_length"),
    ),
    (
        "missing_cell",
        lambda p: edit(
            p / "data/event_agreements.csv",
            "EV-0003,AG-0001,issues,CI-0006,",
            "EV-0003,AG-0001,issues",
        ),
        ("data/event_agreements.csv", 5, "citation_id", "row_length"),
    ),
    (
        "blank_row",
        lambda p: edit(p / "data/agreements.csv", "\nAG-0003", "\n\nAG-0003"),
        ("data/agreements.csv", 4, None, "blank_row"),
    ),
    # --- types and constraints (pandera, and frictionless as a cross-check)
    (
        "date_type",
        lambda p: edit(
            p / "data/events.csv", "2019,2019-01-01,2019-12-31", "2019,2019-02-30,2019-12-31"
        ),
        ("data/events.csv", 5, "date_start", "type"),
    ),
    (
        "integer_type",
        lambda p: edit(p / "data/sources.csv", ",13561,", ",13.5k,"),
        ("data/sources.csv", 2, "byte_size", "type"),
    ),
    (
        "minimum",
        lambda p: edit(p / "data/sources.csv", ",6338,", ",0,"),
        ("data/sources.csv", 3, "byte_size", "minimum"),
    ),
    (
        "required_empty",
        lambda p: edit(p / "data/events.csv", "Lee–Ishiba summit in Tokyo", ""),
        ("data/events.csv", 3, "title", "required"),
    ),
    (
        "enum",
        lambda p: edit(p / "data/events.csv", ",speech,", ",lecture,"),
        ("data/events.csv", 6, "event_type", "enum"),
    ),
    (
        "pattern",
        lambda p: edit(p / "data/event_actors.csv", "EV-0004,AC-0003", "EV-0004,AC-03"),
        ("data/event_actors.csv", 9, "actor_id", "pattern"),
    ),
    (
        "max_length",
        lambda p: edit(
            p / "data/citations.csv",
            "South Korean President Lee Jae-myung visited",
            "x" * 400 + " visited",
        ),
        ("data/citations.csv", 2, "quote", "max_length"),
    ),
    (
        "primary_key_repeated",
        lambda p: edit(p / "data/actors.csv", "AC-0006,", "AC-0005,"),
        ("data/actors.csv", 7, "actor_id", "primary_key"),
    ),
    (
        "link_primary_key_repeated",
        lambda p: edit(
            p / "data/event_actors.csv", "EV-0001,AC-0004,host", "EV-0001,AC-0001,visitor"
        ),
        ("data/event_actors.csv", 3, "event_id,actor_id,event_role", "primary_key"),
    ),
    (
        "unique_key_repeated",
        lambda p: edit(p / "data/actors.csv", "AC-0004,Japan,", "AC-0004,South Korea,"),
        ("data/actors.csv", 5, "name", "unique_key"),
    ),
    (
        "unique_field_repeated",
        lambda p: edit(
            p / "data/sources.csv",
            "0c547fdc205f30757ab9132a3540cb7d257a7c2a370bb69f1b783a0cb2e0fb5c",
            "895b8f1b17c6753fedc5a70cf3d0fd47509e26456fc602aff7d3ec2254a58a0e",
        ),
        ("data/sources.csv", 3, "sha256", "unique"),
    ),
    (
        "foreign_key",
        lambda p: edit(p / "data/dispute_actors.csv", "DI-0003,AC-0004", "DI-0003,AC-0099"),
        ("data/dispute_actors.csv", 7, "actor_id", "foreign_key"),
    ),
    # --- hygiene
    (
        "formula",
        lambda p: edit(
            p / "data/events.csv", "Kim Dae-jung and Obuchi Keizo meet", '=HYPERLINK("x")'
        ),
        ("data/events.csv", 4, "title", "formula"),
    ),
    (
        "control_character",
        lambda p: edit(
            p / "data/disputes.csv", "Dokdo/Takeshima islets,", "Dokdo/Takeshima\tislets,"
        ),
        ("data/disputes.csv", 2, "name", "control_character"),
    ),
    (
        "not_nfc",  # Hangul stored as decomposed jamo: looks the same, never joins equal
        lambda p: edit(p / "data/actors.csv", "이재명", unicodedata.normalize("NFD", "이재명")),
        ("data/actors.csv", 2, "name_native", "unicode_nfc"),
    ),
    (
        "whitespace_around_id",
        lambda p: edit(p / "data/event_disputes.csv", "EV-0004,DI-0003", "EV-0004,DI-0003 "),
        ("data/event_disputes.csv", 6, "dispute_id", "whitespace"),
    ),
    # --- dates
    (
        "date_bounds",
        lambda p: edit(
            p / "data/agreements.csv", "2008,2008-01-01,2008-12-31", "2008,2008-01-01,2008-06-30"
        ),
        ("data/agreements.csv", 4, "date_end", "date_bounds"),
    ),
    (
        "date_precision",
        lambda p: edit(
            p / "data/events.csv",
            "1998-10,1998-10-01,1998-10-31,month",
            "1998-10,1998-10-01,1998-10-31,day",
        ),
        ("data/events.csv", 4, "date_precision", "date_precision"),
    ),
    (
        "date_interval_reversed",
        lambda p: edit(
            p / "data/events.csv",
            "2025-08-23/2025-08-24,2025-08-23,2025-08-24",
            "2025-08-24/2025-08-23,2025-08-23,2025-08-24",
        ),
        ("data/events.csv", 2, "date", "date_invalid"),
    ),
    (
        "date_order",
        lambda p: edit(
            p / "data/events.csv", "2019,2019-01-01,2019-12-31,year", ",2019-12-31,2019-01-01,year"
        ),
        ("data/events.csv", 5, "date_end", "date_order"),
    ),
    (
        "inferred_date_without_note",
        lambda p: edit(
            p / "data/events.csv",
            ",inferred,The source gives “August 14” without a year; 2025 is inferred because the speech came ahead of his August 2025 trip to Japan.,",
            ",inferred,,",
        ),
        ("data/events.csv", 6, "date_note", "date_note"),
    ),
    (
        "date_incomplete",
        lambda p: edit(
            p / "data/agreements.csv",
            "2008,2008-01-01,2008-12-31,year,stated",
            "2008,,2008-12-31,year,stated",
        ),
        ("data/agreements.csv", 4, "date_start", "date_incomplete"),
    ),
    # --- evidence
    (
        "record_without_citation",
        lambda p: edit(
            p / "data/citations.csv", "CI-0014,actors,AC-0006", "CI-0014,actors,AC-0005"
        ),
        ("data/actors.csv", 7, "actor_id", "citation_missing"),
    ),
    (
        "citation_to_nowhere",
        lambda p: edit(
            p / "data/citations.csv", "CI-0022,disputes,DI-0002", "CI-0022,disputes,DI-9999"
        ),
        ("data/citations.csv", 23, "record_id", "citation_target"),
    ),
    (
        "link_cites_unrelated_evidence",
        lambda p: edit(
            p / "data/event_actors.csv",
            "EV-0005,AC-0001,speaker,CI-0005",
            "EV-0005,AC-0001,speaker,CI-0004",
        ),
        ("data/event_actors.csv", 10, "citation_id", "link_citation"),
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
        "schema_unknown_type",
        lambda p: edit(p / "schemas/sources.schema.json", '"type": "integer"', '"type": "int"'),
        ("schemas/sources.schema.json", None, "fields[3].type", "schema"),
    ),
]


@pytest.mark.parametrize("case, corrupt, expected", CASES, ids=[c[0] for c in CASES])
def test_corruption_is_refused_precisely(package, case, corrupt, expected):
    corrupt(package)
    code, report, output = run_validate(package)
    assert code == 1, output
    assert report is not None, f"output is not the JSON report: {output}"
    found = {(p["file"], p["row"], p["column"], p["rule"]) for p in report["problems"]}
    assert expected in found, f"{expected} not among {sorted(found, key=str)}"


def test_corpus_covers_at_least_fifteen_classes():
    assert len({expected[3] for _, _, expected in CASES}) >= 15


@pytest.mark.skipif(not SEEDS.is_dir(), reason=f"source texts not found at {SEEDS}")
@pytest.mark.parametrize(
    "corrupt, expected",
    [
        (
            lambda p: edit(
                p / "data/citations.csv",
                "visited Japan from August 23 to 24",
                "visited Japan from August 22 to 24",
            ),
            ("data/citations.csv", 2, "quote", "quote_not_found"),
        ),
        (
            lambda p: edit(
                p / "data/citations.csv",
                "CI-0022,disputes,DI-0002,SR-0001,It remains contingent on Japan’s",
                "CI-0022,disputes,DI-0002,SR-0001,It remains contingent on Japan's",
            ),
            ("data/citations.csv", 23, "quote", "quote_not_found"),
        ),
        (
            lambda p: edit(
                p / "data/sources.csv",
                "895b8f1b17c6753fedc5a70cf3d0fd47509e26456fc602aff7d3ec2254a58a0e",
                "0" * 64,
            ),
            ("data/sources.csv", 2, "sha256", "source_checksum"),
        ),
        (
            lambda p: edit(p / "data/sources.csv", "004_7ac4addc84ce04b4.txt", "999_missing.txt"),
            ("data/sources.csv", 3, "file_name", "source_file"),
        ),
    ],
    ids=["quote_changed", "straight_for_curly_apostrophe", "checksum", "source_file_missing"],
)
def test_evidence_against_source_texts(package, corrupt, expected):
    corrupt(package)
    code, report, output = run_validate(package)
    assert code == 1, output
    found = {(p["file"], p["row"], p["column"], p["rule"]) for p in report["problems"]}
    assert expected in found, f"{expected} not among {found}"
