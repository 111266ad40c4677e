"""The probe's computation: pretrain a tiny Llama on noisy addition, then sample held-out problems.

Kept apart from :mod:`.runner` (the declaration and the statistics) because it imports torch and
transformers, which take seconds; :meth:`~inquiry.runners.probe.runner.ProbeRunner.run` imports it.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

import torch
import transformers

from ..api import RunContext
from ..substrate import (
    AdditionTask,
    Problem,
    TinyModelConfig,
    build_model,
    build_tokenizer,
    cached_checkpoint,
    encode,
    load_checkpoint,
    pad_batch,
    sample,
    save_checkpoint,
    train_lm,
)
from .config import Config


def measure(
    runner: str, version: str, config: Config, context: RunContext
) -> tuple[list[Problem], list[int], list[dict]]:
    """The held-out problems, how many of the ``n`` samples solved each, and a few decoded samples."""
    context.setup_torch()
    task = AdditionTask(config.digits)
    tokenizer = build_tokenizer(task.symbols)
    train, test = task.split(held_out=config.held_out, seed=context.seed)
    model = _base_model(runner, version, config, context, task, tokenizer, train)
    context.progress(config.pretrain_steps, config.pretrain_steps + len(test), "sampling")
    counts, examples = _evaluate(config, context, task, tokenizer, model, test)
    return test, counts, examples


def _base_model(runner, version, config, context, task, tokenizer, train):
    shape = TinyModelConfig(
        hidden=config.hidden,
        layers=config.layers,
        heads=config.heads,
        ffn=3 * config.hidden,
        max_len=4 * config.digits + 8,
    )
    total = config.pretrain_steps + config.held_out

    def pretrain(folder):
        model = build_model(tokenizer, shape, seed=context.seed).to(context.device)
        examples = task.training_texts(train, config.noise, random.Random(context.seed))
        train_lm(
            model,
            _batches(examples, tokenizer, config.batch_size),
            steps=config.pretrain_steps,
            lr=config.lr,
            warmup=max(1, config.pretrain_steps // 20),
            weight_decay=0.0,
            betas=(0.9, 0.98),
            grad_clip=1.0,
            check_cancelled=context.check_cancelled,
            on_step=lambda step, loss: context.progress(step, total, "pretraining", loss=loss),
        )
        save_checkpoint(model, tokenizer, folder)

    if not config.reuse_base:
        folder = context.artifact_dir / "base"
        pretrain(folder)
    else:
        key = {
            "runner": runner,
            "version": version,
            "seed": context.seed,
            "torch": torch.__version__,
            "transformers": transformers.__version__,
            "device": context.device,
            **config.model_dump(
                include={
                    "digits",
                    "noise",
                    "held_out",
                    "hidden",
                    "layers",
                    "heads",
                    "pretrain_steps",
                    "batch_size",
                    "lr",
                }
            ),
        }
        folder = cached_checkpoint(context.cache_dir / "bases", key, pretrain)
    model, _ = load_checkpoint(folder, device=context.device)
    return model


def _batches(examples, tokenizer, batch_size) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    while True:
        problems = [next(examples) for _ in range(batch_size)]
        seqs = [encode(tokenizer, p.prompt + p.answer) + [tokenizer.eos_token_id] for p in problems]
        # Loss on the answer and eos only: the prompts are uniform noise the model cannot predict.
        yield pad_batch(seqs, tokenizer.pad_token_id, [len(encode(tokenizer, p.prompt)) for p in problems])


def _evaluate(config, context, task, tokenizer, model, test):
    generator = context.torch_generator(offset=1)
    counts: list[int] = []
    examples: list[dict] = []
    per_call = max(1, 1024 // config.n)  # problems per sampler call, so cancel is checked between calls
    for start in range(0, len(test), per_call):
        context.check_cancelled()
        chunk = test[start : start + per_call]
        out = sample(
            model,
            [encode(tokenizer, p.prompt) for p in chunk],
            n=config.n,
            max_new_tokens=config.digits + 3,
            temperature=config.temperature,
            eos_id=tokenizer.eos_token_id,
            pad_id=tokenizer.pad_token_id,
            generator=generator,
        )
        for problem, texts in zip(chunk, out.texts(tokenizer)):
            counts.append(sum(task.verify(problem, text) for text in texts))
            examples.append({"prompt": problem.prompt, "answer": problem.answer, "samples": texts[:8]})
        context.progress(config.pretrain_steps + start + len(chunk), config.pretrain_steps + len(test), "sampling")
    return counts, examples
