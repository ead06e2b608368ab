"""Publishing: the site's safety, `make site` / `make release-assets` (what the GitHub workflows
run), and .zenodo.json, which Zenodo reads instead of CITATION.cff, kept equal to CITATION.cff."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
import yaml

from conftest import DESCRIPTOR, ROOT
from jkdata.exports import site
from jkdata.exports.dataset import load_dataset
from jkdata.tools import publish
from jkdata.tools.zenodo import FILE as ZENODO

XSS = '<script>alert(1)</script><img src=x onerror="alert(2)">'


@pytest.mark.parametrize(
    "url, safe",
    [
        ("https://creativecommons.org/licenses/by/4.0/", True),
        ("http://example.org/x", True),
        ("codebook.html#events", True),
        ("#downloads", True),
        ("downloads/events_flat.csv", True),
        ("javascript:alert(1)", False),
        ("JaVaScRiPt:alert(1)", False),
        (" javascript:alert(1)", False),
        ("java\tscript:alert(1)", False),
        ("data:text/html,<script>", False),
        ("vbscript:x", False),
        ("//evil.example/x", False),
        ("/etc/passwd", False),
        ("../../secret", False),
        ("https:", False),
        ("file:///etc/passwd", False),
    ],
)
def test_safe_href(url, safe):
    assert (site.safe_href(url) is not None) is safe


def test_markdown_is_escaped_and_links_are_checked():
    html = site.render_markdown(
        f"# Title {XSS}\n\n[a](javascript:alert(1)) [b](https://example.org) [c](docs/codebook.md)\n"
    )
    assert "<script" not in html and "<img" not in html and "&lt;script&gt;" in html
    assert "javascript:" not in html.replace("[a](javascript:alert(1))", "")
    assert 'href="https://example.org"' in html and 'href="codebook.html"' in html
    assert 'id="title-scriptalert1scriptimg-srcx-onerroralert2"' in html


def test_front_page_escapes_what_the_package_says():
    dataset = load_dataset(ROOT)
    dataset.descriptor["title"] = XSS
    dataset.descriptor["description"] = XSS
    dataset.descriptor["licenses"] = [{"title": XSS, "path": "javascript:alert(3)"}]
    events = dataset.text["events"]
    dataset.text["sources"].loc[dataset.text["sources"].index[0], "title"] = XSS
    facts = {"title": XSS, "authors": [{"name": XSS}], "version": "1", "doi": XSS}
    files = {name: b"x" for name, _, _ in site.downloads(dataset)}
    html = site.index_page(dataset, files, facts)
    assert "<script>" not in html and "<img src=x" not in html
    assert "javascript:" not in html
    assert len(events) and f"{len(events)} events" in html


def test_make_site_and_release_assets_in_a_copy(built, tmp_path):
    """The make targets the workflows run, in a copy beside the built dist/ (the build itself is
    tested elsewhere: `make -o build` takes it as done)."""
    work = tmp_path / "repo"
    work.mkdir()
    for name in ("Makefile", "pyproject.toml", "requirements.lock", "datapackage.json"):
        shutil.copy2(ROOT / name, work / name)  # mtimes kept: the .venv stamp stays current
    for name in ("data", "schemas"):
        shutil.copytree(ROOT / name, work / name)
    (work / ".venv").symlink_to(ROOT / ".venv")
    shutil.copytree(built, work / "dist")
    result = subprocess.run(
        ["make", "-s", "-o", "build", "site"], cwd=work, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "ready to publish" in result.stdout
    version = DESCRIPTOR["version"]
    refused = subprocess.run(
        ["make", "-s", "release-assets", "TAG=v0.0.0-not"], cwd=work, capture_output=True, text=True
    )
    assert refused.returncode != 0 and "is not v" in refused.stderr
    assert not (work / "dist" / publish.ASSETS).exists()
    result = subprocess.run(
        ["make", "-s", "release-assets", f"TAG=v{version}"],
        cwd=work,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assets = work / "dist" / publish.ASSETS
    assert publish.check_sums(assets) == []
    names = sorted(p.name for p in assets.iterdir())
    assert f"{DESCRIPTOR['name']}-{version}.zip" in names and "events_flat.csv" in names
    assert not list((work / "dist").glob("*.tmp-*"))


def test_check_site_finds_a_broken_link_and_a_changed_download(built, tmp_path):
    copy = tmp_path / "site"
    shutil.copytree(built / "site", copy)
    assert publish.check_site(copy) == []
    index = copy / "index.html"
    index.write_text(
        index.read_text(encoding="utf-8").replace('href="codebook.html"', 'href="nope.html"', 1),
        encoding="utf-8",
    )
    (copy / site.DOWNLOADS / "events_flat.csv").write_text("changed", encoding="utf-8")
    problems = publish.check_site(copy)
    assert any("nope.html" in p for p in problems)
    assert any("events_flat.csv does not match" in p for p in problems)


def test_zenodo_json_agrees_with_citation_cff_and_the_version():
    zenodo = json.loads((ROOT / ZENODO).read_text(encoding="utf-8"))
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert zenodo["version"] == str(cff["version"]) == DESCRIPTOR["version"]
    assert zenodo["title"] == cff["title"]
    assert [c["name"] for c in zenodo["creators"]] == [a["name"] for a in cff["authors"]]
    assert zenodo["publication_date"] == str(cff["date-released"])
    assert zenodo["license"] == cff["license"].lower() == DESCRIPTOR["licenses"][0]["name"].lower()
    assert zenodo["keywords"] == cff["keywords"]
    assert zenodo["upload_type"] == "dataset" and zenodo["description"] == cff["abstract"]


def test_a_new_version_makes_zenodo_json_stale(package):
    from jkdata.tools.docs import refresh

    assert refresh(package, check=True) == []
    current = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))["version"]
    major, minor, _ = (int(part) for part in current.split("."))
    newer = f"{major}.{minor + 1}.0"  # whatever version the package is at
    for name, old, new in (
        ("datapackage.json", f'"version": "{current}"', f'"version": "{newer}"'),
        ("CITATION.cff", f"version: {current}", f"version: {newer}"),
    ):
        path = package / name
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new), encoding="utf-8")
    assert ZENODO in refresh(package, check=True)
    refresh(package)
    assert json.loads((package / ZENODO).read_text(encoding="utf-8"))["version"] == newer
