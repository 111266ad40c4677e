"""The RLVR pass@k pipeline end to end at test size, reaching each verdict through real training.

Three small worlds where the answer is known, all on the chains task (guess rate 8.2e-5 per sample):

* GRPO on the test preset's base: RL sharpens method x and drops the problems only method y solves
  (seed 0: pass@1 0.159 -> 0.232, pass@32 0.733 -> 0.500): ``supports``;
* the control: the same base distilled from a clean teacher that knows the base's blind steps
  (pass@32 0.733 -> 0.933): ``contradicts``;
* a base pretrained for 10 steps, which writes no right trace: at the guessing floor, so
  ``inconclusive`` / ``precondition_failed:base_above_guesser``.

The test preset's base is pretrained once per session (the checkpoint cache under the session's
temporary folder) and shared by the first two tests.
"""

import pytest

from inquiry.runners.api import RunContext
from inquiry.runners.registry import available, resolve_config
from inquiry.runners.rlvr.verdict import passk_evidence, passk_verdict, registration


@pytest.fixture(scope="session")
def rlvr_cache(tmp_path_factory):
    return tmp_path_factory.getbasetemp() / "rlvr-cache"


def run(preset: str, folder, cache, **overrides):
    runner = available()["rlvr"]
    config = resolve_config(runner, preset, overrides)
    return config, runner.run(config, RunContext(folder / preset, seed=0, cache_dir=cache))


def recomputed(result):
    raw = result.raw
    return passk_verdict(
        passk_evidence(
            raw["held_out"]["base"],
            raw["held_out"]["rl"],
            raw["n"],
            seed=raw["seed"],
            B=raw["bootstrap"],
            guess_rates=raw["guess_rates"],
            truncated=raw["truncated"],
            arm=raw["arm"],
        )
    )


def check_report(result):
    """What every pass@k verdict carries: the registration's hash and every precondition's figures."""
    report = result.verdict
    assert report == recomputed(result)  # the verdict follows from the raw counts alone
    assert report.registration == registration().sha == available()["rlvr"].registration().sha
    checks = {c.id: c for c in report.preconditions}
    assert set(checks) == {"base_above_guesser", "not_truncated", "post_training_learned"}
    gap = result.metrics[f"base_minus_guess_pass{result.raw['n']}"]
    assert checks["base_above_guesser"].value == gap.low
    assert checks["base_above_guesser"].threshold == registration().threshold("guess_margin")
    return checks


@pytest.mark.slow
def test_grpo_on_the_test_world_sharpens_and_narrows_supports(tmp_path, rlvr_cache):
    config, result = run("test", tmp_path, rlvr_cache)
    checks = check_report(result)
    assert all(c.passed for c in checks.values())
    assert (result.verdict.verdict.value, result.verdict.reason) == ("supports", "rl_wins_at_1_base_wins_at_n")
    n = config.n_samples
    assert result.metrics["guess_rate"].value < 1e-3
    assert result.metrics["pass1_rl"].value > result.metrics["pass1_base"].value
    assert result.metrics[f"pass{n}_rl"].value < result.metrics[f"pass{n}_base"].value
    # k* interpolated on log2 k, inside the grid, with the share of draws that cross
    crossing = result.metrics["crossing_k"]
    assert 1 <= crossing.value <= n and result.metrics["crossing_share"].value > 0.9
    assert "of bootstrap draws cross" in result.verdict.explanation
    curves = {s.name: s for s in result.series}
    for name in ("base (held-out)", "RL (held-out)", "uniform guesser"):
        assert curves[name].log_x and curves[name].x[-1] == n
        assert all(a <= b + 1e-12 for a, b in zip(curves[name].y, curves[name].y[1:]))  # pass@k rises with k
    assert len(result.raw["training_log"]) == config.rl_steps
    assert "delta_pass1_train" in result.exploratory and "delta_pass1_train" not in result.metrics
    assert (tmp_path / "test" / "rl_checkpoint" / "model.safetensors").is_file()


@pytest.mark.slow
def test_the_control_distils_past_the_base_support_and_contradicts(tmp_path, rlvr_cache):
    config, result = run("control", tmp_path, rlvr_cache, **dict(available()["rlvr"].presets["test"].items()))
    assert config.post_training == "distill"
    checks = check_report(result)
    assert all(c.passed for c in checks.values())
    assert result.verdict.verdict.value == "contradicts"
    assert result.verdict.explanation.startswith("distillation")
    # the expansion is on problems outside the base's support: its teacher never solved them (the base itself,
    # generalising across its two methods, solves a few)
    raw = result.raw
    outside = [i for i, ok in enumerate(raw["in_base_support"]) if not ok]
    base_solved = sum(raw["held_out"]["base"][i] > 0 for i in outside)
    distilled_solved = sum(raw["held_out"]["rl"][i] > 0 for i in outside)
    assert outside and distilled_solved > len(outside) / 2 > base_solved
    assert result.raw["training_log"] == []  # no GRPO ran


@pytest.mark.slow
def test_a_base_at_the_guessing_floor_fails_the_precondition(tmp_path, rlvr_cache):
    _, result = run(
        "test", tmp_path, rlvr_cache, pretrain_steps=10, rl_steps=3, n_held_out=30, n_samples=16, n_secondary=4
    )
    checks = check_report(result)
    assert not checks["base_above_guesser"].passed
    assert (result.verdict.verdict.value, result.verdict.reason) == (
        "inconclusive",
        "precondition_failed:base_above_guesser",
    )


def test_the_registration_loads_for_this_runner_version_and_names_every_threshold_the_rules_use():
    runner = available()["rlvr"]
    reg = runner.registration()
    assert reg.runner == "rlvr" and reg.version == runner.version
    used = {
        "level",
        "guess_margin",
        "rl_only_margin",
        "max_truncated_share",
        "gain_fraction",
        "entropy_floor",
        "min_clip_share",
        "sparse_enough",
        "rank_ratio_min",
        "sparsity_atol",
    }
    assert used == set(reg.thresholds)
    assert {"supports", "contradicts", "inconclusive"} <= set(reg.decision_rule) and reg.control


def test_the_runner_suits_the_seed_claims_and_rejects_bad_configs():
    runner = available()["rlvr"]
    assert runner.suitability("RLVR models beat the base at pass@1 but the base wins pass@k at large k") >= 2
    assert runner.suitability("RL updates only a small fraction of parameters") >= 1
    assert runner.suitability("The sky is blue") == 0
    from inquiry.errors import ConfigError

    with pytest.raises(ConfigError, match="base_checkpoint"):
        resolve_config(runner, "default", {"base_checkpoint": "/tmp/x"})
    with pytest.raises(ConfigError, match="countdown3"):
        resolve_config(runner, "default", {"reward": "format"})
    with pytest.raises(ConfigError, match="distill"):
        resolve_config(runner, "one_example", {"post_training": "distill"})
