"""The detached worker process that executes one run: ``python -m inquiry.runs.worker --notebook DIR RUN_ID``.

The launcher claims the run (status ``running``) and starts this process in its own session. The
worker builds the :class:`~inquiry.runners.api.RunContext`, keeps a heartbeat, mirrors progress into
the notebook, records the result or a failure in words a user can act on, refreshes the claim's
status, then starts the next queued run. Everything it prints, tracebacks included, goes to
``<run dir>/run.log``.
"""

from __future__ import annotations

import argparse
import io
import os
import socket
import sys
import threading
from pathlib import Path
from typing import Any

from ..models import RunStatus
from ..store import RUN_LOG, Notebook
from . import launcher, records, settings
from .execution import ProgressWriter, describe_failure, execute_run  # noqa: F401  (describe_failure: API)
from .execution import log_line as _log
from .heartbeat import Heartbeat


class CancelWatch:
    """Called by the heartbeat about twice a second: notices the run's cancel request, and stops the
    process by force when the runner ignores it for longer than the grace period."""

    def __init__(self, run_id: str, log: Any):
        self.run_id, self.log = run_id, log
        self.cancelled = threading.Event()
        self._seen = 0.0

    def __call__(self, nb: Notebook, now: float) -> None:
        if not self.cancelled.is_set() and records.cancel_requested(nb, self.run_id):
            self.cancelled.set()
            self._seen = now
        if self.cancelled.is_set() and now - self._seen > settings.cancel_grace():
            self._force_stop(nb)

    def _force_stop(self, nb: Notebook) -> None:
        grace = settings.cancel_grace()
        self.log(f"the runner ignored the cancel request for {grace:.0f} s; stopping the process")
        launcher.end_run(
            nb,
            self.run_id,
            RunStatus.CANCELLED,
            message=f"stopped by force: the runner did not stop within {grace:.0f} s of the cancel",
        )
        os._exit(1)


def _redirect_output(log_path: Path) -> None:
    """Send this process's stdout and stderr (also of C code) to the run log."""
    sys.stdout.flush()
    sys.stderr.flush()
    fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(line_buffering=True)


def execute(nb: Notebook, run_id: str) -> RunStatus:
    """Run a taken run (queued, then marked running) to its end and record the outcome; returns the final status."""
    run = records.get(nb, run_id)
    if run.status is not RunStatus.RUNNING or run.started:
        _log(f"{run_id} is {run.status.value}{' and already started' if run.started else ''}; nothing to do")
        return run.status
    records.mark_worker(nb, run_id, pid=os.getpid(), host=socket.gethostname())
    log_path = nb.run_dir(run_id) / RUN_LOG
    _redirect_output(log_path)
    _log(f"worker pid {os.getpid()} runs {run_id}: runner {run.runner}, preset {run.preset}, seed {run.seed}")
    watch = CancelWatch(run_id, _log)
    heartbeat = Heartbeat(nb.path, lambda: [run_id], watch)
    progress = ProgressWriter(lambda event: records.record_progress(nb, run_id, event))

    def started(prov: dict[str, Any]) -> None:
        records.mark_started(nb, run_id, prov)
        launcher.refresh_claim(nb, run.claim_id)

    heartbeat.start()
    try:
        outcome = execute_run(
            run,
            nb.run_dir(run_id),
            nb.path / "cache",
            log_path,
            on_progress=progress,
            is_cancelled=watch.cancelled.is_set,
            on_started=started,
        )
    finally:
        heartbeat.stop()
    progress.flush()
    _log(f"{run_id} {outcome.status.value}" + (f": {outcome.error}" if outcome.error else ""))
    launcher.end_run(
        nb,
        run_id,
        outcome.status,
        result=outcome.result,
        error=outcome.error,
        message=outcome.message,
        provenance=outcome.provenance,
    )
    return outcome.status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m inquiry.runs.worker", description=__doc__.splitlines()[0])
    parser.add_argument("--notebook", required=True, type=Path, help="the notebook folder")
    parser.add_argument("run_id")
    args = parser.parse_args(argv)
    nb = Notebook.open(args.notebook, create=False)
    status = execute(nb, args.run_id)
    return 0 if status in (RunStatus.SUCCEEDED, RunStatus.CANCELLED) else 1


if __name__ == "__main__":
    sys.exit(main())
