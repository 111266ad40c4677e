"""Every runner's checkpoint mode end to end on tiny real-architecture checkpoints (Qwen2: no bos, two eos
ids, chat template; Llama: bos), with GSM8K- and MATH-format data, on CPU in seconds; and the one-line
errors for missing or wrong paths, raised before anything loads."""

import json

import pytest
from fixture_checkpoints import build_qwen_checkpoint, gsm8k_rows, math_rows, write_jsonl

from inquiry.errors import ConfigError
from inquiry.runners import registry
from inquiry.runners.api import RunContext

RLVR_SMALL = dict(device="cpu", n_held_out=10, n_samples=4, max_new_tokens=6, bootstrap=100, temperature=1.0, top_p=1.0)


@pytest.fixture(scope="module")
def qwen_rl_checkpoint(tmp_path_factory):
    """A second Qwen2 checkpoint (other weights, same tokenizer): the 'RL' side of eval-only mode."""
    return build_qwen_checkpoint(tmp_path_factory.mktemp("rl") / "tiny-qwen2-rl", seed=1)


def test_rlvr_eval_only_on_qwen_checkpoints_with_gsm8k_data(qwen_checkpoint, qwen_rl_checkpoint, tmp_path):
    data = write_jsonl(tmp_path / "gsm8k.jsonl", gsm8k_rows(12))
    runner = registry.get("rlvr")
    config = registry.resolve_config(
        runner,
        "test",
        {
            **RLVR_SMALL,
            "base_checkpoint": str(qwen_checkpoint),
            "rl_checkpoint": str(qwen_rl_checkpoint),
            "data_path": str(data),
        },
    )
    out = runner.run(config, RunContext(tmp_path / "run", seed=0, device="cpu"))
    assert out.raw["mode"] == "eval_only" and out.verdict.scope == "checkpoint:tiny-qwen2-rl"
    decoding = out.raw["decoding"]["base"]
    assert decoding["chat_template"] is True and decoding["bos"] is None and len(decoding["stop_ids"]) == 2
    assert [len(v) for v in out.raw["held_out"].values()] == [10, 10]
    assert all(0 <= c <= 4 for c in out.raw["held_out"]["base"])
    assert out.verdict.verdict is not None and "delta_pass1" in out.metrics


def test_rlvr_grpo_from_a_llama_checkpoint_with_math_data(llama_checkpoint, tmp_path):
    data = write_jsonl(tmp_path / "math.jsonl", math_rows(24))
    runner = registry.get("rlvr")
    config = registry.resolve_config(
        runner,
        "test",
        {
            **RLVR_SMALL,
            "base_checkpoint": str(llama_checkpoint),
            "data_path": str(data),
            "rl_steps": 3,
            "prompts_per_step": 2,
            "group_size": 2,
            "chat_template": False,
        },
    )
    out = runner.run(config, RunContext(tmp_path / "run", seed=0, device="cpu"))
    assert out.raw["mode"] == "grpo_from_checkpoint" and out.verdict.scope == "checkpoint:tiny-llama+grpo"
    assert len(out.raw["training_log"]) == 3
    assert out.raw["decoding"]["rl"]["chat_template"] is False and out.raw["decoding"]["rl"]["bos"] == 1
    assert (tmp_path / "run" / "rl_checkpoint" / "model.safetensors").is_file()


def test_rlag_on_a_qwen_checkpoint_with_its_chat_template(qwen_checkpoint, tmp_path):
    items = [
        {
            "question": f"What colour is object {i}?",
            "options": {"A": "red", "B": "blue", "C": "green"},
            "answer": ["red", "blue", "green"][i % 3],
            "ctx": f"Object {i} is {['red', 'blue', 'green'][i % 3]}.",
        }
        for i in range(10)
    ]
    data = write_jsonl(tmp_path / "items.jsonl", items)
    runner = registry.get("rlag")
    config = registry.resolve_config(
        runner,
        "test",
        {
            "device": "cpu",
            "checkpoint": str(qwen_checkpoint),
            "dataset": str(data),
            "seeds": 1,
            "passes": 1,
            "chunks": 1,
            "epochs_per_chunk": 1,
            "batch_size": 4,
        },
    )
    out = runner.run(config, RunContext(tmp_path / "run", seed=0, device="cpu"))
    assert out.verdict.scope == "tiny-qwen2"
    assert len(out.raw["heldout_questions"]) + len(out.raw["dev_questions"]) == 2  # held out, then split dev/test


