"""`site/`: a small website for people who never run `make`: what the data is and is not, the
timeline, the downloads with their sizes and SHA-256, the codebook, how to cite, the licence.

It runs after every other export (the bundle included), so it copies and checksums what they
wrote. Everything it says comes from the package: the descriptor's title, description, version
and licence, the row counts of the data, the schema's words for date precision and basis, the
codebook (docs/codebook.md, rendered with markdown-it-py, raw HTML off) and CITATION.cff.
Every text is escaped, a link is only http(s) or a relative path inside the site, and the pages
load nothing from elsewhere (a Content-Security-Policy says so), so the folder works offline
from `file://` and as GitHub Pages (`make site`, .github/workflows/pages.yml).

    site/index.html       the front page
    site/codebook.html    docs/codebook.md as HTML
    site/license.html     LICENSE-DATA.md as HTML
    site/timeline.html    a copy of the timeline page
    site/timeline.png     a copy of the picture
    site/downloads/       copies of the files to download, and SHA256SUMS for them
"""

from __future__ import annotations

import hashlib
import re
import shutil
import zipfile
from html import escape
from pathlib import Path
from urllib.parse import urlsplit

import yaml
from markdown_it import MarkdownIt

from jkdata.exports import (
    BuildError,
    bundle,
    flat,
    parquet,
    picture,
    sqlite,
    timeline,
    timeline_html,
    timelinejs_sheet,
    xlsx,
)
from jkdata.exports.dataset import Dataset
from jkdata.exports.html import page_head
from jkdata.exports.views import labels, record_views, year_span
from jkdata.model.schema import CITATIONS, SOURCES

FOLDER = "site"
# What `write` makes in dist/, each with what it is for (the README's Downloads table).
FILES = {
    f"{FOLDER}/index.html": "a website that opens offline: what the data is, the timeline, the codebook, every download with its SHA-256"
}
DOWNLOADS = "downloads"
SUMS = "SHA256SUMS"
INDEX = "index.html"
CODEBOOK_PAGE = "codebook.html"
LICENSE_PAGE = "license.html"
CODEBOOK_SOURCE = "docs/codebook.md"
LICENSE_SOURCE = "LICENSE-DATA.md"
CITATION_FILE = "CITATION.cff"
DATED = "events"  # the table the front page counts and spans first
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:"


def parquet_zip_name(dataset: Dataset) -> str:
    return f"{dataset.name}-{dataset.version}-parquet.zip"


def downloads(dataset: Dataset) -> list[tuple[str, str, str]]:
    """(file name in downloads/, what it is, who it is for), in the order the page lists them."""
    tables = len(dataset.resources)
    return [
        (
            flat.EXCEL_FILE,
            "Events, one row per event, for Excel",
            "Double-click to open in Excel: its byte-order mark makes Excel read Korean and "
            "Japanese text correctly. LibreOffice: choose the UTF-8 character set on import.",
        ),
        (
            flat.FILE,
            "Events, one row per event (CSV, UTF-8)",
            "For Google Sheets, pandas, R or any tool that reads UTF-8.",
        ),
        (
            xlsx.file_name(dataset),
            f"Workbook: all {tables} tables and the flat events, one sheet each",
            "Excel or LibreOffice; codes are stored as text.",
        ),
        (
            sqlite.file_name(dataset),
            f"SQLite database: all {tables} tables with their keys",
            "DB Browser for SQLite, Datasette, or any SQL client.",
        ),
        (
            parquet_zip_name(dataset),
            f"Parquet: one file per table ({tables} tables), zipped",
            "DuckDB, pandas, R (arrow); dates as dates, codes as text.",
        ),
        (
            timelinejs_sheet.FILE,
            "The events in TimelineJS's Google Sheets template columns",
            "Paste into the TimelineJS template to make your own timeline.",
        ),
        (
            timeline.FILE,
            "The events as TimelineJS JSON",
            "For TimelineJS embedded from your own server.",
        ),
        (
            bundle.file_name(dataset),
            "The whole data package: every table, schema, document and the files above",
            "The release as archived; its SHA256SUMS lists every file inside.",
        ),
        (CITATION_FILE, "Citation metadata (Citation File Format)", "For reference managers."),
    ]


