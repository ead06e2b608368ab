"""docs/codebook.md, rendered from the descriptor and the schemas (never edited by hand)."""

from __future__ import annotations

from jkdata.model.schema import Field, Package
from jkdata.validate.structure import read_table

_CONSTRAINT_WORDS = {
    "required": lambda v: "required" if v else None,
    "unique": lambda v: "unique" if v else None,
    "pattern": lambda v: f"pattern `{v}`",
    "minLength": lambda v: f"≥ {v} characters",
    "maxLength": lambda v: f"≤ {v} characters",
    "minimum": lambda v: f"≥ {v}",
    "maximum": lambda v: f"≤ {v}",
}
# Vocabularies longer than this (ISO country codes) are summarised rather than listed.
_LISTED_VALUES = 40


def _escape(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _constraints(field: Field, primary_key: tuple[str, ...]) -> str:
    words = []
    if field.name in primary_key:
        words.append("primary key" if len(primary_key) == 1 else "part of primary key")
    for key, value in field.constraints.as_json().items():
        if key in _CONSTRAINT_WORDS and (word := _CONSTRAINT_WORDS[key](value)):
            words.append(word)
        elif key == "enum" and not field.categories:
            words.append(
                f"one of {len(value)} codes"
                if len(value) > _LISTED_VALUES
                else "one of " + ", ".join(f"`{v}`" for v in value)
            )
        elif key == "enum":
            words.append("vocabulary below")
    if field.identity:
        words.append(f"identity ({field.identity})")
    return "; ".join(words)


def render_codebook(package: Package) -> str:
    descriptor = package.descriptor
    lines = [
        f"# Codebook: {descriptor.get('title', descriptor.get('name'))}",
        "",
        "<!-- Generated from datapackage.json and schemas/ by `jkdata docs`; do not edit by hand. -->",
        "",
        f"Package `{descriptor.get('name')}`, version {descriptor.get('version')}. {descriptor.get('description', '')}",
        "",
        "Licences: "
        + ", ".join(lic.get("title", lic.get("name", "")) for lic in descriptor.get("licenses", []))
        + ".",
        "",
        "Identity fields (`x-identity`) give a record its meaning — what it is about (for an event: what "
        "happened, to whom, when), never a coder's classification: `exact` — any change of a filled value "
        "is a new meaning; `similar` — text whose new value shares less than half its characters with the old "
        "one is a new meaning; `overlap` — a date whose new span (`date_start`–`date_end`) shares no day with "
        "the old one is a new meaning. Recoding a type, coverage or role is a correction; a link row recoded "
        "keeps its linked IDs. An ID never changes meaning (see CONTRIBUTING.md).",
        "",
        "## Tables",
        "",
        "| table | rows | description |",
        "| --- | ---: | --- |",
    ]
    rows = {}
    for resource in package.resources:
        frame = read_table(resource).frame
        rows[resource.name] = "?" if frame is None else len(frame)
        lines.append(
            f"| [`{resource.name}`](#{resource.name}) | {rows[resource.name]} | {_escape(resource.description)} |"
        )
    for resource in package.resources:
        lines += [
            "",
            f"## {resource.name}",
            "",
            f"**{resource.title or resource.name}.** {resource.description}",
            "",
        ]
        lines.append(
            f"- File: `{resource.path}`; schema: `{resource.schema_path}`; rows: {rows[resource.name]}"
        )
        lines.append(
            f"- Primary key: {', '.join(f'`{k}`' for k in resource.primary_key) or 'none'}"
        )
        for fk in resource.foreign_keys:
            local = ", ".join(f"`{f}`" for f in fk.fields)
            remote = ", ".join(fk.reference_fields)
            lines.append(f"- Foreign key: {local} → `{fk.resource}.{remote}`")
        for key in resource.unique_keys:
            lines.append(f"- Unique: {', '.join(f'`{k}`' for k in key)}")
        lines += ["", "| field | type | constraints | description |", "| --- | --- | --- | --- |"]
        for field in resource.fields:
            lines.append(
                f"| `{field.name}` | {field.type} | {_escape(_constraints(field, resource.primary_key))} | "
                f"**{_escape(field.title)}.** {_escape(field.description)} |"
            )
        for field in resource.fields:
            if not field.categories:
                continue
            lines += ["", f"`{field.name}` values:", "", "| value | meaning |", "| --- | --- |"]
            lines += [f"| `{c.value}` | {_escape(c.label)} |" for c in field.categories]
    return "\n".join(lines + _flat_section(package)) + "\n"


def _flat_section(package: Package) -> list[str]:
    """The columns `jkdata build` joins into events_flat.csv (the workbook's flat sheet, the
    database's flat table)."""
    from jkdata.exports import flat

    own = len(package.resource(flat.ENTITY).fields)
    lines = [
        "",
        f"## {flat.FILE} (built)",
        "",
        f"Built by `jkdata build` into `dist/`, as the `{flat.TABLE}` sheet of the workbook and "
        f"the `{flat.TABLE}` table of the SQLite database too: one row per event, chronological. Its first columns are those of [`{flat.ENTITY}`]"
        f"(#{flat.ENTITY}); then, joined in from the link tables, citations and sources (text, "
        "empty where there is nothing to join):",
        "",
        "| field | type | description |",
        "| --- | --- | --- |",
    ]
    for field in flat.flat_fields(package)[own:]:
        lines.append(f"| `{field.name}` | {field.type} | {_escape(field.description)} |")
    return lines
