"""The cognitive-tools runner's settings; the defaults are the CPU miniature (a few minutes on 2 cores).

>>> Config().evaluate_on, Config(**PRESETS["control"]).evaluate_on
('held_out', 'practised')
"""

from __future__ import annotations

from typing import Literal

from pydantic import model_validator

from ..api import RunnerConfig, param

N_PROBLEMS = 640  # a digit and three of four functions: 10 * 4**3


class Config(RunnerConfig):
    # The task world.
    n_solved: int = param(
        100, "problems whose direct answer and worked chain appear in pretraining", unit="problems", ge=10, le=600
    )
    n_eval: int = param(
        300, "evaluation problems (at most n_solved in the control world)", unit="problems", ge=10, le=600
    )
    evaluate_on: Literal["held_out", "practised"] = param(
        "held_out",
        "evaluate on problems never solved in the documents, or (the control world) on the solved "
        "ones, which the model already answers directly",
    )
    mono_share: float = param(
        0.05,
        "share of worked chains (the monolithic format) among pretraining documents",
        unit="fraction",
        ge=0,
        le=0.6,
    )
    world_seed: int = param(0, "seed of the problem split and of the base model", ge=0, le=2**31 - 1)
    # The tiny base model and its pretraining (cached under a hash of these fields).
    hidden: int = param(64, "hidden size of the tiny Llama", unit="dims", ge=16, le=1024)
    layers: int = param(2, "decoder layers of the tiny Llama", unit="layers", ge=1, le=16)
    heads: int = param(4, "attention heads (must divide hidden)", unit="heads", ge=1, le=32)
    pretrain_steps: int = param(1500, "base pretraining steps", unit="steps", ge=1, le=100_000)
    pretrain_batch: int = param(64, "base pretraining batch size", unit="documents", ge=1, le=4096)
    pretrain_lr: float = param(3e-3, "base pretraining peak learning rate", unit="lr", gt=0, le=1)
    # The tool loop.
    retries: int = param(
        2, "backtracking rounds per operation when the examine call rejects a result", unit="rounds", ge=0, le=10
    )
    bootstrap: int = param(
        2000, "bootstrap resamples for every confidence interval", unit="resamples", ge=100, le=100_000
    )

    @model_validator(mode="after")
    def _problems_fit(self):
        if self.n_solved + self.n_eval > N_PROBLEMS:
            raise ValueError(f"n_solved + n_eval must be at most {N_PROBLEMS} (the problems there are)")
        return self


PRESETS: dict[str, dict] = {
    # 64 solved problems: few enough that 900 steps memorise their direct answers (the control world needs that);
    # the examine check is learnt last (0.55-0.76 after 600 steps, 0.94 after 900)
    "test": {"n_solved": 64, "n_eval": 150, "pretrain_steps": 900, "bootstrap": 500},
    "default": {},
    # The same pipeline on problems the model already answers directly: nothing is left for tools to unlock.
    "control": {"evaluate_on": "practised"},
    "gpu": {
        "device": "cuda",
        "hidden": 256,
        "layers": 4,
        "heads": 8,
        "pretrain_steps": 8000,
        "pretrain_batch": 256,
        "n_solved": 200,
        "n_eval": 440,
    },
}
