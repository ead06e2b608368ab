"""The `jkdata` command: a thin click layer over the library functions.

Exit codes: 0 valid, 1 invalid data, 2 unusable invocation (click's usage errors, a version that
is not SemVer, a data directory `fmt` cannot write), 3 an internal error (a bug: please report it).
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from pathlib import Path

import click

EXIT_INVALID = 1
EXIT_UNUSABLE = (
    2  # as click's usage errors: the command cannot run as asked (here, where it writes)
)
EXIT_INTERNAL = 3


def _package_dir(path: Path) -> Path:
    """The package directory: the path itself, or the directory of the descriptor given."""
    from jkdata.model.load import DESCRIPTOR

    if not path.is_file():
        return path
    if path.name != DESCRIPTOR:
        raise click.BadParameter(
            f"{path} is a file; give the package's directory or its {DESCRIPTOR}",
            param_hint="PACKAGE_DIR",
        )
    return path.parent


def _package_argument(dir_only: bool = False):
    """PACKAGE_DIR, default the current directory; some commands also take the descriptor's path."""
    return click.argument(
        "package_dir",
        default=".",
        type=click.Path(exists=True, file_okay=not dir_only, path_type=Path),
    )


def _format_option(readable: str, what: str):
    """--format: a readable report (the default) or JSON for machines."""
    return click.option(
        "--format",
        "output_format",
        type=click.Choice([readable, "json"]),
        default=readable,
        show_default=True,
        help=f"{what}; json: a machine-readable report.",
    )


def _sources_dir_option(purpose: str):
    return click.option(
        "--sources-dir",
        type=click.Path(exists=True, file_okay=False, path_type=Path),
        help=f"Directory with the source texts, {purpose}. "
        "Default: ../shared/seeds beside the package, when it exists.",
    )


def _root_and_sources(package_dir: Path, sources_dir: Path | None) -> tuple[Path, Path | None]:
    from jkdata.validate.quotes import default_sources_dir

    root = _package_dir(package_dir)
    return root, sources_dir if sources_dir is not None else default_sources_dir(root)


def _internal_error(exc: Exception, consequence: str = "") -> None:
    """A bug, not bad data: say so in one line (the traceback with JKDATA_DEBUG=1) and exit 3."""
    if os.environ.get("JKDATA_DEBUG"):
        raise exc
    click.echo(
        f"internal error: {type(exc).__name__}: {exc} (set JKDATA_DEBUG=1 for details){consequence}",
        err=True,
    )
    sys.exit(EXIT_INTERNAL)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="jkdata", prog_name="jkdata")
def cli():
    """Tools for the Japan–South Korea relations data package."""
    # pandera runs a few hundred small polars queries on a small package; polars' default engine
    # then costs ~0.5 ms a query, the in-memory engine ~0.1 ms (the same results). Read by polars
    # when it is imported, later; a value the user set is kept.
    os.environ.setdefault("POLARS_ENGINE_AFFINITY", "in-memory")


@cli.command()
@_package_argument()
@_sources_dir_option("to check checksums and that every quote is verbatim")
@_format_option("text", "text: one line per problem")
@click.option(
    "--frictionless",
    type=click.Choice(["auto", "always", "never"]),
    default="auto",
    show_default=True,
    help="frictionless always checks the descriptor and schemas; 'always' also checks every "
    "row with it, as a second engine (slow: row by row). auto: rows by the pandera schemas.",
)
def validate(package_dir: Path, sources_dir: Path | None, output_format: str, frictionless: str):
    """Validate the data package in PACKAGE_DIR (default: the current directory).

    Checks the descriptor and schemas, CSV structure and hygiene, types, constraints, primary,
    unique and foreign keys, date consistency, that every record has evidence, and (with the
    source texts) that every quote is verbatim. Prints one line per problem: file, row as a
    spreadsheet shows it, column, value and the rule broken. Exits 0 when valid, 1 when not, 2
    on a usage error (a bad option, no such directory, a data file instead of the package), 3
    on an internal error.
    """
    from jkdata.validate.run import validate_package

    root, sources_dir = _root_and_sources(package_dir, sources_dir)
    _use_jemalloc()
    try:
        report = validate_package(root, sources_dir=sources_dir, frictionless=frictionless)
    except Exception as exc:
        _internal_error(exc)

    if output_format == "json":
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        _print_text(report)
    sys.exit(0 if report.valid else EXIT_INVALID)


