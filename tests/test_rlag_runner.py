"""The RLAG runner end to end at test size: real pretraining, RLAG and three baselines, each at its dev-tuned
learning rate, on worlds where the answer is known, and a verdict that follows from the outcomes it reports.

* only RLAG's training signal is informative (CPT reads fabricated snippets, SFT random labels) -> supports;
* the control preset: RLAG's rewards carry no information (fabricated snippets) -> contradicts;
* a base too briefly pretrained to read its snippets: the precondition fails -> inconclusive.

The three runs share one pretrained base through the checkpoint cache.
"""

import json

import numpy as np
import pytest

from inquiry.models import Verdict
from inquiry.runners import registry
from inquiry.runners.api import RunContext
from inquiry.runners.rlag.verdict import best_baseline

ARMS = ("rlag", "cpt", "sft", "cpt_sft")


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    return tmp_path_factory.mktemp("rlag-cache")


def _run(folder, cache, preset, **overrides):
    runner = registry.get("rlag")
    config = registry.resolve_config(runner, preset, {"device": "cpu", **overrides})
    context = RunContext(folder, seed=0, device="cpu", threads=1, cache_dir=cache)
    return runner.run(config, context), config, context


@pytest.fixture(scope="module")
def informed(tmp_path_factory, cache):
    return _run(tmp_path_factory.mktemp("rlag-informed"), cache, "test", informative_arms="rlag")


@pytest.fixture(scope="module")
def control(tmp_path_factory, cache):
    return _run(tmp_path_factory.mktemp("rlag-control"), cache, "control")


def test_world_where_only_rlag_is_informed_supports(informed):
    out, _, _ = informed
    assert (out.verdict.verdict, out.verdict.reason) == (Verdict.SUPPORTS, "ci_excludes_zero_positive")
    assert out.verdict.registration == registry.get("rlag").registration().sha
    assert [c.id for c in out.verdict.preconditions] == ["base_can_use_context", "registered_protocol"]
    assert all(c.passed for c in out.verdict.preconditions)


def test_control_world_with_uninformative_rewards_contradicts(control):
    out, config, _ = control
    assert config.informative_arms == "baselines"
    assert out.verdict.preconditions[0].passed  # the base reads its (true) snippets ...
    assert (out.verdict.verdict, out.verdict.reason) == (Verdict.CONTRADICTS, "ci_excludes_zero_negative")
    # ... but RLAG was rewarded by fabricated ones: its chosen answers are right about as often as chance
    steps = [step for run in out.raw["rlag_diagnostics"] for step in run]
    assert np.mean([s["chosen_correct"] for s in steps]) < 0.5


def test_base_that_cannot_read_its_snippets_is_inconclusive(tmp_path, cache):
    out, _config, _ = _run(tmp_path, cache, "test", pretrain_steps=10, passes=1)
    check = out.verdict.preconditions[0]
    assert (out.verdict.verdict, out.verdict.reason) == (
        Verdict.INCONCLUSIVE,
        "precondition_failed:base_can_use_context",
    )
    assert not check.passed and check.value == out.metrics["context_gain"].low < check.threshold
    assert "rlag_minus_best_baseline" in out.metrics  # the arms still ran; their numbers just cannot decide


@pytest.mark.parametrize("fixture", ["informed", "control"])
def test_verdict_follows_from_dev_choices_and_test_outcomes(fixture, request):
    out, _config, _ = request.getfixturevalue(fixture)
    raw = out.raw
    # each arm's rate is the grid's best on dev (seed 0), and the best baseline the best on dev at that rate
    registered = registry.get("rlag").registration().settings["lr_grid"]["miniature"]
    assert raw["lr_grid"] == sorted(registered)
    for arm in ARMS:
        by_lr = {float(lr): acc for lr, acc in raw["dev_accuracy"][arm].items()}
        assert set(by_lr) == set(registered)
        assert raw["tuned_lr"][arm] == min(lr for lr in by_lr if by_lr[lr] == max(by_lr.values()))
    dev_best = {arm: raw["dev_accuracy"][arm][str(raw["tuned_lr"][arm])] for arm in ARMS if arm != "rlag"}
    assert raw["best_baseline"] == best_baseline(dev_best)
    # dev and test are different entities' questions: nothing is chosen on the test questions
    assert not {q["entity"] for q in raw["dev_questions"]} & {q["entity"] for q in raw["heldout_questions"]}
    pooled = {arm: np.mean(rows, axis=0) for arm, rows in raw["outcomes_heldout"].items()}
    diff = out.metrics["rlag_minus_best_baseline"]
    assert diff.value == pytest.approx(pooled["rlag"].mean() - pooled[raw["best_baseline"]].mean())
    assert diff.low <= diff.value <= diff.high
    expected = {1: "supports", -1: "contradicts", 0: "inconclusive"}[diff.excludes_zero()]
    assert out.verdict.verdict.value == expected


