"""The steering runner end to end on its test preset, and its config and task edges."""

import json

import numpy as np
import pytest

from inquiry.errors import ConfigError
from inquiry.models import Verdict
from inquiry.runners.api import Estimate, RunContext
from inquiry.runners.registry import get, resolve_config
from inquiry.runners.steering.verdict import Evidence, decide


@pytest.fixture(scope="module")
def steering():
    return get("steering")


@pytest.fixture(scope="module")
def result(steering, tmp_path_factory):
    folder = tmp_path_factory.mktemp("steering")
    config = resolve_config(steering, "test", {"device": "cpu"})
    context = RunContext(folder, seed=0, device="cpu", threads=1)
    return steering.run(config, context), config, context


def test_test_preset_runs_end_to_end_with_every_arm_and_control(result):
    res, config, context = result
    names = {row[0] for row in next(t for t in res.tables if t.name == "arms (test)").rows}
    assert names == {"alpha=0", "steered", "reason tag", "direct tag", "sign-flipped", "label-shuffled"}
    assert len(res.raw["random_vector_accuracy"]) == config.random_vectors >= 20
    assert config.alphas == [0.25, 0.5, 1.0, 2.0, 4.0]  # the pre-registered grid, alpha = 0 being the baseline
    cells = {(c["layer"], c["alpha"], c["positions"]) for c in res.raw["test_grid"]}
    assert len(cells) == config.layers * len(config.alphas) * 2
    assert {c[2] for c in cells} == {"from_prompt_end", "prompt_end_only"}
    chosen = res.raw["chosen"]
    assert (chosen["layer"], chosen["alpha"], chosen["positions"]) in cells
    assert (context.artifact_dir / res.artifacts[0].path).read_bytes()[:4] == b"\x89PNG"
    charts = {s.chart for s in res.series}
    assert charts == {"accuracy", "scratchpad", "null"}
    json.dumps(res.model_dump(mode="json"))  # the worker stores it as JSON


def test_reported_numbers_recompute_from_the_raw_per_item_outcomes(result):
    res, config, _ = result
    arms = res.raw["arms"]
    steered, base = np.array(arms["steered"]["correct"]), np.array(arms["alpha=0"]["correct"])
    assert len(base) == config.test_items
    assert res.metrics["accuracy_gain"].value == pytest.approx(steered.mean() - base.mean())
    null = np.array(res.raw["random_vector_accuracy"]) - base.mean()
    assert res.metrics["null_p95"].value == pytest.approx(np.percentile(null, 95))
    tagged = np.array(arms["reason tag"]["scratchpad"])
    assert tagged.mean() > 0.9  # the reason tag writes the scratchpad: the mode was pretrained in
    assert np.mean(arms["reason tag"]["correct"]) > 0.8  # and the base learned it, so the precondition can pass
    grid = next(t for t in res.tables if t.name == "grid")
    dev_accuracy = {(row[0], row[1], row[2]): row[3] for row in grid.rows[1:]}
    chosen = res.raw["chosen"]
    assert dev_accuracy[(chosen["layer"], chosen["alpha"], chosen["positions"])] == max(dev_accuracy.values())
    for estimate in (res.metrics["accuracy_gain"], res.metrics["tag_gain"]):
        assert estimate.low <= estimate.value <= estimate.high


def test_verdict_follows_from_the_measured_numbers(result):
    res, config, _ = result
    m = res.metrics
    evidence = Evidence(tag_gain=m["tag_gain"], steer_gain=m["accuracy_gain"], null_p95=m["null_p95"].value,
                        scratchpad_gain=m["scratchpad_rate_gain"], valid_format_drop=-m["valid_format_gain"].value,
                        nll_increase=m["nll_increase"].value,
                        grid_gains=[Estimate(**cell["gain"]) for cell in res.raw["test_grid"]])
    again = decide(evidence, max_valid_format_drop=config.max_valid_format_drop,
                   max_nll_increase=config.max_nll_increase)
    assert (again.verdict, again.reason) == (res.verdict.verdict, res.verdict.reason)
    if m["tag_gain"].excludes_zero() <= 0:
        assert res.verdict.reason == "precondition_failed:explicit_tag_no_gain"
    elif res.verdict.verdict is Verdict.SUPPORTS:
        assert m["accuracy_gain"].low > 0 and m["accuracy_gain"].value > m["null_p95"].value
    assert res.verdict.scope == "miniature"


