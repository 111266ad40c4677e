"""The Ray backend: ``python -m inquiry.runs.ray_driver --notebook DIR [--address A] RUN_ID…``.

The launcher marks the runs ``running`` and starts this driver detached (its own session, so runs
survive the CLI or app exiting). The driver connects to the cluster (``--address``, else a local
Ray started on demand on 127.0.0.1 without a dashboard), submits each run as a Ray task with the
resources of its config (``num_cpus`` = ``threads``, ``num_gpus``, ``memory_gb``; no retries),
and waits. Inside the task, :func:`~inquiry.runs.execution.execute_run` runs the runner exactly as
the local worker does; its progress, start and log lines travel back through a small mailbox actor
that the driver drains into the notebook, so the app shows Ray runs like local ones.

Where it works: the driver must run on the machine holding the notebook (it writes SQLite). The
task writes artifacts straight into the run's folder when it sees the notebook folder (a local Ray,
or a cluster on a shared filesystem); otherwise it writes them to a temporary folder on its node
and sends them back with the result (fine for plots and samples; large checkpoints should live on
shared storage), and it caches pretrained bases in the node's temporary folder.

What ends how: a task the user cancels is stopped with ``ray.cancel`` (forced after the grace
period) → ``cancelled``; a task whose worker process or node died → ``interrupted``; a driver
that died, or that lost the cluster for longer than :data:`LOST_CLUSTER_S`, leaves a stale
heartbeat that ``reap`` turns into ``interrupted``. Runs never stay ``running`` forever.
"""

from __future__ import annotations

import argparse
import base64
import io
import os
import socket
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import redirect_stderr
from pathlib import Path
from typing import Any

from ..models import RunStatus, utcnow
from ..runners.api import Result
from ..store import DB_NAME, RUN_LOG, Notebook, run_folder
from ..store import runs as run_rows
from . import launcher, records, settings
from .execution import Outcome, ProgressWriter, execute_run, log_line
from .heartbeat import Heartbeat

LOST_CLUSTER_S = 120.0  # a driver whose loop is stuck this long (cluster gone) gives up its runs
POLL_S = 0.2


# ---- inside the cluster ------------------------------------------------------------------------


class Mailbox:
    """A Ray actor (no CPU reserved) that tasks post to and the driver drains: (run id, kind, payload)."""

    def __init__(self) -> None:
        self.items: list[tuple[str, str, Any]] = []

    def put(self, run_id: str, kind: str, payload: Any) -> None:
        self.items.append((run_id, kind, payload))

    def drain(self) -> list[tuple[str, str, Any]]:
        items, self.items = self.items, []
        return items


