"""Generated parts of the documentation, kept current with `--check` (OWID-style).

Blocks between `<!-- generated:NAME -->` and `<!-- end:NAME -->` are rendered from the code and
schemas; hand edits inside them fail the check. Run `python -m jkdata.tools.docs` to rewrite them.
"""

from __future__ import annotations

import re
import shutil
import sys
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


def cli_help(root: Path) -> str:
    from jkdata.cli import cli

    blocks = []
    for words in _commands(cli):
        result = CliRunner().invoke(
            cli, [*words, "--help"], terminal_width=HELP_WIDTH, prog_name="jkdata"
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


README_BLOCKS = {"cli-help": cli_help, "rules": rule_table, "validate-example": validate_example}


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


class DocsError(ValueError):
    """The generated docs cannot be rendered or written (package not loadable, README unreadable)."""


def _read(path: Path, root: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DocsError(f"cannot read {path.relative_to(root)}: {exc.strerror or exc}") from exc


def refresh(root: Path, check: bool = False) -> list[str]:
    """Regenerate the README's blocks, the codebook and .zenodo.json; return the files that are
    (or were) stale.

    Everything is rendered before anything is written: when the package cannot be loaded or a
    file cannot be read, DocsError is raised and no file changes."""
    from jkdata.model.load import load_package
    from jkdata.tools.codebook import render_codebook
    from jkdata.tools.zenodo import FILE as ZENODO
    from jkdata.tools.zenodo import ZenodoError, render_zenodo

    package, problems = load_package(root)
    if package is None or problems:
        raise DocsError("the package cannot be loaded; run `jkdata validate` first")
    readme = root / "README.md"
    text = _read(readme, root)
    fresh = {readme: render(text, README_BLOCKS, root)}
    path = root / CODEBOOK
    fresh[path] = render_codebook(package)
    zenodo = root / ZENODO
    try:
        fresh[zenodo] = render_zenodo(package)
    except ZenodoError as exc:
        raise DocsError(str(exc)) from exc
    current = {
        readme: text,
        path: _read(path, root) if path.is_file() else None,
        zenodo: _read(zenodo, root) if zenodo.is_file() else None,
    }
    stale = {p: t for p, t in fresh.items() if current[p] != t}
    if stale and not check:
        try:
            write_all(stale)
        except OSError as exc:
            raise DocsError(f"cannot write the generated docs: {exc}") from exc
    return [p.relative_to(root).as_posix() for p in stale]


def main(argv: list[str]) -> int:
    check = "--check" in argv
    stale = refresh(Path(__file__).resolve().parents[3], check)
    if check and stale:
        print(f"out of date: {', '.join(stale)}; run `jkdata docs`", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
