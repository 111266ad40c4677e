"""The probe's configuration; defaults are the CPU miniature (a few seconds of pretraining).

>>> Config(**PRESETS["test"]).pretrain_steps
80
"""

from __future__ import annotations

from ..api import RunnerConfig, param


class Config(RunnerConfig):
    digits: int = param(1, "digits per operand of the addition task", unit="digits", ge=1, le=3)
    noise: float = param(0.3, "share of training examples whose answer is a random number", ge=0, le=1)
    held_out: int = param(40, "held-out problems evaluated (never trained on)", unit="problems", ge=5, le=1000)
    hidden: int = param(64, "model hidden size", unit="units", ge=8, le=1024)
    layers: int = param(2, "decoder layers", unit="layers", ge=1, le=16)
    heads: int = param(4, "attention heads (must divide hidden)", unit="heads", ge=1, le=16)
    pretrain_steps: int = param(300, "pretraining optimizer steps", unit="steps", ge=1, le=100_000)
    batch_size: int = param(64, "pretraining batch size", unit="sequences", ge=1, le=4096)
    lr: float = param(1e-2, "peak AdamW learning rate (warmup then cosine)", gt=0, le=1)
    n: int = param(32, "samples per problem (the largest k)", unit="samples", ge=2, le=4096)
    temperature: float = param(1.0, "sampling temperature", ge=0.05, le=5)
    bootstrap: int = param(1000, "bootstrap resamples", unit="resamples", ge=100, le=100_000)
    min_gain: float = param(0.02, "pass@n − pass@1 below which more samples count as no help", ge=0, le=1)
    reuse_base: bool = param(True, "reuse a cached pretrained model with the same settings")


PRESETS: dict[str, dict] = {
    "test": {"hidden": 32, "heads": 2, "pretrain_steps": 80, "held_out": 30, "n": 16, "bootstrap": 300},
    "default": {},
}
