"""The Think-in-Games runner's settings; the defaults are the CPU miniature (a few minutes on 2 cores).

>>> Config().facts, Config(**PRESETS["control"]).facts
('true', 'false')
>>> Config(**PRESETS["test"]).pretrain_steps < Config().pretrain_steps
True
"""

from __future__ import annotations

from typing import Literal

from ..api import RunnerConfig, param


class Config(RunnerConfig):
    # The game world.
    max_n: int = param(150, "largest pile the declarative facts describe", unit="stones", ge=12, le=199)
    practised_max: int = param(
        40,
        "largest pile seen in play transcripts and trained on by RL; larger piles "
        "are known declaratively but never practised",
        unit="stones",
        ge=4,
        le=195,
    )
    noise: float = param(0.7, "share of random moves in the pretraining play transcripts", unit="fraction", ge=0, le=1)
    facts: Literal["true", "false"] = param(
        "true",
        "whether the texts the model learns are true of the game it plays (false = the control world: the "
        "same texts, but each code names another pile in the game)",
    )
    trap_share: float = param(
        0.25,
        "share of pile sizes that are traps (moving onto one loses); traps make the "
        "winning moves irregular, so only facts about a pile tell them",
        unit="fraction",
        ge=0,
        le=0.5,
    )
    fact_share: float = param(
        0.3, "share of declarative facts among pretraining documents", unit="fraction", gt=0, lt=0.6
    )
    world_seed: int = param(0, "seed of the false facts and of the base model", ge=0, le=2**31 - 1)
    # The tiny base model and its pretraining (cached under a hash of these fields).
    hidden: int = param(64, "hidden size of the tiny Llama", unit="dims", ge=16, le=1024)
    layers: int = param(2, "decoder layers of the tiny Llama", unit="layers", ge=1, le=16)
    heads: int = param(4, "attention heads (must divide hidden)", unit="heads", ge=1, le=32)
    pretrain_steps: int = param(1500, "base pretraining steps", unit="steps", ge=1, le=100_000)
    pretrain_batch: int = param(64, "base pretraining batch size", unit="documents", ge=1, le=4096)
    pretrain_lr: float = param(3e-3, "base pretraining peak learning rate", unit="lr", gt=0, le=1)
    # GRPO on single moves; the reward is computed by the game engine.
    rl_steps: int = param(150, "GRPO steps per arm", unit="steps", ge=1, le=10_000)
    prompts_per_step: int = param(16, "game states per GRPO step", unit="states", ge=1, le=1024)
    group_size: int = param(8, "sampled moves per state (the GRPO group)", unit="samples", ge=2, le=256)
    rl_lr: float = param(
        1e-4,
        "GRPO learning rate (AdamW); at 3e-4 or more the base forgets what it states about held-out positions",
        unit="lr",
        gt=0,
        le=1,
    )
    seeds: int = param(2, "RL seeds per arm; per-state accuracies are averaged over them", unit="seeds", ge=1, le=20)
    # Evaluation.
    eval_samples: int = param(
        16, "sampled moves per state at evaluation (temperature 1)", unit="samples", ge=1, le=1024
    )
    bootstrap: int = param(
        2000, "bootstrap resamples for every confidence interval", unit="resamples", ge=100, le=100_000
    )


PRESETS: dict[str, dict] = {
    "test": {
        "max_n": 120,
        "pretrain_steps": 700,
        "prompts_per_step": 8,
        "seeds": 1,
        "eval_samples": 8,
        "bootstrap": 500,
    },
    "default": {},
    # The same texts (and base), but each code names another pile in the game played: the hypothesis is false here.
    "control": {"facts": "false"},
    "gpu": {
        "device": "cuda",
        "hidden": 256,
        "layers": 4,
        "heads": 8,
        "pretrain_steps": 6000,
        "pretrain_batch": 256,
        "rl_steps": 400,
        "prompts_per_step": 64,
        "group_size": 16,
        "seeds": 5,
        "eval_samples": 64,
    },
}
