"""Runs on a real local Ray (127.0.0.1, 2 CPUs, started once for this file): end to end, progress,
cancel, a killed task, and a 3-seed sweep pooled into one verdict."""

from __future__ import annotations

import json
import os
import signal

import psutil
import pytest
import ray  # ./dev installs the [ray] extra; a missing Ray must fail, not skip
from click.testing import CliRunner
from fixture_runners import notebook_with_claim, stop_unfinished_runs, wait_until

from inquiry.cli import cli
from inquiry.models import RunStatus, Status
from inquiry.runners import registry
from inquiry.runs import launcher, records, sweeps

pytestmark = pytest.mark.ray

PROBE = {"device": "cpu"}
LONG = {"device": "cpu", "pretrain_steps": 100_000, "reuse_base": False}  # outlasts every wait below


@pytest.fixture(scope="session")
def ray_address():
    """One local Ray for the whole file; drivers connect to it by address, and it is shut down at the end."""
    ray.init(num_cpus=2, include_dashboard=False, _node_ip_address="127.0.0.1", log_to_driver=False)
    yield ray.get_runtime_context().gcs_address
    ray.shutdown()


@pytest.fixture
def ray_notebook(tmp_path, monkeypatch, ray_address):
    """A notebook with one claim; afterwards every unfinished run is cancelled and its driver has exited."""
    monkeypatch.setenv("INQUIRY_HEARTBEAT_S", "0.2")
    monkeypatch.setenv("INQUIRY_CANCEL_GRACE_S", "2")
    nb, claim_id = notebook_with_claim(tmp_path / "nb")
    yield nb, claim_id, ray_address
    stop_unfinished_runs(nb, timeout_s=15)
    drivers = {run.pid for run in records.list_runs(nb) if run.pid}
    wait_until(
        lambda: not any(psutil.pid_exists(pid) and psutil.Process(pid).status() != "zombie" for pid in drivers),
        timeout=20,
    )
    nb.close()


def started(nb, run_id):
    run = records.get(nb, run_id)
    return run if run.started and run.step else None


def test_a_probe_run_goes_through_ray_into_the_notebook_with_live_progress(ray_notebook):
    nb, claim_id, address = ray_notebook
    seen = []
    run_id = launcher.launch(nb, claim_id, "probe", "test", PROBE, seed=1, backend="ray", ray_address=address)
    final = launcher.wait_for(nb, run_id, on_update=seen.append, timeout_s=120)
    assert final.status is RunStatus.SUCCEEDED, final.error
    assert any(r.status is RunStatus.RUNNING and r.message == "pretraining" and r.step for r in seen)
    assert final.backend == "ray" and final.result.raw["n"] == 16 and len(final.result.raw["correct_counts"]) == 30
    prov = final.provenance
    assert prov["backend"] == "ray" and len(prov["ray_node_id"]) > 20 and prov["host"]
    assert prov["pid"] != final.pid  # the task ran in a Ray worker, not in the driver
    assert prov["runner"] == "probe" and prov["seed"] == 1 and prov["wall_s"] > 0
    assert records.events(nb, run_id)[0]["message"] == "pretraining"
    assert (nb.run_dir(run_id) / "samples.jsonl").read_text().count("\n") == 30  # artifacts in the run folder
    log = (nb.run_dir(run_id) / "run.log").read_text()
    assert "submitted to Ray" in log and "started on Ray node" in log and "succeeded" in log
    assert nb.get_claim(claim_id).status is Status.UNTESTED  # the probe is a diagnostic: never counted


def test_cancel_maps_to_ray_cancel_and_the_run_ends_cancelled(ray_notebook):
    nb, claim_id, address = ray_notebook
    run_id = launcher.launch(nb, claim_id, "probe", "test", LONG, backend="ray", ray_address=address)
    wait_until(lambda: started(nb, run_id), timeout=60)
    assert launcher.cancel(nb, run_id) is RunStatus.RUNNING
    final = launcher.wait_for(nb, run_id, timeout_s=15)
    assert final.status is RunStatus.CANCELLED and final.result is None and final.error is None
    assert "ray.cancel sent" in (nb.run_dir(run_id) / "run.log").read_text()
    assert nb.get_claim(claim_id).status is Status.UNTESTED


def test_a_killed_ray_task_shows_as_interrupted(ray_notebook):
    nb, claim_id, address = ray_notebook
    run_id = launcher.launch(nb, claim_id, "probe", "test", LONG, backend="ray", ray_address=address)
    task_pid = wait_until(lambda: started(nb, run_id), timeout=60).provenance["pid"]
    os.kill(task_pid, signal.SIGKILL)
    final = launcher.wait_for(nb, run_id, timeout_s=30)
    assert final.status is RunStatus.INTERRUPTED
    assert "the Ray task stopped without finishing" in final.error and "rerun" in final.error


def test_a_three_seed_sweep_is_pooled_into_one_verdict_on_the_claim(ray_notebook):
    nb, claim_id, address = ray_notebook
    out = CliRunner().invoke(
        cli,
        [
            "--notebook",
            str(nb.path),
            "--json",
            "run",
            claim_id,
            "--runner",
            "probe",
            "--preset",
            "test",
            "--set",
            "device=cpu",
            "--backend",
            "ray",
            "--ray-address",
            address,
            "--sweep",
            "seed=0..2",
            "--wait",
        ],
    )
    assert out.exit_code == 0, out.output
    shown = json.loads(out.stdout)
    assert [r["seed"] for r in shown["runs"]] == [0, 1, 2] and {r["status"] for r in shown["runs"]} == {"succeeded"}
    sweep = sweeps.get(nb, shown["id"])
    [pool] = sweep.pools
    assert pool.seeds == [0, 1, 2] and sorted(pool.runs) == sorted(r["id"] for r in shown["runs"])
    gain = pool.result.metrics["gain"]
    assert gain.n == 3 * 30 and gain.low < gain.value < gain.high
    seed_runs = [records.get(nb, r["id"]) for r in shown["runs"]]
    per_seed = [r.result.metrics["gain"].value for r in seed_runs]
    assert gain.value == pytest.approx(sum(per_seed) / 3)  # equal items per seed: the mean of the seeds
    # the pooled verdict follows the probe's own rule on the pooled interval
    rule = registry.get("probe")._verdict(16, 0.02, pool.result.metrics["pass@16"].value, gain)
    assert (pool.result.verdict.verdict, pool.result.verdict.reason) == (rule.verdict, rule.reason)
    assert "seed-level bootstrap over 3 seeds" in pool.result.verdict.explanation
    assert nb.get_claim(claim_id).status is Status.UNTESTED  # the probe is a diagnostic: never counted
    assert all(r.sweep_id == sweep.id and r.backend == "ray" for r in seed_runs)