def _collect(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` as base64 text, keyed by its relative path (to ship it back)."""
    return {
        str(path.relative_to(folder)): base64.b64encode(path.read_bytes()).decode()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def run_task(run_json: dict[str, Any], notebook: str, mailbox: Any) -> dict[str, Any]:
    """The Ray task: execute one run with the same core as the local worker; returns the outcome."""
    import ray

    run = records.RunRecord.model_validate(run_json)
    folder = Path(notebook)
    run_dir = run_folder(folder, run.id)
    shared = (folder / DB_NAME).exists()  # a local Ray, or a cluster on a shared filesystem
    scratch = Path(tempfile.gettempdir())
    artifact_dir = run_dir if shared else Path(tempfile.mkdtemp(prefix="inquiry-run-"))
    cache_dir = folder / "cache" if shared else scratch / "inquiry-cache"
    context = ray.get_runtime_context()
    where = {
        "backend": "ray",
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "ray_node_id": context.get_node_id(),
        "ray_task_id": context.get_task_id(),
    }

    def post(kind: str, payload: Any, wait: bool = False) -> None:
        ref = mailbox.put.remote(run.id, kind, payload)
        if wait:  # actor calls from one caller run in order: once this one ran, all earlier ones did
            ray.get(ref)

    progress = ProgressWriter(lambda event: post("progress", event))
    errors = io.StringIO()
    with redirect_stderr(errors):  # tracebacks go to the run's log, not the Ray worker's
        outcome = execute_run(
            run,
            artifact_dir,
            cache_dir,
            run_dir / RUN_LOG,
            on_progress=progress,
            on_started=lambda prov: post("started", {**prov, **where}, wait=True),
            log=lambda line: post("log", line),
        )
    progress.flush()
    if errors.getvalue():
        post("log", errors.getvalue().rstrip())
    post("flushed", None, wait=True)
    return {
        "status": outcome.status.value,
        "message": outcome.message,
        "error": outcome.error,
        "result": outcome.result.model_dump(mode="json") if outcome.result else None,
        "provenance": {**outcome.provenance, **where},
        "files": {} if shared else _collect(artifact_dir),
    }


# ---- the driver --------------------------------------------------------------------------------


class Driver:
    """Submits its runs to Ray, mirrors what the tasks report, maps cancel, records how each ended."""

    def __init__(self, nb: Notebook, runs: list[records.RunRecord]):
        import ray

        self.ray, self.nb = ray, nb
        self.pending: dict[Any, records.RunRecord] = {}
        self.cancel_sent: dict[str, float] = {}
        self.last_tick = time.monotonic()
        self.mailbox: Any = ray.remote(num_cpus=0)(Mailbox).remote()  # an actor handle: methods gain .remote
        task = ray.remote(run_task)
        for run in runs:
            gib = float(run.config.get("memory_gb", 0) or 0)
            options = {
                "num_cpus": int(run.config.get("threads", 1)),
                "max_retries": 0,
                "num_gpus": float(run.config.get("num_gpus", 0) or 0),
                **({"memory": int(gib * 2**30)} if gib else {}),
            }
            ref = task.options(**options).remote(run.model_dump(mode="json"), str(nb.path), self.mailbox)
            self.pending[ref] = run
            self.log(run.id, f"submitted to Ray ({', '.join(f'{k}={v}' for k, v in sorted(options.items()))})")
            run_rows.set_message(nb, run.id, "waiting for Ray to schedule it")

    def log(self, run_id: str, line: str) -> None:
        with open(self.nb.run_dir(run_id) / RUN_LOG, "a", encoding="utf-8") as log:
            log.write(f"[{utcnow()}] {line}\n")

    def drain(self) -> None:
        for run_id, kind, payload in self.ray.get(self.mailbox.drain.remote(), timeout=30):
            if kind == "progress":
                records.record_progress(self.nb, run_id, payload)
            elif kind == "started":
                records.mark_started(self.nb, run_id, payload)
                launcher.refresh_claim(self.nb, records.get(self.nb, run_id).claim_id)
                self.log(
                    run_id,
                    f"started on Ray node {payload['ray_node_id'][:12]} (host {payload['host']}, pid {payload['pid']})",
                )
            elif kind == "log":
                self.log(run_id, payload)

    def map_cancels(self) -> None:
        """A cancel request becomes ``ray.cancel``; one the task ignores past the grace period, a forced one."""
        now = time.monotonic()
        for ref, run in self.pending.items():
            sent = self.cancel_sent.get(run.id)
            if sent is None and records.cancel_requested(self.nb, run.id):
                self.ray.cancel(ref)
                self.cancel_sent[run.id] = now
                self.log(run.id, "cancel requested: ray.cancel sent")
            elif sent is not None and sent > 0 and now - sent > settings.cancel_grace():
                self.ray.cancel(ref, force=True)
                self.cancel_sent[run.id] = -1.0  # forced; nothing more to send
                self.log(run.id, "the task ignored the cancel; ray.cancel(force=True) sent")

    def outcome(self, ref: Any, run: records.RunRecord) -> Outcome:
        from ray import exceptions

        try:
            value = self.ray.get(ref, timeout=30)
        except exceptions.TaskCancelledError:
            return Outcome(RunStatus.CANCELLED, "cancelled by the user")
        except exceptions.RayTaskError as exc:  # the task raised outside the runner (e.g. inquiry not on the node)
            return Outcome(
                RunStatus.FAILED,
                "failed",
                error=f"the Ray task failed: {str(exc).splitlines()[0]} (log: {self.nb.run_dir(run.id) / launcher.RAY_DRIVER_LOG})",
            )
        except exceptions.RayError as exc:  # the worker process or its node died
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            return Outcome(
                RunStatus.INTERRUPTED,
                "interrupted",
                error=f"the Ray task stopped without finishing ({type(exc).__name__}: {first}); start it "
                f"again with `inquiry runs rerun {run.id}`",
            )
        for name, data in value["files"].items():  # artifacts made on a node that cannot see the notebook
            target = (self.nb.run_dir(run.id) / name).resolve()
            if self.nb.run_dir(run.id).resolve() in target.parents:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(base64.b64decode(data))
        result = Result.model_validate(value["result"]) if value["result"] else None
        return Outcome(RunStatus(value["status"]), value["message"], result, value["error"], value["provenance"])

    def finish(self, ref: Any) -> None:
        run = self.pending.pop(ref)
        outcome = self.outcome(ref, run)
        self.drain()
        if run.id in self.cancel_sent and outcome.status is not RunStatus.SUCCEEDED:
            outcome = Outcome(RunStatus.CANCELLED, "cancelled by the user", provenance=outcome.provenance)
        prov = {**records.get(self.nb, run.id).provenance, **outcome.provenance}
        self.log(run.id, f"{run.id} {outcome.status.value}" + (f": {outcome.error}" if outcome.error else ""))
        launcher.end_run(
            self.nb,
            run.id,
            outcome.status,
            result=outcome.result,
            error=outcome.error,
            message=outcome.message,
            provenance=prov,
        )

    def loop(self) -> None:
        while self.pending:
            self.last_tick = time.monotonic()
            self.drain()
            self.map_cancels()
            ready, _ = self.ray.wait(list(self.pending), num_returns=1, timeout=POLL_S)
            for ref in ready:
                self.finish(ref)


def give_up(nb: Notebook, runs: list[records.RunRecord], why: str) -> None:
    """Mark runs still running as interrupted (the cluster is gone or the driver failed)."""
    for run in runs:
        launcher.end_run(
            nb,
            run.id,
            RunStatus.INTERRUPTED,
            message="interrupted",
            error=f"{why}; start it again with `inquiry runs rerun {run.id}`",
        )


def watch_cluster(driver: Driver) -> Callable[[Notebook, float], None]:
    """A heartbeat check: if the driver's loop is stuck (the cluster is gone), give its runs up and exit."""

    def check(nb: Notebook, now: float) -> None:
        if now - driver.last_tick > LOST_CLUSTER_S:
            log_line(f"no answer from the Ray cluster for {LOST_CLUSTER_S:.0f} s; giving up")
            give_up(nb, list(driver.pending.values()), "lost contact with the Ray cluster")
            os._exit(1)

    return check


def connect(address: str | None, runs: list[records.RunRecord]) -> None:
    import ray

    if address:
        ray.init(address=address, log_to_driver=True)
        return
    wanted = sum(int(run.config.get("threads", 1)) for run in runs)
    largest = max(int(run.config.get("threads", 1)) for run in runs)
    ray.init(
        num_cpus=max(largest, min(wanted, os.cpu_count() or 1)),
        include_dashboard=False,
        _node_ip_address="127.0.0.1",
        log_to_driver=True,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m inquiry.runs.ray_driver", description=__doc__.splitlines()[0])
    parser.add_argument("--notebook", required=True, type=Path, help="the notebook folder")
    parser.add_argument("--address", help="a running Ray cluster (default: start a local one)")
    parser.add_argument("run_ids", nargs="+")
    args = parser.parse_args(argv)
    nb = Notebook.open(args.notebook, create=False)
    runs = [
        run
        for run in (records.get(nb, run_id) for run_id in args.run_ids)
        if run.status is RunStatus.RUNNING and not run.started
    ]
    if not runs:
        return 0
    for run in runs:
        records.mark_worker(nb, run.id, pid=os.getpid(), host=socket.gethostname())
    log_line(
        f"Ray driver pid {os.getpid()} for {', '.join(r.id for r in runs)} "
        f"({'cluster ' + args.address if args.address else 'local Ray'})"
    )
    import ray

    try:
        connect(args.address, runs)
        driver = Driver(nb, runs)
        heartbeat = Heartbeat(
            nb.path,
            lambda: [run.id for run in list(driver.pending.values())],
            watch_cluster(driver),
            only_running=True,
        )
        heartbeat.start()
        driver.loop()
        heartbeat.stop()
    except BaseException as exc:
        log_line(f"the Ray driver failed: {type(exc).__name__}: {exc}")
        give_up(nb, runs, f"the Ray driver failed ({type(exc).__name__}: {exc})")
        return 1
    finally:
        ray.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
