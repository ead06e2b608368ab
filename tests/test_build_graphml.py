"""actors_network.graphml: actors as nodes, shared events, agreements and disputes as weighted edges."""

from __future__ import annotations

from collections import Counter
from itertools import combinations

import networkx as nx
import pytest

from conftest import csv_rows, schema_of

LINKS = {
    "events": ("event_actors", "event_id"),
    "agreements": ("agreement_actors", "agreement_id"),
    "disputes": ("dispute_actors", "dispute_id"),
}


@pytest.fixture(scope="module")
def graph(built):
    return nx.read_graphml(built / "actors_network.graphml")


def expected_pairs() -> dict[str, Counter]:
    """Computed from the CSVs directly: pairs of distinct actors sharing a record."""
    found = {}
    for kind, (table, key) in LINKS.items():
        members: dict[str, set] = {}
        for row in csv_rows(table):
            members.setdefault(row[key], set()).add(row["actor_id"])
        found[kind] = Counter(
            p for group in members.values() for p in combinations(sorted(group), 2)
        )
    return found


def test_every_actor_is_a_node_with_its_fields(graph):
    actors = csv_rows("actors")
    assert not graph.is_directed()
    assert list(graph.nodes) == [a["actor_id"] for a in actors]
    for actor in actors:
        node = graph.nodes[actor["actor_id"]]
        assert node["label"] == actor["name"]
        for field in schema_of("actors")["fields"]:
            assert node.get(field["name"]) == actor[field["name"]]
    assert graph.nodes["AC-0001"]["name_native"] == "이재명"
    assert graph.nodes["AC-0002"]["name_native"] == "石破茂"


def test_edges_are_co_participation_weighted_by_shared_records(graph):
    pairs = expected_pairs()
    every = set().union(*pairs.values())
    assert {tuple(sorted(edge)) for edge in graph.edges} == every
    for a, b in every:
        data = graph.edges[a, b]
        for kind in LINKS:
            assert data[kind] == pairs[kind][(a, b)], (a, b, kind)
        assert data["weight"] == sum(pairs[kind][(a, b)] for kind in LINKS)
    # Japan and South Korea share an event, an agreement and all three disputes.
    assert graph.edges["AC-0003", "AC-0004"]["weight"] >= 5
