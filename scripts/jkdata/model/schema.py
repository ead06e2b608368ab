"""The package's one schema model: the descriptor and its Table Schemas as typed objects.

`jkdata.model.load.load_package` reads and checks the JSON once and builds these objects; every consumer
(the pandera schemas, SQLite DDL, Arrow types, the xlsx writer, Datasette metadata, the codebook,
diff's bump rules, the synthetic generator) derives what it needs from them, so a schema fact is
written in `schemas/*.json` and nowhere else. Modelled on PUDL's metadata classes: plain data
with methods that translate it for each consumer.

Nothing here imports pandas, pyarrow or polars at module level: the model is cheap to load, and
each adapter imports its library when asked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

# The package's domain conventions: which tables hold the evidence and the source documents,
# which field links a record or a link row to its evidence, and the fields that date a record.
CITATIONS = "citations"
ACTORS = "actors"  # who the link tables link to events, agreements and disputes
SOURCES = "sources"
CITATION_FIELD = "citation_id"
DATE_FIELDS = ("date", "date_start", "date_end", "date_precision", "date_basis")
DATE_NOTE = "date_note"
# A citation's own fields: the table and record it is evidence about, and its verbatim quote;
# a source's file in the sources directory, with the checksum and size that identify it.
CITED_TABLE = "table_name"
CITED_RECORD = "record_id"
QUOTE = "quote"
SOURCE_ID = "source_id"  # a citation's source, and the sources' key
SOURCE_FILE = "file_name"
SOURCE_SHA256 = "sha256"
SOURCE_SIZE = "byte_size"

# Boolean cells as Table Schema reads them by default.
DEFAULT_TRUE = ("true", "True", "TRUE", "1")
DEFAULT_FALSE = ("false", "False", "FALSE", "0")


@dataclass(frozen=True)
class FieldType:
    """What one Table Schema type means to each consumer."""

    name: str
    text_pattern: str | None  # the text a cell must match (None: any text, or a calendar check)
    words: str  # the type rule in plain words
    sql: str  # SQLite column type
    graphml: str  # GraphML attribute type
    arrow: str  # pyarrow type factory name (`pyarrow.<arrow>()`)
    pandas: str  # pandas dtype of the typed frame (`read_table`)
    polars: str  # polars dtype name of the typed frame


# Written for frictionless' default formats (bareNumber, ISO dates).
TYPES: dict[str, FieldType] = {
    t.name: t
    for t in (
        FieldType("string", None, "must be text", "TEXT", "string", "string", "string", "String"),
        FieldType(
            "integer",
            r"[+-]?[0-9]+",
            "must be a whole number",
            "INTEGER",
            "long",
            "int64",
            "Int64",
            "Int64",
        ),
        FieldType(
            "number",
            r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?|NaN|INF|-INF",
            "must be a number (digits, optional decimal point)",
            "REAL",
            "double",
            "float64",
            "Float64",
            "Float64",
        ),
        FieldType(
            "boolean",
            None,
            "must be true or false",
            "INTEGER",
            "boolean",
            "bool_",
            "boolean",
            "Boolean",
        ),
        FieldType(
            "date",
            r"[0-9]{4}-[0-9]{2}-[0-9]{2}",
            "must be a real calendar date written YYYY-MM-DD",
            "TEXT",
            "string",
            "date32",
            "datetime64[s]",
            "Date",
        ),
        FieldType(
            "year",
            r"[0-9]{4}",
            "must be a four-digit year",
            "INTEGER",
            "string",
            "int64",
            "Int64",
            "Int64",
        ),
    )
}


@dataclass(frozen=True)
class Category:
    """One value of a controlled vocabulary and what it means."""

    value: str
    label: str = ""


@dataclass(frozen=True)
class Constraints:
    required: bool = False
    unique: bool = False
    pattern: str | None = None
    enum: tuple | None = None  # as written in the schema (text, or numbers for numeric fields)
    min_length: int | None = None
    max_length: int | None = None
    minimum: int | float | str | None = None
    maximum: int | float | str | None = None

    # Table Schema's spelling of each constraint, for messages and descriptors.
    SPELLING = {
        "required": "required",
        "unique": "unique",
        "pattern": "pattern",
        "enum": "enum",
        "min_length": "minLength",
        "max_length": "maxLength",
        "minimum": "minimum",
        "maximum": "maximum",
    }

    @classmethod
    def from_json(cls, constraints: dict) -> Constraints:
        own = {
            ours: constraints[theirs]
            for ours, theirs in cls.SPELLING.items()
            if theirs in constraints
        }
        if "enum" in own:
            own["enum"] = tuple(own["enum"])
        return cls(**own)

    def as_json(self) -> dict:
        """The constraints as a Table Schema writes them (only those that are set)."""
        found = {}
        for ours, theirs in self.SPELLING.items():
            value = getattr(self, ours)
            if value is not None and value is not False:
                found[theirs] = list(value) if ours == "enum" else value
        return found


@dataclass(frozen=True)
class Field:
    name: str
    type: str = "string"
    title: str = ""
    description: str = ""
    constraints: Constraints = field(default_factory=Constraints)
    categories: tuple[Category, ...] = ()
    identity: str | None = None  # `x-identity`: "exact", "similar" or None
    true_values: tuple[str, ...] = DEFAULT_TRUE
    false_values: tuple[str, ...] = DEFAULT_FALSE

    @classmethod
    def from_json(cls, spec: dict) -> Field:
        categories = tuple(
            Category(str(c.get("value")), str(c.get("label", "")))
            if isinstance(c, dict)
            else Category(str(c))
            for c in spec.get("categories", [])
        )
        return cls(
            name=spec["name"],
            type=spec.get("type", "string"),
            title=spec.get("title", "") or "",
            description=spec.get("description", "") or "",
            constraints=Constraints.from_json(spec.get("constraints", {})),
            categories=categories,
            identity=spec.get("x-identity"),
            true_values=tuple(spec.get("trueValues", DEFAULT_TRUE)),
            false_values=tuple(spec.get("falseValues", DEFAULT_FALSE)),
        )

    def as_json(self) -> dict:
        """The field as a Table Schema writes it (for schemas of derived files)."""
        spec = {"name": self.name, "title": self.title, "type": self.type}
        spec["description"] = self.description
        if self.identity:
            spec["x-identity"] = self.identity
        if self.categories:
            spec["categories"] = [{"value": c.value, "label": c.label} for c in self.categories]
        spec["constraints"] = self.constraints.as_json()
        return {k: v for k, v in spec.items() if v not in ("", None)}

    @property
    def kind(self) -> FieldType:
        return TYPES[self.type]

    @property
    def required(self) -> bool:
        return self.constraints.required

    @property
    def vocabulary(self) -> tuple[str, ...] | None:
        """The allowed values as cell text, in schema order; None for a free field."""
        enum = self.constraints.enum
        return None if enum is None else tuple(str(v) for v in enum)

    @property
    def is_vocabulary(self) -> bool:
        return self.vocabulary is not None

    def label_of(self, value: str) -> str:
        """What a vocabulary value means ('' when the schema does not say)."""
        return next((c.label for c in self.categories if c.value == value), "")

    @property
    def text(self) -> str:
        """Title and description as one text ("Title. Description."), for the outputs that
        describe each column in one cell; either part may be missing."""
        title = self.title.strip()
        if title and not title.endswith((".", "?", "!")):
            title += "."
        return " ".join(filter(None, [title, self.description.strip()]))


@dataclass(frozen=True)
class ForeignKey:
    fields: tuple[str, ...]
    resource: str  # the referenced resource (a self-reference is resolved to its own name)
    reference_fields: tuple[str, ...]

    def as_json(self) -> dict:
        return {
            "fields": list(self.fields),
            "reference": {"resource": self.resource, "fields": list(self.reference_fields)},
        }


@dataclass(frozen=True)
class Resource:
    """A tabular resource whose path and Table Schema have been checked."""

    name: str
    path: str  # as written in the descriptor, relative to the package root
    file: Path  # resolved on disk
    schema_path: str | None  # None for an inline schema
    index: int  # position in the descriptor's `resources`
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...] = ()
    unique_keys: tuple[tuple[str, ...], ...] = ()
    foreign_keys: tuple[ForeignKey, ...] = ()
    title: str = ""
    description: str = ""
    # The schema's own `x-` properties (package rules such as `x-evidence`), by name.
    extensions: dict = field(default_factory=dict, repr=False, compare=False)
    # The Table Schema as written: only for frictionless, the independent second engine.
    table_schema: dict = field(default_factory=dict, repr=False, compare=False)

    @cached_property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)

    def roles(self, actors: str) -> tuple[str, str, str] | None:
        """(record field, actor field, role field) of a link between an actors table and one other
        table, read off the keys: the role is the primary key's field that is no foreign key."""
        actor = next((fk.fields[0] for fk in self.foreign_keys if fk.resource == actors), None)
        record = next(
            (
                fk.fields[0]
                for fk in self.foreign_keys
                if fk.resource not in (actors, CITATIONS, self.name) and len(fk.fields) == 1
            ),
            None,
        )
        keyed = {name for fk in self.foreign_keys for name in fk.fields}
        role = next((name for name in self.primary_key if name not in keyed), None)
        return None if None in (actor, record, role) else (record, actor, role)

    def extension(self, key: str) -> dict:
        """An `x-` property of the schema that holds an object ({} when absent or not one)."""
        value = self.extensions.get(key)
        return value if isinstance(value, dict) else {}

    def has(self, name: str) -> bool:
        return name in self.field_names

    @property
    def label(self) -> str:
        """How reports name the table: its data file."""
        return self.path

    @property
    def dated(self) -> bool:
        """Whether its records carry the package's date fields."""
        return all(self.has(n) for n in DATE_FIELDS)

    @property
    def cites(self) -> bool:
        """Whether each row names its evidence (a link table's `citation_id`)."""
        return self.has(CITATION_FIELD) and self.name != CITATIONS

    def nullable(self, fld: Field) -> bool:
        return not (fld.required or fld.name in self.primary_key)

    def keys_json(self) -> dict[str, list]:
        """The primary, foreign and unique keys as a Table Schema writes them."""
        return {
            "primaryKey": list(self.primary_key),
            "foreignKeys": [fk.as_json() for fk in self.foreign_keys],
            "uniqueKeys": [list(k) for k in self.unique_keys],
        }


