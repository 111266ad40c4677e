"""The steering runner's settings; the defaults are the CPU miniature.

>>> cfg = Config()  # empty grid fields = the registered grid (registration.yaml) for the run's scope
>>> cfg.operands, cfg.alphas, cfg.positions, cfg.random_vectors >= 20, cfg.reason_format
(4, [], [], True, 'scratchpad')
>>> Config(alphas=[-1.0])
Traceback (most recent call last):
...
pydantic_core._pydantic_core.ValidationError: 1 validation error for Config
alphas
  Value error, every alpha must be > 0 (alpha = 0 and the sign-flipped vector are run as controls) ...
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import field_validator

from ..api import RunnerConfig, param

# where the vector is added (see :mod:`.generate`); a plain type here so the config needs no torch
Positions = Literal["from_prompt_end", "prompt_end_only"]
ReasonFormat = Literal["scratchpad", "hint", "none"]  # as in :mod:`.task`, which imports nothing heavy either


class Config(RunnerConfig):
    # --- the miniature substrate: task and pretraining
    operands: int = param(4, "labelled digits per problem (the answer is their sum mod 10)", unit="digits", ge=2, le=8)
    untagged_reason_rate: float = param(
        0.1, "share of untagged pretraining problems written with the scratchpad", unit="fraction", ge=0, le=1
    )
    reason_format: ReasonFormat = param(
        "scratchpad",
        "what the reason tag meant in pretraining: 'scratchpad' = the base writes the running sums "
        "(the latent mode); 'hint' = the prompt hands it the running sums and it never writes a scratchpad (the "
        "control world: no mode to elicit); 'none' = the tag changes nothing (the precondition fails)",
    )
    mix_reason: float = param(0.4, "pretraining share of reason-tagged problems", unit="fraction", ge=0, le=1)
    mix_direct: float = param(0.4, "pretraining share of direct-tagged problems", unit="fraction", ge=0, le=1)
    mix_untagged: float = param(0.2, "pretraining share of untagged problems", unit="fraction", ge=0, le=1)
    hidden: int = param(64, "tiny model hidden size", unit="units", ge=16, le=1024)
    layers: int = param(2, "tiny model decoder blocks", unit="blocks", ge=1, le=16)
    heads: int = param(4, "tiny model attention heads (must divide hidden)", unit="heads", ge=1, le=32)
    ffn: int = param(192, "tiny model MLP width", unit="units", ge=16, le=8192)
    pretrain_steps: int = param(3000, "pretraining optimizer steps", unit="steps", ge=1, le=200_000)
    batch_size: int = param(128, "pretraining sequences per step", unit="sequences", ge=1, le=4096)
    lr: float = param(3e-3, "peak AdamW learning rate (linear warmup, cosine decay)", unit="lr", gt=0, le=1)
    warmup: int = param(100, "learning-rate warmup", unit="steps", ge=0, le=10_000)
    # --- the experiment
    contrast_pairs: int = param(
        256, "contrast prompt pairs (reason- vs direct-tagged) for the vector", unit="pairs", ge=2, le=100_000
    )
    dev_items: int = param(
        150, "held-out problems the (layer, alpha, positions) choice is made on", unit="problems", ge=10, le=100_000
    )
    test_items: int = param(
        400, "held-out problems every reported number is measured on", unit="problems", ge=10, le=100_000
    )
    steer_layers: list[int] = param(
        [],
        "decoder blocks to steer (0-based); empty = every block of the miniature, the middle third of a checkpoint",
        unit="block indices",
    )
    alphas: list[float] = param(
        [],
        "steering strengths, in units of the mean residual norm at the steered block "
        "(alpha = 0 is always run, as the baseline); empty = the registered grid. Any other "
        "grid runs, but fails the registered_grid precondition",
        unit="x mean residual norm",
    )
    positions: list[Positions] = param(
        [],
        "injection modes to run: 'prompt_end_only' = the last prompt token alone (the registered primary mode); "
        "'from_prompt_end' = it and every generated token (exploratory); empty = both, as registered",
    )
    random_vectors: int = param(
        20, "random directions of equal norm forming the null distribution", unit="vectors", ge=20, le=1000
    )
    samples: int = param(8, "samples per problem at temperature 1 for the avg@k accuracy", unit="samples", ge=1, le=256)
    temperature: float = param(
        1.0, "sampling temperature for avg@k (greedy is always measured too)", unit="temperature", gt=0, le=5
    )
    bootstrap: int = param(2000, "bootstrap resamples for every interval", unit="resamples", ge=100, le=100_000)
    # --- the GPU path: a local checkpoint and local data
    checkpoint: str = param("", "local Hugging Face checkpoint folder; empty = pretrain the miniature")
    eval_path: str = param("", 'local JSONL of {"prompt", "answer"} questions (checkpoint path only)')
    contrast_path: str = param(
        "",
        'local JSONL of {"positive", "negative"} contrast prompts; empty = eval questions with the two suffixes below',
    )
    neutral_path: str = param("", 'local JSONL of {"text"} for the NLL damage metric; empty = the questions')
    reason_suffix: str = param(
        " Let's think step by step.", "appended to a question to ask for reasoning (the positive control)"
    )
    direct_suffix: str = param(" Answer with only the number.", "appended to a question to ask for the bare answer")
    reason_min_words: int = param(
        12,
        "a checkpoint's completion counts as reasoning when it has at least this many words",
        unit="words",
        ge=1,
        le=10_000,
    )
    max_new_tokens: int = param(
        0, "generation limit; 0 = the task's own (scratchpad length for the miniature)", unit="tokens", ge=0, le=32_768
    )
    needs_checkpoint: bool = param(
        False,
        "set by the gpu_checkpoint preset: the run stops at once, naming the "
        "field, unless checkpoint and eval_path are given",
    )
    chat_template: bool = param(
        True,
        "checkpoint path: prompt as a user turn of the checkpoint's chat template when it has one (recorded per run)",
    )
    dtype: Literal["float32", "bfloat16", "float16"] = param("float32", "weights and activations dtype")
    generation_batch: int = param(1024, "sequences decoded together", unit="sequences", ge=1, le=65_536)

    @field_validator("checkpoint")
    @classmethod
    def _a_checkpoint_folder(cls, value: str) -> str:
        from ..substrate.model_files import checkpoint_problem  # stdlib only: configs stay light

        problem = checkpoint_problem(value) if value else None
        if problem:
            raise ValueError(problem)
        return value

    @field_validator("eval_path", "contrast_path", "neutral_path")
    @classmethod
    def _a_data_file(cls, value: str) -> str:
        if value and not Path(value).expanduser().is_file():
            raise ValueError(f"data file {value} does not exist")
        return value

    @field_validator("alphas")
    @classmethod
    def _positive_alphas(cls, alphas: list[float]) -> list[float]:
        if any(a <= 0 for a in alphas):
            raise ValueError("every alpha must be > 0 (alpha = 0 and the sign-flipped vector are run as controls)")
        return alphas

    @field_validator("positions")
    @classmethod
    def _distinct_positions(cls, positions: list[str]) -> list[str]:
        if len(set(positions)) != len(positions):
            raise ValueError("list each injection mode once")
        return positions

    @field_validator("steer_layers")
    @classmethod
    def _non_negative_layers(cls, layers: list[int]) -> list[int]:
        if any(layer < 0 for layer in layers):
            raise ValueError("block indices start at 0")
        return layers


# 3 digits and small batches: the base learns the scratchpad (reason tag ~1.0 against ~0.1 untagged)
# in ~800 steps, ~25 s of one core, so the test reaches the real verdict on the full grid.
_TEST = {
    "operands": 3,
    "hidden": 48,
    "ffn": 144,
    "pretrain_steps": 800,
    "batch_size": 64,
    "lr": 4e-3,
    "contrast_pairs": 64,
    "dev_items": 60,
    "test_items": 150,
    "samples": 4,
    "bootstrap": 500,
}

PRESETS: dict[str, dict] = {
    "test": _TEST,
    "default": {},
    # the registered pipeline at test size on the world without a latent mode: must return contradicts (the
    # exploratory injection mode, which never decides, is left out to keep it under two minutes)
    "control": {**_TEST, "reason_format": "hint", "positions": ["prompt_end_only"]},
    # From scratch on CUDA, no checkpoint: the chained-sum task with a 4.7M-parameter base (hidden 256, 6 blocks)
    # and larger splits (estimate: docs/results/gpu-path.md, "Steering").
    "gpu": {
        "device": "cuda",
        "hidden": 256,
        "layers": 6,
        "heads": 8,
        "ffn": 768,
        "pretrain_steps": 4000,
        "batch_size": 256,
        "contrast_pairs": 512,
        "dev_items": 300,
        "test_items": 1000,
        "samples": 8,
        "generation_batch": 4096,
    },
    # A local checkpoint (about 0.5B) and question JSONL: pass checkpoint= and eval_path=. The middle third of
    # the blocks x the registered checkpoint alphas x the registered (primary) injection mode only, greedy up to
    # 192 tokens, so the grid fits in ~10 minutes.
    "gpu_checkpoint": {
        "device": "cuda",
        "dtype": "bfloat16",
        "contrast_pairs": 128,
        "dev_items": 50,
        "test_items": 150,
        "positions": ["prompt_end_only"],
        "samples": 4,
        "max_new_tokens": 192,
        "generation_batch": 512,
        "needs_checkpoint": True,
    },
}
