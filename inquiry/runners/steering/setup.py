"""What a steering run works on: a model, a task, the splits and the texts, for either path.

The miniature pretrains (or reuses from the cache) a tiny base on the chained-sum task; the
checkpoint path loads a local folder through the same :func:`load_checkpoint` and reads local
JSONL files. Everything downstream sees the same :class:`Workbench`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch

from ...errors import ConfigError
from ..api import RunContext
from ..substrate import encode, load_checkpoint, load_jsonl
from .base import cached_base
from .config import Config
from .qa_task import QATask
from .task import ChainSumTask

DTYPES = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}


@dataclass
class Workbench:
    model: torch.nn.Module
    tokenizer: object
    task: ChainSumTask | QATask
    dev: list
    test: list
    contrast: list[tuple[str, str]]  # (positive = reasoning, negative = direct) prompt texts
    neutral: list[tuple[str, str]]  # (prompt, continuation) texts for the NLL damage metric
    encode: Callable[[str], list[int]]  # a prompt, with the model's leading special tokens
    encode_continuation: Callable[[str], list[int]]
    max_new_tokens: int
    scope: str

    def decode(self, ids: list[int]) -> str:
        return self.tokenizer.decode(ids, skip_special_tokens=True)


def miniature(config: Config, context: RunContext) -> Workbench:
    task = ChainSumTask(config.operands)
    dev, test, contrast = task.split([config.dev_items, config.test_items, config.contrast_pairs], context.seed)
    folder = cached_base(
        config, task, set(dev) | set(test), context.seed, context.cache_dir,
        on_step=lambda step, loss: step % 50 == 0 and context.progress(
            step, config.pretrain_steps, "pretraining the base", loss=loss),
        check_cancelled=context.check_cancelled)
    model, tokenizer = load_checkpoint(folder, device=context.device, dtype=DTYPES[config.dtype])
    return Workbench(
        model, tokenizer, task, dev, test,
        contrast=[(task.prompt(p, "reason"), task.prompt(p, "direct")) for p in contrast],
        neutral=task.neutral_pairs(test),
        encode=lambda text: encode(tokenizer, text),
        encode_continuation=lambda text: encode(tokenizer, text, bos=False),
        max_new_tokens=config.max_new_tokens or task.max_new_tokens, scope="miniature")


def checkpoint(config: Config, context: RunContext) -> Workbench:
    if not config.eval_path:
        raise ConfigError("eval_path", "a checkpoint run needs a JSONL of {\"prompt\", \"answer\"} questions")
    model, tokenizer = load_checkpoint(config.checkpoint, device=context.device, dtype=DTYPES[config.dtype])
    qa = QATask(load_jsonl(config.eval_path, ["prompt", "answer"]), config.reason_suffix, config.direct_suffix,
                config.reason_min_words)
    if config.contrast_path:
        rows = load_jsonl(config.contrast_path, ["positive", "negative"])
        contrast = [(row["positive"], row["negative"]) for row in rows[:config.contrast_pairs]]
        dev, test = qa.split([config.dev_items, config.test_items], context.seed)
    else:
        dev, test, held = qa.split([config.dev_items, config.test_items, config.contrast_pairs], context.seed)
        contrast = [(qa.prompt(item, "reason"), qa.prompt(item, "direct")) for item in held]
    if not dev or not test or not contrast:
        raise ConfigError("eval_path", f"{config.eval_path} has too few questions for dev, test and contrast "
                                       f"splits ({len(dev)}, {len(test)}, {len(contrast)})")
    if config.neutral_path:
        neutral = [("", row["text"]) for row in load_jsonl(config.neutral_path, ["text"])]
    else:
        neutral = qa.neutral_pairs(test)
    start_token = tokenizer.bos_token_id if tokenizer.bos_token_id is not None else tokenizer.eos_token_id

    def encode_prompt(text: str) -> list[int]:
        return tokenizer(text)["input_ids"] or [start_token]  # Qwen adds no bos: "" would be empty

    name = config.checkpoint.rstrip("/").split("/")[-1]
    return Workbench(model, tokenizer, qa, dev, test, contrast, neutral, encode_prompt,
                     lambda text: tokenizer(text, add_special_tokens=False)["input_ids"],
                     max_new_tokens=config.max_new_tokens or qa.max_new_tokens, scope=f"checkpoint:{name}")


def workbench(config: Config, context: RunContext) -> Workbench:
    return checkpoint(config, context) if config.checkpoint else miniature(config, context)
