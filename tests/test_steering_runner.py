"""The steering runner end to end at test size: the registered pipeline reaches each verdict on a world
where the answer is known, and its reported verdict follows from the numbers it reports.

* the scratchpad world (the test preset): the mode is latent and steering elicits it -> supports;
* the hint world (the control preset): the explicit prompt helps by handing the base the running sums,
  there is no mode to switch on -> contradicts;
* the ``none`` world: the reason tag means nothing, the precondition fails -> inconclusive.
"""

import json

import numpy as np
import pytest

from inquiry.errors import ConfigError
from inquiry.models import Verdict
from inquiry.runners.api import Estimate, RunContext
from inquiry.runners.registry import get, resolve_config
from inquiry.runners.steering.verdict import Evidence, decide, evidence_from_raw, holm_rejections, mcnemar_p


@pytest.fixture(scope="module")
def steering():
    return get("steering")


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    return tmp_path_factory.mktemp("steering-cache")


def _run(steering, folder, cache, preset, **overrides):
    config = resolve_config(steering, preset, {"device": "cpu", **overrides})
    context = RunContext(folder, seed=0, device="cpu", threads=1, cache_dir=cache)
    return steering.run(config, context), config, context


@pytest.fixture(scope="module")
def result(steering, tmp_path_factory, cache):
    return _run(steering, tmp_path_factory.mktemp("steering"), cache, "test")


@pytest.fixture(scope="module")
def control(steering, tmp_path_factory, cache):
    return _run(steering, tmp_path_factory.mktemp("steering-control"), cache, "control")


def test_latent_mode_world_supports(result):
    res, _, _ = result
    assert (res.verdict.verdict, res.verdict.reason) == (Verdict.SUPPORTS, "ci_excludes_zero_positive")
    assert res.verdict.registration == get("steering").registration().sha
    assert [c.id for c in res.verdict.preconditions] == ["explicit_tag_helps", "registered_grid"]
    assert all(c.passed for c in res.verdict.preconditions)
    assert res.metrics["beats_sign_flip"].low > 0 and res.metrics["beats_label_shuffle"].low > 0


def test_control_world_without_a_latent_mode_contradicts(control):
    res, config, _ = control
    assert config.reason_format == "hint"
    tag = res.metrics["tag_gain"]
    assert tag.low > 0.5  # the explicit prompt helps a lot: the precondition holds ...
    assert res.verdict.preconditions[0].passed
    assert (res.verdict.verdict, res.verdict.reason) == (Verdict.CONTRADICTS, "no_gain_in_grid")
    assert res.metrics["holm_positive_cells"].value == 0  # ... but no grid cell elicits anything
    assert res.metrics["gain_below_half_tag"].high < 0
    assert np.mean(res.raw["arms"]["steered"]["scratchpad"]) == 0  # the base never writes a scratchpad


def test_world_where_the_tag_means_nothing_is_inconclusive(steering, tmp_path, cache):
    res, _, _ = _run(steering, tmp_path, cache, "test", reason_format="none", pretrain_steps=300)
    assert res.verdict.verdict is Verdict.INCONCLUSIVE
    assert res.verdict.reason == "precondition_failed:explicit_tag_helps"
    check = res.verdict.preconditions[0]
    assert not check.passed and check.value == res.metrics["tag_gain"].low <= 0


def test_off_protocol_grid_cannot_decide(steering):
    reg = steering.registration()
    up = Estimate(value=0.3, low=0.2, high=0.4)
    evidence = Evidence(
        tag_gain=up,
        steer_gain=up,
        null_p95=0.0,
        beats_sign_flip=up,
        beats_label_shuffle=up,
        scratchpad_gain=up,
        valid_format_drop=0,
        nll_increase=0,
        untagged_nll_increase=0,
        gain_below_half_tag=up,
        grid_pvalues=[1e-9],
        registered_grid=False,
    )
    assert decide(evidence, reg).reason == "precondition_failed:registered_grid"


