"""Generated parts of the documentation, kept current with `--check` (OWID-style).

Blocks between `<!-- generated:NAME -->` and `<!-- end:NAME -->` are rendered from the code and
schemas; hand edits inside them fail the check. Run `jkdata docs` to rewrite them.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import click
from click.testing import CliRunner

from jkdata.files import write_all

HELP_WIDTH = 80


def _commands(group: click.Group, prefix=()):
    yield list(prefix)
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            yield from _commands(command, (*prefix, name))
        else:
            yield [*prefix, name]


def cli_help(commands: click.Group) -> str:
    """Every command's `--help`, as the CLI prints it."""
    blocks = []
    for words in _commands(commands):
        result = CliRunner().invoke(
            commands, [*words, "--help"], terminal_width=HELP_WIDTH, prog_name="jkdata"
        )
        blocks.append(f"```text\n$ {' '.join(['jkdata', *words, '--help'])}\n{result.output}```")
    return "\n\n".join(blocks)


def rule_table(root: Path) -> str:
    """Every rule in the registry: its code, the stage that checks it, what it means."""
    from jkdata.rules_registry import RULES

    rows = [f"| `{r.code}` | {r.stage} | {r.description} |" for r in RULES.values()]
    return "\n".join(["| rule | stage | what it means |", "| --- | --- | --- |", *rows])


# The README's example of a report: the package with one event's type misspelt.
EXAMPLE_EDIT = ("data/events.csv", ",speech,", ",lecture,")


def validate_example(root: Path) -> str:
    """What `jkdata validate` prints for the package at root with EXAMPLE_EDIT made (on a copy;
    without the notes, which depend on where the source texts are)."""
    import tempfile

    from jkdata.validate.run import validate_package

    name, old, new = EXAMPLE_EDIT
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "package"
        shutil.copytree(root / "data", copy / "data")
        shutil.copytree(root / "schemas", copy / "schemas")
        shutil.copy2(root / "datapackage.json", copy / "datapackage.json")
        text = (copy / name).read_text(encoding="utf-8")
        if old not in text:
            raise ValueError(f"the README's example edit finds no {old!r} in {name}")
        (copy / name).write_text(text.replace(old, new, 1), encoding="utf-8")
        report = validate_package(copy, sources_dir=None)
    lines = report.text_lines(notes=False)
    return "\n".join(["```text", "$ jkdata validate", *lines, "```"])


def _count(number: int, name: str) -> str:
    noun = name.replace("_", " ")
    return f"{number} {noun if number != 1 else noun.removesuffix('s')}"


def _and(items: list[str]) -> str:
    return " and ".join([", ".join(items[:-1]), items[-1]] if len(items) > 1 else items)


def summary(root: Path) -> str:
    """What the package holds, counted from the data: its records (the tables the citations
    cite, each with a one-field key), their span of dates, the quotes and their sources, and how
    many dates of the first dated table are coarse or inferred."""
    from jkdata.exports.dataset import load_dataset
    from jkdata.model.schema import CITATIONS, SOURCES

    dataset = load_dataset(root)
    frames = dataset.text
    package = dataset.package
    records = [
        r for r in package.resources if r.name in package.cited_tables and len(r.primary_key) == 1
    ]
    counts = _and([_count(len(frames[r.name]), r.name) for r in records])
    dated = [r for r in records if r.dated]
    starts = [d for r in dated for d in frames[r.name]["date_start"].dropna()]
    ends = [d for r in dated for d in frames[r.name]["date_end"].dropna()]
    span = f", dated {min(starts)[:4]} to {max(ends)[:4]}" if starts and ends else ""
    text = (
        f"**{counts}**{span}, backed by {_count(len(frames[CITATIONS]), 'verbatim_quotes')} "
        f"from **{_count(len(frames[SOURCES]), 'source_documents')}**."
    )
    if dated:
        first = dated[0]
        frame = frames[first.name]
        precision, basis = first.field("date_precision"), first.field("date_basis")
        finest, stated = precision.vocabulary[0], basis.vocabulary[0]
        coarse = int((frame["date_precision"] != finest).sum())
        inferred = int((frame["date_basis"] != stated).sum())
        text += (
            f" {coarse} of the {len(frame)} {first.name} are dated only to the "
            f"{_and(list(precision.vocabulary[1:])).replace(' and ', ' or the ')}, and "
            f"{inferred} have a date inferred from context rather than stated."
        )
    return text


def read_excel_snippet(root: Path) -> str:
    """The README's `read_excel` snippet: every text field with a pattern (IDs and codes such as
    cameo_code "04", which a spreadsheet reader would turn into numbers) read as text."""
    from jkdata.model.load import load_package

    package, _ = load_package(root)
    resource = package.resources[0]
    text = [f.name for f in resource.fields if f.type == "string" and f.constraints.pattern]
    dtype = ", ".join(f'"{name}": "string"' for name in text)
    return "\n".join(
        [
            "```python",
            "import pandas as pd",
            "",
            "events = pd.read_excel(",
            '    "dist/japan-korea-relations.xlsx",',
            f'    sheet_name="{resource.name}",',
            f"    dtype={{{dtype}}},",
            ")",
            "```",
        ]
    )


