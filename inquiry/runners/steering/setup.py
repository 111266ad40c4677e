"""What a steering run works on: a model, a task, the splits and the texts, for either path.

The miniature pretrains (or reuses from the cache) a tiny base on the chained-sum task; the
checkpoint path loads a local folder through the same :func:`load_checkpoint` and reads local
JSONL files. Everything downstream sees the same :class:`Workbench`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch

from ...errors import ConfigError
from ..api import RunContext
from ..substrate import (
    encode,
    encode_prompt,
    has_chat_template,
    load_checkpoint,
    load_jsonl,
    load_qa_jsonl,
    stop_token_ids,
)
from .base import cached_base
from .config import Config
from .qa_task import QATask
from .task import ChainSumTask

DTYPES = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}


@dataclass
class Workbench:
    model: torch.nn.Module
    tokenizer: Any  # a transformers tokenizer
    task: ChainSumTask | QATask
    dev: list
    test: list
    contrast: list[tuple[str, str]]  # (positive = reasoning, negative = direct) prompt texts
    neutral: list[tuple[str, str]]  # (prompt, continuation) texts for the NLL damage metric
    # untagged (prompt, continuation) texts for the second damage metric, and how many leading continuation
    # tokens are not scored (the trace's first token is the format choice the vector is meant to change)
    untagged: list[tuple[str, str]]
    untagged_skip: int
    encode: Callable[[str], list[int]]  # a prompt, with the model's leading special tokens
    encode_continuation: Callable[[str], list[int]]
    max_new_tokens: int
    scope: str
    stop_ids: list[int] | None = None  # every id that ends a completion (None: the tokenizer's eos)
    chat_template: bool = False  # whether prompts are user turns of the checkpoint's chat template

    def __post_init__(self):
        if self.stop_ids is None:
            self.stop_ids = [self.tokenizer.eos_token_id]

    def decode(self, ids: list[int]) -> str:
        return self.tokenizer.decode(ids, skip_special_tokens=True)


def miniature(config: Config, context: RunContext) -> Workbench:
    task = ChainSumTask(config.operands, config.reason_format)
    dev, test, contrast = task.split([config.dev_items, config.test_items, config.contrast_pairs], context.seed)
    folder = cached_base(
        config,
        task,
        set(dev) | set(test),
        context.seed,
        context.cache_dir,
        on_step=context.progress_every(50, config.pretrain_steps, "pretraining the base"),
        check_cancelled=context.check_cancelled,
    )
    model, tokenizer = load_checkpoint(folder, device=context.device, dtype=DTYPES[config.dtype])
    return Workbench(
        model,
        tokenizer,
        task,
        dev,
        test,
        contrast=[(task.prompt(p, "reason"), task.prompt(p, "direct")) for p in contrast],
        neutral=task.neutral_pairs(test),
        untagged=task.untagged_pairs(test),
        untagged_skip=1,
        encode=lambda text: encode(tokenizer, text),
        encode_continuation=lambda text: encode(tokenizer, text, bos=False),
        max_new_tokens=config.max_new_tokens or task.max_new_tokens,
        scope="miniature",
    )


def checkpoint(config: Config, context: RunContext) -> Workbench:
    if not config.eval_path:
        raise ConfigError("eval_path", 'a checkpoint run needs a JSONL of {"prompt", "answer"} questions')
    model, tokenizer = load_checkpoint(config.checkpoint, device=context.device, dtype=DTYPES[config.dtype])
    qa = QATask(load_qa_jsonl(config.eval_path), config.reason_suffix, config.direct_suffix, config.reason_min_words)
    if config.contrast_path:
        rows = load_jsonl(config.contrast_path, ["positive", "negative"])
        contrast = [(row["positive"], row["negative"]) for row in rows[: config.contrast_pairs]]
        dev, test = qa.split([config.dev_items, config.test_items], context.seed)
    else:
        dev, test, held = qa.split([config.dev_items, config.test_items, config.contrast_pairs], context.seed)
        contrast = [(qa.prompt(item, "reason"), qa.prompt(item, "direct")) for item in held]
    if not dev or not test or not contrast:
        raise ConfigError(
            "eval_path",
            f"{config.eval_path} has too few questions for dev, test and contrast "
            f"splits ({len(dev)}, {len(test)}, {len(contrast)})",
        )
    if config.neutral_path:
        neutral = [("", row["text"]) for row in load_jsonl(config.neutral_path, ["text"])]
    else:
        neutral = qa.neutral_pairs(test)
    chat = config.chat_template and has_chat_template(tokenizer)

    def prompt_ids(text: str) -> list[int]:
        # the neutral NLL texts ("" + continuation) are scored from the bare start token, never templated
        return encode_prompt(tokenizer, text, chat=chat and bool(text))

    name = config.checkpoint.rstrip("/").split("/")[-1]
    # a checkpoint's neutral texts are untagged already: both damage metrics read them
    return Workbench(
        model,
        tokenizer,
        qa,
        dev,
        test,
        contrast,
        neutral,
        neutral,
        0,
        prompt_ids,
        lambda text: tokenizer(text, add_special_tokens=False)["input_ids"],
        max_new_tokens=config.max_new_tokens or qa.max_new_tokens,
        scope=f"checkpoint:{name}",
        stop_ids=stop_token_ids(model, tokenizer),
        chat_template=chat,
    )


def workbench(config: Config, context: RunContext) -> Workbench:
    if config.needs_checkpoint and not (config.checkpoint and config.eval_path):
        raise ConfigError(
            "checkpoint" if not config.checkpoint else "eval_path",
            "this preset runs on a local checkpoint: give checkpoint=<folder> and eval_path=<file.jsonl>",
        )
    return checkpoint(config, context) if config.checkpoint else miniature(config, context)
