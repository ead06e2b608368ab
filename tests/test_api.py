"""The Python API for users: `jkdata.read_table` and `jkdata.pandera_schema`, on the real package."""

from __future__ import annotations

import datetime
import re
import subprocess
import sys

import pandas as pd
import pandera.errors
import polars as pl
import pytest

import jkdata
from conftest import ROOT, TABLES, csv_rows, edit, schema_of

PANDERA_ERRORS = (pandera.errors.SchemaError, pandera.errors.SchemaErrors)


def _fields(name: str) -> list[dict]:
    return schema_of(name)["fields"]


def test_import_jkdata_stays_cheap():
    """`import jkdata` (and so the command line) loads neither pandas, pandera nor polars."""
    code = "import sys, jkdata; print(sorted({'pandas', 'pandera', 'polars'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    assert {"read_table", "pandera_schema", "PackageError"} <= set(dir(jkdata))


def test_read_table_types_events_for_analysis():
    events = jkdata.read_table("events", ROOT)
    fields = _fields("events")
    assert list(events.columns) == [f["name"] for f in fields]
    # Codes stay text: "04" is a CAMEO code, not the number 4.
    assert "04" in set(events["cameo_code"].dropna())
    assert isinstance(events["event_id"].dtype, pd.StringDtype)
    for field in fields:
        enum = field.get("constraints", {}).get("enum")
        if enum is not None:  # the whole vocabulary, in schema order, used or not
            dtype = events[field["name"]].dtype
            assert isinstance(dtype, pd.CategoricalDtype) and not dtype.ordered
            assert list(dtype.categories) == [str(v) for v in enum]
    assert "military" in events["event_type"].cat.categories  # whether or not any event is
    for name in ("date_start", "date_end"):
        assert pd.api.types.is_datetime64_dtype(events[name])
    assert events["date_start"].dt.year.min() > 1900
    assert events["date"].dtype == events["event_id"].dtype  # EDTF `date` stays text


def test_read_table_holds_every_cell_of_every_table():
    """Each table round-trips against the CSV read independently (conftest.csv_rows)."""
    for name in TABLES:
        frame = jkdata.read_table(name, ROOT)
        expected = csv_rows(name)
        assert len(frame) == len(expected), name
        for column in frame.columns:
            got = [
                None if pd.isna(v) else v.date() if isinstance(v, pd.Timestamp) else v
                for v in frame[column].tolist()
            ]
            assert got == [row[column] for row in expected], (name, column)


def test_integers_are_nullable_int64():
    sources = jkdata.read_table("sources", ROOT)
    assert sources["byte_size"].dtype == "Int64"
    assert (sources["byte_size"] > 0).all()


def test_polars_reader_types():
    events = jkdata.read_table("events", ROOT, backend="polars")
    assert isinstance(events, pl.DataFrame)
    assert events.schema["event_id"] == pl.String
    assert events.schema["date_start"] == pl.Date
    enum = [
        str(v)
        for v in next(f for f in _fields("events") if f["name"] == "event_type")["constraints"][
            "enum"
        ]
    ]
    assert events.schema["event_type"] == pl.Enum(enum)
    assert "04" in events["cameo_code"].cast(pl.String).to_list()
    assert jkdata.read_table("sources", ROOT, backend="polars").schema["byte_size"] == pl.Int64


@pytest.mark.parametrize("backend", ["pandas", "polars"])
@pytest.mark.parametrize("name", TABLES)
def test_schema_validates_every_table(name, backend):
    schema = jkdata.pandera_schema(name, ROOT, backend=backend)
    frame = jkdata.read_table(name, ROOT, backend=backend)
    schema.validate(frame)
    schema.validate(frame, lazy=True)
    assert list(schema.columns) == [f["name"] for f in _fields(name)]
    assert schema.strict is True and schema.ordered is True


def test_schema_follows_the_model():
    schema = jkdata.pandera_schema("events", ROOT)
    columns = schema.columns
    assert columns["event_id"].nullable is False and columns["event_id"].unique
    assert columns["location"].nullable is True
    assert isinstance(columns["event_type"].dtype.type, pd.CategoricalDtype)
    checks = {c.name for c in columns["event_id"].checks}
    assert "pattern" in checks
    assert {c.name for c in columns["title"].checks} == {"length"}
    citations = jkdata.pandera_schema("citations", ROOT)
    assert citations.unique == ["table_name", "record_id", "source_id", "quote"]
    links = jkdata.pandera_schema("event_actors", ROOT, backend="polars")
    assert links.unique == ["event_id", "actor_id", "event_role"]


# --- a user's frame that breaks a rule ----------------------------------------------------------


