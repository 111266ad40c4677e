"""An exported Obsidian vault re-imports into an empty notebook as the same graph, statuses included."""

from __future__ import annotations

from fixture_markdown import AGENTS, RLVR, SPARSE, snapshot, with_evidence

from inquiry.export.markdown import export
from inquiry.importing import import_paths
from inquiry.models import Status
from inquiry.runs import records
from inquiry.runs.status import not_counted
from inquiry.store import Notebook


def round_trip(nb: Notebook, tmp_path) -> Notebook:
    export(nb, tmp_path / "vault", exported_at="2025-01-01T00:00:00+00:00")
    again = Notebook.open(tmp_path / "again")
    result = import_paths(again, [tmp_path / "vault"])
    assert result.warnings == []
    return again


def test_seed_round_trip_keeps_every_node_edge_and_claim(seeded_notebook, tmp_path):
    before = snapshot(seeded_notebook)
    after = snapshot(round_trip(seeded_notebook, tmp_path))
    assert len(before["citations"]) == 10 and len(before["claims"]) == 20
    assert sum(1 for e in before["edges"] if e[3] == "suggested") == 1  # one note contrast (the "But…" paragraph)
    for key in before:
        assert after[key] == before[key], key


STATUS_KEYS = ("claims", "claim_status", "note_status", "summaries", "flags")


def test_runs_relations_and_statuses_survive(seeded_notebook, tmp_path):
    nb = with_evidence(seeded_notebook)
    before = snapshot(nb)
    assert {before["note_status"][n] for n in (RLVR, SPARSE, AGENTS)} == {"supported", "contradicted", "mixed"}
    assert "inconclusive" in before["claim_status"].values()
    assert any(e[2] == "supports" and e[3] == "accepted" for e in before["edges"])
    assert any(e[3] == "rejected" for e in before["edges"])
    again = round_trip(nb, tmp_path)
    after = snapshot(again)
    for key in before:
        if key not in STATUS_KEYS:
            assert after[key] == before[key], key
    # the runs come back without their raw data, so they are no evidence here: every status a run decided
    # there shows as imported (with where from), never as supported or contradicted, until rerun here
    for claim_id, status in before["claim_status"].items():
        assert after["claim_status"][claim_id] == ("untested" if status == "untested" else "imported"), claim_id
        if status != "untested":
            assert again.imported_status(claim_id) == (Status(status), str(tmp_path / "vault"))
    assert {c.id: c.status.value for c in again.list_claims()} == after["claim_status"]
    # a run comes back as a summary: its verdict and headline metrics, where it came from, and why it does not count
    run = next(r for r in again.db.query("SELECT * FROM runs WHERE verdict = 'contradicts'"))
    assert "imported_from" in run["provenance"] and '"gain"' in run["result"]
    why = not_counted(again, records.list_runs(again, claim_id=run["claim_id"]))
    assert why[run["id"]] == f"imported from {tmp_path / 'vault'} without its raw data; rerun it here"


def test_reimporting_the_vault_into_its_own_notebook_changes_only_the_source_path(seeded_notebook, tmp_path):
    nb = with_evidence(seeded_notebook)
    before = snapshot(nb)
    export(nb, tmp_path / "vault")
    report = import_paths(nb, [tmp_path / "vault"]).report
    (inquiry,) = nb.list_inquiries()
    assert report.changed_ids == [inquiry.id] and inquiry.source_path.endswith(".md")
    assert report.count("runs", "added") == 0
    assert snapshot(nb) == before
