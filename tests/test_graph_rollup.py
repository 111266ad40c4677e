"""Evidence roll-up on a hand-built notebook whose runs cover every status."""

from __future__ import annotations

import pytest
from fixture_graph import add_run, hand_built

from inquiry.errors import NotFound
from inquiry.graph.build import graph_for
from inquiry.graph.rollup import citation_flags, claim_status, inquiry_summary, note_counts, note_status
from inquiry.models import RunStatus, Status
from inquiry.runs import launcher, records
from inquiry.runs.status import refresh
from inquiry.store import Notebook


@pytest.fixture
def nb(tmp_path):
    notebook = hand_built(Notebook.open(tmp_path / "nb"))
    yield notebook
    notebook.close()


@pytest.mark.parametrize(
    "claim, expected",
    [
        ("claim:supported/1", "supported"),  # a decisive verdict outranks a run still in flight
        ("claim:supported/2", "untested"),  # no runs
        ("claim:untested/1", "untested"),  # failed and cancelled runs say nothing
        ("claim:contradicted/1", "contradicted"),
        ("claim:mixed/1", "mixed"),
        ("claim:inconclusive/1", "inconclusive"),
        ("claim:running/1", "running"),  # a retry in flight outranks an earlier inconclusive result
    ],
)
def test_claim_status_from_runs_is_stored(nb, claim, expected):
    assert claim_status(nb, claim).value == expected
    assert nb.get_claim(claim).status.value == expected


def test_note_status_rolls_up_its_claims(nb):
    got = {
        name: note_status(nb, f"note:{name}").value
        for name in ("supported", "untested", "contradicted", "mixed", "inconclusive", "running", "split")
    }
    assert got == {
        "supported": "supported",
        "untested": "untested",
        "contradicted": "contradicted",
        "mixed": "mixed",
        "inconclusive": "inconclusive",
        "running": "running",
        "split": "mixed",
    }


def test_a_note_shows_counts_not_one_glyph(nb):
    assert note_counts(nb, "note:split") == {"supported": 1, "contradicted": 1, "other": 0}
    assert note_counts(nb, "note:supported") == {"supported": 1, "contradicted": 0, "other": 1}


def test_inquiry_summary_counts_cited_claims(nb):
    assert inquiry_summary(nb, "inq:main") == {
        **{s.value: 0 for s in Status},
        "untested": 2,
        "running": 1,
        "supported": 2,
        "contradicted": 2,
        "mixed": 1,
        "inconclusive": 1,
    }
    assert inquiry_summary(nb, "inq:alone") == {**{s.value: 0 for s in Status}, "untested": 1}


def test_citation_flags_mark_sentences_resting_on_failed_claims(nb):
    flags = {(f["paragraph"], f["note_id"]): f for f in citation_flags(nb, "inq:main")}
    assert len(flags) == 8
    assert flags[1, "note:contradicted"]["rests_on"] == "contradicted"
    assert flags[1, "note:mixed"]["rests_on"] == "mixed"
    assert flags[2, "note:split"]["rests_on"] == "contradicted"  # one of its claims failed
    assert flags[2, "note:split"]["status"] == "mixed"
    assert flags[0, "note:supported"]["rests_on"] is None
    assert flags[0, "note:supported"]["sentence"] == "RL makes models better reasoners"
    # the supported claim is contested by an accepted contradicts relation
    assert flags[0, "note:supported"]["contested_by"] == ["claim:contradicted/1"]
    assert flags[2, "note:placeholder"] == {
        "note_id": "note:placeholder",
        "paragraph": 2,
        "sentence": flags[2, "note:placeholder"]["sentence"],
        "status": "untested",
        "rests_on": None,
        "claims": {},
        "contested_by": [],
    }


def test_a_finished_run_updates_claim_note_and_graph(nb):
    graph = graph_for(nb).graph
    assert graph.nodes["note:running"]["status"] == "running"
    builds = graph_for(nb).builds
    queued = records.list_runs(nb, claim_id="claim:running/1", status=RunStatus.QUEUED)[0]
    launcher.end_run(nb, queued.id, RunStatus.CANCELLED, message="cancelled", start_next=False)
    assert nb.get_claim("claim:running/1").status is Status.INCONCLUSIVE
    assert graph.nodes["claim:running/1"]["status"] == "inconclusive"
    assert graph.nodes["note:running"]["status"] == "inconclusive"
    new_run = add_run(nb, "claim:supported/2", "succeeded", "contradicts")
    refresh(nb, "claim:supported/2")
    assert graph.has_edge("claim:supported/2", new_run, key="tested-by")
    assert graph.nodes["note:supported"]["status"] == "mixed"
    assert graph_for(nb).builds == builds


def test_unknown_ids_are_reported(nb):
    with pytest.raises(NotFound, match="claim:nope"):
        claim_status(nb, "claim:nope")
    with pytest.raises(NotFound, match="no inquiry"):
        inquiry_summary(nb, "inq:nope")
