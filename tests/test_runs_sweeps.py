"""Sweeps on the local backend and the seed-level pooling: a sweep's seeds count once, by their pooled verdict."""

from __future__ import annotations

import numpy as np
import pytest
from fixture_runners import REFERENCE, run_notebook  # noqa: F401  (fixture)

from inquiry.errors import ConfigError
from inquiry.models import RunStatus, Status
from inquiry.runners.pooling import seed_bootstrap_ci
from inquiry.runs import backend as run_backend
from inquiry.runs import launcher, records, sweeps


def test_a_local_seed_sweep_runs_every_seed_and_pools_them_on_the_claim(run_notebook):
    nb, claim_id = run_notebook
    sweep_id, run_ids = launcher.launch_sweep(
        nb, claim_id, REFERENCE, "default", {"separation": "3"}, {"seed": [0, 1], "steps": ["20", "40"]}
    )
    sweep = launcher.wait_for_sweep(nb, sweep_id, run_ids, timeout_s=60)
    runs = [records.get(nb, run_id) for run_id in run_ids]
    assert [(r.seed, r.config["steps"]) for r in runs] == [(0, 20), (0, 40), (1, 20), (1, 40)]
    assert all(r.status is RunStatus.SUCCEEDED and r.sweep_id == sweep_id and r.backend == "local" for r in runs)
    # one pool per swept config value, each over both seeds, with the default conservative rule
    assert sorted((p.config["steps"], p.seeds) for p in sweep.pools) == [(20, [0, 1]), (40, [0, 1])]
    for pool in sweep.pools:
        accuracies = [records.get(nb, run_id).result.metrics["accuracy"] for run_id in pool.runs]
        pooled = pool.result.metrics["accuracy"]
        assert pooled.value == pytest.approx(np.mean([a.value for a in accuracies]))
        assert pooled.low == min(a.low for a in accuracies) and pool.result.verdict.reason == "all_seeds_agree"
    assert nb.get_claim(claim_id).status is Status.SUPPORTED


def test_pooled_seeds_stand_in_for_their_runs_in_the_claims_status(run_notebook):
    nb, claim_id = run_notebook
    # separation 0: a seed may beat chance by luck; the pool is inconclusive unless every seed supports
    sweep_id, run_ids = launcher.launch_sweep(
        nb, claim_id, REFERENCE, "default", {"separation": "0"}, {"seed": [0, 1, 2]}
    )
    sweep = launcher.wait_for_sweep(nb, sweep_id, run_ids, timeout_s=60)
    verdicts = [records.get(nb, run_id).verdict for run_id in run_ids]
    [pool] = sweep.pools
    expected = "supports" if set(verdicts) == {"supports"} else "inconclusive"
    assert pool.result.verdict.verdict.value == expected and pool.result.raw["seed_verdicts"] == verdicts
    assert nb.get_claim(claim_id).status.value == {"supports": "supported"}.get(expected, expected)


def test_sweep_axes_and_backends_are_checked_before_anything_is_recorded(run_notebook):
    nb, claim_id = run_notebook
    assert sweeps.parse_axis("seed=3..5") == ("seed", [3, 4, 5])
    with pytest.raises(ConfigError, match="range is empty"):
        sweeps.parse_axis("seed=5..3")
    with pytest.raises(ConfigError, match=r"expected NAME=A\.\.B"):
        sweeps.parse_axis("seed")
    with pytest.raises(ConfigError) as bad:
        launcher.launch_sweep(nb, claim_id, REFERENCE, "test", {}, {"seed": [0, 1], "steps": ["10", "-1"]})
    assert bad.value.field == "steps"
    with pytest.raises(ConfigError, match="at most 256"):
        launcher.launch_sweep(nb, claim_id, REFERENCE, "test", {}, {"seed": list(range(300))})
    with pytest.raises(ConfigError, match="'slurm' is not one of local, ray"):
        launcher.launch(nb, claim_id, REFERENCE, "test", backend="slurm")
    with pytest.raises(ConfigError, match="not one of local, ray"):
        run_backend.put(nb, "run.backend", "slurm")
    assert records.list_runs(nb) == [] and nb.db.execute("SELECT count(*) FROM sweeps").fetchone()[0] == 0


def test_the_seed_level_bootstrap_widens_the_interval_when_seeds_disagree():
    rng = np.random.default_rng(0)
    agree = [rng.normal(0.5, 0.2, 50) for _ in range(4)]
    disagree = [values + shift for values, shift in zip(agree, (-0.3, -0.1, 0.1, 0.3))]
    narrow = seed_bootstrap_ci(agree, B=2000, rng=np.random.default_rng(1))
    wide = seed_bootstrap_ci(disagree, B=2000, rng=np.random.default_rng(1))
    assert narrow.value == pytest.approx(wide.value) and narrow.n == wide.n == 200
    assert (wide.high - wide.low) > 2 * (narrow.high - narrow.low)
    # with agreeing seeds it matches a plain bootstrap over all items
    flat = np.concatenate(agree)
    plain = np.quantile(rng.choice(flat, size=(2000, flat.size)).mean(axis=1), [0.025, 0.975])
    assert narrow.low == pytest.approx(plain[0], abs=0.02) and narrow.high == pytest.approx(plain[1], abs=0.02)
