"""`<name>.xlsx`: a README sheet, the flat events sheet (one row per event, as `events_flat.csv`),
then one sheet per table; typed cells, frozen header, filters on.

Cells are written by the schema's type (dates as dates, integers as numbers, text as text) with
XlsxWriter's automatic conversions off, so text never becomes a number, link or formula; text
that starts like a formula also gets Excel's quote prefix. The workbook is assembled in memory,
which gives its zip entries XlsxWriter's fixed 1980 timestamp; `created` comes from the package.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from pathlib import Path

import xlsxwriter

from jkdata.exports import flat
from jkdata.exports.cells import looks_like_formula
from jkdata.exports.dataset import Dataset
from jkdata.exports.views import record_views
from jkdata.model.schema import Field

README_SHEET = "README"
FLAT_SHEET = flat.TABLE
MIN_WIDTH, MAX_WIDTH = 8, 60


# What `write` makes in dist/, each with what it is for (the README's Downloads table).
FILES = {
    "{name}.xlsx": "a workbook: a README sheet, the flat sheet, one sheet per table, cells typed"
}


def file_name(dataset: Dataset) -> str:
    return f"{dataset.name}.xlsx"


def _display_width(value) -> int:
    """Characters as a spreadsheet shows them: Korean and Japanese characters are double width."""
    if isinstance(value, dt.date):
        return 10
    text = "" if value is None else str(value)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _width(header: str, values) -> int:
    widest = max([_display_width(header) + 3, *(_display_width(v) for v in values)])
    return max(MIN_WIDTH, min(MAX_WIDTH, widest + 1))


class _Formats:
    def __init__(self, book: xlsxwriter.Workbook):
        self.header = book.add_format({"bold": True, "bg_color": "#DDEBF7", "bottom": 1})
        self.date = book.add_format({"num_format": "yyyy-mm-dd"})
        self.text_prefixed = book.add_format({"quote_prefix": True})
        self.title = book.add_format({"bold": True, "font_size": 14})
        self.label = book.add_format({"bold": True, "valign": "top"})
        self.wrap = book.add_format({"text_wrap": True, "valign": "top"})


def _write_cell(sheet, row: int, col: int, value, ftype: str, formats: _Formats) -> None:
    if value is None:
        return
    if ftype == "date":
        sheet.write_datetime(row, col, dt.datetime.combine(value, dt.time()), formats.date)
    elif ftype == "boolean":
        sheet.write_boolean(row, col, value)
    elif ftype in ("integer", "number", "year"):
        sheet.write_number(row, col, value)
    elif looks_like_formula(value):
        sheet.write_string(row, col, value, formats.text_prefixed)
    else:
        sheet.write_string(row, col, value)


def _sheet(book, formats: _Formats, name: str, fields: list[Field], rows: list) -> None:
    sheet = book.add_worksheet(name[:31])
    for col, field in enumerate(fields):
        sheet.write_string(0, col, field.name, formats.header)
        for row, record in enumerate(rows, start=1):
            _write_cell(sheet, row, col, record[col], field.type, formats)
        sheet.set_column(col, col, _width(field.name, (r[col] for r in rows)))
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, len(rows), len(fields) - 1)


def _table_sheet(book, formats: _Formats, dataset: Dataset, name: str) -> None:
    _sheet(book, formats, name, dataset.resource(name).fields, dataset.rows(name))


def _flat_sheet(book, formats: _Formats, dataset: Dataset) -> None:
    """events_flat.csv as a sheet: the event's own cells typed (a date stays a date, an EDTF
    `date` stays text), the joined cells text."""
    events = dataset.resource(flat.ENTITY)
    key = events.field_names.index(events.primary_key[0])
    typed = {row[key]: row for row in dataset.rows(flat.ENTITY)}
    width = len(events.fields)
    rows = [
        [*typed[view.id], *(cell or None for cell in flat.flat_row(view, dataset.package)[width:])]
        for view in record_views(dataset, flat.ENTITY)
    ]
    _sheet(book, formats, FLAT_SHEET, flat.flat_fields(dataset.package), rows)


def _keys(resource) -> dict[str, str]:
    """What the README sheet's Key column says of each field: primary, unique, → table.field."""
    keys: dict[str, list[str]] = {}
    for name in resource.primary_key:
        keys.setdefault(name, []).append("primary")
    for unique in resource.unique_keys:
        for name in unique:
            keys.setdefault(name, []).append("unique" if len(unique) == 1 else "unique together")
    for fk in resource.foreign_keys:
        for here, there in zip(fk.fields, fk.reference_fields, strict=True):
            keys.setdefault(here, []).append(f"→ {fk.resource}.{there}")
    return {name: ", ".join(words) for name, words in keys.items()}


