"""The detached worker process that executes one run: ``python -m inquiry.runs.worker --notebook DIR RUN_ID``.

The launcher claims the run (status ``running``) and starts this process in its own session. The
worker builds the :class:`~inquiry.runners.api.RunContext`, keeps a heartbeat, mirrors progress into
the notebook, records the result or a failure in words a user can act on, refreshes the claim's
status, then starts the next queued run. Everything it prints, tracebacks included, goes to
``<run dir>/run.log``.
"""

from __future__ import annotations

import argparse
import os
import platform
import socket
import sys
import threading
import time
import traceback
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from ..errors import InquiryError
from ..models import RunStatus, utcnow
from ..runners import registry
from ..runners.api import Cancelled, Result, RunContext, Runner, RunnerConfig
from ..store import Notebook
from . import launcher, records, settings

LOG_NAME = "run.log"
PROGRESS_MIN_INTERVAL_S = 0.25  # at most ~4 progress writes a second; the last event is always kept


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
                nb.db.execute("UPDATE runs SET heartbeat = ? WHERE id = ?", [utcnow(), self.run_id])
                last_beat = now
            if not self.cancelled.is_set() and records.cancel_requested(nb, self.run_id):
                self.cancelled.set()
                cancel_seen = now
            if self.cancelled.is_set() and now - cancel_seen > settings.cancel_grace():
                self._force_stop(nb)

    def _force_stop(self, nb: Notebook) -> None:
        grace = settings.cancel_grace()
        self.log(f"the runner ignored the cancel request for {grace:.0f} s; stopping the process")
        records.finish(nb, self.run_id, RunStatus.CANCELLED,
                       message=f"stopped by force: the runner did not stop within {grace:.0f} s of the cancel")
        launcher.after_run(nb, records.get(nb, self.run_id).claim_id)
        os._exit(1)

    def stop(self) -> None:
        self._stop.set()


class ProgressWriter:
    """Mirrors runner progress into the notebook, throttled; call :meth:`flush` at the end."""

    def __init__(self, nb: Notebook, run_id: str):
        self.nb, self.run_id = nb, run_id
        self._last_write = 0.0
        self._pending: dict[str, Any] | None = None

    def __call__(self, event: dict[str, Any]) -> None:
        self._pending = event
        now = time.monotonic()
        if now - self._last_write >= PROGRESS_MIN_INTERVAL_S or event.get("step") == event.get("total"):
            self.flush()
            self._last_write = now

    def flush(self) -> None:
        if self._pending is not None:
            records.record_progress(self.nb, self.run_id, self._pending)
            self._pending = None


def _version(package: str) -> str | None:
    try:
        return version(package)
    except PackageNotFoundError:
        return None


def provenance(runner: Runner, config: RunnerConfig, context: RunContext) -> dict[str, Any]:
    """Where and with what the run executes (completed with end time, wall time and memory later)."""
    return {
        "runner": runner.name, "runner_version": runner.version, "config": config.model_dump(mode="json"),
        "seed": context.seed, "device": context.device, "threads": context.threads,
        "versions": {name: _version(name) for name in ("inquiry", "torch", "transformers", "numpy")},
        "python": platform.python_version(), "platform": platform.platform(),
        "host": socket.gethostname(), "pid": os.getpid(), "started": utcnow(),
    }


def peak_memory_mb(device: str) -> dict[str, float]:
    """Peak resident memory of this process (and peak CUDA memory when the run used a GPU)."""
    out: dict[str, float] = {}
    try:
        import resource

        scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss is bytes on macOS, KiB on Linux
        out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 2**20, 1)
    except ImportError:  # Windows
        import psutil

        out["peak_rss_mb"] = round(psutil.Process().memory_info().rss / 2**20, 1)
    torch = sys.modules.get("torch")
    if torch is not None and device.startswith("cuda") and torch.cuda.is_available():
        out["peak_cuda_mb"] = round(torch.cuda.max_memory_allocated() / 2**20, 1)
    return out


def describe_failure(exc: BaseException, runner_name: str, device: str, log_path: Path) -> str:
    """A failure in words a user can act on, always ending with where the full traceback is."""
    text = str(exc).strip() or type(exc).__name__
    if isinstance(exc, MemoryError) or type(exc).__name__ == "OutOfMemoryError" or "out of memory" in text.lower():
        return (f"out of memory on {device}: {text.splitlines()[0]}. Try the smaller `test` preset, fewer "
                f"samples or a smaller batch with --set, or another device (log: {log_path})")
    if isinstance(exc, InquiryError):  # already names the file, line or field at fault
        return f"{text} (log: {log_path})"
    if isinstance(exc, FileNotFoundError):
        return f"file or folder not found: {exc.filename or text} (log: {log_path})"
    return f"runner {runner_name} failed with {type(exc).__name__}: {text} (traceback in {log_path})"


def _redirect_output(log_path: Path) -> None:
    """Send this process's stdout and stderr (also of C code) to the run log."""
    sys.stdout.flush()
    sys.stderr.flush()
    fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)
    sys.stdout.reconfigure(line_buffering=True)
    sys.stderr.reconfigure(line_buffering=True)


def _log(message: str) -> None:
    print(f"[{utcnow()}] {message}", flush=True)


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
    progress = ProgressWriter(nb, run_id)
    status, result, error, message = RunStatus.FAILED, None, None, None
    prov: dict[str, Any] = {**run.provenance, "host": socket.gethostname(), "pid": os.getpid()}
    began = time.monotonic()
    heartbeat.start()
    try:
        runner = registry.get(run.runner)
        config = runner.Config.model_validate(run.config)
        context = RunContext(nb.run_dir(run_id), seed=run.seed, device=config.device, threads=config.threads,
                             cache_dir=nb.path / "cache", on_progress=progress,
                             is_cancelled=heartbeat.cancelled.is_set, log=_log)
        prov = provenance(runner, config, context)
        records.mark_started(nb, run_id, prov)
        launcher.refresh_claim(nb, run.claim_id)
        result = runner.run(config, context)
        if not isinstance(result, Result):
            raise TypeError(f"run() returned {type(result).__name__}, not a Result")
        status, message = RunStatus.SUCCEEDED, "finished"
    except Cancelled:
        status, message = RunStatus.CANCELLED, "cancelled by the user"
    except BaseException as exc:  # noqa: BLE001 - every failure is recorded on the run, never lost
        traceback.print_exc()
        error = describe_failure(exc, run.runner, prov.get("device", run.device), log_path)
        message = "failed"
    finally:
        heartbeat.stop()
    progress.flush()
    prov.update(ended=utcnow(), wall_s=round(time.monotonic() - began, 3),
                **peak_memory_mb(prov.get("device", "cpu")))
    records.finish(nb, run_id, status, result=result, error=error, message=message, provenance=prov)
    _log(f"{run_id} {status.value}" + (f": {error}" if error else ""))
    launcher.after_run(nb, run.claim_id)
    return status


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
