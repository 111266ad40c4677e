"""Pooling a seed sweep of RLAG runs: seeds then questions on RLAG − best baseline, RLAG's own verdict rules.

The results are built by hand in the shape the runner reports (per-question 0/1 outcomes per training
seed and arm, and the base's outcomes with and without snippets), so the expected numbers are known.
"""

import numpy as np
import pytest

from inquiry.runners import registry
from inquiry.runners.api import Result, VerdictReport
from inquiry.runners.rlag.verdict import context_gain, decide
from inquiry.runners.substrate.stats import paired_diff_ci

QUESTIONS = 60
CAN_USE_CONTEXT = {"augmented": [1] * 30 + [0] * 10, "naive": [1] * 10 + [0] * 30}  # gain 0.5


def outcomes(rate: float, seed: int, seeds: int = 2) -> list[list[int]]:
    """``seeds`` rows of per-question 0/1 outcomes, each row right on a share ``rate`` of the questions."""
    rng = np.random.default_rng(seed)
    right = round(rate * QUESTIONS)
    return [rng.permutation([1] * right + [0] * (QUESTIONS - right)).tolist() for _ in range(seeds)]


def run_result(seed: int, rlag: float, cpt: float, sft: float, cpt_sft: float, base=None) -> Result:
    """One run's result as the runner reports it; its own verdict comes from the runner's rule on its outcomes.
    The dev accuracies rank the baselines as their rates do (the dev split is a different set of questions)."""
    arms = {
        "rlag": outcomes(rlag, seed),
        "cpt": outcomes(cpt, seed + 100),
        "sft": outcomes(sft, seed + 200),
        "cpt_sft": outcomes(cpt_sft, seed + 300),
    }
    dev = {"rlag": rlag, "cpt": cpt, "sft": sft, "cpt_sft": cpt_sft}
    base = base or CAN_USE_CONTEXT
    reg = registry.get("rlag").registration()
    gain = context_gain(np.array(base["augmented"]), np.array(base["naive"]), reg, B=500, seed=seed)
    report, _ = decide(gain, dev, {arm: np.array(rows) for arm, rows in arms.items()}, reg, B=500, seed=seed)
    return Result(
        raw={
            "outcomes_heldout": arms,
            "base": base,
            "bootstrap": 500,
            "registered_protocol": True,
            "tuned_lr": dict.fromkeys(arms, 0.001),
            "dev_accuracy": {arm: {"0.001": acc} for arm, acc in dev.items()},
        },
        verdict=report,
    )


@pytest.fixture(scope="module")
def rlag():
    return registry.get("rlag")


def test_runs_that_agree_pool_into_a_verdict_on_all_seeds_and_questions(rlag):
    runs = [run_result(seed, rlag=0.8, cpt=0.4, sft=0.5, cpt_sft=0.45) for seed in range(3)]
    pooled = rlag.pool(runs)
    diff = pooled.metrics["rlag_minus_best_baseline"]
    every = {arm: np.array([row for r in runs for row in r.raw["outcomes_heldout"][arm]]) for arm in ("rlag", "sft")}
    assert diff.value == pytest.approx(every["rlag"].mean() - every["sft"].mean()) == pytest.approx(0.3)
    assert diff.n == 6 * QUESTIONS and 0 < diff.low < diff.value < diff.high
    assert (pooled.verdict.verdict.value, pooled.verdict.reason) == ("supports", "ci_excludes_zero_positive")
    assert pooled.raw["best_baseline"] == "sft" and pooled.raw["seeds"] == 6
    assert "best baseline on dev (sft)" in pooled.verdict.explanation
    assert "6 training seeds from 3 runs" in diff.description
    assert pooled.headline == ["rlag_minus_best_baseline", "accuracy_rlag", "accuracy_sft", "context_gain"]
    assert pooled.metrics["accuracy_cpt"].value == pytest.approx(0.4)


def test_runs_that_disagree_pool_into_an_interval_that_covers_zero(rlag):
    ahead = [run_result(seed, rlag=0.75, cpt=0.45, sft=0.45, cpt_sft=0.45) for seed in (0, 1)]
    behind = [run_result(seed, rlag=0.15, cpt=0.45, sft=0.45, cpt_sft=0.45) for seed in (2, 3)]
    assert {r.verdict.verdict.value for r in ahead} == {"supports"}
    assert {r.verdict.verdict.value for r in behind} == {"contradicts"}
    pooled = rlag.pool(ahead + behind)
    diff = pooled.metrics["rlag_minus_best_baseline"]
    assert diff.low < 0 < diff.high
    # the seed spread widens the interval well past what the questions alone would give
    every = {
        arm: np.array([row for r in ahead + behind for row in r.raw["outcomes_heldout"][arm]])
        for arm in ("rlag", "cpt")
    }
    question_only = paired_diff_ci(every["rlag"].mean(0), every["cpt"].mean(0), B=500)
    assert diff.high - diff.low > 2 * (question_only.high - question_only.low)
    assert (pooled.verdict.verdict.value, pooled.verdict.reason) == ("inconclusive", "ci_overlaps_zero")
    assert pooled.raw["run_verdicts"] == ["supports", "supports", "contradicts", "contradicts"]


def test_a_base_that_cannot_use_the_snippets_makes_the_pool_inconclusive(rlag):
    blind = {"augmented": [1] * 10 + [0] * 30, "naive": [1] * 9 + [0] * 31}  # gain 0.025 < 0.1
    pooled = rlag.pool([run_result(seed, 0.9, 0.2, 0.2, 0.2, base=blind) for seed in range(2)])
    assert pooled.verdict.reason == "precondition_failed:base_can_use_context"
    assert pooled.verdict.registration == rlag.registration().sha
    assert not pooled.verdict.preconditions[0].passed
    assert pooled.metrics["context_gain"].value == pytest.approx(0.025)
    assert "rlag_minus_best_baseline" not in pooled.metrics and pooled.headline == ["context_gain"]


def test_results_without_per_question_outcomes_pool_conservatively(rlag):
    bare = [Result(verdict=VerdictReport(verdict=v, reason="r", explanation="e")) for v in ("supports", "inconclusive")]
    assert rlag.pool(bare).verdict.reason == "seeds_disagree"
