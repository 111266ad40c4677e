"""Starting, cancelling, reaping and waiting for runs; the workers run outside the caller's process.

``launch`` validates the config first (a bad key or value names the field and records nothing),
records the run as queued and starts a detached worker if the device has a free slot (default: one
run at a time per device; see :mod:`inquiry.runs.settings`). A finishing worker starts the next
queued run. ``reap`` turns runs whose worker died (stale heartbeat, no process) into
``interrupted``; every listing calls it, so nothing shows as running forever.

Typical use (the CLI and the app do exactly this)::

    run_id = launch(nb, claim_id, "probe", preset="test")
    final = wait_for(nb, run_id, on_update=lambda run: print(run.step, run.total))
    final.result.verdict.verdict
"""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psutil

from ..errors import ConfigError, InquiryError
from ..models import RunStatus, SpecState
from ..runners import registry
from ..runners.api import Result, resolve_device
from ..store import RUN_LOG, Notebook
from . import backend as run_backend
from . import records, settings, status, sweeps
from .records import RunRecord

WORKER_MODULES = ("inquiry.runs.worker", "inquiry.runs.ray_driver")  # processes that keep a run alive
RAY_INSTALL_HINT = "the Ray backend needs Ray: pip install 'inquiry[ray]'"
RAY_DRIVER_LOG = "ray-driver.log"  # in the folder of the driver's first run


def refresh_claim(nb: Notebook, claim_id: str | None) -> None:
    """Recompute the claim's status (a run without a claim has none); see :mod:`inquiry.runs.status`."""
    status.refresh(nb, claim_id)


def spec_for(nb: Notebook, claim_id: str) -> tuple[str, str, dict[str, Any]]:
    """The claim's first reproduction spec as (runner, preset, overrides), accepted ones first (a rejected
    one never); errors say what to do instead."""
    specs = sorted(
        (s for s in nb.specs(claim_id) if s.state is not SpecState.REJECTED),
        key=lambda s: (s.state is not SpecState.ACCEPTED, s.part, s.id),
    )
    if not specs:
        installed = ", ".join(registry.available()) or "none installed"
        raise ConfigError(
            "runner", f"claim {claim_id} has no reproduction spec; choose one with --runner ({installed})"
        )
    return specs[0].runner, specs[0].preset, dict(specs[0].overrides)


def launch(
    nb: Notebook,
    claim_id: str | None,
    runner_name: str | None = None,
    preset: str | None = None,
    overrides: dict[str, Any] | None = None,
    seed: int = 0,
    wait: bool = False,
    on_update: Callable[[RunRecord], None] | None = None,
    *,
    backend: str | None = None,
    ray_address: str | None = None,
) -> str:
    """Validate, record as queued, start a worker when a slot is free; returns the run id.

    Without ``runner_name`` the claim's reproduction spec picks the runner, preset and overrides
    (``overrides`` given here win over the spec's). ``backend`` is ``local`` or ``ray`` (default:
    the notebook's ``run.backend`` setting); see :func:`ray_target` for the address.
    """
    _, run_ids = launch_sweep(
        nb, claim_id, runner_name, preset, overrides, {}, seed, backend=backend, ray_address=ray_address
    )
    if wait:
        wait_for(nb, run_ids[0], on_update)
    return run_ids[0]


def launch_sweep(
    nb: Notebook,
    claim_id: str | None,
    runner_name: str | None,
    preset: str | None,
    overrides: dict[str, Any] | None,
    axes: dict[str, list[Any]],
    seed: int = 0,
    *,
    backend: str | None = None,
    ray_address: str | None = None,
) -> tuple[str | None, list[str]]:
    """One run per combination of the ``axes`` (``seed`` or config fields), grouped under one sweep.

    Every combination is validated before anything is recorded. With no axes this is one plain
    run (no sweep id). Returns (sweep id, run ids).
    """
    if claim_id and nb.get_claim(claim_id) is None:
        raise InquiryError(f"no claim with id {claim_id}")
    if runner_name is None:
        if not claim_id:
            raise ConfigError("runner", "a run without a claim needs --runner")
        runner_name, spec_preset, spec_overrides = spec_for(nb, claim_id)
        preset = preset or spec_preset
        overrides = {**spec_overrides, **(overrides or {})}
    backend = backend or run_backend.get(nb, "run.backend")
    if backend not in run_backend.BACKENDS:
        raise ConfigError("backend", f"{backend!r} is not one of {', '.join(run_backend.BACKENDS)}")
    if backend == "ray":
        require_ray()
    runner = registry.get(runner_name)
    planned = []
    for combo in sweeps.expand(axes) if axes else [{}]:
        fields = {key: value for key, value in combo.items() if key != "seed"}
        config = registry.resolve_config(runner, preset, {**(overrides or {}), **fields})
        planned.append((config, int(combo.get("seed", seed))))
    sweep_id = sweeps.create(nb, claim_id, runner_name, axes, backend) if axes else None
    run_ids = [
        records.create(
            nb,
            claim_id,
            runner_name,
            preset or "default",
            config.model_dump(mode="json"),
            seed=run_seed,
            device=resolve_device(config.device),
            backend=backend,
            sweep_id=sweep_id,
        )
        for config, run_seed in planned
    ]
    refresh_claim(nb, claim_id)
    if backend == "ray":
        taken = [run_id for run_id in run_ids if records.take_queued(nb, run_id)]
        _spawn_ray_driver(nb, taken, ray_target(nb, ray_address))
    else:
        start_queued(nb)
    return sweep_id, run_ids