def _readme_sheet(book, formats: _Formats, dataset: Dataset) -> None:
    sheet = book.add_worksheet(README_SHEET)
    sheet.set_column(0, 0, 18)
    sheet.set_column(1, 1, 24)
    sheet.set_column(2, 4, 14)
    sheet.set_column(5, 5, 90)
    sheet.set_column(6, 6, 60)
    facts = [
        ("Version", dataset.version),
        ("Created", dataset.created.date().isoformat()),
        ("Licence", f"{dataset.license_title} ({dataset.license_url})"),
        ("How to cite", dataset.citation()),
        ("Description", dataset.descriptor.get("description", "")),
        (
            "Sheets",
            f"{FLAT_SHEET}: one row per event with its actors, agreements, disputes and evidence "
            "joined in (as events_flat.csv); then one sheet per table. The first row of each "
            "holds the column names below.",
        ),
    ]
    sheet.write_string(0, 0, dataset.title, formats.title)
    row = 2
    for label, text in facts:
        sheet.write_string(row, 0, label, formats.label)
        sheet.merge_range(row, 1, row, 5, text, formats.wrap)
        row += 1
    row += 1
    for col, head in enumerate(
        ["Sheet", "Column", "Type", "Required", "Key", "Description", "Allowed values"]
    ):
        sheet.write_string(row, col, head, formats.header)
    header_row = row
    sheets = [(FLAT_SHEET, flat.flat_fields(dataset.package), {})]
    sheets += [(r.name, r.fields, _keys(r)) for r in dataset.resources]
    for sheet_name, fields, keys in sheets:
        for field in fields:
            row += 1
            values = [f"{c.value}: {c.label}" for c in field.categories] or list(
                field.vocabulary or ()
            )
            cells = [
                sheet_name,
                field.name,
                field.type,
                "yes" if field.required else "",
                keys.get(field.name, ""),
                field.text,
                "; ".join(values),
            ]
            for col, text in enumerate(cells):
                if looks_like_formula(text):
                    sheet.write_string(row, col, text, formats.text_prefixed)
                else:
                    sheet.write_string(row, col, text, formats.wrap if col >= 5 else None)
    sheet.autofilter(header_row, 0, row, 6)
    sheet.freeze_panes(header_row + 1, 0)


def write(dataset: Dataset, out: Path) -> list[str]:
    name = file_name(dataset)
    book = xlsxwriter.Workbook(
        str(out / name),
        {
            "in_memory": True,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    created = dataset.created.replace(tzinfo=None)
    book.set_properties(
        {
            "title": dataset.title,
            "subject": dataset.descriptor.get("description", ""),
            "author": dataset.authors,
            "keywords": ", ".join(dataset.descriptor.get("keywords", [])),
            "comments": dataset.citation(),
            "created": created,
        }
    )
    formats = _Formats(book)
    _readme_sheet(book, formats, dataset)
    _flat_sheet(book, formats, dataset)
    for resource in dataset.resources:
        _table_sheet(book, formats, dataset, resource.name)
    book.close()
    return [name]