def test_test_preset_runs_end_to_end_with_every_arm_and_control(result):
    res, config, context = result
    names = {row[0] for row in next(t for t in res.tables if t.name == "arms (test)").rows}
    assert names == {"alpha=0", "steered", "reason tag", "direct tag", "sign-flipped", "label-shuffled"}
    assert len(res.raw["random_vector_accuracy"]) == config.random_vectors >= 20
    registered = get("steering").registration().settings
    cells = {(c["layer"], c["alpha"], c["positions"]) for c in res.raw["test_grid"]}
    alphas = registered["alphas"]["miniature"]
    assert len(cells) == config.layers * len(alphas) * 2
    assert {c[2] for c in cells} == {"from_prompt_end", "prompt_end_only"}
    chosen = res.raw["chosen"]
    assert chosen["positions"] == registered["primary_positions"] == res.raw["primary_positions"]
    assert (chosen["layer"], chosen["alpha"], chosen["positions"]) in cells
    # the other mode is reported apart, with its own dev choice
    assert "accuracy_gain[from_prompt_end]" in res.exploratory
    assert not any("from_prompt_end" in key for key in res.metrics)
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
    flipped = np.array(arms["sign-flipped"]["correct"])
    assert res.metrics["beats_sign_flip"].value == pytest.approx(steered.mean() - flipped.mean())
    null = np.array(res.raw["random_vector_accuracy"]) - base.mean()
    assert res.metrics["null_p95"].value == pytest.approx(np.quantile(null, 0.95))
    tagged = np.array(arms["reason tag"]["scratchpad"])
    assert tagged.mean() > 0.9  # the reason tag writes the scratchpad: the mode was pretrained in
    assert np.mean(arms["reason tag"]["correct"]) > 0.8  # and the base learned it, so the precondition can pass
    grid = next(t for t in res.tables if t.name == "grid")
    dev_accuracy = {(row[0], row[1], row[2]): row[3] for row in grid.rows[1:] if row[2] == "prompt_end_only"}
    chosen = res.raw["chosen"]
    assert dev_accuracy[(chosen["layer"], chosen["alpha"], chosen["positions"])] == max(dev_accuracy.values())
    untagged = res.raw["nll"]
    assert res.metrics["untagged_nll_increase"].value == pytest.approx(
        np.mean(untagged["untagged_steered"]) - np.mean(untagged["untagged_unsteered"])
    )
    for estimate in (res.metrics["accuracy_gain"], res.metrics["tag_gain"]):
        assert estimate.low <= estimate.value <= estimate.high


@pytest.mark.parametrize("fixture", ["result", "control"])
def test_verdict_follows_from_the_measured_numbers(fixture, request):
    res, _, _ = request.getfixturevalue(fixture)
    reg = get("steering").registration()
    cells = [c for c in res.raw["test_grid"] if c["positions"] == res.raw["primary_positions"]]
    base = res.raw["arms"]["alpha=0"]["correct"]
    pvalues = [mcnemar_p(c["correct"], base) for c in cells]
    assert res.metrics["holm_positive_cells"].value == holm_rejections(pvalues, reg.threshold("holm_alpha"))

    def interval(per_run, description):  # the run's own intervals, as reported
        return next(m for m in res.metrics.values() if m.description == description)

    _, evidence = evidence_from_raw([res.raw], reg, interval)
    again = decide(evidence, reg)
    assert (again.verdict, again.reason) == (res.verdict.verdict, res.verdict.reason)
    assert res.verdict.scope == "miniature"


def test_verdict_rule_on_constructed_numbers(steering):
    reg = steering.registration()
    up, flat = Estimate(value=0.3, low=0.2, high=0.4), Estimate(value=0.0, low=-0.05, high=0.05)
    down = Estimate(value=-0.3, low=-0.4, high=-0.2)
    base = Evidence(
        tag_gain=up,
        steer_gain=up,
        null_p95=0.05,
        beats_sign_flip=up,
        beats_label_shuffle=up,
        scratchpad_gain=up,
        valid_format_drop=0.0,
        nll_increase=0.1,
        untagged_nll_increase=0.1,
        gain_below_half_tag=flat,
        grid_pvalues=[1e-6],
    )
    assert decide(base, reg).verdict is Verdict.SUPPORTS
    assert decide(base.model_copy(update={"null_p95": 0.35}), reg).reason == "gain_within_null"
    assert decide(base.model_copy(update={"valid_format_drop": 0.3}), reg).reason == "damage_exceeds_bound"
    assert decide(base.model_copy(update={"untagged_nll_increase": 2.0}), reg).reason == "damage_exceeds_bound"
    assert decide(base.model_copy(update={"scratchpad_gain": flat}), reg).reason == "scratchpad_rate_not_raised"
    assert decide(base.model_copy(update={"beats_label_shuffle": flat}), reg).reason == "controls_not_beaten"
    # no cell survives Holm, but the chosen cell's gain is not confidently below half the tag's: inconclusive
    twenty = [0.01] + [0.5] * 19  # 0.01 > 0.05 / 20: uncorrected it would count as a positive cell
    unclear = base.model_copy(update={"steer_gain": flat, "grid_pvalues": twenty})
    assert decide(unclear, reg).reason == "ci_overlaps_zero"
    assert decide(unclear.model_copy(update={"gain_below_half_tag": down}), reg).verdict is Verdict.CONTRADICTS
    some_cell = unclear.model_copy(update={"grid_pvalues": [1e-6] + [0.5] * 19, "gain_below_half_tag": down})
    assert decide(some_cell, reg).reason == "ci_overlaps_zero"


