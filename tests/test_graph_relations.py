"""Claim relations: the seed's contrast cue suggests them, the user reviews them or adds their own."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from inquiry.cli import cli
from inquiry.errors import NotFound
from inquiry.graph.build import load
from inquiry.relations import BadRelation, accept, add_relation, list_relations, reject

TWIST_NOTE = "Does RLVR actually expand what models can reason about?"
LEAD_NOTE = "Can language modeling close the knowing-doing gap in AI?"


def test_twist_paragraph_suggests_note_contrasts_for_review(seeded_notebook, tmp_path):
    nb = seeded_notebook
    (suggested,) = list_relations(nb, suggested=True)
    assert suggested["kind"] == "contrasts-with"
    assert (suggested["src_text"], suggested["dst_text"]) == (TWIST_NOTE, LEAD_NOTE)
    assert suggested["why"].startswith("But here's the twist")
    assert list_relations(nb) == []

    graph = load(nb)
    assert graph.edges[suggested["src"], suggested["dst"], "contrasts-with"]["state"] == "suggested"
    assert accept(nb, suggested["id"])["state"] == "accepted"
    assert [r["id"] for r in list_relations(nb)] == [suggested["id"]] and list_relations(nb, suggested=True) == []
    assert graph.edges[suggested["src"], suggested["dst"], "contrasts-with"]["state"] == "accepted"
    assert reject(nb, suggested["id"])["state"] == "rejected"
    assert not graph.has_edge(suggested["src"], suggested["dst"], "contrasts-with")


def test_user_relations_are_validated(seeded_notebook):
    nb = seeded_notebook
    a, b = (c.id for c in nb.list_claims()[:2])
    note = nb.get_claim(a).note_id
    with pytest.raises(BadRelation, match="not a claim"):
        add_relation(nb, note, b, "supports", why="x")
    with pytest.raises(BadRelation, match="itself"):
        add_relation(nb, a, a, "supports", why="x")
    with pytest.raises(BadRelation, match="--why"):
        add_relation(nb, a, b, "supports", why=" ")
    with pytest.raises(BadRelation, match="one of supports, contradicts, refines"):
        add_relation(nb, a, b, "cites", why="x")
    with pytest.raises(NotFound, match="claim:nope"):
        add_relation(nb, a, "claim:nope", "refines", why="x")
    with pytest.raises(BadRelation, match="not a relation to review"):
        accept(nb, nb.edges(kind=None)[0][0])


def test_link_and_review_from_the_command_line(seeded_notebook):
    nb = seeded_notebook
    a, b = (c.id for c in nb.list_claims()[:2])
    run = CliRunner().invoke
    base = ["--notebook", str(nb.path), "--json"]
    linked = run(cli, [*base, "link", a, b, "--refines", "--why", "narrower setting"])
    assert linked.exit_code == 0, linked.output
    row = json.loads(linked.output)
    assert (row["src"], row["dst"], row["kind"], row["why"], row["provenance"]) == (
        a,
        b,
        "refines",
        "narrower setting",
        "user",
    )
    listed = json.loads(run(cli, [*base, "relations"]).output)
    assert [r["id"] for r in listed] == [row["id"]]
    suggested = json.loads(run(cli, [*base, "relations", "--suggested"]).output)
    rejected = run(cli, [*base, "relations", "reject", str(suggested[0]["id"])])
    assert json.loads(rejected.output)["state"] == "rejected"
    missing = run(cli, ["--notebook", str(nb.path), "link", a, b, "--why", "x"])
    assert missing.exit_code != 0 and "--supports" in missing.output
    bad = run(cli, ["--notebook", str(nb.path), "relations", "accept", "99999"])
    assert bad.exit_code == 1 and "no relation with id 99999" in bad.output