@cli.command()
@_package_argument()
@_sources_dir_option("whose sentences are counted")
@_format_option("text", "text: a summary per source and its uncited sentences")
def coverage(package_dir: Path, sources_dir: Path | None, output_format: str):
    """Show how much of each source text the citations cover.

    Splits each source into sentences (paragraphs by line, then at . ? ! before a capital or a
    quote, not after abbreviations such as U.S. or Aug.) and counts a sentence as cited when a
    citation quote of that source covers at least 20 of its characters, or all of a shorter
    one. Prints, per source, the sentences cited and their share, then every uncited sentence
    with its number and line. Exits 0; 1 when the package or a source text cannot be read; 2
    when there is no sources directory.
    """
    from jkdata.tools.coverage import CoverageError, format_text, package_coverage

    root, sources_dir = _root_and_sources(package_dir, sources_dir)
    if sources_dir is None:
        raise click.UsageError(
            "no sources directory: give --sources-dir (../shared/seeds beside the package does not exist)"
        )
    try:
        report = package_coverage(root, sources_dir)
    except CoverageError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_INVALID)
    except Exception as exc:
        _internal_error(exc)
    if output_format == "json":
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        for line in format_text(report):
            click.echo(line)
    sys.exit(EXIT_INVALID if report.problems else 0)


@cli.command()
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--events",
    type=click.IntRange(min=10),
    default=10_000,
    show_default=True,
    help="How many events; the other tables grow with it (about 5.4 rows in all per event).",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed.")
@click.option(
    "--bad",
    is_flag=True,
    help="Inject a known list of errors, one per class of problem; their places are written "
    "to OUT_DIR/expected-problems.json.",
)
@click.option(
    "--template",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=".",
    show_default=True,
    help="The package whose descriptor and schemas the synthetic package uses.",
)
def synth(out_dir: Path, events: int, seed: int, bad: bool, template: Path):
    """Write a synthetic package with N events into OUT_DIR, for benchmarks and tests.

    Every row satisfies every rule `jkdata validate` checks; the source texts its quotes come
    from are written to OUT_DIR/sources (validate with --sources-dir OUT_DIR/sources).
    """
    from jkdata.tools.synthetic import generate

    try:
        generated = generate(out_dir, events, seed=seed, bad=bad, template=template)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    if bad:
        expected = [
            dict(zip(("file", "row", "column", "rule"), problem, strict=True))
            for problem in sorted(generated.expected)
        ]
        (out_dir / "expected-problems.json").write_text(json.dumps(expected, indent=2) + "\n")
    rows = sum(generated.rows.values())
    click.echo(f"wrote {len(generated.rows)} tables, {rows} rows to {out_dir}")
    click.echo(f"validate with: jkdata validate {out_dir} --sources-dir {generated.sources_dir}")


def _use_jemalloc() -> None:
    """pyarrow's default allocator (mimalloc) hands freed pages back to the system at once; with
    hundreds of megabytes of columns passing through, faulting them in again costs seconds of
    system time on a large package. jemalloc keeps them for a moment and reuses them."""
    import pyarrow

    with contextlib.suppress(NotImplementedError, AttributeError):  # built without jemalloc
        pyarrow.set_memory_pool(pyarrow.jemalloc_memory_pool())


def _print_text(report) -> None:
    for line in report.text_lines():
        click.echo(line)


@cli.command()
@_package_argument(dir_only=True)
@click.option(
    "--check", is_flag=True, help="Change nothing; exit 1 if any file is not in canonical form."
)
def fmt(package_dir: Path, check: bool):
    """Rewrite the CSVs in canonical form (the only command that edits data).

    Every file is checked first: when one cannot be formatted, none is rewritten; when the data
    directory cannot be written, none is either (exit 2). Canonical: the schema's header, rows ordered by ID (numerically), cells in Unicode NFC with
    surrounding whitespace trimmed, LF line ends, minimal quoting, UTF-8 without BOM.
    """
    from jkdata.problems import text_lines
    from jkdata.tools.fmt import FormatError, format_dir

    try:
        result = format_dir(package_dir, check=check)
    except FormatError as exc:  # the directory, not the data: not "invalid" (1)
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_UNUSABLE)
    if result.problems:
        for line in text_lines(result.problems):
            click.echo(line)
        click.echo(
            "cannot format: fix the problems above first (see `jkdata validate`); "
            "no file was rewritten"
        )
        sys.exit(EXIT_INVALID)
    verb = "would reformat" if check else "reformatted"
    for path in result.changed:
        click.echo(f"{verb} {path}")
    if not result.changed:
        click.echo("all files are in canonical form")
    sys.exit(EXIT_INVALID if check and result.changed else 0)


