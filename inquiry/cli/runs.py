"""Run commands: ``inquiry run``, ``inquiry runners`` and ``inquiry runs [show|cancel|rerun]``.

Runs execute in detached worker processes; these commands queue, watch and steer them.
"""

from __future__ import annotations

import json
import os
import time
from functools import partial
from typing import TYPE_CHECKING, Any

import click

from ..errors import InquiryError
from ..present.text import estimate_text, headline_keys, scope_sentence, verdict_summary
from .output import (
    KeyValue,
    LazyChoice,
    State,
    SweepAxis,
    Table,
    emit,
    on_terminal,
    output_options,
    show,
    terminal_safe,
)

if TYPE_CHECKING:
    from ..runs import sweeps
    from ..runs.records import RunRecord

BAR_WIDTH = 30
SHOWN_CLAIMS = 5  # `inquiry runners` lists this many suited claims per runner, then "… and N more"


def _backends() -> tuple[str, ...]:
    from ..runs.backend import BACKENDS

    return BACKENDS


def _claim_ref(state: State, ref: str) -> str:
    """A claim id from an id, a unique prefix or a title.

    A note stands for its claim when it has one claim, or when exactly one of its claims carries an
    accepted reproduction spec (one whose direction decides the claim's status), else exactly one any spec:
    so ``inquiry run "Does RLVR actually expand…?"`` runs the claim it can test.
    """
    from ..models import NodeKind, SpecState, kind_of

    node_id = state.notebook.resolve_id(ref)
    if kind_of(node_id) is NodeKind.CLAIM:
        return node_id
    claims = state.notebook.list_claims(note_id=node_id) if kind_of(node_id) is NodeKind.NOTE else []
    if len(claims) == 1:
        return claims[0].id
    specs = {c.id: state.notebook.specs(c.id) for c in claims}
    accepted = [c for c in claims if any(s.state is SpecState.ACCEPTED for s in specs[c.id])]
    if len(accepted) == 1:
        return accepted[0].id
    with_specs = [c for c in claims if specs[c.id]]
    if len(with_specs) == 1:
        return with_specs[0].id
    listed = "; ".join(c.id for c in claims[:5])
    hint = f" (its claims: {listed})" if listed else ""
    raise InquiryError(f"{node_id} is a {kind_of(node_id).value}, not a claim{hint}")


def _run_ref(state: State, ref: str) -> str:
    """A run id from an id or a unique prefix, with or without the ``run:`` part."""
    from ..models import NodeKind, kind_of

    node_id = state.notebook.resolve_id(ref if ref.startswith("run:") else f"run:{ref}")
    if kind_of(node_id) is not NodeKind.RUN:
        raise InquiryError(f"{ref!r} is not a run")
    return node_id


def progress_line(run: RunRecord) -> str:
    """One line for a run's progress, e.g. ``[#####-----] 5/10 training loss=0.52``.

    >>> from inquiry.runs.records import RunRecord
    >>> run = RunRecord(id="run:x", claim_id=None, runner="probe", preset="test", config={}, seed=0,
    ...                 status="running", created="", step=5, total=10, message="training",
    ...                 live_metrics={"loss": 0.5213})
    >>> progress_line(run)
    'running [###############---------------] 5/10 training loss=0.5213'
    """
    parts = [run.status.value]
    if run.total:
        done = round(BAR_WIDTH * run.done_steps / run.total)
        parts.append(f"[{'#' * done}{'-' * (BAR_WIDTH - done)}] {run.done_steps}/{run.total}")
    if run.message:
        parts.append(run.message)
    parts += [f"{key}={value:.4g}" for key, value in sorted(run.live_metrics.items())]
    return " ".join(parts)


def _headline(result: Any) -> list[str]:
    """The headline metrics of a result (a run's or a pool's), one line each with interval and n."""
    if result is None:
        return []
    return [f"  {key}: {estimate_text(result.metrics[key])}" for key in headline_keys(result.metrics, result.headline)]


def outcome_text(run: RunRecord) -> str:
    """How a finished run ended, in a few lines: status, verdict and why, headline metrics or the error."""
    lines = [f"{run.id} {run.status.value}"]
    if run.result is not None:
        report = run.result.verdict
        lines.append(f"verdict: {verdict_summary(report, scope=True)}")
        lines.append(f"  {report.explanation}")
        lines.append(f"  {scope_sentence(report.scope)}")
        lines += _headline(run.result)
    if run.error:
        lines.append(f"error: {run.error}")
    return "\n".join(lines)