def wait_for_sweep(nb: Notebook, sweep_id: str, run_ids: list[str], timeout_s: float | None = None):
    """Block until every run of the sweep ended; returns the sweep with its pooled results."""
    for run_id in run_ids:
        wait_for(nb, run_id, timeout_s=timeout_s)
    sweep = sweeps.settle(nb, sweep_id)  # the last run's process may still be pooling: settling twice is safe
    assert sweep is not None  # settle returns None only without a sweep id
    refresh_claim(nb, sweep.claim_id)
    return sweep


def ray_target(nb: Notebook, address: str | None = None) -> str | None:
    """The Ray cluster to use: ``address``, else ``RAY_ADDRESS``, else the notebook's ``ray.address``.

    None means: start a local Ray on demand.
    """
    return address or os.environ.get("RAY_ADDRESS") or run_backend.get(nb, "ray.address") or None


def rerun(nb: Notebook, run_id: str, wait: bool = False, on_update: Callable[[RunRecord], None] | None = None) -> str:
    """Queue the same runner, preset, full config and seed again (validated against the runner as it is now)."""
    old = records.get(nb, run_id)
    return launch(
        nb,
        old.claim_id,
        old.runner,
        old.preset,
        old.config,
        old.seed,
        wait=wait,
        on_update=on_update,
        backend=old.backend,
    )


def start_queued(nb: Notebook) -> list[str]:
    """Start workers for queued runs while their device has a free slot; returns the started ids."""
    started = []
    for device in records.queued_devices(nb):
        while (run_id := records.take_next_queued(nb, device, settings.runs_per_device())) is not None:
            _spawn(nb, run_id)
            started.append(run_id)
    return started


def _spawn(nb: Notebook, run_id: str) -> None:
    """A worker in its own session, so it outlives the caller (a closed terminal, a quit app)."""
    run = records.get(nb, run_id)
    threads = str(run.config.get("threads", 1))
    env = {**os.environ, "OMP_NUM_THREADS": threads, "MKL_NUM_THREADS": threads}
    log_path = nb.run_dir(run_id) / RUN_LOG
    try:
        _spawn_detached(
            [sys.executable, "-m", "inquiry.runs.worker", "--notebook", str(nb.path), run_id], log_path, env
        )
    except OSError as exc:
        end_run(nb, run_id, RunStatus.FAILED, error=f"could not start the worker process: {exc}")


def _spawn_detached(command: list[str], log_path: Path, env: dict[str, str]) -> None:
    """Start ``command`` in a session of its own (it outlives the caller, and a terminal's ctrl+c does not reach
    it), its output appended to ``log_path``. Raises ``OSError`` when it cannot start."""
    with open(log_path, "ab") as log:
        subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env=env,
            close_fds=True,
        )


def require_ray() -> None:
    """Raise a clear error naming the install command when Ray is not installed."""
    if importlib.util.find_spec("ray") is None:
        raise InquiryError(RAY_INSTALL_HINT)


def _spawn_ray_driver(nb: Notebook, run_ids: list[str], address: str | None) -> None:
    """Start one detached Ray driver (:mod:`inquiry.runs.ray_driver`) for ``run_ids`` (already marked
    running), by module name like the local worker; its output goes to a log."""
    log_path = nb.run_dir(run_ids[0]) / RAY_DRIVER_LOG
    env = {key: value for key, value in os.environ.items() if key != "RAY_ADDRESS"}
    command = [sys.executable, "-m", "inquiry.runs.ray_driver", "--notebook", str(nb.path)]
    if address:
        command += ["--address", address]
    try:
        _spawn_detached(command + run_ids, log_path, env)
    except OSError as exc:
        for run_id in run_ids:
            end_run(nb, run_id, RunStatus.FAILED, error=f"could not start the Ray driver process: {exc}")


