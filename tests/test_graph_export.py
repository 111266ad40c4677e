"""Export for other tools, and the ``inquiry graph`` commands end to end."""

from __future__ import annotations

import json

import networkx as nx
import pytest
from click.testing import CliRunner
from fixture_graph import hand_built

from inquiry.cli import cli
from inquiry.graph.build import load
from inquiry.graph.interchange import dot_text, export
from inquiry.store import Notebook


@pytest.fixture
def nb(tmp_path):
    notebook = hand_built(Notebook.open(tmp_path / "nb"))
    yield notebook
    notebook.close()


def test_graphml_reads_back_with_attributes(nb, tmp_path):
    graph = load(nb)
    back = nx.read_graphml(export(graph, tmp_path / "g.graphml", "graphml"), force_multigraph=True)
    assert back.number_of_nodes() == graph.number_of_nodes()
    assert back.number_of_edges() == graph.number_of_edges()
    assert back.nodes["note:split"] == {"kind": "note", "title": "Split note?", "status": "mixed", "placeholder": False}
    assert back.edges["inq:main", "note:split", "cites"]["paragraphs"] == "2"
    assert (
        back.edges["claim:contradicted/1", "claim:supported/1", "contradicts"]["why"] == "same benchmark, opposite sign"
    )


def test_node_link_json_reads_back_identical(nb, tmp_path):
    graph = load(nb)
    data = json.loads(export(graph, tmp_path / "g.json", "json").read_text())
    back = nx.node_link_graph(data, edges="edges")
    assert nx.utils.graphs_equal(back, graph)
    assert back.nodes["claim:running/1"]["status"] == "running"


def test_dot_names_every_node_and_dashes_suggestions(nb):
    graph = load(nb)
    graph.add_edge("claim:mixed/1", "claim:split/1", key="supports", kind="supports", state="suggested")
    text = dot_text(graph)
    assert text.startswith("digraph inquiry {") and text.rstrip().endswith("}")
    assert '"note:split" [label="Split note?", kind="note", status="mixed"];' in text
    assert '"claim:mixed/1" -> "claim:split/1" [label="supports", state="suggested", style="dashed"];' in text
    assert text.count(" -> ") == graph.number_of_edges()


def test_graph_commands_answer_in_json(nb, tmp_path):
    base = ["--notebook", str(nb.path), "--json", "graph"]

    def run(*args):
        result = CliRunner().invoke(cli, [*base, *args])
        assert result.exit_code == 0, result.output
        return json.loads(result.output)

    groups = {(g["direction"], g["kind"]): g["total"] for g in run("neighbors", "Split note?")["groups"]}
    assert groups == {("in", "cites"): 1, ("out", "asserts"): 2}
    assert run("local", "note:split", "-r", "1")["center"] == "note:split"
    assert run("path", "note:split", "note:mixed")["explained"] == "inquiry cites note, inquiry cites note"
    assert run("cocited", "note:mixed")[0]["inquiries"] == 2
    assert run("hubs", "--limit", "1")[0] == {
        "id": "note:untested",
        "kind": "note",
        "title": "Untested note?",
        "status": "untested",
        "used_by": 3,
    }
    assert run("central", "--kind", "note", "--limit", "1")[0]["id"] == "note:untested"
    assert [o["id"] for o in run("orphans")] == ["note:orphan"]
    assert [p["id"] for p in run("placeholders")] == ["note:placeholder"]
    assert len(run("duplicates", "--threshold", "0.5")) == 1
    written = run("export", "--format", "dot", "-o", str(tmp_path / "g.dot"))
    assert written["edges"] == (tmp_path / "g.dot").read_text().count(" -> ")


def test_graph_commands_render_for_people(nb):
    result = CliRunner().invoke(cli, ["--notebook", str(nb.path), "graph", "local", "note:split"])
    assert result.exit_code == 0
    assert result.output.splitlines()[0] == "Split note? [note · mixed]"
    missing = CliRunner().invoke(cli, ["--notebook", str(nb.path), "graph", "neighbors", "Nothing like this"])
    assert missing.exit_code == 1 and "nothing in the notebook matches" in missing.output
