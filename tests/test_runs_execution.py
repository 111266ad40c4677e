"""Runs execute in real detached worker processes: queue → run → result → claim status, and what goes wrong."""

from __future__ import annotations

import os
import signal
import time

import psutil
import pytest
from fixture_runners import REFERENCE, run_notebook, wait_until

from inquiry.errors import ConfigError, NotFound
from inquiry.models import EdgeKind, RunStatus, Status, Verdict
from inquiry.runners import registry
from inquiry.runs import launcher, records

# big enough that a run lasts far longer than any test waits for it (it is cancelled or killed)
LONG = {"steps": 1_000_000, "n_train": 4000, "dims": 32}


def running_with_progress(nb, run_id):
    run = records.get(nb, run_id)
    return run if run.status is RunStatus.RUNNING and run.step else None


def test_a_run_is_queued_executed_and_its_verdict_updates_the_claim(run_notebook):
    nb, claim_id = run_notebook
    seen = []
    run_id = launcher.launch(
        nb,
        claim_id,
        REFERENCE,
        "default",
        {"separation": "3"},
        seed=1,
        wait=True,
        on_update=lambda run: seen.append(run.status),
    )
    run = records.get(nb, run_id)
    assert run.status is RunStatus.SUCCEEDED, run.error
    assert run.verdict == Verdict.SUPPORTS.value
    assert run.result.metrics["accuracy"].low > 0.5
    assert len(run.result.raw["correct"]) == run.config["n_test"] == 400
    assert run.config["separation"] == 3.0 and run.preset == "default"
    prov = run.provenance
    assert prov["runner"] == "linear-probe" and prov["seed"] == 1 and prov["device"] == "cpu"
    assert prov["versions"]["torch"] and prov["versions"]["inquiry"] and prov["threads"] == 1
    assert prov["pid"] != os.getpid() and prov["wall_s"] > 0 and prov["peak_rss_mb"] > 10
    assert prov["cpu_s"] > 0  # the worker's own CPU seconds (on a loaded machine, a quiet one's wall time)
    assert prov["config"] == run.config and prov["ended"] >= prov["started"]
    assert seen[-1] is RunStatus.SUCCEEDED
    assert nb.get_claim(claim_id).status is Status.SUPPORTED
    assert [e.dst for _, e in nb.edges(src=claim_id, kind=EdgeKind.TESTED_BY)] == [run_id]
    assert "succeeded" in (nb.run_dir(run_id) / "run.log").read_text()


def test_progress_is_visible_while_running_and_cancel_stops_the_worker_within_seconds(run_notebook):
    nb, claim_id = run_notebook
    run_id = launcher.launch(nb, claim_id, REFERENCE, "default", LONG)
    first = wait_until(lambda: running_with_progress(nb, run_id))
    assert first.total == LONG["steps"] and first.message == "training" and "loss" in first.live_metrics
    assert nb.get_claim(claim_id).status is Status.RUNNING
    later = wait_until(lambda: (r := records.get(nb, run_id)).step > first.step and r)
    assert records.events(nb, run_id)[-1]["metrics"]["loss"] > 0
    assert later.heartbeat and later.pid

    asked = time.monotonic()
    assert launcher.cancel(nb, run_id) is RunStatus.RUNNING  # asked; the worker stops it
    final = launcher.wait_for(nb, run_id, timeout_s=10)
    assert final.status is RunStatus.CANCELLED and time.monotonic() - asked < 5
    assert final.error is None and final.result is None
    wait_until(lambda: not psutil.pid_exists(final.pid) or psutil.Process(final.pid).status() == "zombie")
    assert nb.get_claim(claim_id).status is Status.UNTESTED  # a cancelled run is no evidence


def test_a_runner_that_ignores_a_cancel_is_stopped_by_force_after_the_grace_period(run_notebook, monkeypatch):
    nb, claim_id = run_notebook
    monkeypatch.setenv("INQUIRY_CANCEL_GRACE_S", "1")
    run_id = launcher.launch(nb, claim_id, REFERENCE, "test", {**LONG, "ignore_cancel": True})
    wait_until(lambda: running_with_progress(nb, run_id))
    launcher.cancel(nb, run_id)
    final = launcher.wait_for(nb, run_id, timeout_s=10)
    assert final.status is RunStatus.CANCELLED and final.message.startswith("stopped by force")
    assert "ignored the cancel request" in (nb.run_dir(run_id) / "run.log").read_text()


def test_a_killed_worker_shows_as_interrupted_on_the_next_look(run_notebook):
    nb, claim_id = run_notebook
    run_id = launcher.launch(nb, claim_id, REFERENCE, "test", LONG)
    run = wait_until(lambda: running_with_progress(nb, run_id))
    os.kill(run.pid, signal.SIGKILL)
    interrupted = wait_until(lambda: launcher.list_runs(nb, status=RunStatus.INTERRUPTED), timeout=10)
    assert [r.id for r in interrupted] == [run_id]
    assert "rerun" in interrupted[0].error and interrupted[0].ended
    assert nb.get_claim(claim_id).status is Status.UNTESTED