# --- safe text and links ----------------------------------------------------------------------


def safe_href(url: str) -> str | None:
    """The URL when it is http(s) with a host, or a relative path that stays inside the site (a
    fragment included); None for anything else (javascript:, data:, //host, /abs, ../, controls)."""
    if not isinstance(url, str) or not url or any(ord(c) <= 0x20 or c == "\\" for c in url):
        return None
    parts = urlsplit(url)
    if parts.scheme:
        return url if parts.scheme.lower() in ("http", "https") and parts.netloc else None
    if parts.netloc or url.startswith("/") or ".." in parts.path.split("/"):
        return None
    return url


def link(url: str, text: str) -> str:
    href = safe_href(url)
    return f'<a href="{escape(href)}">{escape(text)}</a>' if href else escape(text)


def slug(text: str) -> str:
    """A heading's anchor as GitHub makes it ("events_flat.csv (built)" → "events_flatcsv-built")."""
    text = re.sub(r"[^\w\- ]", "", text.strip().lower())
    return text.replace(" ", "-")


def markdown() -> MarkdownIt:
    """CommonMark with tables, raw HTML off (shown as text), links only as `safe_href` allows, and
    GitHub-style anchors on headings (the codebook links to its own tables by them)."""
    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    md.validateLink = lambda url: safe_href(url) is not None

    def anchors(state):
        tokens = state.tokens
        for index, token in enumerate(tokens):
            if token.type == "heading_open":
                token.attrSet("id", slug(tokens[index + 1].content.replace("`", "")))

    md.core.ruler.push("anchors", anchors)
    return md


def render_markdown(text: str) -> str:
    # Comments (the codebook's "generated" note) are for editors; links between the package's
    # documents become links between the site's pages.
    html = markdown().render(re.sub(r"<!--.*?-->\n?", "", text, flags=re.S))
    for source, page in ((CODEBOOK_SOURCE, CODEBOOK_PAGE), (LICENSE_SOURCE, LICENSE_PAGE)):
        for href in (source, source.rsplit("/", 1)[-1]):
            html = html.replace(f'href="{href}', f'href="{page}')
    return html


# --- the pages ---------------------------------------------------------------------------------

STYLE = """
:root { font-family: "Segoe UI", "Noto Sans", "Noto Sans CJK KR", "Noto Sans CJK JP", sans-serif;
  color: #1f2328; background: #fff; line-height: 1.5; }
body { max-width: 52rem; margin: 0 auto; padding: 1rem 1.25rem 3rem; }
nav { display: flex; flex-wrap: wrap; gap: .25rem 1rem; padding: .5rem 0; margin-bottom: .5rem;
  border-bottom: 1px solid #d0d7de; font-size: .95rem; }
a { color: #0969da; }
h1 { font-size: 1.6rem; line-height: 1.25; margin: .5rem 0; }
h2 { font-size: 1.25rem; margin: 2rem 0 .5rem; padding-top: .5rem; border-top: 1px solid #d0d7de; }
.lead { font-size: 1.05rem; }
.meta { color: #57606a; }
.button { display: inline-block; padding: .45rem .9rem; margin: .25rem .5rem .25rem 0;
  border-radius: 6px; background: #0969da; color: #fff; text-decoration: none; font-weight: 600; }
.button.secondary { background: #f6f8fa; color: #0969da; border: 1px solid #d0d7de; }
figure { margin: 1rem 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #d0d7de; }
figcaption { font-size: .85rem; color: #57606a; }
table { border-collapse: collapse; margin: .75rem 0; font-size: .92rem; display: block;
  overflow-x: auto; max-width: 100%; }
th, td { border: 1px solid #d0d7de; padding: .3rem .55rem; text-align: left; vertical-align: top; }
th { background: #f6f8fa; }
td.num { text-align: right; white-space: nowrap; }
dl.defs dt { font-weight: 600; margin-top: .5rem; }
dl.defs dd { margin: 0 0 0 1rem; }
ul.downloads { list-style: none; padding: 0; }
ul.downloads li { margin: 0 0 1rem; padding: .6rem .8rem; border: 1px solid #d0d7de;
  border-radius: 8px; }
ul.downloads .what { font-weight: 600; }
ul.downloads .for, ul.downloads .facts { margin: .15rem 0; font-size: .9rem; color: #57606a; }
code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: .88em;
  background: #f6f8fa; padding: 0 .2rem; border-radius: 4px; }
code.sha256 { word-break: break-all; }
pre { background: #f6f8fa; padding: .6rem .8rem; overflow-x: auto; border-radius: 6px; }
pre code { background: none; padding: 0; }
blockquote { margin: .5rem 0; padding: .2rem .8rem; border-left: 3px solid #d0d7de; color: #57606a; }
footer { margin-top: 2.5rem; font-size: .85rem; color: #57606a; }
"""


