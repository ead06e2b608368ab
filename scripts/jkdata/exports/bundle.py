"""`<name>-<version>.zip`: the release bundle, with a SHA256SUMS file to check it against.

It holds the descriptor and every data and schema file it names, the README (and the picture it
shows, as built), the documents it links to, CHANGELOG, CITATION.cff and the licences, and in
`dist/` the files a spreadsheet user opens first (the flat file, its Excel copy and the
workbook), where the README says they are, all under one folder `<name>-<version>/`.
Entries are sorted and carry the package's `created` date and fixed permissions, so the zip is
byte-identical across builds.
"""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

from jkdata.exports import BuildError, flat, xlsx
from jkdata.exports.dataset import Dataset
from jkdata.exports.picture import FILE as PICTURE
from jkdata.model.load import DESCRIPTOR

DOCUMENTS = (
    "README.md",
    "CHANGELOG.md",
    "CITATION.cff",
    "CONTRIBUTING.md",
    "LICENSE",
    "LICENSE-DATA.md",
    # The documents the README links to, so that every link works in the unpacked bundle.
    "docs/codebook.md",
    "docs/cli.md",
    "docs/validation.md",
    "docs/benchmarks.md",
    "docs/scaling.md",
)
PICTURE_IN_DOCS = "docs/timeline.png"  # where the README expects the picture
SUMS = "SHA256SUMS"
# What `write` makes in dist/, each with what it is for (the README's Downloads table).
FILES = {
    "{name}-{version}.zip": "the release: data, documentation, spreadsheet files and `SHA256SUMS`"
}


def file_name(dataset: Dataset) -> str:
    return f"{dataset.name}-{dataset.version}.zip"


def contents(dataset: Dataset, out: Path) -> dict[str, bytes]:
    """Path inside the bundle → bytes, for every file but SHA256SUMS."""
    paths = {DESCRIPTOR, *DOCUMENTS}
    for resource in dataset.resources:
        paths.add(resource.path)
        if resource.schema_path:
            paths.add(resource.schema_path)
    missing = sorted(p for p in paths if not (dataset.root / p).is_file())
    if missing:
        raise BuildError(f"the release bundle needs {', '.join(missing)} in {dataset.root}")
    files = {path: (dataset.root / path).read_bytes() for path in paths}
    files[PICTURE_IN_DOCS] = (out / PICTURE).read_bytes()
    # Without these a reader of the zip has only CSVs, which Excel misreads (see the README).
    for name in built_for_spreadsheets(dataset):
        files[f"dist/{name}"] = (out / name).read_bytes()
    return files


def built_for_spreadsheets(dataset: Dataset) -> list[str]:
    """The built files the zip ships in `dist/`: the flat file, its Excel copy, the workbook."""
    return [flat.FILE, flat.EXCEL_FILE, xlsx.file_name(dataset)]


def sha256sums(files: dict[str, bytes]) -> bytes:
    lines = [
        f"{hashlib.sha256(data).hexdigest()}  {path}\n" for path, data in sorted(files.items())
    ]
    return "".join(lines).encode("utf-8")


def write(dataset: Dataset, out: Path) -> list[str]:
    files = contents(dataset, out)
    files[SUMS] = sha256sums(files)
    folder = file_name(dataset).removesuffix(".zip")
    stamp = dataset.created.timetuple()[:6]
    name = file_name(dataset)
    with zipfile.ZipFile(out / name, "w") as archive:
        for path in sorted(files):
            info = zipfile.ZipInfo(f"{folder}/{path}", date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix, whichever system builds it
            info.external_attr = 0o644 << 16
            archive.writestr(info, files[path], compresslevel=9)
    return [name]