def test_a_bad_config_is_rejected_naming_the_field_and_nothing_starts(run_notebook):
    nb, claim_id = run_notebook
    with pytest.raises(ConfigError) as bad_value:
        launcher.launch(nb, claim_id, REFERENCE, "test", {"steps": "-3"})
    assert bad_value.value.field == "steps"
    with pytest.raises(ConfigError) as unknown:
        launcher.launch(nb, claim_id, REFERENCE, "test", {"stepz": "3"})
    assert unknown.value.field == "stepz" and "known: " in unknown.value.message
    with pytest.raises(ConfigError, match="no preset 'huge'"):
        launcher.launch(nb, claim_id, REFERENCE, "huge")
    with pytest.raises(NotFound, match="no runner named 'nope'"):
        launcher.launch(nb, claim_id, "nope")
    assert records.list_runs(nb) == [] and not nb.runs_dir.exists()


def test_same_config_and_seed_give_identical_metrics(run_notebook):
    nb, claim_id = run_notebook
    first, again, other = (launcher.launch(nb, claim_id, REFERENCE, "test", {}, seed=seed) for seed in (5, 5, 6))
    runs = [launcher.wait_for(nb, run_id, timeout_s=30) for run_id in (first, again, other)]
    assert all(r.status is RunStatus.SUCCEEDED for r in runs)
    assert runs[0].result.metrics == runs[1].result.metrics
    assert runs[0].result.raw == runs[1].result.raw
    assert runs[0].result.raw != runs[2].result.raw


def test_the_concurrency_limit_queues_a_second_run_until_the_first_ends(run_notebook):
    nb, claim_id = run_notebook
    long_id = launcher.launch(nb, claim_id, REFERENCE, "test", LONG)
    queued_id = launcher.launch(nb, claim_id, REFERENCE, "test", {})
    doomed_id = launcher.launch(nb, claim_id, REFERENCE, "test", {})
    wait_until(lambda: running_with_progress(nb, long_id))
    assert records.get(nb, queued_id).status is RunStatus.QUEUED
    assert launcher.cancel(nb, doomed_id) is RunStatus.CANCELLED  # a queued run is cancelled at once
    time.sleep(0.5)
    assert [r.id for r in records.list_runs(nb, status=RunStatus.RUNNING)] == [long_id]

    launcher.cancel(nb, long_id)
    second = launcher.wait_for(nb, queued_id, timeout_s=30)  # the finishing worker started it
    first = records.get(nb, long_id)
    assert second.status is RunStatus.SUCCEEDED and first.status is RunStatus.CANCELLED
    assert second.provenance["started"] >= first.provenance["ended"]
    assert records.get(nb, doomed_id).started is None


def test_a_failure_is_recorded_in_words_with_the_log_path(run_notebook):
    nb, claim_id = run_notebook
    missing = nb.path / "no-such-weights.npy"
    run_id = launcher.launch(nb, claim_id, REFERENCE, "test", {"init_from": str(missing)}, wait=True)
    run = records.get(nb, run_id)
    log = nb.run_dir(run_id) / "run.log"
    assert run.status is RunStatus.FAILED and run.result is None
    assert run.error == f"file or folder not found: {missing} (log: {log})"
    assert "Traceback" in log.read_text() and "FileNotFoundError" in log.read_text()
    assert nb.get_claim(claim_id).status is Status.UNTESTED
    # the notebook and later runs are unaffected
    assert launcher.launch(nb, claim_id, REFERENCE, "test", {}, wait=True) and nb.integrity_ok()


def test_a_claim_spec_picks_runner_preset_and_overrides_and_rerun_repeats_a_run(run_notebook):
    nb, claim_id = run_notebook
    (spec,) = nb.specs(claim_id)
    nb.update_spec(
        spec.model_copy(update={"preset": "test", "overrides": {"separation": 0.0}, "predicts": Verdict.SUPPORTS})
    )
    run_id = launcher.launch(nb, claim_id, overrides={"steps": 20}, seed=3, wait=True)
    run = records.get(nb, run_id)
    assert (run.runner, run.preset, run.config["separation"], run.config["steps"]) == (REFERENCE, "test", 0.0, 20)
    again = launcher.rerun(nb, run_id, wait=True)
    repeat = records.get(nb, again)
    assert again != run_id and (repeat.config, repeat.seed) == (run.config, 3)
    assert repeat.result.metrics == run.result.metrics


def test_a_runner_can_be_named_by_module_reference_only_when_allowed(monkeypatch):
    monkeypatch.delenv("INQUIRY_ALLOW_RUNNER_REFS", raising=False)
    with pytest.raises(NotFound, match=r"is a module reference.*--allow-runner-ref or INQUIRY_ALLOW_RUNNER_REFS=1"):
        registry.get(REFERENCE)
    runner = registry.get(REFERENCE, allow_reference=True)
    assert runner.name == "linear-probe" and registry.resolve_config(runner, "test").steps == 60
    with pytest.raises(NotFound, match="cannot load runner"):
        registry.get("fixture_runners:NoSuchRunner", allow_reference=True)
    monkeypatch.setenv("INQUIRY_ALLOW_RUNNER_REFS", "1")
    with pytest.raises(NotFound, match="not a Runner subclass"):
        registry.get("os.path:join")
