"""Runs that arrive from an exported vault: recorded as run rows so that statuses roll up again.

An export carries each run as a summary (runner, settings, seed, verdict, headline metrics, dates)
in the note's front matter, not the raw per-item counts. Re-importing writes one run row per summary,
its ``result`` holding only those headline metrics and the verdict, and its provenance saying where it
came from, plus the claim's ``tested-by`` edge. The roll-up then reads these rows like any other, so
claim, note and inquiry statuses survive the round trip. Runs that were still queued or running at
export time come back ``interrupted``: no worker here will ever finish them.

These runs never count as evidence here: the raw data stayed behind, so the verdict cannot be
pooled or checked (:mod:`inquiry.runs.status` marks them "not counted: imported from …"). A status
written in the front matter is kept apart (``claims.imported_status``, with where it came from) and
shows as ``imported`` while the claim has no counted evidence of its own, never as supported or
contradicted; a run here replaces it.
"""

from __future__ import annotations

import json

from ..models import Edge, EdgeKind, RunStatus, Status
from ..notes.vault_format import RunSummary
from ..runners.api import Result
from ..store import Notebook
from ..store import runs as run_rows
from . import status as claim_status

_IN_FLIGHT = {RunStatus.QUEUED.value, RunStatus.RUNNING.value}


def add_run_summaries(nb: Notebook, runs: list[tuple[str, RunSummary]], source: str) -> list[str]:
    """Insert a run row per summary not already in ``nb`` (runs are immutable records); returns the ids added.

    Call inside the import's transaction.
    """
    added = []
    for claim, run in runs:
        if run_rows.exists(nb, run.id):
            continue
        status = RunStatus.INTERRUPTED.value if run.status.value in _IN_FLIGHT else run.status.value
        result = (
            Result(metrics=run.metrics, verdict=run.verdict, headline=list(run.metrics))
            if run.verdict is not None
            else None
        )
        run_rows.insert(
            nb,
            {
                "id": run.id,
                "claim_id": claim,
                "runner": run.runner,
                "preset": run.preset,
                "config": json.dumps(run.config, sort_keys=True),
                "seed": run.seed,
                "status": status,
                "created": run.created,
                "started": run.started,
                "ended": run.ended,
                "result": result.model_dump_json() if result else None,
                "verdict": run.verdict.verdict.value if run.verdict else None,
                "message": f"imported from an exported vault (headline metrics only); was {run.status.value} there",
                "provenance": json.dumps(
                    {"imported_from": source, "original_status": run.status.value}, sort_keys=True
                ),
            },
        )
        nb.add_edge(Edge(src=claim, dst=run.id, kind=EdgeKind.TESTED_BY, provenance="runs"), overwrite_state=False)
        nb.touch(run.id)
        added.append(run.id)
    return added


def apply_statuses(
    nb: Notebook,
    statuses: dict[str, Status],
    source: str = "an exported vault",
    refresh: list[str] | tuple[str, ...] = (),
) -> None:
    """Remember the status the vault wrote for each claim (as imported, with ``source``), then recompute the
    status of those claims and of the claims in ``refresh`` (an import may have changed their specs)."""
    for claim, status in statuses.items():
        if nb.get_claim(claim) is None:
            continue
        if status in (Status.IMPORTED, Status.RUNNING, Status.UNTESTED):  # nothing decided there, or a copy
            previous, where = nb.imported_status(claim)
            nb.set_imported_status(
                claim, previous if status is Status.IMPORTED else None, where if status is Status.IMPORTED else None
            )
        else:
            nb.set_imported_status(claim, status, source)
    claim_status.refresh_many(nb, list(dict.fromkeys([*statuses, *refresh])))
