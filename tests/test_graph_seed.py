"""Navigating the seed inquiring line through the graph."""

from __future__ import annotations

from inquiry.graph.build import load
from inquiry.graph.queries import cocited, hubs, local_graph, neighbors, path, render_local

RLVR = "Does RLVR actually expand what models can reason about?"
RLAG = "Can reinforcement learning embed domain knowledge more effectively than supervised fine-tuning?"
QUESTION = "Can reinforcement learning close the gap between LLM reasoning and action?"


def test_neighbors_of_the_rlvr_note_show_its_inquiry_and_claims(seeded_notebook):
    nb = seeded_notebook
    note = nb.resolve_id(RLVR)
    found = neighbors(load(nb), note)
    groups = {(g["direction"], g["kind"]): g for g in found["groups"]}
    citing = groups["in", "cites"]
    assert [(i["kind"], i["title"]) for i in citing["items"]] == [("inquiry", QUESTION)]
    assert citing["items"][0]["edge"]["paragraphs"] == [1]  # the "But here's the twist" paragraph
    claims = [i["title"] for i in groups["out", "asserts"]["items"]]
    assert claims == [c.text for c in sorted(nb.list_claims(note_id=note), key=lambda c: c.id)]
    assert any("base models outperform RLVR models at high k" in c for c in claims)


def test_path_from_rlag_to_rlvr_runs_through_the_inquiry(seeded_notebook):
    nb = seeded_notebook
    graph = load(nb)
    found = path(graph, nb.resolve_id(RLAG), nb.resolve_id(RLVR))
    assert [n["title"] for n in found["nodes"]] == [RLAG, QUESTION, RLVR]
    assert found["explained"] == "inquiry cites note, inquiry cites note"
    assert found["steps"][0]["src"] == nb.resolve_id(QUESTION)


def test_cocitation_counts_separate_same_paragraph(seeded_notebook):
    nb = seeded_notebook
    rows = {r["title"]: r for r in cocited(load(nb), nb.resolve_id(RLVR))}
    assert len(rows) == 9  # every other note of the one inquiry
    assert {t for t, r in rows.items() if r["same_paragraph"]} == {
        "What does reward learning actually do to model reasoning?",
        "Do base models already contain hidden reasoning ability?",
        "Does reinforcement learning update only a small fraction of parameters?",
    }
    assert all(r["inquiries"] == 1 for r in rows.values())


def test_hubs_and_local_graph_on_the_seed(seeded_notebook):
    nb = seeded_notebook
    graph = load(nb)
    assert {h["used_by"] for h in hubs(graph)} == {1} and len(hubs(graph)) == 10
    # per node: the note's two claims, the note the "But…" paragraph contrasts it with, and its inquiry
    local = local_graph(graph, nb.resolve_id(RLVR), radius=2, per_node=4)
    inquiry = nb.resolve_id(QUESTION)
    assert local.depth[inquiry] == 1
    assert local.hidden[inquiry] == 10 - 6  # ten notes: the centre, the contrasted note and four more shown
    text = render_local(local)
    assert text.splitlines()[0] == f"{RLVR} [note · untested]"
    assert f"└─ ← lists-source, cites: {QUESTION[:69]}… [inquiry]" in text.splitlines()
    assert "… 4 more not shown" in text
