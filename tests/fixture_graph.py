"""A hand-built notebook for the graph tests: every evidence status, a contested claim, a placeholder,
an orphan and a near-duplicate inquiry, written through the store's public API (runs go straight
into the runs table, as the run worker would leave them)."""

from __future__ import annotations

import json
from itertools import count

from inquiry.graph.rollup import refresh_claim
from inquiry.models import Citation, Claim, Edge, EdgeKind, ImportBatch, Inquiry, Note
from inquiry.store import Notebook

ESSAY = [
    "RL makes models better reasoners Supported note? and it is tested Untested note?.",
    "However, the evidence is split Contradicted note? and Mixed note?.",
    "Some results say nothing yet Inconclusive note?, Running note?, Split note?, Placeholder note?.",
]

# note -> [(claim suffix, [(run status, verdict)])]
RUNS = {
    "supported": [("1", [("succeeded", "supports"), ("running", None)]), ("2", [])],
    "untested": [("1", [("failed", None), ("cancelled", None)])],
    "contradicted": [("1", [("succeeded", json.dumps({"verdict": "contradicts", "reason": "ci_below_zero",
                                                      "explanation": "", "scope": "miniature"}))])],
    "mixed": [("1", [("succeeded", "supports"), ("succeeded", "contradicts"), ("succeeded", "inconclusive")])],
    "inconclusive": [("1", [("succeeded", "inconclusive"), ("interrupted", None)])],
    "running": [("1", [("succeeded", "inconclusive"), ("queued", None)])],
    "split": [("1", [("succeeded", "supports")]), ("2", [("succeeded", "contradicts")])],
}
_run_ids = count(1)


def add_run(nb: Notebook, claim_id: str, status: str, verdict: str | None) -> str:
    run_id = f"run:{next(_run_ids):04d}"
    with nb.transaction():
        nb.db["runs"].insert({"id": run_id, "claim_id": claim_id, "runner": "rlvr-passk", "preset": "test",
                              "status": status, "verdict": verdict, "created": "2025-01-01T00:00:00+00:00"})
    return run_id


def _citations(inquiry_id: str, essay: list[str], notes: dict[str, str]) -> list[Citation]:
    found = []
    for paragraph, text in enumerate(essay):
        for note_id, title in notes.items():
            start = text.find(title)
            if start >= 0:
                found.append(Citation(inquiry_id=inquiry_id, note_id=note_id, paragraph=paragraph,
                                      sentence=text[:start].strip(), start=start, end=start + len(title)))
    return found


def hand_built(nb: Notebook) -> Notebook:
    notes = {f"note:{name}": f"{name.capitalize()} note?" for name in RUNS}
    notes["note:placeholder"] = "Placeholder note?"
    batch = ImportBatch(
        inquiries=[Inquiry(id="inq:main", question="Does RL add reasoning?", essay=ESSAY),
                   Inquiry(id="inq:twin", question="Does RL really add reasoning?", essay=ESSAY[:2]),
                   Inquiry(id="inq:alone", question="Is memory enough?", essay=["Ask Untested note?."])],
        notes=[Note(id=n, title=t, summary=t, is_placeholder=n == "note:placeholder") for n, t in notes.items()]
        + [Note(id="note:orphan", title="Orphan note?", summary="Nobody cites this.")],
        claims=[Claim(id=f"claim:{name}/{suffix}", note_id=f"note:{name}", text=f"{name} claim {suffix}.",
                      index=int(suffix)) for name, claims in RUNS.items() for suffix, _ in claims],
        citations=_citations("inq:main", ESSAY, notes) + _citations("inq:twin", ESSAY[:2], notes)
        + _citations("inq:alone", ["Ask Untested note?."], notes),
        edges=[Edge(src="claim:contradicted/1", dst="claim:supported/1", kind=EdgeKind.CONTRADICTS,
                    why="same benchmark, opposite sign", provenance="user")],
    )
    nb.apply(batch)
    for name, claims in RUNS.items():
        for suffix, runs in claims:
            for status, verdict in runs:
                add_run(nb, f"claim:{name}/{suffix}", status, verdict)
            refresh_claim(nb, f"claim:{name}/{suffix}")
    return nb