def test_result_reports_every_arm_with_intervals_diagnostics_and_a_plot(informed):
    out, config, context = informed
    raw = out.raw
    n_test = len(raw["heldout_questions"])
    for arm in ARMS:
        rows = np.array(raw["outcomes_heldout"][arm])
        assert rows.shape == (config.seeds, n_test)
        estimate = out.metrics[f"accuracy_{arm}"]
        assert estimate.value == pytest.approx(rows.mean())
        assert estimate.low <= estimate.value <= estimate.high
        assert f"accuracy_{arm}_paraphrase" in out.exploratory  # per-group figures are reported apart
    # Held-out questions are paraphrases and never-trained facts, never a training question verbatim.
    trained = {q["question"] for q in raw["train_questions"]}
    assert not trained & {q["question"] for q in raw["heldout_questions"] + raw["dev_questions"]}
    assert {q["split"] for q in raw["heldout_questions"]} == {"paraphrase", "untrained_fact"}
    # Per-step diagnostics as the authors log them, for every step of every seed (and every tuning rate), with
    # the same step count the baselines got.
    assert len(raw["rlag_diagnostics"]) == config.seeds
    assert all(len(run) == raw["steps_per_arm"] for run in raw["rlag_diagnostics"])
    first = raw["rlag_diagnostics"][0][0]
    assert 0 <= first["chosen_failure"] <= 1 - first["chosen_correct"] + 1e-9
    for step in (s for run in raw["rlag_diagnostics"] for s in run):
        assert step["reward_chosen"] <= 0.5 * config.eps_chosen * step["chosen_ne_rejected"] + 1e-6
        assert step["reward_rejected"] >= 0.5 * config.eps_rejected * step["chosen_ne_rejected"] - 1e-6
    live = [e for e in context.events if "chosen_correct" in e["metrics"]]
    assert len(live) == (len(raw["lr_grid"]) + config.seeds - 1) * raw["steps_per_arm"]
    assert {"accuracy", "rlag_diagnostics", "rlag_rewards"} <= {s.chart for s in out.series}
    plot = next(a for a in out.artifacts if a.kind == "plot")
    assert (context.artifact_dir / plot.path).stat().st_size > 5000
    assert raw["gamma"] == 0.8
    json.dumps(out.model_dump(mode="json"))


def test_runner_is_discovered_and_suits_the_seed_claim():
    runner = registry.get("rlag")
    assert (
        runner.suitability(
            "Can reinforcement learning embed domain knowledge more effectively than "
            "supervised fine-tuning? RLAG ... progressively internalizing"
        )
        >= 3
    )
    assert runner.suitability("Does RLVR expand what models can reason about at large k?") == 0
    assert set(runner.presets) == {"test", "default", "control", "gpu", "gpu_checkpoint"}
    reg = runner.registration()
    assert reg.version == runner.version == "2" and set(reg.thresholds) == {"level", "context_margin"}
    assert "lr" not in runner.Config.model_fields and "baseline_lr" not in runner.Config.model_fields


def test_checkpoint_path_reads_the_authors_schema_and_runs_the_same_evaluator(tmp_path):
    from inquiry.errors import InquiryError
    from inquiry.runners.rlag.base import pretrain_base
    from inquiry.runners.rlag.world import build_world
    from inquiry.runners.substrate.model import TinyModelConfig

    world = build_world(n_known=8, n_target=6, n_options=4, n_distractors=1, seed=1)
    pretrain_base(
        world,
        tmp_path / "ckpt",
        model_cfg=TinyModelConfig(hidden=32, layers=1, heads=2, ffn=64),
        steps=5,
        batch_size=8,
        lr=1e-3,
        seed=0,
    )
    items = [
        {"question": q.question, "options": dict(zip("ABCD", q.options)), "answer": q.answer, "ctx": q.ctx}
        for q in world.target_questions("train") + world.target_questions("paraphrase")
    ]
    data = tmp_path / "items.jsonl"
    data.write_text("\n".join(json.dumps(item) for item in items))
    runner = registry.get("rlag")
    config = registry.resolve_config(
        runner,
        "test",
        {"device": "cpu", "checkpoint": str(tmp_path / "ckpt"), "dataset": str(data), "seeds": 1, "passes": 1},
    )
    out = runner.run(config, RunContext(tmp_path / "run", seed=0, device="cpu"))
    held = out.raw["heldout_questions"] + out.raw["dev_questions"]
    assert len(held) == round(len(items) * config.eval_fraction)
    assert out.raw["lr_grid"] == runner.registration().settings["lr_grid"]["checkpoint"]
    assert out.verdict.scope == "ckpt"
    assert "explanation_rlag" not in out.exploratory  # no fact sentences in a real dataset

    items[3]["answer"] = "not an option"
    data.write_text("\n".join(json.dumps(item) for item in items))
    with pytest.raises(InquiryError, match="record 4: answer 'not an option' is not one of its options"):
        runner.run(config, RunContext(tmp_path / "run2", seed=0, device="cpu"))
