"""`.zenodo.json`: the metadata Zenodo's GitHub integration reads when it archives a release.

Zenodo reads `.zenodo.json` when the repository has one (it then ignores CITATION.cff), so this
file is generated from CITATION.cff (title, authors, version, date, licence, keywords, abstract)
by `jkdata docs`, which `jkdata release` runs after the version changes; `jkdata docs --check`
(in `make test`) fails when it is out of date.
"""

from __future__ import annotations

import json

import yaml

from jkdata.model.schema import Package

FILE = ".zenodo.json"
CITATION = "CITATION.cff"


class ZenodoError(ValueError):
    pass


def _creator(author) -> dict:
    if isinstance(author, dict) and author.get("name"):
        creator = {"name": str(author["name"])}
    elif isinstance(author, dict):
        creator = {"name": f"{author.get('family-names', '')}, {author.get('given-names', '')}"}
    else:
        creator = {"name": str(author)}
    if isinstance(author, dict) and author.get("orcid"):
        creator["orcid"] = str(author["orcid"]).rsplit("/", 1)[-1]
    if isinstance(author, dict) and author.get("affiliation"):
        creator["affiliation"] = str(author["affiliation"])
    return creator


def render_zenodo(package: Package) -> str:
    """The .zenodo.json text for the package (CITATION.cff beside it gives the facts)."""
    try:
        cff = yaml.safe_load((package.root / CITATION).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ZenodoError(f"cannot read {CITATION}: {exc}") from exc
    if not isinstance(cff, dict):
        raise ZenodoError(f"{CITATION} is not a mapping")
    if str(cff.get("version")) != package.version:
        raise ZenodoError(
            f"{CITATION} has version {cff.get('version')}, datapackage.json {package.version}"
        )
    metadata = {
        "title": cff.get("title") or package.title,
        "upload_type": "dataset",
        "description": cff.get("abstract") or package.descriptor.get("description", ""),
        "creators": [_creator(a) for a in cff.get("authors") or []],
        "version": package.version,
        "publication_date": str(cff.get("date-released", "")),
        "license": str(cff.get("license", "")).lower(),
        "access_right": "open",
        "keywords": [str(k) for k in cff.get("keywords") or []],
    }
    if cff.get("doi"):
        metadata["doi"] = str(cff["doi"])
    return json.dumps(metadata, ensure_ascii=False, indent=2) + "\n"