@dataclass
class Package:
    root: Path
    descriptor: dict  # the descriptor as read: package metadata, and frictionless' input
    resources: list[Resource] = field(default_factory=list)
    # Every resource name in the descriptor, including those that failed to load.
    declared: set[str] = field(default_factory=set)

    def resource(self, name: str) -> Resource | None:
        return next((r for r in self.resources if r.name == name), None)

    def referrers(self, name: str) -> list[tuple[Resource, ForeignKey]]:
        """The foreign keys that point into a table."""
        return [(r, fk) for r in self.resources for fk in r.foreign_keys if fk.resource == name]

    @property
    def cited_tables(self) -> list[str]:
        """The tables whose records need evidence: those the citations' `table_name` may name."""
        citations = self.resource(CITATIONS)
        if citations is None or not citations.has(CITED_TABLE):
            return []
        return list(citations.field(CITED_TABLE).vocabulary or ())

    # Package metadata, as the exports show it.
    @property
    def name(self) -> str:
        return self.descriptor.get("name", "")

    @property
    def title(self) -> str:
        return self.descriptor.get("title") or self.name

    @property
    def version(self) -> str:
        return self.descriptor.get("version", "")

    @property
    def licenses(self) -> list[dict]:
        return [lic for lic in self.descriptor.get("licenses", []) if isinstance(lic, dict)]


def resource_from_schema(
    name: str,
    path: str,
    file: Path,
    schema: dict,
    schema_path: str | None,
    index: int,
    entry: dict,
) -> Resource:
    """Build the typed resource from a descriptor entry and its Table Schema, both checked."""
    return Resource(
        name=name,
        path=path,
        file=file,
        schema_path=schema_path,
        index=index,
        fields=tuple(Field.from_json(f) for f in schema["fields"]),
        primary_key=_names(schema.get("primaryKey")),
        unique_keys=tuple(_names(k) for k in schema.get("uniqueKeys", [])),
        foreign_keys=tuple(
            ForeignKey(
                fields=_names(fk["fields"]),
                resource=fk["reference"].get("resource") or name,
                reference_fields=_names(fk["reference"]["fields"]),
            )
            for fk in schema.get("foreignKeys", [])
        ),
        title=entry.get("title", "") or "",
        description=entry.get("description", "") or "",
        extensions={k: v for k, v in schema.items() if k.startswith("x-")},
        table_schema=schema,
    )


def _names(value) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)