@cli.command()
@click.argument("old_ref", default="HEAD")
@click.argument("new_ref", required=False)
@click.option(
    "--package-dir",
    default=".",
    show_default=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="The package directory inside the git repository.",
)
@_format_option("markdown", "markdown: a readable report")
@click.option(
    "--check",
    is_flag=True,
    help="Exit 1 when the version bump is smaller than the change requires.",
)
def diff(old_ref: str, new_ref: str | None, package_dir: Path, output_format: str, check: bool):
    """Compare the package at git ref OLD_REF (default HEAD) with NEW_REF (default: the working tree).

    Reports added, removed and changed records by ID with field-level before → after, schema
    changes, and the smallest version bump the change requires (major for a removed field or ID,
    a tightened constraint or an ID whose meaning changed; minor for new tables, fields, records;
    patch for corrections). Exits 1 when a side cannot be read or paired up (run `jkdata
    validate` on it), 2 on an unknown ref or outside git.
    """
    from jkdata.tools.diff import DiffError, UnreadablePackage, diff_refs, to_markdown

    try:
        result = diff_refs(package_dir, old_ref, new_ref)
    except UnreadablePackage as exc:  # the data, not the command line: say so, exit 1
        click.echo(f"cannot compare: {exc}", err=True)
        sys.exit(EXIT_INVALID)
    except DiffError as exc:
        raise click.UsageError(str(exc)) from exc
    if output_format == "json":
        click.echo(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(to_markdown(result), nl=False)
    sys.exit(EXIT_INVALID if check and not result.ok else 0)


def _strict_version(ctx, param, value: str | None) -> str | None:
    """Refuse a malformed version before anything is read or written (exit 2)."""
    from jkdata.tools.diff import parse_version

    if value is not None and parse_version(value) is None:
        raise click.BadParameter(
            f"{value!r} is not a version MAJOR.MINOR.PATCH as SemVer writes it (digits only, "
            "no leading zeros, no spaces); nothing was written"
        )
    return value


@cli.command()
@_package_argument(dir_only=True)
@click.option(
    "--bump",
    type=click.Choice(["patch", "minor", "major"]),
    help="Which part of the version to raise.",
)
@click.option(
    "--version",
    "new_version",
    callback=_strict_version,
    help="An explicit new version, MAJOR.MINOR.PATCH (SemVer: digits, no leading zeros).",
)
@click.option(
    "--date",
    "release_date",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="The release date (default: today).",
)
@_sources_dir_option("to check every quote before the release (required: found or given)")
def release(
    package_dir: Path,
    bump: str | None,
    new_version: str | None,
    release_date,
    sources_dir: Path | None,
):
    """Release a new version: datapackage.json, CITATION.cff, CHANGELOG.md (and pyproject.toml,
    for `jkdata --version`) all get it.

    Validates first and refuses an invalid package; moves the CHANGELOG's Unreleased items under
    the new version and date, regenerates the codebook and the README picture, and rebuilds
    dist/ with the release zip and its SHA256SUMS. Give --bump or --version. Refused (exit 2)
    when no sources directory is found: every release has its quotes checked; refused (exit 1)
    when the bump is smaller than the changes since the last release's tag (v<current version>)
    need, as `jkdata diff` rates them.
    """
    from jkdata.tools.release import ReleaseError
    from jkdata.tools.release import release as make_release
    from jkdata.validate.run import validate_package

    if (bump is None) == (new_version is None):
        raise click.UsageError("give exactly one of --bump or --version")
    package_dir, sources_dir = _root_and_sources(package_dir, sources_dir)
    if sources_dir is None:
        raise click.UsageError(
            "no sources directory: give --sources-dir (../shared/seeds beside the package does "
            "not exist); a release needs every quote checked against its source text"
        )
    from jkdata.exports.build import UnsafeDist, check_dist
    from jkdata.tools.docs import refresh

    try:
        check_dist(package_dir, package_dir / "dist", sources_dir)
    except UnsafeDist as exc:
        raise click.UsageError(f"release refused: {exc}") from exc
    report = validate_package(package_dir, sources_dir=sources_dir)
    if not report.valid:
        _print_text(report)
        click.echo("release refused: the package is not valid")
        sys.exit(EXIT_INVALID)
    try:
        refresh(
            package_dir, check=True, commands=cli
        )  # the docs can be regenerated after the release
    except ValueError as exc:
        click.echo(f"release refused: {exc}")
        sys.exit(EXIT_INVALID)
    try:
        version, compared = make_release(
            package_dir,
            bump=bump,
            version=new_version,
            date=release_date.date() if release_date else None,
        )
    except ReleaseError as exc:
        click.echo(f"release refused: {exc}")
        sys.exit(EXIT_INVALID)
    click.echo(f"released {version}: datapackage.json, CITATION.cff and CHANGELOG.md updated")
    click.echo(compared)
    # The codebook and the README picture show the version; the bundle carries it in its name.
    from jkdata.exports.build import build as build_package

    for path in refresh(package_dir, commands=cli):
        click.echo(f"regenerated {path}")
    result = build_package(package_dir, sources_dir=sources_dir)
    bundle = next(name for name in result.files if name.endswith(f"-{version}.zip"))
    click.echo(f"built {result.dist / bundle} (with SHA256SUMS)")
    click.echo(
        f"next: git commit -am 'Release {version}' && git tag -a v{version} -m 'Release {version}'"
    )


@cli.command()
@_package_argument(dir_only=True)
@click.option(
    "--check", is_flag=True, help="Change nothing; exit 1 if a generated file is out of date."
)
def docs(package_dir: Path, check: bool):
    """Regenerate docs/codebook.md and the README's generated blocks from the schemas and code."""
    from jkdata.tools.docs import refresh

    try:
        stale = refresh(package_dir, check=check, commands=cli)
    except ValueError as exc:  # DocsError, or a README without a generated block
        click.echo(f"error: {exc}; nothing was written", err=True)
        sys.exit(EXIT_INVALID)
    for path in stale:
        click.echo(f"{'out of date' if check else 'regenerated'}: {path}")
    if not stale:
        click.echo("generated docs are current")
    sys.exit(EXIT_INVALID if check and stale else 0)


@cli.command()
@_package_argument()
@click.option(
    "--dist",
    "dist_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where to write the outputs (default: dist/ in PACKAGE_DIR). It is replaced whole, so "
    "it must be new, empty or made by an earlier build (marked by a .jkdata-build file), and "
    "apart from the package's own files.",
)
@_sources_dir_option("for the validation that runs first")
@click.option(
    "--check",
    is_flag=True,
    help="Leave docs/timeline.png alone and exit 1 if it differs from the picture just built.",
)
def build(package_dir: Path, dist_dir: Path | None, sources_dir: Path | None, check: bool):
    """Validate the package, then build every output into dist/.

    Writes the flat events CSV (and an Excel copy), an xlsx workbook, a SQLite database with
    Datasette metadata, Parquet files, a TimelineJS timeline.json, a self-contained
    timeline.html, the actors network as GraphML, the timeline picture and the release zip.
    Nothing is written when the package is invalid; a failed build leaves the previous dist/
    untouched. Also refreshes docs/timeline.png (the README picture) unless --check is given.

    The output directory replaces the previous one whole, so a --dist is refused (exit 2, nothing
    deleted) when it is or holds the package, is, holds or lies inside one of its files (data/,
    schemas/, docs/, the descriptor, README...), or is a non-empty directory no build made.
    """
    import time

    from jkdata.exports import BuildError
    from jkdata.exports.build import DOCS_PICTURE, InvalidPackage, UnsafeDist
    from jkdata.exports.build import build as build_package

    root, sources_dir = _root_and_sources(package_dir, sources_dir)
    started = time.monotonic()
    try:
        result = build_package(root, dist_dir, sources_dir=sources_dir, refresh_docs=not check)
    except UnsafeDist as exc:
        raise click.UsageError(f"refusing to build: {exc}; nothing was deleted") from exc
    except InvalidPackage as exc:
        _print_text(exc.report)
        click.echo("nothing built: dist/ is left as it was")
        sys.exit(EXIT_INVALID)
    except BuildError as exc:
        click.echo(f"build failed: {exc}; dist/ is left as it was", err=True)
        sys.exit(EXIT_INVALID)
    except Exception as exc:
        _internal_error(exc, "; dist/ is left as it was")

    _print_text(result.report)
    for name, size in result.sizes():
        click.echo(f"  {size:>12,}  {name}")
    seconds = time.monotonic() - started
    click.echo(f"built {len(result.files)} files into {result.dist} in {seconds:.1f} s")
    if result.picture_written:
        click.echo(f"updated {DOCS_PICTURE}: commit it")
    elif not result.picture_current:
        click.echo(f"{DOCS_PICTURE} is out of date: run `make build` and commit it", err=True)
        sys.exit(EXIT_INVALID)


def main() -> None:
    """The `jkdata` command. Once the command has finished and its output is flushed, the process
    ends without tearing down the interpreter: freeing a large package's columns object by
    object would take a noticeable part of a second for nothing."""
    # numpy's OpenBLAS threads spin while waiting for work; nothing here needs linear algebra.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    try:
        cli()
    except SystemExit as exc:
        code = exc.code
        if code is None:
            code = 0
        elif not isinstance(code, int):  # click passes messages this way
            print(code, file=sys.stderr)
            code = 1
    else:
        code = 0
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing left to say
            stream.flush()
    os._exit(code)


if __name__ == "__main__":
    main()