def shell(dataset: Dataset, title: str, body: str) -> str:
    nav = " ".join(
        f'<a href="{href}">{escape(text)}</a>'
        for href, text in (
            (INDEX, "About the data"),
            (timeline_html.FILE, "Timeline"),
            (f"{INDEX}#downloads", "Downloads"),
            (CODEBOOK_PAGE, "Codebook"),
            (f"{INDEX}#cite", "Cite"),
            (LICENSE_PAGE, "Licence"),
        )
    )
    return f"""{page_head(title, CSP, STYLE)}
<body>
<nav aria-label="Site">{nav}</nav>
<main>
{body}
</main>
<footer>{escape(dataset.title)}, version {escape(dataset.version)}. Built by <code>jkdata build</code> from the data package; the same files are in its release.</footer>
</body>
</html>
"""


def human_size(size: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:,} bytes" if unit == "bytes" else f"{size:,.1f} {unit}"
        size /= 1000
    raise AssertionError  # unreachable


def citation_facts(dataset: Dataset) -> dict:
    path = dataset.root / CITATION_FILE
    try:
        facts = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise BuildError(f"cannot read {CITATION_FILE}: {exc}") from exc
    if not isinstance(facts, dict):
        raise BuildError(f"{CITATION_FILE} is not a mapping")
    return facts


def cff_author(author: dict) -> str:
    if not isinstance(author, dict):
        return str(author)
    if author.get("name"):
        return str(author["name"])
    names = [author.get("given-names"), author.get("family-names")]
    return " ".join(str(n) for n in names if n)


def citation_line(facts: dict) -> str:
    authors = ", ".join(cff_author(a) for a in facts.get("authors") or [])
    year = str(facts.get("date-released", ""))[:4]
    line = f"{authors} ({year}). {facts.get('title', '')} (Version {facts.get('version', '')}) [Data set]."
    if facts.get("doi"):
        line += f" https://doi.org/{facts['doi']}"
    return line


def counts_sentence(dataset: Dataset) -> str:
    """ "14 events (1998–2025), 9 agreements, …": the first four tables by their titles."""
    views = record_views(dataset, DATED)
    parts = []
    for resource in dataset.resources:
        others = {fk.resource for fk in resource.foreign_keys} - {SOURCES, CITATIONS}
        if resource.name in (SOURCES, CITATIONS) or len(resource.primary_key) != 1 or others:
            continue  # the evidence, the link tables and the tables of parts are counted apart
        rows = len(dataset.text[resource.name])
        words = f"{rows} {dataset.title_of(resource.name).lower()}"
        if resource.name == DATED:
            words += f" ({year_span(views)})"
        parts.append(words)
    return ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else "".join(parts)


def code_spans(text: str) -> str:
    """Escaped text with its `backticked` names set as code."""
    return re.sub(r"`([^`<>]+)`", r"<code>\1</code>", escape(text))


