"""The `jkdata` command: a thin click layer over the library functions.

Exit codes: 0 valid, 1 invalid data, 2 unusable invocation (click's usage errors),
3 an internal error (a bug: please report it).
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from pathlib import Path

import click

EXIT_INVALID = 1
EXIT_INTERNAL = 3


def _package_dir(path: Path) -> Path:
    # Accept the descriptor itself as well as its directory.
    return path.parent if path.is_file() else path


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="jkdata", prog_name="jkdata")
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
    help="frictionless always checks the descriptor and schemas; 'always' also checks every "
    "row with it, as a second engine (slow: row by row). auto: rows by the vectorised checks.",
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
    _use_jemalloc()
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
    from .synthetic import generate

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


def main() -> None:
    """The `jkdata` command. Once the command has finished and its output is flushed, the process
    ends without tearing down the interpreter: freeing a large package's columns object by
    object would take a noticeable part of a second for nothing."""
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