def test_verdict_rule_on_constructed_numbers():
    up, flat = Estimate(value=.3, low=.2, high=.4), Estimate(value=.0, low=-.05, high=.05)
    base = Evidence(tag_gain=up, steer_gain=up, null_p95=.05, scratchpad_gain=up, valid_format_drop=0.0,
                    nll_increase=0.1, grid_gains=[up])
    bounds = {"max_valid_format_drop": .1, "max_nll_increase": .5}
    assert decide(base, **bounds).verdict is Verdict.SUPPORTS
    assert decide(base.model_copy(update={"null_p95": .35}), **bounds).reason == "gain_within_null"
    assert decide(base.model_copy(update={"valid_format_drop": .3}), **bounds).reason == "damage_exceeds_bound"
    assert decide(base.model_copy(update={"scratchpad_gain": flat}), **bounds).reason == "scratchpad_rate_not_raised"
    some_cell = base.model_copy(update={"steer_gain": flat, "grid_gains": [flat, up]})
    assert decide(some_cell, **bounds).reason == "ci_overlaps_zero"


def test_bad_settings_are_rejected_naming_the_field(steering, tmp_path):
    with pytest.raises(ConfigError, match="alphas"):
        resolve_config(steering, "test", {"alphas": [0.0]})
    with pytest.raises(ConfigError, match="random_vectors"):
        resolve_config(steering, "test", {"random_vectors": 5})
    with pytest.raises(ConfigError, match="positions"):
        resolve_config(steering, "test", {"positions": ["every_token"]})
    with pytest.raises(ConfigError, match="checkpoint.* is missing config.json"):  # not a checkpoint folder
        resolve_config(steering, "test", {"checkpoint": str(tmp_path)})


def test_claim_wording_suits_the_seed_note(steering):
    assert steering.suitability("Do base models already contain hidden reasoning ability? RL steering, SAE "
                                "feature steering and RLVR all elicit reasoning already present in base model "
                                "activations.") >= 3
    assert steering.suitability("GRPO improves pass@1 but narrows pass@k coverage") == 0


def test_checkpoint_path_runs_on_a_local_folder_and_jsonl(steering, tmp_path):
    from inquiry.runners.substrate import TinyModelConfig, build_model, build_tokenizer, save_checkpoint
    tok = build_tokenizer(list("0123456789+=? "))
    folder = save_checkpoint(build_model(tok, TinyModelConfig(hidden=32, layers=3, heads=4, ffn=64), seed=0),
                             tok, tmp_path / "tiny-ckpt")
    questions = tmp_path / "qa.jsonl"
    questions.write_text("".join(json.dumps({"prompt": f"{a}+{b}=?", "answer": str(a + b)}) + "\n"
                                 for a in range(10) for b in range(6)))
    config = resolve_config(steering, "test", {
        "checkpoint": str(folder), "eval_path": str(questions), "dev_items": 10, "test_items": 20,
        "contrast_pairs": 20, "reason_suffix": " ?", "direct_suffix": " =", "max_new_tokens": 4, "samples": 2,
        "bootstrap": 200})
    res = steering.run(config, RunContext(tmp_path / "run", seed=1, device="cpu"))
    assert res.verdict.scope == "checkpoint:tiny-ckpt"
    assert res.raw["chosen"]["layer"] == 1  # the middle third of a 3-block stack
    assert len(res.raw["arms"]["steered"]["correct"]) == 20
