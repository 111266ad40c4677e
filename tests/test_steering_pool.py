"""Pooling a seed sweep of steering runs: seeds then items, the single run's verdict rule, and the fallbacks."""

from __future__ import annotations

import numpy as np

from inquiry.runners.api import Result, VerdictReport
from inquiry.runners.registry import get
from inquiry.runners.substrate import paired_diff_ci

CHOSEN = {"layer": 1, "alpha": 2.0, "positions": "prompt_end_only"}
ITEMS = 60


def seed_result(
    steered_rate: float,
    seed: int,
    chosen: dict = CHOSEN,
    verdict: str = "supports",
    nll_rise: float = 0.05,
    other_cell_rate: float = 0.0,
    **raw_extra,
) -> Result:
    """One seed's result as the runner records it: per-item 0/1 outcomes per arm at its chosen setting."""
    rng = np.random.default_rng(seed)
    base = (rng.random(ITEMS) < 0.2).astype(int)
    steered = np.maximum(base, rng.random(ITEMS) < steered_rate).astype(int)  # paired: steering adds wins
    other_cell = np.maximum(base, rng.random(ITEMS) < other_cell_rate).astype(int)  # a weaker alpha

    def arm(correct, scratchpad_rate):
        return {
            "correct": correct.tolist(),
            "scratchpad": (rng.random(ITEMS) < scratchpad_rate).astype(int).tolist(),
            "valid": [1] * ITEMS,
            "tokens": [6] * ITEMS,
        }

    raw = {
        "chosen": chosen,
        "primary_positions": "prompt_end_only",
        "registered_grid": True,
        "arms": {
            "alpha=0": arm(base, 0.1),
            "steered": arm(steered, 0.9),
            "reason tag": arm(np.ones(ITEMS), 1.0),
            "sign-flipped": arm(base, 0.0),
            "label-shuffled": arm(base, 0.1),
        },
        "sampled": {"alpha=0": arm(base, 0.1), "steered": arm(steered, 0.9)},
        "test_grid": [
            {**chosen, "correct": steered.tolist()},
            {**chosen, "alpha": 0.25, "correct": other_cell.tolist()},
        ],
        "random_vector_accuracy": (base.mean() + rng.normal(0, 0.02, 20)).tolist(),
        "nll": {
            "unsteered": [2.0] * 16,
            "steered": [2.0 + nll_rise] * 16,
            "untagged_unsteered": [1.0] * 16,
            "untagged_steered": [1.0] * 16,
        },
        "bootstrap": 500,
        **raw_extra,
    }
    gain = paired_diff_ci(steered, base, B=200, rng=rng, description="greedy accuracy, steered minus alpha = 0")
    return Result(
        raw=raw,
        metrics={"accuracy_gain": gain},
        verdict=VerdictReport(verdict=verdict, reason="r", explanation="seed explanation"),
    )


def test_seeds_that_all_gain_pool_to_supports_with_an_interval_over_every_item():
    steering = get("steering")
    seeds = [seed_result(0.8, seed) for seed in range(3)]
    pooled = steering.pool(seeds)

    gain = pooled.metrics["accuracy_gain"]
    diffs = [np.subtract(s.raw["arms"]["steered"]["correct"], s.raw["arms"]["alpha=0"]["correct"]) for s in seeds]
    assert gain.n == 3 * ITEMS and np.isclose(gain.value, np.concatenate(diffs).mean())
    assert 0 < gain.low < gain.value < gain.high
    assert pooled.verdict.verdict.value == "supports" and pooled.verdict.reason == "ci_excludes_zero_positive"
    assert "3 seeds" in pooled.verdict.explanation and "block 1, alpha 2.0" in pooled.verdict.explanation
    assert pooled.raw["chosen"] == CHOSEN and pooled.raw["seed_verdicts"] == ["supports"] * 3
    assert {
        "tag_gain",
        "scratchpad_rate_gain",
        "nll_increase",
        "untagged_nll_increase",
        "beats_sign_flip",
        "beats_label_shuffle",
        "holm_positive_cells",
        "accuracy[sign-flipped]",
    } <= set(pooled.metrics)
    assert pooled.verdict.registration == steering.registration().sha


def test_a_seed_without_effect_widens_the_pooled_interval_to_zero():
    # the chosen setting helps one seed a lot and the other not at all: items alone would give a tight
    # positive interval, resampling seeds first draws "both seeds without effect" about a quarter of the time
    seeds = [seed_result(0.9, 0, other_cell_rate=0.5), seed_result(0.0, 1, other_cell_rate=0.5)]
    pooled = get("steering").pool(seeds)
    gain = pooled.metrics["accuracy_gain"]
    assert gain.value > 0.2 and gain.low <= 0
    # another grid cell gains in both seeds, so the rule blames the chosen setting's interval
    assert pooled.verdict.verdict.value == "inconclusive" and pooled.verdict.reason == "ci_overlaps_zero"


def test_no_grid_cell_gaining_across_seeds_pools_to_contradicts():
    pooled = get("steering").pool([seed_result(0.0, 0), seed_result(0.0, 1)])
    assert pooled.verdict.verdict.value == "contradicts" and pooled.verdict.reason == "no_gain_in_grid"
    assert pooled.metrics["holm_positive_cells"].value == 0 and pooled.metrics["gain_below_half_tag"].high < 0


def test_the_registered_damage_bound_applies_to_the_pooled_rise():
    bound = get("steering").registration().threshold("max_nll_increase")
    seeds = [seed_result(0.8, seed, nll_rise=bound + 0.1) for seed in (0, 1)]
    pooled = get("steering").pool(seeds)
    assert np.isclose(pooled.metrics["nll_increase"].value, bound + 0.1)
    assert pooled.verdict.reason == "damage_exceeds_bound"


def test_seeds_that_chose_different_settings_pool_conservatively_and_say_so():
    other = {"layer": 0, "alpha": 4.0, "positions": "from_prompt_end"}
    pooled = get("steering").pool([seed_result(0.8, 0), seed_result(0.8, 1, chosen=other)])
    assert pooled.verdict.reason == "settings_differ:all_seeds_agree"
    assert pooled.verdict.verdict.value == "supports"
    assert "block 1, alpha 2.0, prompt_end_only" in pooled.verdict.explanation
    assert "block 0, alpha 4.0, from_prompt_end" in pooled.verdict.explanation
    assert pooled.metrics["accuracy_gain"].description.startswith("mean over 2 seeds")


def test_results_without_per_item_outcomes_pool_conservatively():
    bare = [Result(verdict=VerdictReport(verdict=v, reason="r", explanation="e")) for v in ("supports", "inconclusive")]
    assert get("steering").pool(bare).verdict.reason == "seeds_disagree"
