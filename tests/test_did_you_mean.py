"""A value outside a vocabulary is reported with the allowed value it most likely meant."""

from __future__ import annotations

from click.testing import CliRunner

from conftest import edit, schema_of
from jkdata.cli import cli
from jkdata.model.schema import Field
from jkdata.validate.messages import closest_allowed


def field(table: str, name: str) -> Field:
    return Field.from_json(next(f for f in schema_of(table)["fields"] if f["name"] == name))


def test_other_case_or_surrounding_spaces_mean_the_allowed_value():
    assert closest_allowed("kor", field("events", "country_code")) == "KOR"
    assert closest_allowed(" Speech ", field("events", "event_type")) == "speech"


def test_a_category_label_means_its_code():
    cameo = field("events", "cameo_code")
    assert closest_allowed("Make public statement", cameo) == "01"
    assert closest_allowed("01 make public statement", cameo) == "01"


def test_a_misspelling_means_the_closest_value():
    assert closest_allowed("spech", field("events", "event_type")) == "speech"
    assert closest_allowed("press statement", field("events", "event_type")) == "press_statement"


def test_nothing_is_suggested_for_an_unrelated_value():
    assert closest_allowed("lecture", field("events", "event_type")) is None
    # Spelled close to PAN (Panama) but meant as a name: a wrong hint is worse than none.
    assert closest_allowed("Japan", field("events", "country_code")) is None


def test_the_report_says_what_was_meant(package):
    # The country code vocabulary has 249 codes: the message lists only the first twelve.
    edit(package / "data/events.csv", ",Tokyo,JPN,", ",Tokyo,jpn,")
    edit(package / "data/events.csv", ",speech,", ",Speech,")
    output = CliRunner().invoke(cli, ["validate", str(package)]).output
    country, event_type = [line for line in output.splitlines() if line.endswith("[enum]")]
    assert 'column country_code, value "jpn"' in country
    assert country.endswith("…; did you mean JPN? [enum]")
    assert 'value "Speech": must be one of the allowed values: summit' in event_type
    assert event_type.endswith("; did you mean speech? [enum]")
