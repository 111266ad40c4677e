"""The AgentFly runner's settings; the defaults are the CPU miniature (a few minutes on 2 cores).

>>> Config().world, Config(**PRESETS["control"]).world
('recurring', 'resampled')
"""

from __future__ import annotations

from typing import Literal

from ..api import RunnerConfig, param


class Config(RunnerConfig):
    # The episode stream.
    n_tasks: int = param(40, "distinct tasks (keys) recurring in the stream", unit="tasks", ge=2, le=100)
    episodes: int = param(600, "episodes per stream", unit="episodes", ge=20, le=100_000)
    world: Literal["recurring", "resampled"] = param(
        "recurring",
        "whether a task's hidden answer stays fixed (recurring) or is redrawn at every visit "
        "(resampled: the control world, where experience cannot transfer)",
    )
    round_size: int = param(
        8, "episodes answered in parallel before memory and weights are updated", unit="episodes", ge=1, le=256
    )
    temperature: float = param(1.0, "sampling temperature of the agent's answers", unit="temperature", gt=0, le=5)
    seeds: int = param(
        2, "independent streams (task orders); outcomes are pooled over them", unit="streams", ge=1, le=20
    )
    world_seed: int = param(0, "seed of the tasks' hidden answers and of the base model", ge=0, le=2**31 - 1)
    # Memory.
    cases_in_context: int = param(2, "cases retrieved into the prompt per episode", unit="cases", ge=1, le=4)
    q_lr: float = param(
        0.5, "learning rate of the retrieval Q-function (online logistic regression)", unit="lr", gt=0, le=10
    )
    q_temperature: float = param(0.3, "softmax temperature of retrieval over Q-scores", unit="temperature", gt=0, le=10)
    candidates: int = param(120, "most recent cases the retriever scores", unit="cases", ge=2, le=100_000)
    # The weight-update arm.
    weight_lr: float = param(
        3e-4, "learning rate of the weight-update arm (policy gradient, AdamW)", unit="lr", gt=0, le=1
    )
    # The tiny base model and its pretraining (cached under a hash of these fields).
    hidden: int = param(64, "hidden size of the tiny Llama", unit="dims", ge=16, le=1024)
    layers: int = param(2, "decoder layers of the tiny Llama", unit="layers", ge=1, le=16)
    heads: int = param(4, "attention heads (must divide hidden)", unit="heads", ge=1, le=32)
    pretrain_steps: int = param(1600, "base pretraining steps", unit="steps", ge=1, le=100_000)
    pretrain_batch: int = param(64, "base pretraining batch size", unit="documents", ge=1, le=4096)
    pretrain_lr: float = param(3e-3, "base pretraining peak learning rate", unit="lr", gt=0, le=1)
    bootstrap: int = param(
        2000, "bootstrap resamples for every confidence interval", unit="resamples", ge=100, le=100_000
    )


PRESETS: dict[str, dict] = {
    "test": {"n_tasks": 20, "episodes": 240, "seeds": 1, "bootstrap": 500},
    "default": {},
    # The same pipeline where every visit redraws the task's answer: memory cannot help here.
    "control": {"world": "resampled"},
    "gpu": {
        "device": "cuda",
        "hidden": 256,
        "layers": 4,
        "heads": 8,
        "pretrain_steps": 6000,
        "pretrain_batch": 256,
        "episodes": 5000,
        "n_tasks": 100,
        "seeds": 5,
    },
}
