"""Run rows in the notebook: create, take from the queue, progress, finish, cancel, list.

Every write is one short transaction so the app and the CLI can read (WAL) while a worker writes.
The launcher and the worker call these; nothing here starts processes.

>>> import tempfile
>>> from inquiry.store import Notebook
>>> nb = Notebook.open(tempfile.mkdtemp())
>>> run_id = create(nb, None, "probe", "test", {"steps": 3}, seed=7, device="cpu")
>>> get(nb, run_id).status.value
'queued'
>>> take_next_queued(nb, "cpu", limit=1) == run_id, take_next_queued(nb, "cpu", limit=1)
(True, None)
"""

from __future__ import annotations

import json
import logging
import math
import secrets
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from ..errors import NotFound
from ..models import Edge, EdgeKind, RunStatus, utcnow
from ..runners.api import Result
from ..store import Notebook
from ..store import runs as run_rows


class RunRecord(BaseModel):
    """One run as the notebook holds it, JSON columns parsed."""

    id: str
    claim_id: str | None
    runner: str
    preset: str | None
    config: dict[str, Any]
    seed: int
    status: RunStatus
    backend: str = "local"
    sweep_id: str | None = None
    created: str
    started: str | None = None
    ended: str | None = None
    heartbeat: str | None = None
    pid: int | None = None
    host: str | None = None
    step: int | None = None
    total: int | None = None
    message: str | None = None
    live_metrics: dict[str, float] = Field(default_factory=dict)
    result: Result | None = None
    verdict: str | None = None
    error: str | None = None
    provenance: dict[str, Any] = Field(default_factory=dict)
    cancel_requested: bool = False

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> RunRecord:
        values = dict(row)
        for column in ("config", "live_metrics", "provenance"):
            values[column] = json.loads(values[column] or "{}")
        # a live metric stored as NaN reads back as JSON null: not a number to show
        values["live_metrics"] = {k: v for k, v in values["live_metrics"].items() if isinstance(v, (int, float))}
        values["result"] = _result(values["id"], values["result"]) if values["result"] else None
        values["cancel_requested"] = bool(values["cancel_requested"])
        return cls(**values)

    @property
    def done_steps(self) -> int:
        """Steps done; a succeeded run did all of them (a runner need not report its last step)."""
        return self.total if self.status is RunStatus.SUCCEEDED and self.total else self.step or 0

    @property
    def device(self) -> str:
        """The device the run was queued for (``auto`` already resolved)."""
        return self.provenance.get("device", self.config.get("device", "cpu"))


_log = logging.getLogger("inquiry")


def _result(run_id: str, text: str) -> Result:
    """A stored result; estimates a notebook holds from before non-finite numbers were refused (NaN was
    written as JSON ``null``) are skipped with a warning, so one bad number cannot make ``runs`` or
    ``export`` fail for good."""
    try:
        return Result.model_validate_json(text)
    except ValidationError:
        data = json.loads(text)
        for group in ("metrics", "exploratory"):
            estimates = data.get(group) or {}
            for key in [k for k, e in estimates.items() if not _finite_estimate(e)]:
                _log.warning("run %s: skipped %s %r, which is not a finite number", run_id, group, key)
                del estimates[key]
                data["headline"] = [h for h in data.get("headline") or [] if h != key]
        return Result.model_validate(data)


def _finite_estimate(estimate: object) -> bool:
    if not isinstance(estimate, dict):
        return False
    value = estimate.get("value")
    bounds = [estimate.get("low"), estimate.get("high")]
    return (
        isinstance(value, (int, float))
        and math.isfinite(value)
        and all(b is None or (isinstance(b, (int, float)) and math.isfinite(b)) for b in bounds)
    )


def new_run_id() -> str:
    """A sortable, unique run id: ``run:`` + UTC time + a random suffix.

    >>> new_run_id().startswith("run:") and len(new_run_id()) == len("run:20250101-120000-abcdef")
    True
    """
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    return f"run:{stamp}-{secrets.token_hex(3)}"


def age_seconds(timestamp: str | None) -> float:
    """Seconds since a notebook timestamp (infinite for none)."""
    if not timestamp:
        return float("inf")
    return (datetime.now(UTC) - datetime.fromisoformat(timestamp)).total_seconds()


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


# ---- writes ----------------------------------------------------------------------------------


