"""The wandering runner's configuration; defaults are the CPU miniature.

>>> Config().arm, Config(**PRESETS["test"]).episodes_per_depth
('depth', 60)
"""

from __future__ import annotations

from typing import Literal

from pydantic import model_validator

from ..api import RunnerConfig, param


class Config(RunnerConfig):
    arm: Literal["depth", "rl"] = param(
        "depth",
        "which registered arm decides: 'depth' (success and violations against depth, geometric vs "
        "cliff) or 'rl' (does outcome-reward GRPO on the trained depths lower violations beyond them?)",
    )
    # the world
    wander_share: float = param(
        0.5,
        "share of pretraining episodes written by the wandering teacher (the rest "
        "by the systematic depth-first teacher; 0 = the control world)",
        ge=0,
        le=1,
    )
    wander_rate: float = param(0.15, "the wandering teacher's per-action probability of a violation", ge=0, le=1)
    train_min_depth: int = param(2, "shallowest code length in pretraining", unit="bits", ge=1, le=20)
    train_max_depth: int = param(
        5, "deepest code length in pretraining (the trained range ends here)", unit="bits", ge=1, le=20
    )
    test_max_depth: int = param(
        10, "deepest code length evaluated (well beyond the trained range)", unit="bits", ge=2, le=30
    )
    budget_per_level: int = param(
        4, "action budget per bit of code (a systematic explorer needs at most 3)", unit="actions/bit", ge=3, le=20
    )
    # the model
    hidden: int = param(64, "hidden size of the tiny Llama", unit="units", ge=16, le=1024)
    layers: int = param(2, "decoder layers", unit="layers", ge=1, le=12)
    heads: int = param(4, "attention heads", unit="heads", ge=1, le=16)
    pretrain_steps: int = param(1200, "pretraining steps on teacher episodes", unit="steps", ge=1, le=50000)
    pretrain_batch: int = param(64, "pretraining batch", unit="episodes", ge=4, le=4096)
    pretrain_lr: float = param(3e-3, "pretraining peak learning rate (AdamW, cosine)", gt=0, le=1)
    # evaluation
    episodes_per_depth: int = param(
        200, "evaluation episodes per depth (fresh random codes)", unit="episodes", ge=10, le=100000
    )
    temperature: float = param(1.0, "sampling temperature of the model's actions", ge=0, le=5)
    bootstrap: int = param(400, "bootstrap resamples", unit="draws", ge=100, le=20000)
    # the RL arm
    rl_steps: int = param(60, "GRPO steps on episodes of the trained depths (arm 'rl')", unit="steps", ge=1, le=5000)
    rl_prompts: int = param(32, "P: episodes (codes) per GRPO step", unit="codes", ge=1, le=1024)
    rl_group: int = param(
        8, "G: episodes per code (the group the advantage is normalised in)", unit="episodes", ge=2, le=256
    )
    rl_lr: float = param(3e-4, "GRPO learning rate (AdamW)", gt=0, le=1)

    @model_validator(mode="after")
    def _consistent(self) -> Config:
        if self.train_min_depth > self.train_max_depth:
            raise ValueError(f"train_min_depth={self.train_min_depth} exceeds train_max_depth={self.train_max_depth}")
        if self.test_max_depth <= self.train_max_depth:
            raise ValueError(
                f"test_max_depth={self.test_max_depth} must exceed train_max_depth="
                f"{self.train_max_depth}: the claim is about depths beyond the trained range"
            )
        if self.hidden % self.heads:
            raise ValueError(f"hidden={self.hidden} must be divisible by heads={self.heads}")
        return self

    @property
    def depths(self) -> list[int]:
        return list(range(self.train_min_depth, self.test_max_depth + 1))


# test: depths 2-5 trained, 2-8 played (2-10 at this size drifted to a violation ratio of 1.5, the band's edge)
_TEST = dict(
    hidden=48,
    layers=2,
    pretrain_steps=400,
    pretrain_batch=48,
    test_max_depth=8,
    episodes_per_depth=60,
    bootstrap=200,
    rl_steps=15,
    rl_prompts=16,
    rl_group=6,
)
PRESETS: dict[str, dict] = {
    "test": _TEST,
    "default": {},
    # the registered world where the hypothesis is false: only the systematic teacher, so nothing wanders
    "control": dict(wander_share=0.0),
    "rl_narrowing": dict(arm="rl"),
    "gpu": dict(
        device="cuda",
        hidden=256,
        layers=4,
        pretrain_steps=4000,
        pretrain_batch=256,
        episodes_per_depth=1000,
        test_max_depth=14,
        bootstrap=2000,
        rl_steps=200,
    ),
}
