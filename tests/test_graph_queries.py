"""Graph queries on the hand-built notebook, and on a hub too big to list."""

from __future__ import annotations

import itertools
import random

import networkx as nx
import pytest
from fixture_graph import hand_built

from inquiry.errors import NotFound
from inquiry.graph.build import load
from inquiry.graph.queries import (
    central,
    cocited,
    cocited_in_store,
    local_graph,
    near_duplicates,
    neighbors,
    orphans,
    path,
    placeholders,
)
from inquiry.store import Notebook


@pytest.fixture
def graph(tmp_path):
    nb = hand_built(Notebook.open(tmp_path / "nb"))
    yield load(nb)
    nb.close()


@pytest.fixture
def hub() -> nx.MultiDiGraph:
    """One note cited by 5,000 inquiries, each of which cites one ordinary note of its own."""
    g = nx.MultiDiGraph()
    g.add_node("note:hub", kind="note", title="Hub?", status="untested")
    for i in range(5000):
        g.add_node(f"inq:{i:04d}", kind="inquiry", title=f"Q{i}?", status="")
        g.add_node(f"note:{i:04d}", kind="note", title=f"N{i}?", status="untested")
        g.add_edge(f"inq:{i:04d}", "note:hub", key="cites", kind="cites", state="accepted", paragraphs=[0])
        g.add_edge(f"inq:{i:04d}", f"note:{i:04d}", key="cites", kind="cites", state="accepted", paragraphs=[1])
    return g


def test_neighbors_page_through_a_hub(hub):
    first = neighbors(hub, "note:hub", limit=10)
    (group,) = first["groups"]
    assert (group["direction"], group["kind"], group["total"]) == ("in", "cites", 5000)
    assert [i["id"] for i in group["items"]] == [f"inq:{i:04d}" for i in range(10)]
    later = neighbors(hub, "note:hub", limit=10, offset=4995)["groups"][0]["items"]
    assert [i["id"] for i in later] == [f"inq:{i:04d}" for i in range(4995, 5000)]


def test_neighbors_keep_the_neighbour_id_apart_from_the_edge_row_id(tmp_path):
    nb = hand_built(Notebook.open(tmp_path / "nb"))
    (row_id,) = [r["id"] for r in nb.db.query("SELECT id FROM edges WHERE kind = 'contradicts'")]
    found = neighbors(load(nb), "claim:supported/1")
    groups = {(g["direction"], g["kind"]): g for g in found["groups"]}
    (item,) = groups["in", "contradicts"]["items"]
    assert item["id"] == "claim:contradicted/1" and item["title"] == "contradicted claim 1."
    assert item["edge"] == {"id": row_id, "state": "accepted", "why": "same benchmark, opposite sign"}
    nb.close()


def test_cocitation_by_sql_agrees_with_the_graph(tmp_path):
    nb = hand_built(Notebook.open(tmp_path / "nb"))
    graph = load(nb)
    notes = [n for n, kind in graph.nodes(data="kind") if kind == "note"]
    for note in notes:
        by_graph = [(c["id"], c["title"], c["inquiries"], c["same_paragraph"]) for c in cocited(graph, note, 5)]
        by_sql = [(c["id"], c["title"], c["inquiries"], c["same_paragraph"]) for c in cocited_in_store(nb, note, 5)]
        assert by_sql == by_graph, note
    assert any(c["inquiries"] == 2 for c in cocited_in_store(nb, "note:supported"))  # main and its twin
    nb.close()


def test_local_graph_of_a_hub_is_capped_and_counts_the_rest(hub):
    local = local_graph(hub, "note:hub", radius=2, per_node=10)
    assert sorted(local.depth.values()) == [0] + [1] * 10 + [2] * 10  # ten citers, each with its own note
    assert local.hidden == {"note:hub": 4990}
    assert len(local_graph(hub, "note:hub", per_node=100, max_nodes=60).depth) == 60
    assert all(local.graph.has_edge(n, "note:hub") for n, d in local.depth.items() if d == 1)
    assert local_graph(hub, "note:hub", radius=99).radius == 4


