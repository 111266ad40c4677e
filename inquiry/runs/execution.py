"""Executing one run, wherever it happens: the core that the local worker and the Ray task both call.

:func:`execute_run` loads the runner, validates the stored config, builds the
:class:`~inquiry.runners.api.RunContext`, runs it and turns every way it can end into an
:class:`Outcome`. It never writes to the notebook itself: the caller passes callbacks (the local
worker writes straight into SQLite; the Ray task sends them back to its driver), so the same code
runs on a machine that cannot see the notebook.

>>> import tempfile
>>> from pathlib import Path
>>> from inquiry.runs.records import RunRecord
>>> run = RunRecord(id="run:x", claim_id=None, runner="no-such-runner", preset="test", config={}, seed=0,
...                 status="running", created="")
>>> folder = Path(tempfile.mkdtemp())
>>> outcome = execute_run(run, folder, folder / "cache", folder / "run.log")
>>> outcome.status.value, outcome.error.startswith("no runner named 'no-such-runner'")
('failed', True)
"""

from __future__ import annotations

import os
import platform
import socket
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from ..errors import InquiryError
from ..models import RunStatus, utcnow
from ..runners import registry
from ..runners.api import Cancelled, Result, RunContext, Runner, RunnerConfig
from .records import RunRecord

PROGRESS_MIN_INTERVAL_S = 0.25  # at most ~4 progress writes a second; the last event is always kept


@dataclass
class Outcome:
    """How a run ended: status, result or error in words, a short message and the full provenance."""

    status: RunStatus
    message: str
    result: Result | None = None
    error: str | None = None
    provenance: dict[str, Any] = field(default_factory=dict)


class ProgressWriter:
    """Passes runner progress on to ``write``, throttled; call :meth:`flush` at the end.

    >>> written = []
    >>> progress = ProgressWriter(written.append)
    >>> for step in range(1, 101):
    ...     progress({"step": step, "total": 100})
    >>> progress.flush()
    >>> written[0]["step"], written[-1]["step"], len(written) < 10
    (1, 100, True)
    """

    def __init__(self, write: Callable[[dict[str, Any]], None]):
        self.write = write
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
            self.write(self._pending)
            self._pending = None


def _version(package: str) -> str | None:
    try:
        return version(package)
    except PackageNotFoundError:
        return None


def provenance(runner: Runner, config: RunnerConfig, context: RunContext) -> dict[str, Any]:
    """Where and with what the run executes (completed with end time, wall time and memory later)."""
    return {
        "runner": runner.name,
        "runner_version": runner.version,
        "config": config.model_dump(mode="json"),
        "seed": context.seed,
        "device": context.device,
        "threads": context.threads,
        "versions": {name: _version(name) for name in ("inquiry", "torch", "transformers", "numpy")},
        "python": platform.python_version(),
        "platform": platform.platform(),
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "started": utcnow(),
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
        return (
            f"out of memory on {device}: {text.splitlines()[0]}. Try the smaller `test` preset, fewer "
            f"samples or a smaller batch with --set, or another device (log: {log_path})"
        )
    if isinstance(exc, InquiryError):  # already names the file, line or field at fault
        return f"{text} (log: {log_path})"
    if isinstance(exc, FileNotFoundError):
        return f"file or folder not found: {exc.filename or text} (log: {log_path})"
    return f"runner {runner_name} failed with {type(exc).__name__}: {text} (traceback in {log_path})"


def log_line(message: str) -> None:
    """A timestamped line on stdout (which the worker points at the run log)."""
    print(f"[{utcnow()}] {message}", flush=True)


def execute_run(
    run: RunRecord,
    artifact_dir: Path,
    cache_dir: Path,
    log_path: Path,
    *,
    on_progress: Callable[[dict[str, Any]], None] | None = None,
    is_cancelled: Callable[[], bool] | None = None,
    on_started: Callable[[dict[str, Any]], None] | None = None,
    log: Callable[[str], None] = log_line,
) -> Outcome:
    """Run ``run`` with its stored config and seed; every way it can end becomes an :class:`Outcome`.

    ``on_started`` receives the provenance once the runner is loaded and its config valid.
    """
    prov: dict[str, Any] = {**run.provenance, "host": socket.gethostname(), "pid": os.getpid()}
    status, result, error, message = RunStatus.FAILED, None, None, "failed"
    began, cpu_began = time.monotonic(), time.process_time()
    try:
        runner = registry.get(run.runner)
        config = runner.Config.model_validate(run.config)
        context = RunContext(
            artifact_dir,
            seed=run.seed,
            device=config.device,
            threads=config.threads,
            cache_dir=cache_dir,
            on_progress=on_progress,
            is_cancelled=is_cancelled,
            log=log,
        )
        prov = provenance(runner, config, context)
        if on_started:
            on_started(prov)
        result = runner.run(config, context)
        if not isinstance(result, Result):
            raise TypeError(f"run() returned {type(result).__name__}, not a Result")
        status, message = RunStatus.SUCCEEDED, "finished"
    except (Cancelled, KeyboardInterrupt):  # KeyboardInterrupt: how Ray's cancel (and Ctrl-C) stops a task
        status, message = RunStatus.CANCELLED, "cancelled by the user"
    except BaseException as exc:
        traceback.print_exc()
        error = describe_failure(exc, run.runner, prov.get("device", run.device), log_path)
    prov.update(
        ended=utcnow(),
        wall_s=round(time.monotonic() - began, 3),
        # this process's CPU time: on a shared, loaded machine it is what a quiet one's wall time would be (1 thread)
        cpu_s=round(time.process_time() - cpu_began, 3),
        **peak_memory_mb(prov.get("device", "cpu")),
    )
    return Outcome(status, message, result, error, prov)
