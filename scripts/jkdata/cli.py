"""The `jkdata` command: a thin click layer over the library functions.

Exit codes: 0 valid, 1 invalid data, 2 unusable invocation (click's usage errors),
3 an internal error (a bug: please report it).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from . import __version__

EXIT_INVALID = 1
EXIT_INTERNAL = 3


def _package_dir(path: Path) -> Path:
    # Accept the descriptor itself as well as its directory.
    return path.parent if path.is_file() else path


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="jkdata")
def cli():
    """Tools for the Japan–South Korea relations data package."""


@cli.command()
@click.argument(
    "package_dir",
    default=".",
    type=click.Path(exists=True, path_type=Path),
)
@click.option(
    "--sources-dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Directory with the source texts, to check checksums and that every quote is verbatim. "
    "Default: ../shared/seeds beside the package, when it exists.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text: one line per problem; json: a machine-readable report.",
)
@click.option(
    "--frictionless",
    type=click.Choice(["auto", "always", "never"]),
    default="auto",
    show_default=True,
    help="Also check every row with frictionless (auto: for packages up to 100,000 rows).",
)
def validate(package_dir: Path, sources_dir: Path | None, output_format: str, frictionless: str):
    """Validate the data package in PACKAGE_DIR (default: the current directory).

    Checks the descriptor and schemas, CSV structure and hygiene, types, constraints, primary,
    unique and foreign keys, date consistency, that every record has evidence, and (with the
    source texts) that every quote is verbatim. Prints one line per problem: file, row as a
    spreadsheet shows it, column, value and the rule broken. Exits 0 when valid, 1 when not.
    """
    from .quotes import default_sources_dir
    from .validate import validate_package

    root = _package_dir(package_dir)
    if sources_dir is None:
        sources_dir = default_sources_dir(root)
    try:
        report = validate_package(root, sources_dir=sources_dir, frictionless=frictionless)
    except Exception as exc:  # a bug, not bad data: say so without a wall of traceback
        if os.environ.get("JKDATA_DEBUG"):
            raise
        click.echo(
            f"internal error: {type(exc).__name__}: {exc} (set JKDATA_DEBUG=1 for details)",
            err=True,
        )
        sys.exit(EXIT_INTERNAL)

    if output_format == "json":
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        _print_text(report)
    sys.exit(0 if report.valid else EXIT_INVALID)


@cli.command()
@click.argument(
    "package_dir",
    default=".",
    type=click.Path(exists=True, path_type=Path),
)
@click.option(
    "--dist",
    "dist_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where to write the outputs. Default: dist/ in PACKAGE_DIR.",
)
@click.option(
    "--sources-dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Directory with the source texts, for the validation that runs first. "
    "Default: ../shared/seeds beside the package, when it exists.",
)
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
    """
    import time

    from .build import DOCS_PICTURE, InvalidPackage
    from .build import build as build_package
    from .exports import BuildError
    from .quotes import default_sources_dir

    root = _package_dir(package_dir)
    if sources_dir is None:
        sources_dir = default_sources_dir(root)
    started = time.monotonic()
    try:
        result = build_package(root, dist_dir, sources_dir=sources_dir, refresh_docs=not check)
    except InvalidPackage as exc:
        _print_text(exc.report)
        click.echo("nothing built: dist/ is left as it was")
        sys.exit(EXIT_INVALID)
    except BuildError as exc:
        click.echo(f"build failed: {exc}; dist/ is left as it was", err=True)
        sys.exit(EXIT_INVALID)
    except Exception as exc:  # a bug, not bad data
        if os.environ.get("JKDATA_DEBUG"):
            raise
        click.echo(
            f"internal error: {type(exc).__name__}: {exc} (set JKDATA_DEBUG=1 for details); "
            "dist/ is left as it was",
            err=True,
        )
        sys.exit(EXIT_INTERNAL)

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


def _print_text(report) -> None:
    from .problems import format_problem

    for problem in report.problems:
        click.echo(format_problem(problem))
    tables, rows = len(report.rows), sum(report.rows.values())
    files = len({p.file for p in report.problems})
    if report.valid:
        click.echo(f"valid: {tables} tables, {rows} rows, no problems")
    else:
        noun = "problem" if len(report.problems) == 1 else "problems"
        click.echo(
            f"invalid: {len(report.problems)} {noun} in {files} file{'s' if files != 1 else ''} ({tables} tables, {rows} rows)"
        )
    for note in report.notes:
        click.echo(f"  {note}")


if __name__ == "__main__":
    cli()
