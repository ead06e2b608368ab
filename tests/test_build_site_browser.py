"""dist/site/ in a real headless Chromium, from file://: no console errors, no request leaves the
site, every local link and anchor resolves, and the SHA-256 and sizes on the page are those of
the files (and of SHA256SUMS and the build's own outputs). Screenshots at 1280 and 390 px go to
/tmp/jkdata-site-*.png for a person to look at.

Needs Debian's `chromium` (`.ci/run` installs it); Playwright drives it through `executable_path`.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from conftest import needs_chromium
from jkdata.exports import site
from jkdata.tools.publish import read_sums

pytestmark = needs_chromium
PAGES = ("index.html", site.CODEBOOK_PAGE, site.LICENSE_PAGE, "timeline.html")
WIDTHS = {1280: 900, 390: 844}


def open_page(browser, path: Path, width: int = 1280):
    page = browser.new_page(viewport={"width": width, "height": WIDTHS[width]})
    errors, requests = [], []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(path.resolve().as_uri())
    page.wait_for_load_state("load")
    return page, errors, requests


@pytest.mark.parametrize("name", PAGES)
def test_pages_load_without_errors_or_outside_requests(browser, built, name):
    page, errors, requests = open_page(browser, built / "site" / name)
    assert errors == []
    assert all(urlsplit(url).scheme in ("file", "data") for url in requests), requests
    broken = page.eval_on_selector_all("img", "imgs => imgs.filter(i => !i.naturalWidth).length")
    assert broken == 0
    page.close()


@pytest.mark.parametrize("name", PAGES)
def test_every_local_link_resolves(browser, built, name):
    root = (built / "site").resolve()
    page, _, _ = open_page(browser, root / name)
    urls = page.eval_on_selector_all(
        "a[href], img[src]", "nodes => nodes.map(n => n.href || n.src)"
    )
    page.close()
    assert urls or name == "timeline.html"  # the timeline page links nowhere
    ids: dict[Path, set] = {}
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme in ("http", "https"):
            continue  # links out (the licence), followed only when a reader chooses to
        assert parts.scheme == "file", url
        target = Path(unquote(parts.path))
        assert target.is_relative_to(root) and target.is_file(), url
        if parts.fragment and target.suffix == ".html":
            if target not in ids:
                other, _, _ = open_page(browser, target)
                ids[target] = set(other.eval_on_selector_all("[id]", "ns => ns.map(n => n.id)"))
                other.close()
            assert parts.fragment in ids[target], url


def test_downloads_match_their_files_and_sha256sums(browser, built):
    downloads = built / "site" / site.DOWNLOADS
    page, _, _ = open_page(browser, built / "site" / "index.html")
    listed = page.eval_on_selector_all(
        "ul.downloads li",
        """items => items.map(li => ({
            file: li.dataset.file,
            href: li.querySelector('a').getAttribute('href'),
            sha: li.querySelector('code.sha256').textContent,
            bytes: Number(li.querySelector('.size').dataset.bytes)}))""",
    )
    page.close()
    sums = read_sums(downloads)
    names = [Path(item["file"]).name for item in listed]
    assert sorted(names) == sorted(sums)  # the page lists every download, SHA256SUMS too
    for item in listed:
        path = built / "site" / item["href"]
        data = path.read_bytes()
        assert item["sha"] == hashlib.sha256(data).hexdigest() == sums[path.name], path.name
        assert item["bytes"] == len(data)
        if (built / path.name).is_file():  # the build's own output, copied unchanged
            assert (built / path.name).read_bytes() == data
    for required in ("events_flat.csv", "events_flat_excel.csv", ".xlsx", ".db", "-parquet.zip"):
        assert any(name.endswith(required) for name in names), required


def test_the_front_page_says_what_the_data_is_and_is_not(browser, built):
    page, _, _ = open_page(browser, built / "site" / "index.html", width=390)
    text = page.inner_text("main")
    assert "14 events (1998–2025)" in text
    assert "not a complete record" in text and "nothing beyond them" in text
    # At phone width the title and the way to the timeline are on the first screen.
    button = page.locator("a.button", has_text="Open the timeline").bounding_box()
    assert button and button["y"] + button["height"] <= WIDTHS[390]
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # nothing wider than the phone
    page.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_screenshots(browser, built, width):
    for name in ("index.html", site.CODEBOOK_PAGE):
        page, errors, _ = open_page(browser, built / "site" / name, width)
        stem = name.removesuffix(".html")
        page.screenshot(path=f"/tmp/jkdata-site-{stem}-{width}.png", full_page=True)
        page.screenshot(path=f"/tmp/jkdata-site-{stem}-{width}-first-screen.png")
        assert errors == []
        page.close()
