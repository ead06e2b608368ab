"""The validated package in memory, as every export sees it: resources, text and typed frames.

Everything an export needs about the package (name, version, dates, licence, citation) is taken
from the descriptor here, once, so no output carries a wall-clock timestamp.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from jkdata.model.links import safe_link
from jkdata.model.load import load_package
from jkdata.model.schema import Package, Resource
from jkdata.model.values import typed_frame
from jkdata.validate.structure import read_table


@dataclass
class Dataset:
    package: Package
    text: dict[str, pd.DataFrame]  # cells exactly as in the CSV (missing as NA), per resource
    typed: dict[str, pd.DataFrame]  # the same converted to each field's type

    @property
    def root(self) -> Path:
        return self.package.root

    @property
    def descriptor(self) -> dict:
        return self.package.descriptor

    @property
    def resources(self) -> list[Resource]:
        return self.package.resources

    def resource(self, name: str) -> Resource:
        found = self.package.resource(name)
        if found is None:
            raise KeyError(f"the package has no resource {name!r}")
        return found

    def title_of(self, name: str) -> str:
        """A resource's title as the descriptor gives it (its name when it has none)."""
        return self.resource(name).title or name

    def column(self, name: str, field: str) -> dict:
        """Record ID → the text of one field, for a table with a one-field primary key."""
        frame = self.text[name]
        values = frame[field].astype(object).where(frame[field].notna(), None)
        return dict(zip(frame[self.resource(name).primary_key[0]], values, strict=True))

    @property
    def name(self) -> str:
        return self.package.name

    @property
    def version(self) -> str:
        return self.package.version or "0.0.0"

    @property
    def title(self) -> str:
        return self.package.title

    @property
    def created(self) -> dt.datetime:
        """The package's `created` time (UTC): the one date every output may carry."""
        value = self.descriptor.get("created", "1980-01-01T00:00:00Z")
        stamp = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        if stamp.tzinfo is None:
            stamp = stamp.replace(tzinfo=dt.UTC)
        return stamp.astimezone(dt.UTC)

    @property
    def license(self) -> dict:
        licenses = self.descriptor.get("licenses") or [{}]
        return licenses[0]

    @property
    def license_url(self) -> str:
        """The licence's link, only when it is safe to show as one (see `links`)."""
        return safe_link(self.license.get("path"))

    @property
    def license_title(self) -> str:
        return self.license.get("title") or self.license.get("name", "see LICENSE-DATA.md")

    @property
    def authors(self) -> str:
        people = self.descriptor.get("contributors") or []
        return ", ".join(p.get("title", "") for p in people if p.get("title")) or self.name

    def citation(self) -> str:
        """How to cite the dataset, in one line (CITATION.cff holds the same facts)."""
        return (
            f"{self.authors} ({self.created.year}). {self.title}. Version {self.version}. "
            f"Licence: {self.license_title}."
        )

    def rows(self, name: str) -> list[tuple]:
        """A table's rows as plain Python values: str, int, float, bool, datetime.date or None."""
        frame = self.typed[name]
        columns = []
        for field in self.resource(name).fields:
            values = frame[field.name]
            if field.type == "date":
                values = values.dt.date
            columns.append(values.astype(object).where(values.notna(), None).tolist())
        return list(zip(*columns, strict=True))


def load_dataset(root: Path) -> Dataset:
    """Read a package that `validate_package` has passed; structural failures here are bugs."""
    package, problems = load_package(root)
    if package is None or problems:
        raise ValueError("the package must be valid before it is built")
    text, typed = {}, {}
    for resource in package.resources:
        table = read_table(resource)
        if table.frame is None:
            raise ValueError(f"{resource.path} could not be read")
        text[resource.name] = table.frame
        typed[resource.name] = typed_frame(table.frame, resource)
    return Dataset(package, text, typed)
