"""Pooling a seed sweep of RLVR runs: per-problem counts pooled across seeds for the pass@k verdict.

The results are built by hand from binomial counts (no training), shaped like a pass@k run's raw
output: per problem, how many of n samples the base and the RL model got right.
"""

from __future__ import annotations

import numpy as np
import pytest

from inquiry.runners.api import Estimate, Result, VerdictReport
from inquiry.runners.registry import available
from inquiry.runners.rlvr.verdict import passk_evidence
from inquiry.runners.substrate import bootstrap_ci, pass_at_k

N = 32


def passk_run(seed: int, base_rates, rl_rates, *, verdict: str = "supports", **raw_extra) -> Result:
    """One seed's result: binomial counts at the given per-problem success rates."""
    rng = np.random.default_rng(seed)
    held_out = {"base": rng.binomial(N, base_rates).tolist(), "rl": rng.binomial(N, rl_rates).tolist()}
    return Result(
        raw={"seed": seed, "n": N, "bootstrap": 400, "held_out": held_out, **raw_extra},
        metrics={"delta_pass1": Estimate(value=0.3, low=0.2, high=0.4)},
        verdict=VerdictReport(verdict=verdict, reason="r", explanation="e"),
    )


def sharpened(seed: int) -> Result:
    """RL sure of 2/3 of the problems and blind on the rest, from a base that tries everything."""
    return passk_run(seed, [0.2] * 60, [0.8] * 40 + [0.0] * 20)


def test_a_sharpening_sweep_pools_its_problems_and_supports_the_claim():
    runs = [sharpened(seed) for seed in range(3)]
    pooled = available()["rlvr"].pool(runs)

    assert pooled.verdict.verdict.value == "supports" and pooled.verdict.reason == "rl_wins_at_1_base_wins_at_n"
    assert "3 seeds, then problems" in pooled.verdict.explanation
    d1, dn = pooled.metrics["delta_pass1"], pooled.metrics[f"delta_pass{N}"]
    assert d1.n == dn.n == 180 and d1.low > 0 and dn.high < 0
    # equal-sized seeds: the pooled Δ is the mean of what each seed's own rule measured
    singles = [passk_evidence(r.raw["held_out"]["base"], r.raw["held_out"]["rl"], N, B=100) for r in runs]
    assert d1.value == pytest.approx(np.mean([ev.delta_1.value for ev in singles]))
    assert dn.value == pytest.approx(np.mean([ev.delta_n.value for ev in singles]))
    base_all = [c for r in runs for c in r.raw["held_out"]["base"]]
    assert pooled.metrics[f"pass{N}_base"].value == pytest.approx(np.mean([pass_at_k(N, c, N) for c in base_all]))
    assert pooled.raw["held_out"]["base"] == [r.raw["held_out"]["base"] for r in runs]
    assert pooled.raw["seed_verdicts"] == ["supports"] * 3 and pooled.raw["seeds"] == [0, 1, 2]
    [curve] = pooled.series
    assert curve.x[0] == 1 and curve.x[-1] == N and curve.y[0] == d1.value


def test_seeds_that_disagree_widen_the_interval_beyond_problem_resampling():
    # seed 0: RL solves a half the base never does (expansion); seed 1: RL loses a half (narrowing)
    expands = passk_run(0, [0.3] * 30 + [0.0] * 30, [0.6] * 60, verdict="contradicts")
    narrows = passk_run(1, [0.3] * 60, [0.9] * 30 + [0.0] * 30, verdict="supports")
    pooled = available()["rlvr"].pool([expands, narrows])

    dn = pooled.metrics[f"delta_pass{N}"]
    per_problem = [
        pass_at_k(N, r, N) - pass_at_k(N, b, N)
        for run in (expands, narrows)
        for b, r in zip(run.raw["held_out"]["base"], run.raw["held_out"]["rl"])
    ]
    problems_only = bootstrap_ci(per_problem, B=400)  # as if all 120 problems came from one seed
    assert problems_only.low > -0.2 and problems_only.high < 0.2
    assert dn.low < -0.3 and dn.high > 0.3  # the seed level carries the disagreement
    assert pooled.verdict.verdict.value == "inconclusive" and pooled.verdict.reason == "ci_overlaps_zero_at_n"
    assert "by seed: contradicts, supports" in pooled.verdict.explanation


def test_a_base_at_the_guessing_floor_fails_the_pooled_precondition():
    runs = [passk_run(seed, [0.2] * 60, [0.8] * 40 + [0.0] * 20, guess_rates=[0.2] * 60) for seed in (3, 4)]
    pooled = available()["rlvr"].pool(runs)
    gap = pooled.metrics[f"base_minus_guess_pass{N}"]
    assert gap.n == 120 and abs(gap.value) < 0.02
    assert pooled.verdict.verdict.value == "inconclusive"
    assert pooled.verdict.reason == "precondition_failed:base_above_guesser"
    [check] = [c for c in pooled.verdict.preconditions if c.id == "base_above_guesser"]
    assert not check.passed and check.value == gap.low


@pytest.mark.parametrize(
    "results, why",
    [
        ([sharpened(0)], "at least two seeds"),
        (
            [sharpened(0), Result(verdict=VerdictReport(verdict="supports", reason="r", explanation="e"))],
            "no per-problem held-out counts",
        ),
        (
            [
                Result(
                    raw={"n": N, "held_out": {"base": [1, 2], "full_set": [3, 4], "one_example": [3, 3]}},
                    verdict=VerdictReport(verdict="supports", reason="r", explanation="e"),
                )
            ]
            * 2,
            "base, full_set, one_example) are not the pass@k variant's",
        ),
        (
            [sharpened(0), sharpened(1).model_copy(update={"raw": {**sharpened(1).raw, "n": 64}})],
            "different n (32, 64)",
        ),
    ],
)
def test_other_variants_and_results_without_counts_pool_conservatively_and_say_why(results, why):
    pooled = available()["rlvr"].pool(results)
    assert pooled.verdict.reason.startswith("not_pooled_on_counts:")
    assert why in pooled.verdict.explanation
    assert pooled.raw["seeds"] == len(results)  # the conservative pooling's record, not the counts'
