"""Publishing steps the GitHub workflows run through `make`, so that they are tested here.

    python -m jkdata.tools.publish check-site [SITE]              (make site)
    python -m jkdata.tools.publish release-assets [DIST] [--tag vX.Y.Z]   (make release-assets)

`check-site` checks a built `dist/site/` before it is deployed to GitHub Pages: every local link
and image of every page resolves inside the site (anchors included), nothing is loaded from
elsewhere, and each download matches `downloads/SHA256SUMS`. `release-assets` collects the site's
downloads and their SHA256SUMS into `dist/release-assets/` (checked first, written beside and
renamed into place, so a half-written folder is never published); with `--tag` it refuses a tag
that is not `v` + the package version.
"""

from __future__ import annotations

import hashlib
import shutil
import sys
import tempfile
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from jkdata.exports.site import DOWNLOADS, SUMS
from jkdata.model.load import load_package

ASSETS = "release-assets"


class PublishError(Exception):
    pass


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[tuple[str, str]] = []  # (tag, url)
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        for name in ("href", "src"):
            if attrs.get(name) is not None:
                self.links.append((tag, attrs[name]))


def _parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def read_sums(folder: Path) -> dict[str, str]:
    """File name → SHA-256 from `folder/SHA256SUMS`."""
    sums = {}
    for line in (folder / SUMS).read_text(encoding="utf-8").splitlines():
        digest, _, name = line.partition("  ")
        sums[name] = digest
    return sums


def check_sums(folder: Path) -> list[str]:
    if not (folder / SUMS).is_file():
        return [f"{folder / SUMS} is missing"]
    problems = []
    sums = read_sums(folder)
    for name, digest in sums.items():
        path = folder / name
        if not path.is_file():
            problems.append(f"{path} is listed in {SUMS} but missing")
        elif hashlib.sha256(path.read_bytes()).hexdigest() != digest:
            problems.append(f"{path} does not match its SHA-256 in {SUMS}")
    extra = {p.name for p in folder.iterdir()} - set(sums) - {SUMS}
    problems += [f"{folder / name} is not listed in {SUMS}" for name in sorted(extra)]
    return problems


def check_site(site: Path) -> list[str]:
    """Problems with a built site ([] when it is ready to publish)."""
    site = Path(site).resolve()
    if not (site / "index.html").is_file():
        return [f"{site}/index.html is missing: run `make build` first"]
    problems = []
    pages = {p: _parse(p) for p in sorted(site.rglob("*.html"))}
    for page, parsed in pages.items():
        for tag, url in parsed.links:
            parts = urlsplit(url)
            if parts.scheme in ("http", "https") and tag == "a":
                continue  # a link out, followed only when a reader chooses to
            if parts.scheme == "data" and tag == "link":
                continue  # the empty favicon, which stops a request for /favicon.ico
            if parts.scheme or parts.netloc or url.startswith("/"):
                problems.append(f"{page.name}: <{tag}> {url!r} is not a relative link")
                continue
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if not target.is_relative_to(site.resolve()) or not target.is_file():
                problems.append(f"{page.name}: {url!r} does not resolve inside the site")
            elif parts.fragment and target.suffix == ".html":
                ids = pages[target].ids if target in pages else _parse(target).ids
                if parts.fragment not in ids:
                    problems.append(f"{page.name}: {url!r}: no #{parts.fragment} there")
    return problems + check_sums(site / DOWNLOADS)


def release_assets(dist: Path, tag: str | None = None, root: Path | None = None) -> Path:
    """Copy the built downloads and their SHA256SUMS into dist/release-assets/; return it."""
    dist = Path(dist)
    downloads = dist / "site" / DOWNLOADS
    if not downloads.is_dir():
        raise PublishError(f"{downloads} is missing: run `make build` first")
    if tag is not None:
        package, problems = load_package(Path(root) if root else dist.parent)
        if package is None or problems:
            raise PublishError("the package cannot be loaded; run `jkdata validate`")
        if tag != f"v{package.version}":
            raise PublishError(f"tag {tag} is not v{package.version}, the package's version")
    problems = check_sums(downloads)
    if problems:
        raise PublishError("; ".join(problems))
    target = dist / ASSETS
    staging = Path(tempfile.mkdtemp(prefix=f"{ASSETS}.tmp-", dir=dist))
    try:
        for path in sorted(downloads.iterdir()):
            shutil.copyfile(path, staging / path.name)
        staging.chmod(0o755)
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("check-site", "release-assets"):
        print(__doc__, file=sys.stderr)
        return 2
    command, args = argv[0], argv[1:]
    tag = None
    if "--tag" in args:
        index = args.index("--tag")
        tag = args[index + 1] if index + 1 < len(args) else ""
        del args[index : index + 2]
    try:
        if command == "check-site":
            site = Path(args[0] if args else "dist/site")
            problems = check_site(site)
            for problem in problems:
                print(problem, file=sys.stderr)
            if problems:
                return 1
            print(f"{site} is ready to publish")
            return 0
        target = release_assets(Path(args[0] if args else "dist"), tag or None)
    except PublishError as exc:
        print(f"{command}: {exc}", file=sys.stderr)
        return 1
    names = sorted(p.name for p in target.iterdir())
    print(f"{len(names)} release assets in {target}: {', '.join(names)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