def vocabulary_list(dataset: Dataset, field_name: str) -> str:
    field = dataset.resource(DATED).field(field_name)
    items = "".join(
        f"<dt><code>{escape(c.value)}</code></dt><dd>{code_spans(c.label)}</dd>"
        for c in field.categories
    )
    return f'<dl class="defs">{items}</dl>'


def tables_table(dataset: Dataset) -> str:
    rows = "".join(
        f'<tr><td><a href="{CODEBOOK_PAGE}#{escape(slug(r.name))}"><code>{escape(r.name)}</code></a>'
        f'</td><td class="num">{len(dataset.text[r.name]):,}</td>'
        f"<td>{escape(r.description)}</td></tr>"
        for r in dataset.resources
    )
    return (
        "<table><thead><tr><th>Table</th><th>Rows</th><th>What one row is</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )


def downloads_list(dataset: Dataset, files: dict[str, bytes]) -> str:
    items = []
    for name, what, for_whom in downloads(dataset):
        data = files[name]
        digest = hashlib.sha256(data).hexdigest()
        items.append(
            f'<li data-file="{escape(DOWNLOADS)}/{escape(name)}">'
            f'<a class="what" href="{escape(DOWNLOADS)}/{escape(name)}" download>{escape(what)}</a>'
            f'<p class="facts"><code>{escape(name)}</code> · <span class="size" '
            f'data-bytes="{len(data)}">{escape(human_size(len(data)))}</span> · SHA-256 '
            f'<code class="sha256">{digest}</code></p>'
            f'<p class="for">{escape(for_whom)}</p></li>'
        )
    return f'<ul class="downloads">{"".join(items)}</ul>'


def sources_list(dataset: Dataset) -> str:
    resource = dataset.resource(SOURCES)
    titles = dataset.column(SOURCES, "title") if resource.has("title") else {}
    about = dataset.column(SOURCES, "description") if resource.has("description") else {}
    names = {
        sid: titles.get(sid) or f"Untitled document ({sid})" for sid in labels(dataset, SOURCES)
    }
    items = "".join(
        f"<li><strong>{escape(names[sid])}</strong>"
        + (f" — {escape(about[sid])}" if about.get(sid) else "")
        + "</li>"
        for sid in names
    )
    return f"<ul>{items}</ul>"


def index_page(dataset: Dataset, files: dict[str, bytes], facts: dict) -> str:
    n_sources = len(dataset.text[SOURCES])
    n_quotes = len(dataset.text[CITATIONS])
    license_ = dataset.license
    license_link = link(license_.get("path", ""), dataset.license_title)
    doi = facts.get("doi")
    doi_line = (
        f"<p>DOI: {link(f'https://doi.org/{doi}', str(doi))}</p>"
        if doi
        else "<p>Each tagged release is archived by Zenodo, which gives it a DOI.</p>"
    )
    body = f"""
<h1>{escape(dataset.title)}</h1>
<p class="meta">Version {escape(dataset.version)} · released {escape(dataset.created.date().isoformat())} · data licence {license_link}</p>
<p class="lead">{escape(dataset.descriptor.get("description", ""))}</p>
<p><a class="button" href="{timeline_html.FILE}">Open the timeline</a>
<a class="button secondary" href="#downloads">Download the data</a>
<a class="button secondary" href="{CODEBOOK_PAGE}">Read the codebook</a></p>

<h2 id="what">What it is</h2>
<p>{escape(counts_sentence(dataset))}, with the links between them, all taken from {n_sources}
source documents. Every record carries at least one verbatim quote from a source
({n_quotes:,} quotes in all), and each source is identified by the SHA-256 checksum of its text:</p>
{sources_list(dataset)}
<p>It is <strong>not</strong> a complete record of its subject: it holds only what these
{n_sources} documents state, and nothing beyond them. An event, agreement or actor the sources do
not mention is not here, and no record adds facts the sources do not give. The source documents
themselves are not published here; only the quoted passages are.</p>
<figure><a href="{picture.FILE}"><img src="{picture.FILE}" width="1000" alt="The events on a time axis, one lane per event type"></a>
<figcaption>The events on a time axis, one lane per event type (open the picture for full size).</figcaption></figure>

<h2 id="tables">The tables</h2>
{tables_table(dataset)}

<h2 id="dates">How to read the dates</h2>
<p>Each date is written in EDTF, at the precision the source gives: <code>2019</code> means some
time in 2019, <code>1998-10</code> some day in October 1998. A <code>?</code> marks a date the
source leaves uncertain, and a range is written <code>start/end</code>. <code>date_start</code> and
<code>date_end</code> give the first and last day the date can mean.</p>
<p><code>date_precision</code>:</p>
{vocabulary_list(dataset, "date_precision")}
<p><code>date_basis</code>:</p>
{vocabulary_list(dataset, "date_basis")}

<h2 id="downloads">Downloads</h2>
<p>Check a file against its SHA-256 (also listed in <a href="{DOWNLOADS}/{SUMS}">SHA256SUMS</a>) with
<code>sha256sum</code> (Linux), <code>shasum -a 256</code> (macOS) or
<code>certutil -hashfile FILE SHA256</code> (Windows).</p>
{downloads_list(dataset, files)}

<h2 id="cite">How to cite</h2>
<blockquote><p>{escape(citation_line(facts))}</p></blockquote>
{doi_line}
<p>The same facts, for reference managers: <a href="{DOWNLOADS}/{CITATION_FILE}">CITATION.cff</a>.</p>

<h2 id="licence">Licence</h2>
<p>The data is licensed under the {license_link}: you may share and adapt it for any purpose,
provided you give credit. The quotes remain their authors' work. Details:
<a href="{LICENSE_PAGE}">the data licence</a>.</p>
"""
    return shell(dataset, dataset.title, body)


def markdown_page(dataset: Dataset, source: str, title: str) -> str:
    path = dataset.root / source
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise BuildError(f"the site needs {source}: {exc}") from exc
    return shell(dataset, f"{title} – {dataset.title}", render_markdown(text))


def parquet_zip(dataset: Dataset, out: Path) -> bytes:
    """The Parquet files in one zip (`parquet/<table>.parquet`), byte-identical across builds."""
    path = out / FOLDER / DOWNLOADS / parquet_zip_name(dataset)
    stamp = dataset.created.timetuple()[:6]
    with zipfile.ZipFile(path, "w") as archive:
        for resource in sorted(dataset.resources, key=lambda r: r.name):
            name = f"{parquet.FOLDER}/{resource.name}.parquet"
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            archive.writestr(info, (out / name).read_bytes(), compresslevel=9)
    return path.read_bytes()


def write(dataset: Dataset, out: Path) -> list[str]:
    site = out / FOLDER
    (site / DOWNLOADS).mkdir(parents=True)
    files: dict[str, bytes] = {}
    for name, _, _ in downloads(dataset):
        if name == parquet_zip_name(dataset):
            files[name] = parquet_zip(dataset, out)
            continue
        source = dataset.root / name if name == CITATION_FILE else out / name
        files[name] = source.read_bytes()
        (site / DOWNLOADS / name).write_bytes(files[name])
    (site / DOWNLOADS / SUMS).write_bytes(bundle.sha256sums(files))
    shutil.copyfile(out / timeline_html.FILE, site / timeline_html.FILE)
    shutil.copyfile(out / picture.FILE, site / picture.FILE)
    facts = citation_facts(dataset)
    pages = {
        INDEX: index_page(dataset, files, facts),
        CODEBOOK_PAGE: markdown_page(dataset, CODEBOOK_SOURCE, "Codebook"),
        LICENSE_PAGE: markdown_page(dataset, LICENSE_SOURCE, "Data licence"),
    }
    for name, text in pages.items():
        (site / name).write_text(text, encoding="utf-8")
    written = [*pages, timeline_html.FILE, picture.FILE, f"{DOWNLOADS}/{SUMS}"]
    written += [f"{DOWNLOADS}/{name}" for name in files]
    return [f"{FOLDER}/{name}" for name in written]
