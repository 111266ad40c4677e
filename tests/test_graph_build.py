"""The graph mirrors the store: built lazily, then kept in step with writes without rebuilding."""

from __future__ import annotations

import networkx as nx
import pytest
from fixture_graph import hand_built

from inquiry.graph.build import KnowledgeGraph, bulk_add_edges, graph_for, load
from inquiry.models import Citation, Claim, Edge, EdgeKind, EdgeState, ImportBatch, Inquiry, Note
from inquiry.relations import add_relation, reject
from inquiry.store import Notebook


@pytest.fixture
def nb(tmp_path):
    notebook = hand_built(Notebook.open(tmp_path / "nb"))
    yield notebook
    notebook.close()


def _snapshot(graph: nx.MultiDiGraph):
    return (
        dict(graph.nodes(data=True)),
        sorted((u, v, k, sorted(a.items())) for u, v, k, a in graph.edges(keys=True, data=True)),
    )


def test_nodes_and_edges_carry_kind_title_status(nb):
    graph = load(nb)
    assert graph.nodes["inq:main"] == {"kind": "inquiry", "title": "Does RL add reasoning?", "status": ""}
    assert graph.nodes["note:split"] == {
        "kind": "note",
        "title": "Split note?",
        "status": "mixed",
        "placeholder": False,
    }
    assert graph.nodes["note:placeholder"]["placeholder"] is True
    assert graph.nodes["claim:mixed/1"]["status"] == "mixed"
    assert graph.edges["inq:main", "note:inconclusive", "cites"]["paragraphs"] == [2]
    relation = graph.edges["claim:contradicted/1", "claim:supported/1", "contradicts"]
    assert relation["why"] == "same benchmark, opposite sign" and relation["state"] == "accepted"
    runs = [v for _, v, k in graph.out_edges("claim:mixed/1", keys=True) if k == "tested-by"]
    assert sorted(graph.nodes[r]["verdict"] for r in runs) == ["contradicts", "inconclusive", "supports"]


def test_graph_follows_writes_and_matches_a_rebuild(nb):
    kg = graph_for(nb)
    graph = kg.graph
    nb.apply(
        ImportBatch(
            inquiries=[Inquiry(id="inq:new", question="Is it memory?", essay=["Memory Orphan note?."])],
            notes=[Note(id="note:placeholder", title="Placeholder note?", summary="Now described.")],
            claims=[Claim(id="claim:placeholder/1", note_id="note:placeholder", text="Filled in.")],
            citations=[
                Citation(inquiry_id="inq:new", note_id="note:orphan", paragraph=0, sentence="Memory", start=7, end=19)
            ],
        )
    )
    add_relation(nb, "claim:placeholder/1", "claim:mixed/1", "refines", why="narrower setting")
    suggestion = nb.add_edge(
        Edge(
            src="claim:running/1",
            dst="claim:split/1",
            kind=EdgeKind.CONTRADICTS,
            state=EdgeState.SUGGESTED,
            provenance="importer:contrast-cue",
        )
    )
    assert graph.edges["claim:running/1", "claim:split/1", "contradicts"]["state"] == "suggested"
    reject(nb, suggestion)
    assert not graph.has_edge("claim:running/1", "claim:split/1")
    nb.apply(ImportBatch(notes=[Note(id="note:running", title="Running note?")], claims=[]))
    assert graph.edges["inq:new", "note:orphan", "cites"]["paragraphs"] == [0]
    assert graph.nodes["note:placeholder"]["placeholder"] is False
    assert kg.builds == 1 and kg.graph is graph
    assert _snapshot(graph) == _snapshot(KnowledgeGraph(nb).graph)


def test_a_dropped_claim_leaves_the_graph(nb):
    graph = load(nb)
    nb.apply(
        ImportBatch(
            notes=[Note(id="note:placeholder", title="Placeholder note?", summary="S.")],
            claims=[Claim(id="claim:placeholder/1", note_id="note:placeholder", text="One.")],
        )
    )
    nb.apply(ImportBatch(claims=[Claim(id="claim:placeholder/2", note_id="note:placeholder", text="Two.")]))
    assert "claim:placeholder/1" not in graph and "claim:placeholder/2" in graph
    assert _snapshot(graph) == _snapshot(KnowledgeGraph(nb).graph)


def test_bulk_add_edges_equals_networkx(nb):
    edges = [(u, v, k, dict(a)) for u, v, k, a in load(nb).edges(keys=True, data=True)]
    fast, slow = nx.MultiDiGraph(), nx.MultiDiGraph()
    bulk_add_edges(fast, [(u, v, k, dict(a)) for u, v, k, a in edges])
    slow.add_edges_from(edges)
    assert nx.utils.graphs_equal(fast, slow)
    fast.remove_edge(*edges[0][:3])  # networkx's own mutators still work on what bulk_add_edges built
    assert not fast.has_edge(*edges[0][:3])
