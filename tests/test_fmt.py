"""`jkdata fmt`: canonical CSV form, idempotent, and never half-written."""

from __future__ import annotations

import stat
import unicodedata

from click.testing import CliRunner

from conftest import ROOT
from jkdata.cli import cli

HEADER = "event_id,event_role,actor_id"


def run(*args):
    return CliRunner().invoke(cli, ["fmt", *args])


def test_real_package_is_canonical():
    result = run(str(ROOT), "--check")
    assert result.exit_code == 0, result.output


def test_messy_file_is_made_canonical(package):
    path = package / "data/event_actors.csv"
    text = path.read_text(encoding="utf-8")
    header, *rows = text.splitlines()
    # Reversed rows, CRLF line ends, a BOM, needless quotes, spaces and a decomposed character.
    messy_rows = [r.replace("EV-0001", '"EV-0001"') for r in reversed(rows)]
    messy_rows[0] = messy_rows[0].replace(",,", ", ,")
    messy = "\ufeff" + "\r\n".join([header, *messy_rows]) + "\r\n"
    path.write_bytes(messy.encode("utf-8"))
    assert run(str(package), "--check").exit_code == 1
    assert path.read_bytes() == messy.encode("utf-8"), "--check must not write"
    result = run(str(package))
    assert result.exit_code == 0 and "reformatted data/event_actors.csv" in result.output
    assert path.read_text(encoding="utf-8") == text


def test_rows_sort_by_id_number_and_text_is_normalised(package):
    path = package / "data/sources.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace("SR-0001", "SR-10000")
    lines[2] = (
        lines[2]
        .replace("SR-0002", "SR-9999")
        .replace("commentary", unicodedata.normalize("NFD", "commentaré"))
    )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert run(str(package)).exit_code == 0
    rows = path.read_text(encoding="utf-8").splitlines()
    assert rows[1].startswith("SR-9999,") and rows[2].startswith("SR-10000,")
    assert "commentaré" in rows[1] and unicodedata.is_normalized("NFC", rows[1])


def test_fmt_is_idempotent(package):
    path = package / "data/citations.csv"
    path.write_text(
        path.read_text(encoding="utf-8").replace("CI-0001,", " CI-0001 ,"), encoding="utf-8"
    )
    assert run(str(package)).exit_code == 0
    once = {p.name: p.read_bytes() for p in (package / "data").iterdir()}
    second = run(str(package))
    assert second.exit_code == 0 and "all files are in canonical form" in second.output
    assert once == {p.name: p.read_bytes() for p in (package / "data").iterdir()}


def test_unparseable_file_is_reported_and_left_alone(package):
    path = package / "data/events.csv"
    broken = path.read_text(encoding="utf-8").replace("EV-0005,Lee’s", 'EV-0005,"Lee’s', 1)
    path.write_text(broken, encoding="utf-8")
    result = run(str(package))
    assert result.exit_code == 1
    assert "data/events.csv, row 6, column title" in result.output
    assert path.read_text(encoding="utf-8") == broken
    assert not list((package / "data").glob(".*.tmp")), "no temporary files left behind"


def test_rewritten_file_keeps_its_permission_bits(package):
    path = package / "data/citations.csv"
    path.write_text(
        path.read_text(encoding="utf-8").replace("CI-0001,", " CI-0001 ,"), encoding="utf-8"
    )
    path.chmod(0o664)
    result = run(str(package))
    assert result.exit_code == 0 and "reformatted data/citations.csv" in result.output
    assert stat.S_IMODE(path.stat().st_mode) == 0o664


def test_nothing_is_rewritten_when_one_file_cannot_be_formatted(package):
    """All or nothing: a file that needs formatting is left alone while another is broken."""
    actors = package / "data/actors.csv"
    messy = actors.read_text(encoding="utf-8").replace("AC-0002,", " AC-0002 ,").encode("utf-8")
    actors.write_bytes(messy)
    sources = package / "data/sources.csv"
    header, rest = sources.read_text(encoding="utf-8").split("\n", 1)
    broken = (header.replace("source_id", "source", 1) + "\n" + rest).encode("utf-8")
    sources.write_bytes(broken)
    result = run(str(package))
    assert result.exit_code == 1, result.output
    assert "data/sources.csv" in result.output and "no file was rewritten" in result.output
    assert "reformatted" not in result.output
    assert actors.read_bytes() == messy and sources.read_bytes() == broken
    assert not list((package / "data").glob(".*.tmp")), "no temporary files left behind"