def test_steering_on_a_qwen_checkpoint_with_its_chat_template(qwen_checkpoint, tmp_path):
    data = write_jsonl(tmp_path / "gsm8k.jsonl", gsm8k_rows(40))
    runner = registry.get("steering")
    config = registry.resolve_config(
        runner,
        "test",
        {
            "checkpoint": str(qwen_checkpoint),
            "eval_path": str(data),
            "dev_items": 10,
            "test_items": 10,
            "contrast_pairs": 10,
            "max_new_tokens": 4,
            "samples": 2,
            "bootstrap": 200,
            "alphas": [1.0],
            "positions": ["prompt_end_only"],
        },
    )
    out = runner.run(config, RunContext(tmp_path / "run", seed=0, device="cpu"))
    assert out.verdict.scope == "checkpoint:tiny-qwen2"
    assert out.raw["decoding"]["chat_template"] is True and len(out.raw["decoding"]["stop_ids"]) == 2
    assert out.raw["chosen"]["layer"] == 1  # the middle third of a 3-block stack


@pytest.mark.parametrize(
    "runner_name, fields",
    [
        ("rlvr", {"base_checkpoint": "{missing}", "data_path": "{data}"}),
        ("rlvr", {"base_checkpoint": "{ckpt}", "data_path": "{missing}"}),
        ("rlvr", {"base_checkpoint": "{empty}", "data_path": "{data}"}),
        ("rlag", {"checkpoint": "{missing}"}),
        ("rlag", {"checkpoint": "{ckpt}", "dataset": "{missing}"}),
        ("steering", {"checkpoint": "{empty}"}),
        ("steering", {"checkpoint": "{ckpt}", "eval_path": "{missing}"}),
    ],
)
def test_wrong_paths_fail_in_one_line_naming_the_field(runner_name, fields, qwen_checkpoint, tmp_path):
    (tmp_path / "empty").mkdir()
    data = write_jsonl(tmp_path / "d.jsonl", gsm8k_rows(2))
    paths = {
        "missing": str(tmp_path / "nowhere"),
        "data": str(data),
        "ckpt": str(qwen_checkpoint),
        "empty": str(tmp_path / "empty"),
    }
    values = {k: v.format(**paths) for k, v in fields.items()}
    bad = next(k for k, v in fields.items() if v in ("{missing}", "{empty}"))
    runner = registry.get(runner_name)
    with pytest.raises(ConfigError) as caught:
        registry.resolve_config(runner, "gpu_checkpoint", values)
    message = str(caught.value)
    assert bad in message and "\n" not in message
    assert ("does not exist" in message) or ("is missing config.json" in message)


@pytest.mark.parametrize(
    "runner_name, field", [("rlvr", "base_checkpoint"), ("rlag", "checkpoint"), ("steering", "checkpoint")]
)
def test_the_checkpoint_presets_stop_before_loading_when_no_path_is_given(runner_name, field, tmp_path):
    runner = registry.get(runner_name)
    config = registry.resolve_config(runner, "gpu_checkpoint", {"device": "cpu"})
    context = RunContext(tmp_path / "run", device="cpu")
    with pytest.raises(ConfigError, match=field):
        runner.run(config, context)
    assert not (context.cache_dir).exists()  # nothing was pretrained or loaded


def test_every_runner_has_a_gpu_preset_without_paths_and_a_checkpoint_preset():
    for name in ("rlvr", "rlag", "steering"):
        runner = registry.get(name)
        gpu = registry.resolve_config(runner, "gpu")
        assert gpu.device == "cuda" and not gpu.needs_checkpoint
        assert registry.resolve_config(runner, "gpu_checkpoint").needs_checkpoint
        assert runner.counts_as_evidence("gpu") and runner.counts_as_evidence("gpu_checkpoint")