def create(
    nb: Notebook,
    claim_id: str | None,
    runner: str,
    preset: str | None,
    config: dict[str, Any],
    *,
    seed: int,
    device: str,
    backend: str = "local",
    sweep_id: str | None = None,
) -> str:
    """Record a queued run (and the claim's ``tested-by`` edge); returns its id.

    Only ``local`` runs wait for a slot in :func:`take_next_queued`; other backends schedule their own.
    """
    run_id = new_run_id()
    with nb.transaction():
        run_rows.insert(
            nb,
            {
                "id": run_id,
                "claim_id": claim_id,
                "runner": runner,
                "preset": preset,
                "config": _dump(config),
                "seed": seed,
                "status": RunStatus.QUEUED.value,
                "created": utcnow(),
                "backend": backend,
                "sweep_id": sweep_id,
                "provenance": _dump({"device": device}),
            },
        )
        if claim_id:
            nb.add_edge(Edge(src=claim_id, dst=run_id, kind=EdgeKind.TESTED_BY, provenance="runs"))
        nb.touch(run_id)
    return run_id


def take_next_queued(nb: Notebook, device: str, limit: int) -> str | None:
    """Atomically move the oldest queued run for ``device`` to running, if fewer than ``limit`` run there.

    The count and the update share one ``BEGIN IMMEDIATE`` transaction, so two callers (a finishing
    worker and a launcher) can never both start a run beyond the limit. Returns the id taken.
    """
    return run_rows.take_next_queued(nb, device, limit)


def queued_devices(nb: Notebook) -> list[str]:
    return run_rows.queued_devices(nb)


def take_queued(nb: Notebook, run_id: str) -> bool:
    """Move one queued run to running now (a cluster backend queues it itself); returns whether it moved.

    As in :func:`take_next_queued`, the heartbeat starts here so a driver that never comes up is reaped.
    """
    return run_rows.start(nb, run_id)


def mark_worker(nb: Notebook, run_id: str, *, pid: int, host: str) -> None:
    """The worker process has come up: from now on ``reap`` can check that it is alive."""
    run_rows.mark_worker(nb, run_id, pid=pid, host=host)


def mark_started(nb: Notebook, run_id: str, provenance: dict[str, Any]) -> None:
    """The runner is loaded and its config valid: record the start and the provenance."""
    run_rows.mark_started(nb, run_id, _dump(provenance))


def record_progress(nb: Notebook, run_id: str, event: dict[str, Any]) -> None:
    """One progress event: appended to ``run_events`` and mirrored on the run row."""
    run_rows.record_progress(
        nb,
        run_id,
        step=event.get("step"),
        total=event.get("total"),
        message=event.get("message"),
        metrics=_dump(event.get("metrics", {})),
    )


def finish(
    nb: Notebook,
    run_id: str,
    status: RunStatus,
    *,
    result: Result | None = None,
    error: str | None = None,
    message: str | None = None,
    provenance: dict[str, Any] | None = None,
) -> bool:
    """Record how a run ended; only a run still queued or running changes. Returns whether it did."""
    values: dict[str, Any] = {"status": status.value, "ended": utcnow(), "error": error}
    if result is not None:
        values.update(result=result.model_dump_json(), verdict=result.verdict.verdict.value)
    if message is not None:
        values["message"] = message
    if provenance is not None:
        values["provenance"] = _dump(provenance)
    return run_rows.finish(nb, run_id, values)


def request_cancel(nb: Notebook, run_id: str) -> RunStatus:
    """Flag a running run for its worker to stop; returns the status. (A queued run is cancelled by
    :func:`inquiry.runs.launcher.cancel`, which ends it through ``end_run``.)"""
    with nb.transaction():
        run = get(nb, run_id)
        if run.status is RunStatus.RUNNING:
            run_rows.flag_cancel(nb, run_id)
        return run.status


# ---- reads -----------------------------------------------------------------------------------


def get(nb: Notebook, run_id: str) -> RunRecord:
    row = nb.get_run_row(run_id)
    if row is None:
        raise NotFound(f"no run with id {run_id}")
    return RunRecord.from_row(row)


def list_runs(
    nb: Notebook, claim_id: str | None = None, status: RunStatus | None = None, limit: int | None = None
) -> list[RunRecord]:
    """Runs, newest first, filtered by claim and/or status."""
    rows = run_rows.newest_first(nb, claim_id=claim_id, status=status and status.value, limit=limit)
    return [RunRecord.from_row(r) for r in rows]


def events(nb: Notebook, run_id: str, after: int = 0) -> list[dict[str, Any]]:
    """Progress events of a run with row id above ``after`` (to follow a run incrementally)."""
    return [{**r, "metrics": json.loads(r["metrics"])} for r in run_rows.events(nb, run_id, after)]


def cancel_requested(nb: Notebook, run_id: str) -> bool:
    return run_rows.cancel_requested(nb, run_id)