def _table(runs: list[RunRecord], why_not: dict[str, str] | None = None) -> Table | str:
    if not runs:
        return "no runs"
    why_not = why_not or {}
    rows = [
        (
            r.id,
            r.status.value,
            r.runner,
            f"{r.done_steps}/{r.total}" if r.total else "",
            r.verdict or "",
            (r.claim_id or "") + (f"  (not counted: {why_not[r.id]})" if r.id in why_not else ""),
        )
        for r in runs
    ]
    return Table(["run", "status", "runner", "steps", "verdict", "claim"], rows)


def _run_data(run: RunRecord, why_not: dict[str, str], **exclude: Any) -> dict[str, Any]:
    """A run as JSON, with ``counted`` and, when it does not count toward its claim, ``not_counted``: why."""
    return {
        **run.model_dump(mode="json", **exclude),
        "counted": run.id not in why_not,
        "not_counted": why_not.get(run.id),
    }


def _follow(state: State, run_id: str) -> RunRecord:
    """Wait for the run, showing its progress on stderr: a Rich progress bar on a terminal, a plain line per
    change when piped (nothing extra with --json, whose stdout scripts parse)."""
    from ..runs import launcher

    if state.as_json:
        return launcher.wait_for(state.notebook, run_id)
    if not on_terminal(err=True):
        return launcher.wait_for(
            state.notebook, run_id, on_update=lambda run: click.echo(terminal_safe(progress_line(run)), err=True)
        )
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("{task.fields[status]}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, TextColumn("{task.description}"), console=Console(stderr=True)) as bar:
        task = bar.add_task("", total=None, status="queued")

        def draw(run: RunRecord) -> None:
            metrics = " ".join(f"{key}={value:.4g}" for key, value in sorted(run.live_metrics.items()))
            bar.update(
                task,
                completed=run.done_steps,
                total=run.total or None,
                status=run.status.value,
                description=terminal_safe(" ".join(p for p in (run.message or "", metrics) if p)),
            )

        return launcher.wait_for(state.notebook, run_id, on_update=draw)


def _report_launch(state: State, run_id: str, wait: bool) -> None:
    from ..runs import records
    from ..runs import status as claim_status

    if wait:
        run = _follow(state, run_id)
        data = run.model_dump(mode="json")
        extra = ""
        if run.claim_id:
            found = claim_status.evidence(state.notebook, run.claim_id)
            data["claim_status"] = {
                "claim": run.claim_id,
                "status": found.status.value,
                "runs": found.describe(),
                "not_counted": found.not_counted.get(run.id),
            }
            extra = f"\nclaim {run.claim_id}: {found.status.value} ({found.describe()})"
        emit(state, data, lambda: outcome_text(run) + extra)
        if run.status.value != "succeeded":
            raise SystemExit(1)
    else:
        run = records.get(state.notebook, run_id)
        emit(
            state,
            {"id": run_id, "status": run.status.value},
            lambda: f"{run_id} {run.status.value} (follow it with `inquiry runs show {run_id}`)",
        )


@click.command("run")
@click.argument("claim", required=False)
@click.option("--runner", "runner_name", help="runner name (default: the claim's reproduction spec)")
@click.option("--preset", help="named preset: test, default, gpu …")
@click.option("--set", "pairs", multiple=True, type=KeyValue(), help="override a config field (repeatable)")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--wait", is_flag=True, help="show progress until the run ends, then its verdict")
@click.option(
    "--backend",
    type=LazyChoice(_backends),
    help="where to run (default: the notebook's run.backend setting, else local)",
)
@click.option(
    "--ray-address",
    help="Ray cluster address (default: RAY_ADDRESS, the notebook's ray.address, else a local Ray started on demand)",
)
@click.option(
    "--sweep",
    "axes",
    multiple=True,
    type=SweepAxis(),
    help="fan out over seeds or a config field, e.g. seed=0..4 (inclusive) or lr=1e-4,3e-4; repeatable",
)
@click.option(
    "--allow-runner-ref",
    "allow_refs",
    is_flag=True,
    help="accept --runner package.module:Class, which imports and runs that module (the same as INQUIRY_ALLOW_RUNNER_REFS=1)",
)
@output_options
@click.pass_obj
def run_command(
    state: State,
    claim: str | None,
    runner_name: str | None,
    preset: str | None,
    pairs: tuple[tuple[str, str], ...],
    seed: int,
    wait: bool,
    backend: str | None,
    ray_address: str | None,
    axes: tuple[tuple[str, list[Any]], ...],
    allow_refs: bool,
) -> None:
    """Queue a reproduction run testing CLAIM (an id, a unique prefix, or a note with one claim)."""
    from ..runs import launcher, sweeps
    from ..settings import env_name

    if allow_refs:  # in the environment, so the workers this command starts (which read the runner back) accept it too
        os.environ[env_name("allow_runner_refs")] = "1"
    sweeps.check_seed(seed)
    claim_id = _claim_ref(state, claim) if claim else None
    overrides = dict(pairs)
    if axes:
        sweep_id, run_ids = launcher.launch_sweep(
            state.notebook,
            claim_id,
            runner_name,
            preset,
            overrides,
            dict(axes),
            seed,
            backend=backend,
            ray_address=ray_address,
        )
        assert sweep_id is not None  # axes were given: the runs form a sweep
        _report_sweep(state, sweep_id, run_ids, wait)
        return
    run_id = launcher.launch(
        state.notebook, claim_id, runner_name, preset, overrides, seed, backend=backend, ray_address=ray_address
    )
    _report_launch(state, run_id, wait)


def sweep_text(sweep: sweeps.SweepRecord, runs: list[RunRecord]) -> str:
    """A sweep's runs, one line each, then each pool of seeds with its pooled verdict."""
    lines = [
        f"{sweep.id}: {len(runs)} runs on {sweep.backend}, axes "
        + ", ".join(f"{name}={values}" for name, values in sweep.axes.items())
    ]
    lines += [f"  {r.id} seed {r.seed} {r.status.value} {r.verdict or ''}".rstrip() for r in runs]
    for pool in sweep.pools or []:
        report = pool.result.verdict
        where = f" ({', '.join(f'{k}={v}' for k, v in pool.config.items())})" if pool.config else ""
        lines.append(f"pooled over seeds {pool.seeds}{where}: {verdict_summary(report)}")
        lines.append(f"  {report.explanation}")
        lines += _headline(pool.result)
    return "\n".join(lines)


def _report_sweep(state: State, sweep_id: str, run_ids: list[str], wait: bool) -> None:
    from ..runs import launcher, records, sweeps

    sweep = launcher.wait_for_sweep(state.notebook, sweep_id, run_ids) if wait else sweeps.get(state.notebook, sweep_id)
    runs = [records.get(state.notebook, run_id) for run_id in run_ids]
    emit(
        state,
        {
            **sweep.model_dump(mode="json"),
            "runs": [{"id": r.id, "seed": r.seed, "status": r.status.value, "verdict": r.verdict} for r in runs],
        },
        lambda: sweep_text(sweep, runs),
    )


@click.command("settings")
@click.argument("key", required=False)
@click.argument("value", required=False)
@output_options
@click.pass_obj
def settings_command(state: State, key: str | None, value: str | None) -> None:
    """Show the notebook's settings, or set KEY to VALUE (run.backend: local|ray; ray.address)."""
    from ..runs import backend as run_backend

    if key and value is not None:
        run_backend.put(state.notebook, key, value)
    shown = run_backend.all_settings(state.notebook)
    if key:
        run_backend.get(state.notebook, key)  # names an unknown key
        shown = {key: shown[key]}
    emit(state, shown, lambda: "\n".join(f"{k} = {v}" for k, v in shown.items()))


@click.command("runners")
@output_options
@click.pass_obj
def runners_command(state: State) -> None:
    """The installed runners, their presets and the notebook's claims they suit."""
    from ..runners import registry

    claims = state.notebook.list_claims()
    data = []
    for runner in registry.available().values():
        suited = [c.id for c in claims if runner.suitability(c.text) > 0]
        specs = [s.claim_id for s in state.notebook.specs() if s.runner == runner.name]
        data.append(
            {
                "name": runner.name,
                "title": runner.title,
                "version": runner.version,
                "source": runner.source,
                "presets": sorted(runner.presets),
                "suits_claims": sorted(set(suited) | set(specs)),
            }
        )

    def render() -> str:
        if not data:
            return "no runners installed"
        return "\n".join(
            f"{d['name']} (v{d['version']}): {d['title']}\n  source: {d['source']}\n"
            f"  presets: {', '.join(d['presets'])}\n  suits {len(d['suits_claims'])} claim(s)"
            + "".join(f"\n    {c}" for c in d["suits_claims"][:SHOWN_CLAIMS])
            + (
                f"\n    … and {len(d['suits_claims']) - SHOWN_CLAIMS} more"
                if len(d["suits_claims"]) > SHOWN_CLAIMS
                else ""
            )
            for d in data
        )

    emit(state, data, render)


@click.group("runs", invoke_without_command=True)
@click.option("--claim", "claim", help="only runs testing this claim")
@click.option("--watch", is_flag=True, help="refresh every second until no run is queued or running")
@output_options
@click.pass_context
def runs_group(ctx: click.Context, claim: str | None, watch: bool) -> None:
    """List runs, newest first (finds runs whose worker died and marks them interrupted)."""
    if ctx.invoked_subcommand is not None:
        return
    from ..runs import launcher
    from ..runs import status as claim_status

    state: State = ctx.obj
    claim_id = _claim_ref(state, claim) if claim else None
    while True:
        runs = launcher.list_runs(state.notebook, claim_id=claim_id)
        why_not = claim_status.not_counted(state.notebook, runs)
        data = [_run_data(r, why_not, exclude={"result"}) for r in runs]
        if watch and state.as_json:
            click.echo(json.dumps(data, default=str))
        elif watch:
            click.clear()
            show(_table(runs, why_not))
        else:
            emit(state, data, partial(_table, runs, why_not))
        if not watch or not any(not r.status.finished for r in runs):
            return
        time.sleep(1.0)


def _show_text(run: RunRecord, log_path: str, why_not: dict[str, str]) -> str:
    prov: dict[str, Any] = run.provenance
    lines = [
        outcome_text(run) if run.status.finished else progress_line(run),
        f"runner: {run.runner} (preset {run.preset}, seed {run.seed})",
        f"claim: {run.claim_id or '-'}"
        + (f"  (not counted: {why_not[run.id]})" if run.id in why_not else "  (counts toward its status)"),
        f"created {run.created}, started {run.started or '-'}, ended {run.ended or '-'}",
    ]
    if run.backend != "local":
        lines.append(
            f"backend: {run.backend}"
            + (f", node {prov['ray_node_id']}" if prov.get("ray_node_id") else "")
            + (f", sweep {run.sweep_id}" if run.sweep_id else "")
        )
    if prov.get("wall_s") is not None:
        lines.append(
            f"wall {prov['wall_s']} s, cpu {prov.get('cpu_s', '-')} s, peak memory {prov.get('peak_rss_mb')} MiB, "
            f"device {prov.get('device')}, threads {prov.get('threads')}, host {prov.get('host')} "
            f"pid {prov.get('pid')}"
        )
    lines.append("config: " + json.dumps(run.config, sort_keys=True))
    lines.append(f"log: {log_path}")
    return "\n".join(lines)


@runs_group.command("show")
@click.argument("run")
@output_options
@click.pass_obj
def runs_show(state: State, run: str) -> None:
    """A run's status, verdict, metrics, config, provenance and log path."""
    from ..runs import launcher, records
    from ..runs import status as claim_status
    from ..store import RUN_LOG

    launcher.reap(state.notebook)
    record = records.get(state.notebook, _run_ref(state, run))
    log_path = str(state.notebook.run_dir(record.id) / RUN_LOG)
    why_not = claim_status.not_counted(state.notebook, [record])
    emit(state, {**_run_data(record, why_not), "log": log_path}, lambda: _show_text(record, log_path, why_not))


@runs_group.command("cancel")
@click.argument("run")
@output_options
@click.pass_obj
def runs_cancel(state: State, run: str) -> None:
    """Cancel a run: a queued one at once, a running one within seconds."""
    from ..runs import launcher

    run_id = _run_ref(state, run)
    status = launcher.cancel(state.notebook, run_id)
    words = "cancelled" if status.finished else "cancel requested; the worker stops within seconds"
    emit(state, {"id": run_id, "status": status.value, "cancel_requested": True}, lambda: f"{run_id}: {words}")


@runs_group.command("rerun")
@click.argument("run")
@click.option("--wait", is_flag=True, help="show progress until the run ends, then its verdict")
@output_options
@click.pass_obj
def runs_rerun(state: State, run: str, wait: bool) -> None:
    """Queue RUN again with the same runner, preset, config and seed."""
    from ..runs import launcher

    run_id = launcher.rerun(state.notebook, _run_ref(state, run))
    _report_launch(state, run_id, wait)