def test_the_checkpoint_dataset_loaders_name_bad_records(tmp_path):
    from inquiry.runners.substrate import DatasetError, load_qa_jsonl

    rows = gsm8k_rows(2) + math_rows(1) + [{"prompt": "p", "answer": 3}]
    assert [r["answer"] for r in load_qa_jsonl(write_jsonl(tmp_path / "ok.jsonl", rows))] == ["1003", "1023", "1", "3"]
    bad = write_jsonl(
        tmp_path / "bad.jsonl",
        [{"question": "q", "answer": "no final line"}, {"problem": "p", "solution": "no box"}, {"text": "x"}],
    )
    with pytest.raises(
        DatasetError,
        match=r"3 bad records: record 1: a GSM8K answer needs.*record 2: a MATH "
        r"solution needs.*record 3: expected fields",
    ):
        load_qa_jsonl(bad)
    assert json.loads((tmp_path / "ok.jsonl").read_text().splitlines()[0])["answer"].endswith("#### 1,003")


def test_grpo_micro_batches_give_the_full_batch_update_and_bf16_weights_are_refused():
    import copy

    import torch

    from inquiry.runners.rlvr.grpo import GRPOSettings, _update, train_grpo
    from inquiry.runners.substrate import TinyModelConfig, build_model, build_tokenizer

    tok = build_tokenizer(list("0123456789+="))
    base = build_model(tok, TinyModelConfig(hidden=32, layers=1, heads=2, ffn=64), seed=0)
    prompts = [[1, 5, 6, 14, 7, 15][: 3 + i % 3] for i in range(10)]  # mixed lengths
    completions = [[5 + i % 7, 6, 2][: 1 + i % 3] for i in range(10)]
    advantages = torch.linspace(-1, 1, 10)
    models, stats = [], []
    for micro in (0, 3):  # 0 = one forward per minibatch; 3 = rows 3 at a time, gradients accumulated
        model = copy.deepcopy(base).train()
        optimizer = torch.optim.AdamW(model.parameters(), lr=1e-2)
        stats.append(
            _update(
                model,
                optimizer,
                None,
                prompts,
                completions,
                advantages,
                0,
                GRPOSettings(micro_batch=micro, minibatches=2),
                torch.Generator().manual_seed(0),
            )
        )
        models.append(model)
    assert stats[0] == pytest.approx(stats[1]) and stats[0]["clip_fraction"] > 0  # the clip is active (M = 2)
    assert all(torch.allclose(a, b, atol=1e-6) for a, b in zip(models[0].parameters(), models[1].parameters()))
    assert not all(torch.equal(a, b) for a, b in zip(base.parameters(), models[0].parameters()))
    with pytest.raises(ValueError, match="fp32 master weights"):
        train_grpo(
            copy.deepcopy(base).to(torch.bfloat16),
            tok,
            [],
            str,
            lambda p, t: 0.0,
            GRPOSettings(steps=1),
            generator=torch.Generator(),
            rng=None,
            is_correct=lambda p, t: False,
        )


@pytest.mark.parametrize(
    "runner_name, given, missing", [("steering", "checkpoint", "eval_path"), ("rlag", "checkpoint", "dataset")]
)
def test_a_checkpoint_without_its_data_file_stops_naming_the_data_field(
    runner_name, given, missing, qwen_checkpoint, tmp_path
):
    runner = registry.get(runner_name)
    config = registry.resolve_config(runner, "gpu_checkpoint", {"device": "cpu", given: str(qwen_checkpoint)})
    with pytest.raises(ConfigError, match=missing):
        runner.run(config, RunContext(tmp_path / "run", device="cpu"))


def test_the_gpu_check_script_runs_its_phases_on_cpu(tmp_path, monkeypatch, capsys):
    """scripts/gpu_check.py --cpu --tiny, a subset of phases in-process: the script a GPU machine will run."""
    import importlib.util
    import sys
    from pathlib import Path

    script = Path(__file__).resolve().parent.parent / "scripts" / "gpu_check.py"
    spec = importlib.util.spec_from_file_location("gpu_check", script)
    gpu_check = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gpu_check)
    summary = tmp_path / "summary.json"
    monkeypatch.setattr(
        sys,
        "argv",
        [
            "gpu_check.py",
            "--cpu",
            "--tiny",
            "--json",
            str(summary),
            "--only",
            "fixture",
            "sampler",
            "rlvr gpu_checkpoint",
        ],
    )
    assert gpu_check.main() == 0
    report = json.loads(summary.read_text())
    assert [p["phase"] for p in report["phases"]] == [
        "fixture",
        "sampler",
        "rlvr gpu_checkpoint eval-only",
        "rlvr gpu_checkpoint grpo",
    ]
    assert report["failed"] == [] and report["phases"][1]["ratio"] > 0
    assert "samples_per_s" in capsys.readouterr().out