def _raises(schema, frame, value=None):
    """Validation fails, eagerly and lazily; the lazy report names the offending value."""
    with pytest.raises(pandera.errors.SchemaError):
        schema.validate(frame)
    with pytest.raises(pandera.errors.SchemaErrors) as caught:
        schema.validate(frame, lazy=True)
    if value is not None:
        cases = caught.value.failure_cases
        assert value in {str(v) for v in cases["failure_case"].to_list()}


def test_value_outside_a_vocabulary_raises_pandas():
    schema = jkdata.pandera_schema("events", ROOT)
    events = jkdata.read_table("events", ROOT)
    # As a user would: the column as text, then a value replaced.
    edited = events.assign(event_type=events["event_type"].astype("string"))
    edited.loc[0, "event_type"] = "lecture"
    _raises(schema, edited, "lecture")
    # Or a category added to the categorical: the categories are no longer the vocabulary.
    added = events.copy()
    added["event_type"] = added["event_type"].cat.add_categories(["lecture"])
    added.loc[0, "event_type"] = "lecture"
    _raises(schema, added)


def test_value_outside_a_vocabulary_raises_polars():
    schema = jkdata.pandera_schema("events", ROOT, backend="polars")
    events = jkdata.read_table("events", ROOT, backend="polars")
    edited = events.with_columns(pl.col("event_type").cast(pl.String).replace("summit", "lecture"))
    _raises(schema, edited, "lecture")


@pytest.mark.parametrize("backend", ["pandas", "polars"])
def test_repeated_id_raises(backend):
    schema = jkdata.pandera_schema("events", ROOT, backend=backend)
    events = jkdata.read_table("events", ROOT, backend=backend)
    if backend == "pandas":
        repeated = pd.concat([events, events.iloc[[0]]], ignore_index=True)
    else:
        repeated = pl.concat([events, events.head(1)])
    _raises(schema, repeated, "EV-0001")


@pytest.mark.parametrize("backend", ["pandas", "polars"])
def test_repeated_composite_key_raises(backend):
    """A link table's primary key, and a uniqueKey, span several columns."""
    for name in ("event_actors", "citations"):
        schema = jkdata.pandera_schema(name, ROOT, backend=backend)
        frame = jkdata.read_table(name, ROOT, backend=backend)
        if backend == "pandas":
            repeated = pd.concat([frame, frame.iloc[[0]]], ignore_index=True)
            if name == "citations":
                repeated.loc[len(frame), "citation_id"] = "CI-9999"
        else:
            extra = frame.head(1)
            if name == "citations":
                extra = extra.with_columns(pl.lit("CI-9999").alias("citation_id"))
            repeated = pl.concat([frame, extra])
        _raises(schema, repeated)


@pytest.mark.parametrize("backend", ["pandas", "polars"])
def test_missing_required_value_raises(backend):
    schema = jkdata.pandera_schema("events", ROOT, backend=backend)
    events = jkdata.read_table("events", ROOT, backend=backend)
    if backend == "pandas":
        events.loc[0, "title"] = None
    else:
        first = pl.int_range(pl.len()) == 0
        events = events.with_columns(pl.when(first).then(None).otherwise("title").alias("title"))
    _raises(schema, events)


@pytest.mark.parametrize("backend", ["pandas", "polars"])
def test_pattern_length_and_minimum_raise(backend):
    """A pattern matches the whole value; lengths and minimum come from the schema too."""
    events_schema = jkdata.pandera_schema("events", ROOT, backend=backend)
    events = jkdata.read_table("events", ROOT, backend=backend)
    sources_schema = jkdata.pandera_schema("sources", ROOT, backend=backend)
    sources = jkdata.read_table("sources", ROOT, backend=backend)
    if backend == "pandas":
        cases = [
            (events.assign(event_id=events["event_id"] + "x"), events_schema),
            (events.assign(title=events["title"].str.pad(301)), events_schema),
            (sources.assign(byte_size=sources["byte_size"] * 0), sources_schema),
        ]
    else:
        cases = [
            (events.with_columns(pl.col("event_id") + "x"), events_schema),
            (events.with_columns(pl.col("title").str.pad_end(301)), events_schema),
            (sources.with_columns(pl.col("byte_size") * 0), sources_schema),
        ]
    for frame, schema in cases:
        _raises(schema, frame)


@pytest.mark.parametrize("backend", ["pandas", "polars"])
def test_derived_frames_validate(backend):
    """A subset of rows, as a researcher derives it, still validates; a dropped column does not."""
    schema = jkdata.pandera_schema("events", ROOT, backend=backend)
    events = jkdata.read_table("events", ROOT, backend=backend)
    if backend == "pandas":
        summits = events[events["event_type"] == "summit"]
        dropped = events.drop(columns=["date_note"])
    else:
        summits = events.filter(pl.col("event_type") == "summit")
        dropped = events.drop("date_note")
    assert len(summits) and schema.validate(summits) is not None
    _raises(schema, dropped)


