"""The seed notebook plus runs and claim relations, for the markdown export tests.

Runs go through the run records API as a worker would leave them (``create`` then ``finish`` with a
Result built from the runner API models): one with a plot the runner saved, one with only series. They
are rlvr ``default`` runs under an accepted spec (each its own config, so none are pooled as seeds), so
they count toward their claims' statuses.
"""

from __future__ import annotations

from itertools import count

from inquiry.graph.rollup import citation_flags, claim_status, inquiry_summary, note_status
from inquiry.models import EdgeState, ReproSpec, RunStatus, SpecState, Verdict
from inquiry.relations import add_relation
from inquiry.runners.api import Artifact, Estimate, PreconditionCheck, Result, Series, VerdictReport
from inquiry.runners.rlvr.runner import RLVRRunner
from inquiry.runs import launcher, records
from inquiry.store import Notebook

RLVR = "note:does-rlvr-actually-expand-what-models-can-reason-about"
SPARSE = "note:does-reinforcement-learning-update-only-a-small-fraction-of-parameters"
AGENTS = "note:can-agents-learn-continuously-from-experience-without-updating-weights"
# A 1x1 PNG: what a runner's saved plot looks like on disk.
TINY_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002"
    "000154a24f5d0000000049454e44ae426082"
)


def _result(verdict: Verdict, gain: float, plot: str | None = None) -> Result:
    return Result(
        metrics={
            "gain": Estimate(value=gain, low=gain - 0.05, high=gain + 0.05, n=30, description="pass@16 - pass@1"),
            "pass@1": Estimate(value=0.4, low=0.3, high=0.5, n=30),
        },
        headline=["gain", "pass@1"],
        series=[
            Series(
                name="pass@k",
                x=[1, 2, 4, 8, 16],
                y=[0.4, 0.5, 0.55, 0.6, 0.4 + gain],
                x_label="k",
                y_label="pass@k",
                log_x=True,
            )
        ],
        artifacts=[Artifact(name="curve", path="curve.png", kind="plot")] if plot else [],
        verdict=VerdictReport(
            verdict=verdict,
            reason=f"test_{verdict.value}",
            explanation=f"gain {gain:+.2f}",
            registration=RLVRRunner.registration().sha,  # decided under the installed file: the export shows it
            preconditions=[PreconditionCheck(id="base_above_guesser", passed=True, value=0.76, threshold=0.05)],
        ),
    )


_configs = count(1)


def add_finished_run(nb: Notebook, claim_id: str, verdict: Verdict, gain: float, saved_plot: bool = False) -> str:
    """A finished rlvr ``default`` run on the claim, under an accepted spec that predicts ``supports``."""
    if not any(
        s.runner == "rlvr" and s.preset == "default" and s.state is SpecState.ACCEPTED for s in nb.specs(claim_id)
    ):
        nb.add_spec(ReproSpec(claim_id=claim_id, runner="rlvr", state=SpecState.ACCEPTED, why="fixture"))
    run_id = records.create(
        nb,
        claim_id,
        "rlvr",
        "default",
        {"n_samples": 16 + next(_configs), "hidden": 32, "threads": 1},
        seed=3,
        device="cpu",
    )
    if saved_plot:
        (nb.run_dir(run_id) / "curve.png").write_bytes(TINY_PNG)
    records.take_queued(nb, run_id)
    launcher.end_run(
        nb,
        run_id,
        RunStatus.SUCCEEDED,
        start_next=False,
        result=_result(verdict, gain, "curve.png" if saved_plot else None),
    )
    return run_id


def with_evidence(nb: Notebook) -> Notebook:
    """Seeded notebook → supported, contradicted, mixed and inconclusive claims, an accepted and a rejected relation."""
    rlvr = nb.list_claims(note_id=RLVR)
    sparse = nb.list_claims(note_id=SPARSE)
    agents = nb.list_claims(note_id=AGENTS)
    add_finished_run(nb, rlvr[0].id, Verdict.SUPPORTS, 0.2, saved_plot=True)
    add_finished_run(nb, sparse[0].id, Verdict.CONTRADICTS, -0.1)
    add_finished_run(nb, agents[0].id, Verdict.SUPPORTS, 0.1)
    add_finished_run(nb, agents[0].id, Verdict.CONTRADICTS, -0.2)
    add_finished_run(nb, agents[1].id, Verdict.INCONCLUSIVE, 0.0)
    add_relation(nb, rlvr[1].id, sparse[1].id, "supports", "both say RL selects rather than adds")
    suggested = [row for row, edge in nb.edges(state=EdgeState.SUGGESTED)]
    nb.set_edge_state(suggested[0], EdgeState.REJECTED)
    return nb


def snapshot(nb: Notebook) -> dict:
    """Everything a round trip must keep: nodes, edges, claims, relations, runs' verdicts and every status."""
    inquiries = [i.model_dump(exclude={"source_path", "content_hash"}) for i in nb.list_inquiries()]
    return {
        "inquiries": inquiries,
        "notes": [nb.get_note(n.id).model_dump() for n in nb.list_notes()],
        "claims": [c.model_dump() for c in nb.list_claims(include_retired=True)],
        "papers": sorted(r["id"] for r in nb.db.query("SELECT id FROM papers")),
        "citations": [c.model_dump() for c in nb.citations()],
        "edges": sorted(
            (e.src, e.dst, e.kind.value, e.state.value, e.why or "", e.provenance or "", repr(sorted(e.attrs.items())))
            for _, e in nb.edges(state=None)
        ),
        "runs": sorted((r.id, r.claim_id, r.runner, r.verdict) for r in records.list_runs(nb)),
        "claim_status": {c.id: claim_status(nb, c.id).value for c in nb.list_claims()},
        "note_status": {n.id: note_status(nb, n.id).value for n in nb.list_notes()},
        "summaries": {i["id"]: inquiry_summary(nb, i["id"]) for i in inquiries},
        "flags": {i["id"]: citation_flags(nb, i["id"]) for i in inquiries},
    }
