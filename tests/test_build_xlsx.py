"""The xlsx workbook: a README sheet, the flat events sheet and one typed sheet per table, read
back with openpyxl."""

from __future__ import annotations

import csv
import datetime
import zipfile

import openpyxl
import pytest

from conftest import DESCRIPTOR, ROOT, TABLES, csv_rows, schema_of
from jkdata.exports import xlsx
from jkdata.exports.dataset import load_dataset

BOOK = "japan-korea-relations.xlsx"


@pytest.fixture(scope="module")
def book(built):
    return openpyxl.load_workbook(built / BOOK)


def _value(cell):
    # openpyxl gives dates back as datetimes at midnight.
    if isinstance(cell, datetime.datetime):
        return cell.date()
    return cell


def test_sheets_are_readme_flat_events_then_one_per_table(book):
    assert book.sheetnames == ["README", "events_flat", *TABLES]


def test_flat_sheet_is_the_flat_csv_with_its_dates_typed(built, book):
    with (built / "events_flat.csv").open(encoding="utf-8", newline="") as handle:
        expected = list(csv.reader(handle))
    rows = list(book["events_flat"].iter_rows(values_only=True))
    assert [list(rows[0])] == expected[:1]
    header = expected[0]
    for got, want in zip(rows[1:], expected[1:], strict=True):
        cells = [
            "" if v is None else v.date().isoformat() if isinstance(v, datetime.datetime) else v
            for v in got
        ]
        assert cells == want
    assert len(rows) == len(expected)
    sheet = book["events_flat"]
    start = sheet.cell(2, header.index("date_start") + 1)
    assert start.is_date
    edtf = sheet.cell(2, header.index("date") + 1)
    assert edtf.data_type == "s"  # the EDTF date keeps its precision as text


def test_readme_sheet_describes_the_flat_columns_and_keys(book):
    rows = list(book["README"].iter_rows(values_only=True))
    header = next(i for i, row in enumerate(rows) if row[:2] == ("Sheet", "Column"))
    described = {(row[0], row[1]): row for row in rows[header + 1 :]}
    assert "separated by" in described[("events_flat", "actor_ids")][5]
    assert described[("events_flat", "evidence")][5]
    assert described[("events", "event_id")][4] == "primary"
    assert described[("event_actors", "actor_id")][4].endswith("→ actors.actor_id")
    # Every column's description reads as text: the joined columns have no title to lead it.
    assert all(row[5] and row[5][0].isalnum() for row in described.values()), [
        key for key, row in described.items() if not (row[5] and row[5][0].isalnum())
    ]


@pytest.mark.parametrize("name", TABLES)
def test_sheet_round_trips_to_the_csv(book, name):
    sheet = book[name]
    rows = list(sheet.iter_rows(values_only=True))
    fields = [f["name"] for f in schema_of(name)["fields"]]
    assert list(rows[0]) == fields
    expected = csv_rows(name)
    assert len(rows) - 1 == len(expected)
    for got, want in zip(rows[1:], expected, strict=True):
        assert {k: _value(v) for k, v in zip(fields, got, strict=True)} == want


@pytest.mark.parametrize("name", TABLES)
def test_header_frozen_filters_on_sensible_widths(book, name):
    sheet = book[name]
    assert sheet.freeze_panes == "A2"
    assert (
        sheet.auto_filter.ref
        == f"A1:{sheet.cell(1, sheet.max_column).column_letter}{sheet.max_row}"
    )
    widths = [sheet.column_dimensions[c.column_letter].width for c in sheet[1]]
    assert all(xlsx.MIN_WIDTH <= w <= xlsx.MAX_WIDTH + 1 for w in widths), widths


def test_types_follow_the_schema(book):
    events = book["events"]
    header = [c.value for c in events[1]]
    start = events.cell(2, header.index("date_start") + 1)
    assert start.is_date and start.number_format == "yyyy-mm-dd"
    sources = book["sources"]
    header = [c.value for c in sources[1]]
    assert sources.cell(2, header.index("byte_size") + 1).data_type == "n"
    cameo = events.cell(2, [c.value for c in events[1]].index("cameo_code") + 1)
    assert cameo.data_type == "s" and cameo.value == "04"  # a code, not the number 4


def test_korean_and_japanese_text_survives(book):
    natives = [row[2] for row in book["actors"].iter_rows(min_row=2, values_only=True)]
    assert "이재명" in natives and "石破茂" in natives


def test_readme_sheet_has_title_version_licence_citation_and_every_column(book):
    text = "\n".join(
        str(v) for row in book["README"].iter_rows(values_only=True) for v in row if v is not None
    )
    assert DESCRIPTOR["title"] in text and DESCRIPTOR["version"] in text
    assert "Creative Commons Attribution 4.0" in text and "How to cite" in text
    for name in TABLES:
        for field in schema_of(name)["fields"]:
            assert field["description"] in text, (name, field["name"])


def test_no_cell_is_a_formula(book):
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            assert all(cell.data_type != "f" for cell in row), sheet.title


def test_text_that_starts_like_a_formula_is_quote_prefixed(tmp_path):
    dataset = load_dataset(ROOT)
    for column, bad in (("title", "=1+2"), ("description", "@SUM(A1)")):
        frame = dataset.typed["events"]
        frame.loc[frame["event_id"] == "EV-0001", column] = bad
    xlsx.write(dataset, tmp_path)
    sheet = openpyxl.load_workbook(tmp_path / BOOK)["events"]
    header = [c.value for c in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "EV-0001")
    for column, bad in (("title", "=1+2"), ("description", "@SUM(A1)")):
        cell = row[header.index(column)]
        assert cell.data_type == "s" and cell.value == bad and cell.quotePrefix
    plain = row[header.index("event_id")]
    assert not plain.quotePrefix


def test_document_properties_carry_the_package_date_not_the_clock(built, book):
    created = datetime.datetime.fromisoformat(DESCRIPTOR["created"].replace("Z", ""))
    assert book.properties.created == created and book.properties.modified == created
    with zipfile.ZipFile(built / BOOK) as archive:
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
