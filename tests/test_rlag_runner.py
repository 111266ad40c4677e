"""The RLAG runner end to end on its test preset: real pretraining, RLAG and three baselines, and a
verdict that follows from the per-question outcomes it reports."""

import numpy as np
import pytest

from inquiry.runners import registry
from inquiry.runners.api import RunContext


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    runner = registry.get("rlag")
    config = registry.resolve_config(runner, "test", {"device": "cpu"})
    context = RunContext(tmp_path_factory.mktemp("rlag"), seed=5, device="cpu", threads=1)
    out = runner.run(config, context)
    return runner, config, context, out


def test_runner_is_discovered_and_suits_the_seed_claim():
    runner = registry.get("rlag")
    assert runner.suitability("Can reinforcement learning embed domain knowledge more effectively than "
                              "supervised fine-tuning? RLAG ... progressively internalizing") >= 3
    assert runner.suitability("Does RLVR expand what models can reason about at large k?") == 0
    assert set(runner.presets) == {"test", "default", "gpu", "gpu_checkpoint"}


def test_verdict_follows_from_the_raw_outcomes(result):
    runner, config, _, out = result
    raw = out.raw
    base_gain = np.mean(raw["base"]["augmented_train"]) - np.mean(raw["base"]["naive_train"])
    assert out.metrics["context_gain"].value == pytest.approx(base_gain)
    if base_gain < config.context_margin:
        assert out.verdict.reason == "precondition_failed:base_cannot_use_context"
        assert out.verdict.verdict.value == "inconclusive"
        return
    pooled = {arm: np.mean(rows, axis=0) for arm, rows in raw["outcomes_heldout"].items()}
    best = max(("cpt", "sft", "cpt_sft"), key=lambda arm: pooled[arm].mean())
    assert raw["best_baseline"] == best
    diff = out.metrics["rlag_minus_best_baseline"]
    assert diff.value == pytest.approx(pooled["rlag"].mean() - pooled[best].mean())
    assert diff.low <= diff.value <= diff.high
    expected = {1: "supports", -1: "contradicts", 0: "inconclusive"}[diff.excludes_zero()]
    assert out.verdict.verdict.value == expected


def test_result_reports_every_arm_with_intervals_diagnostics_and_a_plot(result):
    _, config, context, out = result
    raw = out.raw
    n_heldout = len(raw["heldout_questions"])
    for arm in ("rlag", "cpt", "sft", "cpt_sft"):
        rows = np.array(raw["outcomes_heldout"][arm])
        assert rows.shape == (config.seeds, n_heldout)
        estimate = out.metrics[f"accuracy_{arm}"]
        assert estimate.value == pytest.approx(rows.mean())
        assert estimate.low <= estimate.value <= estimate.high
    # Held-out questions are paraphrases and never-trained facts, never a training question verbatim.
    trained = {q["question"] for q in raw["train_questions"]}
    assert not trained & {q["question"] for q in raw["heldout_questions"]}
    assert {q["split"] for q in raw["heldout_questions"]} == {"paraphrase", "untrained_fact"}
    # Per-step diagnostics as the authors log them, for every step of every seed, with the same step count
    # the baselines got.
    assert len(raw["rlag_diagnostics"]) == config.seeds
    assert all(len(run) == raw["steps_per_arm"] for run in raw["rlag_diagnostics"])
    first = raw["rlag_diagnostics"][0][0]
    assert 0 <= first["chosen_failure"] <= 1 - first["chosen_correct"] + 1e-9
    # The clips bound each item's term (βA = 0.5 where chosen != rejected, 0 elsewhere), hence the batch means.
    for step in (s for run in raw["rlag_diagnostics"] for s in run):
        assert step["reward_chosen"] <= 0.5 * config.eps_chosen * step["chosen_ne_rejected"] + 1e-6
        assert step["reward_rejected"] >= 0.5 * config.eps_rejected * step["chosen_ne_rejected"] - 1e-6
    live = [e for e in context.events if "chosen_correct" in e["metrics"]]
    assert len(live) == config.seeds * raw["steps_per_arm"]
    charts = {s.chart for s in out.series}
    assert {"accuracy", "rlag_diagnostics", "rlag_rewards"} <= charts
    plot = [a for a in out.artifacts if a.kind == "plot"][0]
    assert (context.artifact_dir / plot.path).stat().st_size > 5000
    assert raw["gamma"] == 0.8


def test_checkpoint_path_reads_the_authors_schema_and_runs_the_same_evaluator(tmp_path):
    import json

    from inquiry.errors import InquiryError
    from inquiry.runners.rlag.base import pretrain_base
    from inquiry.runners.rlag.world import build_world
    from inquiry.runners.substrate.model import TinyModelConfig

    world = build_world(n_known=8, n_target=6, n_options=4, n_distractors=1, seed=1)
    pretrain_base(world, tmp_path / "ckpt", model_cfg=TinyModelConfig(hidden=32, layers=1, heads=2, ffn=64),
                  steps=5, batch_size=8, lr=1e-3, seed=0)
    items = [{"question": q.question, "options": dict(zip("ABCD", q.options)), "answer": q.answer, "ctx": q.ctx}
             for q in world.target_questions("train") + world.target_questions("paraphrase")]
    data = tmp_path / "items.jsonl"
    data.write_text("\n".join(json.dumps(item) for item in items))
    runner = registry.get("rlag")
    config = registry.resolve_config(runner, "test", {
        "device": "cpu", "checkpoint": str(tmp_path / "ckpt"), "dataset": str(data), "seeds": 1, "passes": 1})
    out = runner.run(config, RunContext(tmp_path / "run", seed=0, device="cpu"))
    held = out.raw["heldout_questions"]
    assert len(held) == round(len(items) * config.eval_fraction)
    assert out.verdict.scope == "ckpt"
    assert "explanation_rlag" not in out.metrics  # no fact sentences in a real dataset

    items[3]["answer"] = "not an option"
    data.write_text("\n".join(json.dumps(item) for item in items))
    with pytest.raises(InquiryError, match="record 4: answer 'not an option' is not one of its options"):
        runner.run(config, RunContext(tmp_path / "run2", seed=0, device="cpu"))
