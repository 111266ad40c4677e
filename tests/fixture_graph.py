"""A hand-built notebook for the graph tests: every evidence status, a contested claim, a placeholder,
an orphan and a near-duplicate inquiry, written through the store's public API. Runs go through the
run records API (``create``, ``claim``, ``finish``) as a worker would leave them: the rlvr runner's
``default`` preset, under an accepted spec that predicts ``supports``, each run its own config so that
no two are pooled as seeds of one."""

from __future__ import annotations

from itertools import count

from inquiry.models import Citation, Claim, Edge, EdgeKind, ImportBatch, Inquiry, Note, ReproSpec, RunStatus, SpecState
from inquiry.runners.api import Result, VerdictReport
from inquiry.runs import records
from inquiry.runs.status import refresh
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
    "contradicted": [("1", [("succeeded", "contradicts")])],
    "mixed": [("1", [("succeeded", "supports"), ("succeeded", "contradicts"), ("succeeded", "inconclusive")])],
    "inconclusive": [("1", [("succeeded", "inconclusive"), ("interrupted", None)])],
    "running": [("1", [("succeeded", "inconclusive"), ("queued", None)])],
    "split": [("1", [("succeeded", "supports")]), ("2", [("succeeded", "contradicts")])],
}
_run_ids = count(1)


def add_run(nb: Notebook, claim_id: str, status: str, verdict: str | None, preset: str = "default") -> str:
    """A run of the rlvr runner on the claim, left in ``status`` (with ``verdict`` when it succeeded)."""
    run_id = records.create(
        nb, claim_id, "rlvr", preset, {"variant": "passk", "fixture_run": next(_run_ids)}, seed=0, device="cpu"
    )
    if status != "queued":
        records.take_queued(nb, run_id)
    if status not in ("queued", "running"):
        result = (
            None
            if verdict is None
            else Result(
                verdict=VerdictReport(verdict=verdict, reason=f"fixture_{verdict}", explanation="a fixture verdict")
            )
        )
        records.finish(nb, run_id, RunStatus(status), result=result)
    return run_id


def _citations(inquiry_id: str, essay: list[str], notes: dict[str, str]) -> list[Citation]:
    found = []
    for paragraph, text in enumerate(essay):
        for note_id, title in notes.items():
            start = text.find(title)
            if start >= 0:
                found.append(
                    Citation(
                        inquiry_id=inquiry_id,
                        note_id=note_id,
                        paragraph=paragraph,
                        sentence=text[:start].strip(),
                        start=start,
                        end=start + len(title),
                    )
                )
    return found


def hand_built(nb: Notebook) -> Notebook:
    notes = {f"note:{name}": f"{name.capitalize()} note?" for name in RUNS}
    notes["note:placeholder"] = "Placeholder note?"
    batch = ImportBatch(
        inquiries=[
            Inquiry(id="inq:main", question="Does RL add reasoning?", essay=ESSAY),
            Inquiry(id="inq:twin", question="Does RL really add reasoning?", essay=ESSAY[:2]),
            Inquiry(id="inq:alone", question="Is memory enough?", essay=["Ask Untested note?."]),
        ],
        notes=[Note(id=n, title=t, summary=t, is_placeholder=n == "note:placeholder") for n, t in notes.items()]
        + [Note(id="note:orphan", title="Orphan note?", summary="Nobody cites this.")],
        claims=[
            Claim(
                id=f"claim:{name}/{suffix}", note_id=f"note:{name}", text=f"{name} claim {suffix}.", index=int(suffix)
            )
            for name, claims in RUNS.items()
            for suffix, _ in claims
        ],
        citations=_citations("inq:main", ESSAY, notes)
        + _citations("inq:twin", ESSAY[:2], notes)
        + _citations("inq:alone", ["Ask Untested note?."], notes),
        edges=[
            Edge(
                src="claim:contradicted/1",
                dst="claim:supported/1",
                kind=EdgeKind.CONTRADICTS,
                why="same benchmark, opposite sign",
                provenance="user",
            )
        ],
        specs=[
            ReproSpec(claim_id=f"claim:{name}/{suffix}", runner="rlvr", state=SpecState.ACCEPTED, why="fixture")
            for name, claims in RUNS.items()
            for suffix, _ in claims
        ],
    )
    nb.apply(batch)
    for name, claims in RUNS.items():
        for suffix, runs in claims:
            for status, verdict in runs:
                add_run(nb, f"claim:{name}/{suffix}", status, verdict)
            refresh(nb, f"claim:{name}/{suffix}")
    return nb
