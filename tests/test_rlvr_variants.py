"""The RLVR runner's three variants end to end on a tiny configuration (a few seconds each).

Each run pretrains a real (tiny) base, runs GRPO arms and samples; the tests check that the verdict
follows from the run's own raw numbers and that the Result carries the variant's metrics and tables.
"""

import pytest

from inquiry.runners.api import RunContext
from inquiry.runners.registry import available, resolve_config
from inquiry.runners.rlvr.sparsity import PRECISIONS
from inquiry.runners.rlvr.verdict import (
    SparsityEvidence,
    clip_check,
    entropy_check,
    gain_evidence,
    one_example_verdict,
    sparsity_verdict,
    spurious_verdict,
)

# The test preset's base (one pretraining per session, shared through the cache with test_rlvr_run.py),
# so that some RL problems sit in the [0.2, 0.8] band; short GRPO arms and small n on top.
TEST_BASE = dict(hidden=64, layers=2, pretrain_steps=400, pretrain_batch=128, n_held_out=60)
SHORT = dict(rl_steps=4, prompts_per_step=8, group_size=4, n_rl_train=150, n_samples=8, n_secondary=8, bootstrap=100)
# The spurious variant pretrains two bases of its own (other teachers): tiny ones
TINY_BASE = dict(hidden=32, layers=1, heads=2, pretrain_steps=120, pretrain_batch=64, n_held_out=12)


@pytest.fixture(scope="session")
def rlvr_cache(tmp_path_factory):
    return tmp_path_factory.getbasetemp() / "rlvr-cache"


def interval(estimate):
    return estimate.value, estimate.low, estimate.high


def run_variant(preset: str, folder, cache, **overrides):
    runner = available()["rlvr"]
    config = resolve_config(runner, preset, overrides)
    return config, runner.run(config, RunContext(folder / preset, seed=0, cache_dir=cache))


@pytest.mark.slow
def test_one_example_variant_trains_on_an_example_the_base_half_solves(tmp_path, rlvr_cache):
    config, result = run_variant("one_example", tmp_path, rlvr_cache, **TEST_BASE, **SHORT)
    raw, n = result.raw, config.n_samples
    held = raw["held_out"]
    assert set(held) == {"base", "full_set", "one_example", "random_example"}
    assert all(len(counts) == config.n_held_out and max(counts) <= n for counts in held.values())
    assert 0.2 <= raw["chosen_example"]["base_success"] <= 0.8
    assert result.metrics["chosen_base_success"].value == raw["chosen_example"]["base_success"]

    evidence = gain_evidence(
        held["base"],
        held["full_set"],
        held["one_example"],
        n,
        control=held["random_example"],
        seed=raw["seed"],
        B=raw["bootstrap"],
    )
    collapse = entropy_check(raw["entropy"]["one_example"], raw["entropy"]["base"])
    assert one_example_verdict(evidence, entropy=collapse) == result.verdict
    assert {c.id for c in result.verdict.preconditions} == {
        "one_example.reference_learned",
        "one_example.no_policy_collapse",
    }
    assert interval(result.metrics["gain_one_example"]) == interval(evidence.tested)
    mean = lambda xs: sum(xs) / (len(xs) * n)
    assert result.metrics["gain_full_set"].value == pytest.approx(mean(held["full_set"]) - mean(held["base"]))
    assert result.metrics["unsolved_share_base"].value == held["base"].count(0) / config.n_held_out
    names = {s.name for s in result.series}
    assert {"base", "full_set", "one_example", "random_example", "one_example accuracy"} <= names
    assert [row[0] for row in result.tables[0].rows] == ["base", "full_set", "one_example", "random_example"]