# --- errors ---------------------------------------------------------------------------------------


def test_unknown_table_is_a_clear_error():
    with pytest.raises(jkdata.PackageError, match=r"no table 'evnts'.*did you mean 'events'"):
        jkdata.read_table("evnts", ROOT)
    with pytest.raises(ValueError, match="no table 'nothing'"):
        jkdata.pandera_schema("nothing", ROOT)
    with pytest.raises(ValueError, match="backend must be one of pandas, polars"):
        jkdata.read_table("events", ROOT, backend="spark")


def test_wrong_directory_is_a_clear_error(tmp_path):
    with pytest.raises(jkdata.PackageError, match="no datapackage.json in") as caught:
        jkdata.read_table("events", tmp_path)
    assert caught.value.problems and caught.value.problems[0].rule == "missing_file"


def test_broken_schema_is_a_clear_error(package):
    edit(package / "schemas/events.schema.json", '"type": "date"', '"type": "datetime"')
    with pytest.raises(jkdata.PackageError, match="cannot be loaded") as caught:
        jkdata.pandera_schema("events", package)
    assert "schemas/events.schema.json" in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_cell_that_cannot_be_typed_is_a_clear_error(package):
    """A broken date or a value outside a vocabulary would be lost in the typed frame: refused."""
    edit(package / "data/events.csv", ",2025-08-23,2025-08-24,", ",2025-08-23,2025-02-30,")
    with pytest.raises(jkdata.PackageError) as caught:
        jkdata.read_table("events", package)
    message = str(caught.value)
    assert re.search(r"data/events.csv, row 2, column date_end, value \"2025-02-30\"", message)
    assert caught.value.problems[0].rule == "type"
    edit(package / "data/events.csv", ",2025-02-30,", ",2025-08-24,")
    edit(package / "data/events.csv", ",visit,", ",lecture,")
    with pytest.raises(jkdata.PackageError, match=r"column event_type, value \"lecture\""):
        jkdata.read_table("events", package, backend="polars")


def test_broken_csv_is_a_clear_error(package):
    path = package / "data/actors.csv"
    path.write_text(path.read_text(encoding="utf-8") + "AC-9999,too,few\n", encoding="utf-8")
    with pytest.raises(jkdata.PackageError, match="data/actors.csv cannot be read"):
        jkdata.read_table("actors", package)


# --- the README ----------------------------------------------------------------------------------


def _readme_snippet(heading: str) -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    body = readme.split(f"\n{heading}\n", 1)[1]
    body = re.split(r"\n#{2,6} ", body, maxsplit=1)[0]  # to the next heading (not a comment)
    (snippet,) = re.findall(r"```python\n(.*?)```", body, re.S)
    return snippet


def test_readme_python_api_snippet_runs(monkeypatch):
    """The README's "Use it from Python" snippet, run as a user would from the package's directory."""
    monkeypatch.chdir(ROOT)
    scope: dict = {}
    exec(_readme_snippet("## Use it from Python"), scope)
    events, summits = scope["events"], scope["summits"]
    assert len(summits) and (summits["event_type"] == "summit").all()
    assert "04" in set(events["cameo_code"].dropna())
    assert isinstance(scope["schema"], pandera.pandas.DataFrameSchema)
    # The same schema refuses a frame with a repeated ID, as the snippet's comment says.
    with pytest.raises(pandera.errors.SchemaError):
        scope["schema"].validate(pd.concat([summits, summits]))


def test_dates_are_the_day_the_csv_says():
    events = jkdata.read_table("events", ROOT, backend="polars")
    first = events.row(0, named=True)
    assert first["date_start"] == datetime.date(2025, 8, 23)


def test_vocabulary_values_the_other_rules_refuse_are_not_allowed(package):
    """A vocabulary is checked by one `isin` (no text check runs on a categorical or Enum column):
    a value the field's pattern refuses is left out of it."""
    edit(package / "schemas/events.schema.json", '"(0[1-9]|1[0-9]|20)"', '"(0[1-9]|1[0-9])"')
    for backend in ("pandas", "polars"):
        schema = jkdata.pandera_schema("events", package, backend=backend)
        (check,) = schema.columns["cameo_code"].checks
        assert check.name == "enum"
        assert "19" in check.statistics["allowed_values"]
        assert "20" not in check.statistics["allowed_values"]
