"""Pretraining the miniature base on the three-format chained-sum stream, cached under its config.

>>> from inquiry.runners.steering.task import ChainSumTask
>>> from inquiry.runners.substrate import build_tokenizer
>>> task = ChainSumTask(operands=2)
>>> tok = build_tokenizer(task.symbols)
>>> ids, labels = next(training_batches(task, tok, set(), (1, 0, 0), 0.0, 2, random.Random(0)))
>>> ids.shape[0], int((labels[0] != -100).sum())  # the trace "a?b?>?" and eos are trained on
(2, 7)
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
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
from .config import Config
from .task import ChainSumTask, Problem


def training_batches(
    task: ChainSumTask,
    tokenizer,
    held_out: set[Problem],
    mix: tuple[float, float, float],
    untagged_reason_rate: float,
    batch_size: int,
    rng: random.Random,
) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """Endless (input_ids, labels) batches, loss on the completion and eos only."""
    stream = task.pretraining_texts(held_out, mix, untagged_reason_rate, rng)
    while True:
        seqs, prefix = [], []
        for prompt, completion in (next(stream) for _ in range(batch_size)):
            head = encode(tokenizer, prompt)
            seqs.append(head + encode(tokenizer, completion, bos=False) + [tokenizer.eos_token_id])
            prefix.append(len(head))
        yield pad_batch(seqs, tokenizer.pad_token_id, label_mask_prefix_lens=prefix)


def cached_base(
    config: Config,
    task: ChainSumTask,
    held_out: set[Problem],
    seed: int,
    cache_root: Path,
    on_step: Callable[[int, float], None],
    check_cancelled: Callable[[], None],
) -> Path:
    """The pretrained base's checkpoint folder; pretrains only when this config and seed are not cached."""
    fields = (
        "operands",
        "reason_format",
        "untagged_reason_rate",
        "mix_reason",
        "mix_direct",
        "mix_untagged",
        "hidden",
        "layers",
        "heads",
        "ffn",
        "pretrain_steps",
        "batch_size",
        "lr",
        "warmup",
        "dev_items",
        "test_items",
    )
    key = {"runner": "steering-base", "seed": seed, **{f: getattr(config, f) for f in fields}}

    def build(folder: Path) -> None:
        tokenizer = build_tokenizer(task.symbols)
        model_cfg = TinyModelConfig(
            hidden=config.hidden, layers=config.layers, heads=config.heads, ffn=config.ffn, max_len=64
        )
        model = build_model(tokenizer, model_cfg, seed=seed)
        mix = (config.mix_reason, config.mix_direct, config.mix_untagged)
        batches = training_batches(
            task,
            tokenizer,
            held_out,
            mix,
            config.untagged_reason_rate,
            config.batch_size,
            random.Random(f"steering-pretrain-{seed}"),
        )
        losses = train_lm(
            model,
            batches,
            steps=config.pretrain_steps,
            lr=config.lr,
            warmup=min(config.warmup, config.pretrain_steps // 10),
            on_step=on_step,
            check_cancelled=check_cancelled,
        )
        save_checkpoint(model, tokenizer, folder)
        (folder / "pretrain_loss.txt").write_text("\n".join(f"{x:.5f}" for x in losses))

    return cached_checkpoint(cache_root, key, build)
