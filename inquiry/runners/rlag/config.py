"""The RLAG runner's settings; the defaults are the CPU miniature (a few minutes on 2 cores).

>>> cfg = Config()
>>> cfg.gamma, cfg.eps_chosen, cfg.eps_rejected
(0.8, -0.2, -5.0)
>>> Config(**PRESETS["test"]).n_target < cfg.n_target, Config(**PRESETS["control"]).informative_arms
(True, 'baselines')
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import field_validator

from ..api import RunnerConfig, param


class Config(RunnerConfig):
    # The fictional knowledge world (miniature only).
    n_known: int = param(60, "known entities the base is pretrained on", unit="entities", ge=4, le=150)
    n_target: int = param(30, "target entities whose facts the arms must embed", unit="entities", ge=2, le=100)
    n_options: int = param(4, "options per multiple-choice question", unit="options", ge=2, le=8)
    n_distractors: int = param(
        1, "distractor sentences (other entities' facts) among a question's snippets", unit="sentences", ge=0, le=6
    )
    world_seed: int = param(
        0, "seed of the world (entities, facts, question split) and of the base model", ge=0, le=2**31 - 1
    )
    # The tiny base model and its pretraining (miniature only; cached under a hash of these fields).
    hidden: int = param(64, "hidden size of the tiny Llama", unit="dims", ge=16, le=1024)
    layers: int = param(2, "decoder layers of the tiny Llama", unit="layers", ge=1, le=16)
    heads: int = param(4, "attention heads (must divide hidden)", unit="heads", ge=1, le=32)
    pretrain_steps: int = param(600, "base pretraining steps", unit="steps", ge=1, le=100_000)
    pretrain_batch: int = param(64, "base pretraining batch size", unit="sequences", ge=1, le=4096)
    pretrain_lr: float = param(5e-3, "base pretraining peak learning rate", unit="lr", gt=0, le=1)
    # RLAG's chunked loop (authors: 9 chunks, 2 epochs per chunk, 5 passes).
    passes: int = param(5, "passes over the training questions (authors' total_epochs)", unit="passes", ge=1, le=100)
    chunks: int = param(
        3,
        "chunks per pass, each re-scored with the current model (authors' iteration_num)",
        unit="chunks",
        ge=1,
        le=100,
    )
    epochs_per_chunk: int = param(2, "epochs on each chunk after it is scored", unit="epochs", ge=1, le=20)
    batch_size: int = param(8, "questions per optimizer step, the same for every arm", unit="questions", ge=1, le=1024)
    lr_grid: list[float] = param(
        [],
        "peak learning rates (AdamW, 10% warm-up then constant) each arm is tuned over on the dev split; empty "
        "= the registered grid for the scope. Any other grid runs, but fails the registered_protocol "
        "precondition",
        unit="lr",
    )
    dev_share: float = param(
        0.0,
        "share of the held-out entities (of a dataset's held-out items) forming the dev "
        "split the learning rates and the best baseline are chosen on; 0 = the registered "
        "share",
        unit="fraction",
        ge=0,
        lt=1,
    )
    informative_arms: Literal["all", "baselines", "rlag"] = param(
        "all",
        "whose training signal carries information about the answers: 'all' (the method); 'baselines' (the "
        "control world: the snippets RLAG reads, and so its chosen answers, come from fabricated profiles); "
        "'rlag' (a test world: the baselines' snippets and answer key are the fabricated ones)",
    )
    gamma: float = param(0.8, "RLAG margin γ (train.sh uses 0.8; the repo's config.yaml says 8)", ge=0, le=100)
    eps_chosen: float = param(
        -0.2, "ε1: the chosen log-prob is clipped at most to this (mean per token)", unit="nats/token", le=0
    )
    eps_rejected: float = param(
        -5.0, "ε2: the rejected log-prob is clipped at least to this (mean per token)", unit="nats/token", le=0
    )
    # Statistics and the verdict.
    seeds: int = param(3, "training seeds per arm; outcomes are pooled over them", unit="seeds", ge=1, le=20)
    bootstrap: int = param(
        2000, "bootstrap resamples for every confidence interval", unit="resamples", ge=100, le=100_000
    )
    # The GPU path: a real checkpoint and a dataset in the authors' schema.
    checkpoint: str = param("", "local instruct checkpoint folder (empty = the miniature)")
    dataset: str = param("", "local JSON/JSONL file with question, options, answer, ctx (with checkpoint)")
    eval_fraction: float = param(
        0.2, "share of the dataset held out for closed-book evaluation (with checkpoint)", unit="fraction", gt=0, lt=1
    )
    dtype: Literal["float32", "bfloat16", "float16"] = param("float32", "weights' dtype (bf16 on a GPU)")
    score_batch: int = param(256, "sequences per forward pass when scoring options", unit="sequences", ge=1, le=8192)
    needs_checkpoint: bool = param(
        False,
        "set by the gpu_checkpoint preset: the run stops at once, naming the "
        "field, unless checkpoint and dataset are given",
    )

    @field_validator("checkpoint")
    @classmethod
    def _a_checkpoint_folder(cls, value: str) -> str:
        from ..substrate.model_files import checkpoint_problem  # stdlib only: configs stay light

        problem = checkpoint_problem(value) if value else None
        if problem:
            raise ValueError(problem)
        return value

    @field_validator("dataset")
    @classmethod
    def _a_data_file(cls, value: str) -> str:
        if value and not Path(value).expanduser().is_file():
            raise ValueError(f"data file {value} does not exist")
        return value


# the smallest world where the base reads its snippets (context gain ~0.45 after 600 pretraining steps) and the
# arms get enough steps (4 passes) to learn something
_TEST = {
    "n_known": 24,
    "n_target": 12,
    "pretrain_steps": 600,
    "pretrain_batch": 32,
    "passes": 4,
    "chunks": 2,
    "seeds": 1,
    "bootstrap": 500,
}

PRESETS: dict[str, dict] = {
    "test": _TEST,
    "default": {},
    # the registered pipeline on a world where RLAG's rewards carry no information: must return contradicts
    "control": {**_TEST, "informative_arms": "baselines"},
    # From scratch on CUDA, no checkpoint: the miniature's world and pipeline at 4x the width, twice the depth
    # and 2.5x the entities (estimate: docs/results/gpu-path.md, "RLAG").
    "gpu": {
        "device": "cuda",
        "n_known": 150,
        "n_target": 60,
        "hidden": 256,
        "layers": 4,
        "heads": 8,
        "pretrain_steps": 2000,
        "pretrain_batch": 128,
        "seeds": 3,
        "score_batch": 1024,
    },
    # A local instruct checkpoint (about 0.5B) and a dataset in the authors' schema: pass checkpoint= and
    # dataset=. Authors' loop (5 passes x 9 chunks x 2 epochs), one seed; sized for <= 1,000 items. The learning
    # rates are tuned per arm on dev over the registered checkpoint grid: (3 + seeds - 1) trainings per arm.
    "gpu_checkpoint": {
        "device": "cuda",
        "dtype": "bfloat16",
        "batch_size": 4,
        "passes": 5,
        "chunks": 9,
        "epochs_per_chunk": 2,
        "seeds": 1,
        "score_batch": 16,
        "needs_checkpoint": True,
    },
}
