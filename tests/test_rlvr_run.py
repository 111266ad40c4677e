"""The RLVR runner's test preset end to end: real pretraining, GRPO and sampling (tens of seconds)."""

import pytest

from inquiry.runners.api import RunContext
from inquiry.runners.registry import available, resolve_config
from inquiry.runners.rlvr.verdict import passk_evidence, passk_verdict


@pytest.mark.slow
def test_test_preset_end_to_end_and_verdict_recomputes_from_raw_counts(tmp_path, tmp_path_factory):
    runner = available()["rlvr"]
    config = resolve_config(runner, "test")
    # the base cache is shared with test_rlvr_variants.py, which reuses this preset's base
    cache = tmp_path_factory.getbasetemp() / "rlvr-cache"
    result = runner.run(config, RunContext(tmp_path / "run", seed=0, cache_dir=cache))

    raw = result.raw
    n = raw["n"]
    assert len(raw["held_out"]["base"]) == config.n_held_out == len(raw["held_out"]["rl"])
    assert all(0 <= c <= n for c in raw["held_out"]["base"] + raw["held_out"]["rl"])
    again = passk_verdict(passk_evidence(raw["held_out"]["base"], raw["held_out"]["rl"], n, seed=raw["seed"],
                                         B=raw["bootstrap"], guess_rates=raw["guess_rates"]))
    assert again == result.verdict
    assert result.metrics["truncated_share"].value < 0.01  # the generation limit never binds

    curves = {s.name: s for s in result.series}
    for name in ("base (held-out)", "RL (held-out)", "uniform guesser"):
        curve = curves[name]
        assert curve.log_x and curve.x[0] == 1 and curve.x[-1] == n
        assert all(a <= b + 1e-12 for a, b in zip(curve.y, curve.y[1:]))  # pass@k rises with k
    base = curves["base (held-out)"]
    assert all(lo <= y <= hi for lo, y, hi in zip(base.low, base.y, base.high))
    # RL learns on this preset (seed 0: held-out pass@1 0.084 -> 0.172, the Δ interval above 0)
    assert result.metrics["pass1_rl"].value > result.metrics["pass1_base"].value
    assert result.metrics["guess_pass1"].value == pytest.approx(curves["uniform guesser"].y[0])
    assert result.metrics["pass1_base"].value == pytest.approx(sum(raw["held_out"]["base"]) / (n * config.n_held_out))
    assert (tmp_path / "run" / "passk.png").stat().st_size > 1000
    assert (tmp_path / "run" / "rl_checkpoint" / "model.safetensors").is_file()
    assert len(raw["training_log"]) == config.rl_steps


def test_the_runner_suits_the_seed_claims_and_rejects_a_half_eval_only_config():
    runner = available()["rlvr"]
    assert runner.suitability("RLVR models beat the base at pass@1 but the base wins pass@k at large k") >= 2
    assert runner.suitability("RL updates only a small fraction of parameters") >= 1
    assert runner.suitability("The sky is blue") == 0
    from inquiry.errors import ConfigError
    with pytest.raises(ConfigError, match="base_checkpoint"):
        resolve_config(runner, "default", {"base_checkpoint": "/tmp/x"})
