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
import time
from pathlib import Path
from typing import Any

from ..models import RunStatus
from ..store import Notebook
from ..store import runs as run_rows
from . import launcher, records, settings
from .execution import ProgressWriter, describe_failure, execute_run  # noqa: F401  (describe_failure: API)
from .execution import log_line as _log

LOG_NAME = "run.log"


class Heartbeat(threading.Thread):
    """Beats every ``interval`` seconds and polls the cancel flag about twice a second.

    It has its own notebook connection, so it never shares a transaction with the runner's thread.
    A runner that ignores a cancel for longer than the grace period is stopped here by force.
    """

    def __init__(self, notebook: Path, run_id: str, log: Any):
        super().__init__(name="heartbeat", daemon=True)
        self.notebook, self.run_id, self.log = notebook, run_id, log
        self.interval = settings.heartbeat_interval()
        self.cancelled = threading.Event()
        self._stop = threading.Event()

    def run(self) -> None:
        nb = Notebook.open(self.notebook, create=False)
        tick = min(0.5, self.interval)
        last_beat = cancel_seen = 0.0
        while not self._stop.wait(tick):
            now = time.monotonic()
            if now - last_beat >= self.interval:
                run_rows.beat(nb, self.run_id)
                last_beat = now
            if not self.cancelled.is_set() and records.cancel_requested(nb, self.run_id):
                self.cancelled.set()
                cancel_seen = now
            if self.cancelled.is_set() and now - cancel_seen > settings.cancel_grace():
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

    def stop(self) -> None:
        self._stop.set()


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
    """Run a claimed run to its end and record the outcome; returns the final status."""
    run = records.get(nb, run_id)
    if run.status is not RunStatus.RUNNING or run.started:
        _log(f"{run_id} is {run.status.value}{' and already started' if run.started else ''}; nothing to do")
        return run.status
    records.mark_worker(nb, run_id, pid=os.getpid(), host=socket.gethostname())
    log_path = nb.run_dir(run_id) / LOG_NAME
    _redirect_output(log_path)
    _log(f"worker pid {os.getpid()} runs {run_id}: runner {run.runner}, preset {run.preset}, seed {run.seed}")
    heartbeat = Heartbeat(nb.path, run_id, _log)
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
            is_cancelled=heartbeat.cancelled.is_set,
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