def test_thresholds_come_from_the_registration(steering):
    reg = steering.registration()
    assert reg.runner == "steering" and reg.version == steering.version == "3"
    assert {
        "level",
        "tag_gain_min_low",
        "null_quantile",
        "holm_alpha",
        "max_valid_format_drop",
        "max_nll_increase",
        "max_untagged_nll_increase",
        "contradicts_gap_share",
    } == set(reg.thresholds)
    assert reg.settings["primary_positions"] == "prompt_end_only"
    assert set(reg.decision_rule) == {"supports", "contradicts", "inconclusive"}
    assert "control" in steering.presets and steering.presets["control"]["reason_format"] == "hint"


def test_bad_settings_are_rejected_naming_the_field(steering, tmp_path):
    with pytest.raises(ConfigError, match="alphas"):
        resolve_config(steering, "test", {"alphas": [0.0]})
    with pytest.raises(ConfigError, match="reason_format"):
        resolve_config(steering, "test", {"reason_format": "sometimes"})
    with pytest.raises(ConfigError, match="random_vectors"):
        resolve_config(steering, "test", {"random_vectors": 5})
    with pytest.raises(ConfigError, match="positions"):
        resolve_config(steering, "test", {"positions": ["every_token"]})
    with pytest.raises(ConfigError, match=r"checkpoint.* is missing config.json"):  # not a checkpoint folder
        resolve_config(steering, "test", {"checkpoint": str(tmp_path)})


def test_claim_wording_suits_the_seed_note(steering):
    assert (
        steering.suitability(
            "Do base models already contain hidden reasoning ability? RL steering, SAE "
            "feature steering and RLVR all elicit reasoning already present in base model "
            "activations."
        )
        >= 3
    )
    assert steering.suitability("GRPO improves pass@1 but narrows pass@k coverage") == 0


def test_checkpoint_path_runs_on_a_local_folder_and_jsonl(steering, tmp_path):
    from inquiry.runners.substrate import TinyModelConfig, build_model, build_tokenizer, save_checkpoint

    tok = build_tokenizer(list("0123456789+=? "))
    folder = save_checkpoint(
        build_model(tok, TinyModelConfig(hidden=32, layers=3, heads=4, ffn=64), seed=0), tok, tmp_path / "tiny-ckpt"
    )
    questions = tmp_path / "qa.jsonl"
    questions.write_text(
        "".join(json.dumps({"prompt": f"{a}+{b}=?", "answer": str(a + b)}) + "\n" for a in range(10) for b in range(6))
    )
    config = resolve_config(
        steering,
        "test",
        {
            "checkpoint": str(folder),
            "eval_path": str(questions),
            "dev_items": 10,
            "test_items": 20,
            "contrast_pairs": 20,
            "reason_suffix": " ?",
            "direct_suffix": " =",
            "max_new_tokens": 4,
            "samples": 2,
            "bootstrap": 200,
        },
    )
    res = steering.run(config, RunContext(tmp_path / "run", seed=1, device="cpu"))
    assert res.verdict.scope == "checkpoint:tiny-ckpt"
    registered = steering.registration().settings["alphas"]["checkpoint"]
    assert sorted({c["alpha"] for c in res.raw["test_grid"]}) == registered and res.raw["registered_grid"]
    assert res.verdict.reason == "precondition_failed:explicit_tag_helps"  # an untrained model has no mode
    assert res.raw["chosen"]["layer"] == 1  # the middle third of a 3-block stack
    assert len(res.raw["arms"]["steered"]["correct"]) == 20