def test_path_through_a_hub_and_none_between_strangers(hub):
    found = path(hub, "note:0007", "note:4321")
    assert [n["id"] for n in found["nodes"]] == ["note:0007", "inq:0007", "note:hub", "inq:4321", "note:4321"]
    assert found["explained"] == "inquiry cites note, inquiry cites note, inquiry cites note, inquiry cites note"
    hub.add_node("note:alone", kind="note", title="Alone?", status="")
    assert path(hub, "note:0007", "note:alone")["nodes"] == []


def test_path_ignores_suggested_relations_unless_asked(graph):
    graph.add_edge("claim:mixed/1", "claim:split/1", key="supports", kind="supports", state="suggested")
    around = path(graph, "claim:mixed/1", "claim:split/1")
    assert [n["id"] for n in around["nodes"]] == [
        "claim:mixed/1",
        "note:mixed",
        "inq:main",
        "note:split",
        "claim:split/1",
    ]
    assert around["explained"] == "note asserts claim, inquiry cites note, inquiry cites note, note asserts claim"
    direct = path(graph, "claim:mixed/1", "claim:split/1", include_suggested=True)
    assert direct["explained"] == "claim supports claim"
    via = path(graph, "claim:contradicted/1", "claim:supported/1")
    assert via["explained"] == "claim contradicts claim"
    assert "contradicted claim 1." in via["steps"][0]["text"]


def test_orphans_placeholders_and_near_duplicates(graph):
    assert [o["id"] for o in orphans(graph)] == ["note:orphan"]
    (ph,) = placeholders(graph)
    assert (ph["id"], ph["referenced_by"], ph["by"]) == ("note:placeholder", 1, ["inq:main"])
    assert near_duplicates(graph) == []  # the twin cites 4 of main's 8 notes: Jaccard 0.5
    (pair,) = near_duplicates(graph, threshold=0.5)
    assert {pair["a"]["id"], pair["b"]["id"]} == {"inq:main", "inq:twin"}
    assert (pair["shared"], pair["jaccard"]) == (4, 0.5)
    with pytest.raises(ValueError, match="threshold"):
        near_duplicates(graph, threshold=0)


@pytest.mark.parametrize("threshold", [0.3, 0.6, 0.8])
def test_near_duplicates_agree_with_brute_force(threshold):
    rng = random.Random(7)
    g = nx.MultiDiGraph()
    popular = [f"note:{i}" for i in range(40)]
    cited = {}
    for q in range(120):
        notes = set(rng.choices(popular, weights=[1 / (i + 1) for i in range(40)], k=rng.randint(2, 9)))
        cited[f"inq:{q}"] = notes
        g.add_node(f"inq:{q}", kind="inquiry", title=f"Q{q}?", status="")
        for note in notes:
            g.add_node(note, kind="note", title=note, status="")
            g.add_edge(f"inq:{q}", note, key="cites", kind="cites", state="accepted")
    expected = {
        frozenset((a, b))
        for a, b in itertools.combinations(cited, 2)
        if len(cited[a] & cited[b]) / len(cited[a] | cited[b]) >= threshold
    }
    found = {frozenset((p["a"]["id"], p["b"]["id"])) for p in near_duplicates(g, threshold)}
    assert found == expected and expected


def test_central_ranks_the_most_cited_note_first(graph):
    top = central(graph, limit=3, kind="note")
    assert top[0]["id"] == "note:untested"  # cited by all three inquiries
    assert all(t["kind"] == "note" for t in top)
    assert top[0]["pagerank"] > top[1]["pagerank"] > 0


def test_unknown_node_is_a_clear_error(graph):
    with pytest.raises(NotFound, match="note:nope"):
        neighbors(graph, "note:nope")
