"""`actors_network.graphml`: actors as nodes, co-participation as weighted, undirected edges.

Two actors are linked once for every event, agreement or dispute they share (through the link
tables whose other side is `actors`); `weight` is the total and one attribute per linked table
counts each kind. Node attributes are the actors schema's fields, typed from it. Nodes come in
file order and edges sorted by their two IDs, so the file is the same on every build.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter
from itertools import combinations
from pathlib import Path

from jkdata.exports.dataset import Dataset
from jkdata.exports.views import labels, link_tables

ENTITY = "actors"
FILE = "actors_network.graphml"
# What `write` makes in dist/, each with what it is for (the README's Downloads table).
FILES = {FILE: "the actors' network, for Gephi"}
GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns"


def co_participation(dataset: Dataset) -> dict[str, Counter]:
    """Linked table → Counter of (actor, actor) pairs (sorted IDs) sharing a record of it."""
    shared: dict[str, Counter] = {}
    for link in link_tables(dataset.package):
        if ENTITY not in (side[0] for side in link.sides):
            continue
        mine, other, other_field = link.other(ENTITY)
        frame = dataset.text[link.resource.name][[other_field, mine]].drop_duplicates()
        pairs: Counter = Counter()
        for _, actors in frame.groupby(other_field, sort=True)[mine]:
            pairs.update(combinations(sorted(set(actors)), 2))
        shared[other] = pairs
    return shared


def _key(parent, key_id: str, target: str, name: str, kind: str) -> None:
    ET.SubElement(
        parent, "key", {"id": key_id, "for": target, "attr.name": name, "attr.type": kind}
    )


def _data(parent, key_id: str, value) -> None:
    if value is None:
        return
    ET.SubElement(parent, "data", {"key": key_id}).text = (
        str(value).lower() if isinstance(value, bool) else str(value)
    )


def graph(dataset: Dataset) -> ET.Element:
    resource = dataset.resource(ENTITY)
    shared = co_participation(dataset)
    root = ET.Element("graphml", {"xmlns": GRAPHML_NS})
    node_keys = []
    for i, field in enumerate(resource.fields):
        key_id = f"n{i}"
        _key(root, key_id, "node", field.name, field.kind.graphml)
        node_keys.append(key_id)
    _key(root, "label", "node", "label", "string")  # what Gephi shows on a node
    _key(root, "weight", "edge", "weight", "double")
    for kind in shared:
        _key(root, f"e_{kind}", "edge", kind, "long")
    body = ET.SubElement(root, "graph", {"id": ENTITY, "edgedefault": "undirected"})
    key = resource.primary_key[0]
    names = labels(dataset, ENTITY)
    for record in dataset.rows(ENTITY):
        values = dict(zip(resource.field_names, record, strict=True))
        node = ET.SubElement(body, "node", {"id": values[key]})
        for key_id, value in zip(node_keys, record, strict=True):
            _data(node, key_id, value.isoformat() if hasattr(value, "isoformat") else value)
        _data(node, "label", names[values[key]])
    pairs = sorted(set().union(*shared.values())) if shared else []
    for a, b in pairs:
        edge = ET.SubElement(body, "edge", {"id": f"{a}--{b}", "source": a, "target": b})
        counts = {kind: shared[kind][(a, b)] for kind in shared}
        _data(edge, "weight", float(sum(counts.values())))
        for kind, count in counts.items():
            _data(edge, f"e_{kind}", count)
    return root


def write(dataset: Dataset, out: Path) -> list[str]:
    tree = ET.ElementTree(graph(dataset))
    ET.indent(tree)
    tree.write(out / FILE, encoding="utf-8", xml_declaration=True)
    return [FILE]
