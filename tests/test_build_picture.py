"""The README picture: built deterministically, and the committed docs/timeline.png kept current."""

from __future__ import annotations

from click.testing import CliRunner

from conftest import ROOT
from jkdata.cli import cli
from jkdata.exports import picture
from jkdata.exports.build import DOCS_PICTURE
from jkdata.exports.dataset import load_dataset


def test_committed_picture_is_current(built):
    committed = ROOT / DOCS_PICTURE
    assert committed.is_file(), f"{DOCS_PICTURE} is missing: run `make build` and commit it"
    assert committed.read_bytes() == (built / "timeline.png").read_bytes(), (
        f"{DOCS_PICTURE} is out of date: run `make build` and commit it"
    )


def test_rendering_twice_gives_the_same_png():
    dataset = load_dataset(ROOT)
    first = picture.render(dataset)
    assert first.startswith(b"\x89PNG") and picture.render(dataset) == first


def test_picture_changes_with_the_data():
    dataset = load_dataset(ROOT)
    before = picture.render(dataset)
    events = dataset.text["events"]
    events.loc[events["event_id"] == "EV-0002", "title"] = "A different headline"
    assert picture.render(dataset) != before


def test_only_latin_text_is_drawn():
    assert picture._drawable("Lee Jae-myung (이재명) meets 石破茂") == "Lee Jae-myung () meets"


def test_build_check_reports_a_stale_picture_and_leaves_it(package):
    stale = package / DOCS_PICTURE
    stale.write_bytes(b"stale")
    result = CliRunner().invoke(cli, ["build", str(package), "--check"])
    assert result.exit_code == 1
    assert "docs/timeline.png is out of date: run `make build`" in result.output
    assert stale.read_bytes() == b"stale"
    assert (package / "dist" / "timeline.png").is_file()


def test_build_refreshes_a_stale_picture(package):
    stale = package / DOCS_PICTURE
    stale.write_bytes(b"stale")
    result = CliRunner().invoke(cli, ["build", str(package)])
    assert result.exit_code == 0, result.output
    assert "updated docs/timeline.png" in result.output
    assert stale.read_bytes() == (package / "dist" / "timeline.png").read_bytes()
    again = CliRunner().invoke(cli, ["build", str(package), "--check"])
    assert again.exit_code == 0, again.output
    assert "built " in again.output and " files into " in again.output


def test_the_crowded_year_gets_a_panel_of_its_own():
    """Ten of the fourteen events fall in 2025: drawn on the whole span they share one corner,
    so the picture shows 2025 alone beside it."""
    from jkdata.exports.views import record_views

    dataset = load_dataset(ROOT)
    views = record_views(dataset, "events")
    in_2025 = [v for v in views if v.row["date_start"][:4] == v.row["date_end"][:4] == "2025"]
    assert len(in_2025) >= len(views) / 2
    assert picture.crowded_year(views) == 2025
    assert picture.crowded_year(views[:2]) is None  # too few to crowd anything


def test_text_is_never_parsed_as_math():
    """A title with dollar signs is drawn as typed, not as mathtext (which would fail or hide it)."""
    dataset = load_dataset(ROOT)
    events = dataset.text["events"]
    events.loc[events["event_id"] == "EV-0002", "title"] = r"$\notacommand{$ pledge of $5"
    assert picture.render(dataset).startswith(b"\x89PNG")