@pytest.mark.slow
def test_spurious_variant_has_every_reward_arm_the_clip_control_and_the_contrast_base(tmp_path, rlvr_cache):
    config, result = run_variant("spurious", tmp_path, rlvr_cache, **TINY_BASE, **SHORT, rl_lr=3e-3)
    raw, n, m = result.raw, config.n_samples, result.metrics
    held, contrast = raw["held_out"], raw["contrast"]["held_out"]
    assert set(held) == {"base", "true", "random", "random_M1", "format", "incorrect"}
    assert set(contrast) == {"base", "true", "random"}

    main = gain_evidence(
        held["base"], held["true"], held["random"], n, control=held["random_M1"], seed=raw["seed"], B=raw["bootstrap"]
    )
    low = gain_evidence(contrast["base"], contrast["true"], contrast["random"], n, seed=raw["seed"], B=raw["bootstrap"])
    assert spurious_verdict(main, contrast=low, clip=clip_check(m["clip_fraction_random"].value)) == result.verdict
    assert "spurious.clip_binds" in {c.id for c in result.verdict.preconditions}
    assert interval(m["gain_random"]) == interval(main.tested)
    assert interval(m["contrast_gain_random"]) == interval(low.tested)
    assert "Contrast base" in result.verdict.explanation and "Mechanism control" in result.verdict.explanation

    # M = 1: the ratio is exactly 1, nothing is clipped; M = 4 at this lr moves the policy off the rollout's
    assert m["clip_fraction_random_M1"].value == 0.0
    assert m["clip_fraction_random"].value > 0.0
    # the tracked (trace) style is high-prior in base A and low-prior in the contrast base B
    assert raw["tracked_style"] == "trace"
    assert m["style_share_base"].value > m["contrast_style_share_base"].value
    share = sum(raw["styled"]["base"]) / (len(raw["styled"]["base"]) * n)
    assert m["style_share_base"].value == pytest.approx(share)
    style_series = [s for s in result.series if s.name == "random trace-style share"]
    assert len(style_series) == 1 and len(style_series[0].y) == config.rl_steps
    assert [row[0] for row in result.tables[0].rows] == [
        "true",
        "random",
        "random_M1",
        "format",
        "incorrect",
        "contrast true",
        "contrast random",
    ]


def test_spurious_variant_refuses_an_inactive_clip():
    from inquiry.errors import ConfigError

    with pytest.raises(ConfigError, match="minibatches"):
        resolve_config(available()["rlvr"], "spurious", {"minibatches": 1})


@pytest.mark.slow
def test_sparsity_variant_measures_every_precision_against_an_sft_arm(tmp_path, rlvr_cache):
    config, result = run_variant("sparsity", tmp_path, rlvr_cache, **TEST_BASE, **SHORT)
    raw, m = result.raw, result.metrics
    evidence = SparsityEvidence(
        rl=raw["rl_unchanged"],
        sft=raw["sft_unchanged"],
        overlap_minus_chance=m["overlap_minus_chance"].value,
        rank_ratio=m["rank_ratio"].value,
        rl_gain=m["gain_rl_seed0"],
    )
    assert sparsity_verdict(evidence) == result.verdict
    assert set(raw["rl_unchanged"]) == set(PRECISIONS) and len(raw["rl_unchanged"]["bf16_exact"]) == 2
    for arm in (*raw["rl_unchanged"]["bf16_exact"], raw["sft_unchanged"]["bf16_exact"]):
        assert 0.0 <= arm <= 1.0
    # a tolerance can only add unchanged parameters
    for seed in range(config.sparsity_seeds):
        assert raw["rl_unchanged"]["bf16_isclose"][seed] >= raw["rl_unchanged"]["bf16_exact"][seed]
        assert raw["rl_unchanged"]["fp32_isclose"][seed] >= raw["rl_unchanged"]["fp32_exact"][seed]
    ranks = raw["rank_ratio_per_matrix"]
    assert ranks and all(0.0 < r <= 1.0 for r in ranks.values())
    assert m["rank_ratio"].value == pytest.approx(sum(ranks.values()) / len(ranks))
    per_layer, per_matrix, arms = result.tables[:3]
    assert per_layer.columns == ["group", *PRECISIONS] and "layer 0" in [row[0] for row in per_layer.rows]
    assert len(per_matrix.rows) == len(ranks)
    assert [row[0] for row in arms.rows] == ["RL seed 0", "RL seed 1", "SFT (gold)"]
    assert result.tables[3].rows == [
        ["bf16", "bf16_isclose", raw["verdict_per_precision"]["bf16"]],
        ["fp32", "fp32_exact", raw["verdict_per_precision"]["fp32"]],
    ]
    assert {"gain_rl_seed0", "gain_sft"} <= set(m)
    assert set(raw["verdict_per_precision"]) == {"bf16", "fp32"}
    if len(set(raw["verdict_per_precision"].values())) > 1 and not result.verdict.reason.startswith("precondition"):
        assert result.verdict.reason == "precision_dependent"
        assert "precision/lr-dependent" in result.verdict.explanation
