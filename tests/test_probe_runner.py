"""The probe runner end to end: real training and sampling in seconds, deterministic, cancellable."""

import json

import pytest

from inquiry.runners.api import Cancelled, RunContext
from inquiry.runners.registry import available, resolve_config
from inquiry.runners.substrate import pass_at_k_curve


@pytest.fixture(scope="module")
def probe():
    return available()["probe"]


def run_probe(probe, folder, seed=0, **overrides):
    context = RunContext(folder, seed=seed, device="cpu")
    return probe.run(resolve_config(probe, "test", overrides), context), context


def test_probe_measures_pass_at_k_and_is_deterministic(probe, tmp_path):
    result, context = run_probe(probe, tmp_path / "a")
    n = result.raw["n"]
    counts = result.raw["correct_counts"]
    assert len(counts) == len(result.raw["problems"]) == 30
    # The figures are recomputable from the raw counts.
    assert result.series[0].y == pytest.approx(pass_at_k_curve(counts, n, result.raw["ks"]))
    assert result.metrics["pass@1"].value == pytest.approx(sum(counts) / (n * len(counts)))
    assert all(a <= b for a, b in zip(result.series[0].y, result.series[0].y[1:]))
    gain = result.metrics["gain"]
    assert gain.low <= gain.value <= gain.high
    # The verdict follows the fixed rule from the run's own interval.
    expected = "supports" if gain.low > 0 else ("contradicts" if gain.high < 0.02 else "inconclusive")
    assert result.verdict.verdict.value == expected
    assert result.verdict.scope == "miniature"
    samples = [json.loads(line) for line in (context.artifact_dir / "samples.jsonl").read_text().splitlines()]
    assert samples[0]["prompt"].endswith("=") and len(samples[0]["samples"]) == 8
    steps = [e for e in context.events if e["message"] == "pretraining"]
    assert len(steps) == 80 and all("loss" in e["metrics"] for e in steps)

    # Same config and seed, fresh folders and no cached base: identical numbers.
    again, _ = run_probe(probe, tmp_path / "b", reuse_base=False)
    assert again.metrics == result.metrics and again.raw == result.raw
    other_seed, _ = run_probe(probe, tmp_path / "c", seed=1)
    assert other_seed.raw["correct_counts"] != counts


def test_second_run_reuses_the_cached_base(probe, tmp_path):
    first, context = run_probe(probe, tmp_path)
    second, context2 = run_probe(probe, tmp_path)
    assert second.metrics == first.metrics
    assert not [e for e in context2.events if e["message"] == "pretraining"]  # no pretraining the second time
    assert len(list((context.cache_dir / "bases").iterdir())) == 1


def test_cancel_stops_within_a_step(probe, tmp_path):
    context = RunContext(tmp_path, seed=0, is_cancelled=lambda: len(context.events) >= 5)
    with pytest.raises(Cancelled):
        probe.run(resolve_config(probe, "test"), context)
    assert len(context.events) == 5
    assert not any((context.cache_dir / "bases").iterdir())  # the half-trained base was not cached


def test_probe_presets_validate_and_bad_fields_are_named(probe):
    from inquiry.errors import ConfigError

    assert set(probe.presets) >= {"test", "default"}
    assert resolve_config(probe, "default").pretrain_steps == 300
    with pytest.raises(ConfigError, match="'n'"):
        resolve_config(probe, "test", {"n": "1"})