# LibreOffice's CSV import options: comma, double quote, UTF-8 (76), from line 1, then a format
# per column: 2 Text, 5 a date as YMD.
LIBREOFFICE_CSV = "CSV:44,34,76,1,{columns}"
LIBREOFFICE_FORMATS = {"string": 2, "date": 5}


def libreoffice_command(root: Path) -> str:
    """The command that turns the flat CSV into a workbook with LibreOffice, reading it as UTF-8
    with every text column as text (so `04` and `1998-10` stay as written, and no cell is run as
    a formula) and dates as dates: the column formats come from the flat file's schema."""
    from jkdata.exports import flat
    from jkdata.model.load import load_package

    package, _ = load_package(root)
    fields = flat.flat_resource(package).fields
    columns = "/".join(
        f"{i}/{LIBREOFFICE_FORMATS[f.type]}"
        for i, f in enumerate(fields, 1)
        if f.type in LIBREOFFICE_FORMATS
    )
    option = LIBREOFFICE_CSV.format(columns=columns)
    return "\n".join(
        [
            "```sh",
            f"soffice --headless --infilter='{option}' \\",
            f"  --convert-to xlsx --outdir converted dist/{flat.FILE}",
            "```",
        ]
    )


def downloads(root: Path) -> str:
    """The README's Downloads table: every file a build writes, as its exporter declares it."""
    from jkdata.exports import shown_path
    from jkdata.exports.build import EXPORTS
    from jkdata.model.load import load_package

    package, _ = load_package(root)
    rows = ["| file | for |", "| --- | --- |"]
    for export in EXPORTS:
        for path, use in export.FILES.items():
            rows.append(f"| `dist/{shown_path(path, package.name)}` | {use} |")
    return "\n".join(rows)


README_BLOCKS = {
    "downloads": downloads,
    "summary": summary,
    "read-excel": read_excel_snippet,
    "libreoffice": libreoffice_command,
}
VALIDATION_BLOCKS = {"rules": rule_table, "validate-example": validate_example}
# Every file with generated blocks, and the blocks it holds.
GENERATED = {
    Path("README.md"): README_BLOCKS,
    Path("docs/validation.md"): VALIDATION_BLOCKS,
}


def render(text: str, blocks: dict, root: Path) -> str:
    """Replace each generated block's body with its freshly rendered content."""
    for name, make in blocks.items():
        pattern = re.compile(rf"(<!-- generated:{name} -->\n).*?(<!-- end:{name} -->)", re.S)
        if not pattern.search(text):
            raise ValueError(f"no generated:{name} block")
        body = make(root)
        text = pattern.sub(lambda m, body=body: m.group(1) + body + "\n" + m.group(2), text)
    return text


def update(path: Path, blocks: dict, check: bool, root: Path | None = None) -> bool:
    """Rewrite the file (or, with check, only compare), its blocks rendered from the package at
    root (by default the file's directory). Returns True when it was current."""
    text = path.read_text(encoding="utf-8")
    fresh = render(text, blocks, root or path.parent)
    if fresh == text:
        return True
    if not check:
        path.write_text(fresh, encoding="utf-8")
    return False


CODEBOOK = Path("docs/codebook.md")
CLI_REFERENCE = Path("docs/cli.md")


class DocsError(ValueError):
    """The generated docs cannot be rendered or written (package not loadable, README unreadable)."""


def _read(path: Path, root: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DocsError(f"cannot read {path.relative_to(root)}: {exc.strerror or exc}") from exc


def refresh(root: Path, check: bool = False, commands: click.Group | None = None) -> list[str]:
    """Regenerate the generated blocks (README.md, docs/validation.md, and with the CLI's
    `commands` its reference in docs/cli.md), the codebook and .zenodo.json; return the files
    that are (or were) stale. The CLI hands itself in: the docs describe it, it does not import
    them back.

    Everything is rendered before anything is written: when the package cannot be loaded or a
    file cannot be read, DocsError is raised and no file changes."""
    from jkdata.model.load import load_package
    from jkdata.tools.codebook import render_codebook
    from jkdata.tools.zenodo import FILE as ZENODO
    from jkdata.tools.zenodo import ZenodoError, render_zenodo

    package, problems = load_package(root)
    if package is None or problems:
        raise DocsError("the package cannot be loaded; run `jkdata validate` first")
    fresh, current = {}, {}
    generated = dict(GENERATED)
    if commands is not None:
        generated[CLI_REFERENCE] = {"cli-help": lambda _root: cli_help(commands)}
    for name, blocks in generated.items():
        path = root / name
        current[path] = _read(path, root)
        fresh[path] = render(current[path], blocks, root)
    path = root / CODEBOOK
    fresh[path] = render_codebook(package)
    current[path] = _read(path, root) if path.is_file() else None
    zenodo = root / ZENODO
    try:
        fresh[zenodo] = render_zenodo(package)
    except ZenodoError as exc:
        raise DocsError(str(exc)) from exc
    current[zenodo] = _read(zenodo, root) if zenodo.is_file() else None
    stale = {p: t for p, t in fresh.items() if current[p] != t}
    if stale and not check:
        try:
            write_all(stale)
        except OSError as exc:
            raise DocsError(f"cannot write the generated docs: {exc}") from exc
    return [p.relative_to(root).as_posix() for p in stale]
