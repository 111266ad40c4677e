"""The Ray backend against the local one, measured in one run on the same small probe run.

1. overhead: one probe run (``test`` preset) queued → succeeded, local worker vs Ray (a local Ray on
   127.0.0.1 started once here; the driver connects to it, as with a cluster). Ray's own startup
   is reported apart, as a cluster would already be running; an untimed local run first warms
   the file cache, so neither side pays the first cold import of torch.
2. sweep: 4 seeds on a 2-CPU Ray (two tasks at a time) vs the same 4 seeds as sequential local runs.

    .venv/bin/python benchmarks/bench_ray.py [--quick]

The last line is one JSON object. ``--quick`` uses 2 seeds for the sweep.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import ray

from inquiry.example import import_example
from inquiry.models import RunStatus
from inquiry.runs import launcher
from inquiry.store import Notebook

CONFIG = {"device": "cpu", "reuse_base": False}  # every run pretrains: the same work on both backends


def notebook_with_claim() -> tuple[Notebook, str]:
    """A fresh notebook holding the bundled example; returns it with the example's pass@k claim."""
    nb = Notebook.open(Path(tempfile.mkdtemp()) / "nb")
    import_example(nb)
    return nb, next(c.id for c in nb.list_claims() if c.text.startswith("Pass@k analysis"))


def one_run(backend: str, address: str | None, seed: int = 0) -> float:
    """Seconds from queueing one probe run to its success (the notebook is made before the clock starts)."""
    nb, claim_id = notebook_with_claim()
    began = time.perf_counter()
    run = launcher.wait_for(
        nb,
        launcher.launch(nb, claim_id, "probe", "test", CONFIG, seed=seed, backend=backend, ray_address=address),
        timeout_s=600,
    )
    assert run.status is RunStatus.SUCCEEDED, run.error
    return time.perf_counter() - began


def sweep(backend: str, address: str | None, seeds: int) -> float:
    """Seconds from queueing a seed sweep of the probe to its pooled result."""
    nb, claim_id = notebook_with_claim()
    began = time.perf_counter()
    sweep_id, run_ids = launcher.launch_sweep(
        nb, claim_id, "probe", "test", CONFIG, {"seed": list(range(seeds))}, backend=backend, ray_address=address
    )
    pooled = launcher.wait_for_sweep(nb, sweep_id, run_ids, timeout_s=900)
    assert pooled.pools, "the sweep was not pooled"
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2 seeds in the sweep instead of 4")
    args = parser.parse_args()
    seeds = 2 if args.quick else 4

    began = time.perf_counter()
    ray.init(num_cpus=2, include_dashboard=False, _node_ip_address="127.0.0.1", log_to_driver=False)
    ray_start = time.perf_counter() - began
    address = ray.get_runtime_context().gcs_address
    try:
        one_run("local", None, seed=9)  # warm-up: the first process start pays for cold imports of torch
        local_s = one_run("local", None)
        ray_s = one_run("ray", address)
        local_sweep_s = sweep("local", None, seeds)
        ray_sweep_s = sweep("ray", address, seeds)
    finally:
        ray.shutdown()
    print(f"ray startup (once per cluster)      {ray_start:7.2f} s")
    print(f"one probe run   local {local_s:7.2f} s   ray {ray_s:7.2f} s   ray/local {ray_s / local_s:5.2f}x")
    print(
        f"{seeds}-seed sweep    local {local_sweep_s:7.2f} s   ray {ray_sweep_s:7.2f} s   "
        f"speed-up {local_sweep_s / ray_sweep_s:5.2f}x (2 CPUs)"
    )
    print(
        json.dumps(
            {
                "ray_start_s": round(ray_start, 2),
                "local_run_s": round(local_s, 2),
                "ray_run_s": round(ray_s, 2),
                "ray_over_local": round(ray_s / local_s, 3),
                "seeds": seeds,
                "local_sweep_s": round(local_sweep_s, 2),
                "ray_sweep_s": round(ray_sweep_s, 2),
                "sweep_speedup": round(local_sweep_s / ray_sweep_s, 3),
            }
        )
    )


if __name__ == "__main__":
    main()