def end_run(
    nb: Notebook,
    run_id: str,
    run_status: RunStatus,
    *,
    result: Result | None = None,
    error: str | None = None,
    message: str | None = None,
    provenance: dict[str, Any] | None = None,
    start_next: bool = True,
) -> bool:
    """Every way a run ends goes through here: finish the row, pool its sweep once all its runs ended,
    refresh the claim's status, start the next queued run. Returns whether the run's row changed
    (False: it had already ended; pooling and refreshing again are harmless)."""
    # One transaction: whoever sees the run ended (a waiting CLI, the app) also sees its claim's new status.
    try:
        with nb.transaction():
            ended = records.finish(
                nb, run_id, run_status, result=result, error=error, message=message, provenance=provenance
            )
            run = records.get(nb, run_id)
            sweeps.settle(nb, run.sweep_id)
            status.refresh(nb, run.claim_id)
    except Exception:
        # pooling or the status failed: the run's end must still be recorded (a status refresh can be redone)
        records.finish(nb, run_id, run_status, result=result, error=error, message=message, provenance=provenance)
        raise
    if start_next:
        start_queued(nb)
    return ended


def cancel(nb: Notebook, run_id: str) -> RunStatus:
    """Cancel a run: a queued one at once (its sweep is pooled if it was the last); a running one's worker
    stops within seconds."""
    run = records.get(nb, run_id)
    if run.status.finished:
        raise InquiryError(f"run {run_id} already ended ({run.status.value})")
    if run.status is RunStatus.QUEUED:
        if end_run(nb, run_id, RunStatus.CANCELLED, message="cancelled before it started"):
            return RunStatus.CANCELLED
        run = records.get(nb, run_id)  # a worker took it meanwhile: ask that one to stop
    return records.request_cancel(nb, run_id)


def _worker_alive(run: RunRecord) -> bool:
    """Whether the run's worker process still exists (a zombie or a recycled pid counts as gone)."""
    if run.pid is None or run.host != socket.gethostname():
        return False
    try:
        proc = psutil.Process(run.pid)
        if proc.status() == psutil.STATUS_ZOMBIE:
            return False
        command = " ".join(proc.cmdline())
        return any(module in command for module in WORKER_MODULES)
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return False


def reap(nb: Notebook) -> list[str]:
    """Mark running runs whose heartbeat is stale and whose worker is gone as ``interrupted``.

    A run that was asked to cancel and whose worker then died counts as ``cancelled``.
    """
    reaped = []
    for run in records.list_runs(nb, status=RunStatus.RUNNING):
        # a taken run whose worker has not written its pid yet may still be starting up
        patience = settings.stale_after() if run.pid else max(settings.stale_after(), settings.startup_grace())
        if records.age_seconds(run.heartbeat) > patience and not _worker_alive(run):
            if run.cancel_requested:  # it died on its way out
                ended = end_run(nb, run.id, RunStatus.CANCELLED, message="cancelled by the user", start_next=False)
            else:
                ended = end_run(
                    nb,
                    run.id,
                    RunStatus.INTERRUPTED,
                    message="interrupted",
                    start_next=False,
                    error=f"the worker stopped without finishing (last heartbeat "
                    f"{run.heartbeat}); start it again with `inquiry runs rerun {run.id}`",
                )
            if ended:
                reaped.append(run.id)
    if reaped:
        start_queued(nb)
    return reaped


def list_runs(
    nb: Notebook, claim_id: str | None = None, status: RunStatus | None = None, limit: int | None = None
) -> list[RunRecord]:
    """Runs newest first, after reaping dead workers (what the CLI and the app show)."""
    reap(nb)
    return records.list_runs(nb, claim_id=claim_id, status=status, limit=limit)


def wait_for(
    nb: Notebook,
    run_id: str,
    on_update: Callable[[RunRecord], None] | None = None,
    poll_s: float = 0.2,
    timeout_s: float | None = None,
) -> RunRecord:
    """Block until the run ends, calling ``on_update`` whenever its status or progress changes."""
    deadline = None if timeout_s is None else time.monotonic() + timeout_s
    seen: tuple[Any, ...] | None = None
    while True:
        reap(nb)
        run = records.get(nb, run_id)
        state = (run.status, run.step, run.message)
        if on_update and state != seen:
            on_update(run)
        seen = state
        if run.status.finished:
            return run
        if deadline is not None and time.monotonic() > deadline:
            raise InquiryError(f"run {run_id} still {run.status.value} after {timeout_s:.0f} s")
        time.sleep(poll_s)
