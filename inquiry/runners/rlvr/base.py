"""The base model: a tiny Llama pretrained from scratch on a task's noisy teacher, cached by config.

The pretraining loss covers the answer tokens only; the held-out problems never appear.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import torch

from ..substrate import (
    TinyModelConfig,
    build_model,
    build_tokenizer,
    cached_checkpoint,
    encode,
    pad_batch,
    save_checkpoint,
    train_lm,
)


def teacher_batches(
    tokenizer, problems: Sequence, teacher, batch_size: int, rng: random.Random
) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """Endless (input_ids, labels) batches of ``<bos>prompt answer<eos>``, loss on the answer only."""
    while True:
        seqs, prefix = [], []
        for _ in range(batch_size):
            problem = problems[rng.randrange(len(problems))]
            prompt = encode(tokenizer, problem.prompt)
            answer = encode(tokenizer, teacher.document(problem, rng), bos=False)
            seqs.append(prompt + answer + [tokenizer.eos_token_id])
            prefix.append(len(prompt))
        yield pad_batch(seqs, tokenizer.pad_token_id, prefix)


def pretrain_base(
    folder: Path,
    problems: Sequence,
    teacher,
    model_cfg: TinyModelConfig,
    *,
    symbols: list[str],
    steps: int,
    batch_size: int,
    lr: float,
    seed: int,
    on_step: Callable[[int, float], None] | None = None,
    check_cancelled: Callable[[], None] | None = None,
) -> list[float]:
    """Build a tokenizer and model, pretrain on teacher documents, save both into ``folder``."""
    tokenizer = build_tokenizer(symbols)
    model = build_model(tokenizer, model_cfg, seed=seed)
    batches = teacher_batches(tokenizer, problems, teacher, batch_size, random.Random(f"pretrain-{seed}"))
    losses = train_lm(
        model,
        batches,
        steps=steps,
        lr=lr,
        warmup=min(100, steps // 10),
        on_step=on_step,
        check_cancelled=check_cancelled,
    )
    save_checkpoint(model, tokenizer, folder)
    (folder / "pretrain_loss.txt").write_text("\n".join(f"{x:.5f}" for x in losses))
    return losses


def cached_base(
    cache_root: Path, key: dict, problems: Sequence, teacher, model_cfg: TinyModelConfig, **train_kwargs
) -> Path:
    """The base checkpoint for ``key``, pretrained only if it is not in the cache yet."""
    return cached_checkpoint(
        cache_root, key, lambda folder: pretrain_base(folder, problems, teacher, model_cfg, **train_kwargs)
    )
