"""Where the base model and the questions come from: the fictional world (miniature) or a real
checkpoint plus a dataset in the authors' schema (the GPU path). Both hand the runner the same
things, so training and evaluation code is shared.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

import torch

from ..api import RunContext
from ..substrate.cache import cached_checkpoint
from ..substrate.datasets import DatasetError, load_jsonl
from ..substrate.model import TinyModelConfig, load_checkpoint
from .base import pretrain_base
from .config import Config
from .prompts import PromptStyle
from .world import Question, build_world

AUTHORS_FIELDS = ["question", "options", "answer", "ctx"]


@dataclass
class Source:
    folder: Path  # the base checkpoint
    train: list[Question]
    evaluation: dict[str, list[Question]]  # held-out groups, e.g. paraphrase / untrained_fact
    style: PromptStyle
    scope: str
    dtype: torch.dtype
    has_fact_sentences: bool  # whether the explanation proxy applies
    pretrain_losses: list[float] = field(default_factory=list)

    def load_base(self, device: str):
        model, tokenizer = load_checkpoint(self.folder, device=device, dtype=self.dtype)
        if self.style.authors:  # train on the checkpoint's chat template when it has one, as the authors do
            self.style.tokenizer = tokenizer
            self.style.chat = bool(getattr(tokenizer, "chat_template", None))
        return model, tokenizer


def miniature(config: Config, context: RunContext) -> Source:
    """The world and its base, pretrained once per world and model shape (then read from the cache)."""
    world = build_world(
        n_known=config.n_known,
        n_target=config.n_target,
        n_options=config.n_options,
        n_distractors=config.n_distractors,
        seed=config.world_seed,
    )
    shape = TinyModelConfig(
        hidden=config.hidden, layers=config.layers, heads=config.heads, ffn=4 * config.hidden, max_len=128
    )
    key = {
        "runner": "rlag-base",
        "version": 1,
        "world": [config.n_known, config.n_target, config.n_options, config.n_distractors, config.world_seed],
        "model": shape.model_dump(),
        "steps": config.pretrain_steps,
        "batch": config.pretrain_batch,
        "lr": config.pretrain_lr,
    }
    losses: list[float] = []

    def build(folder: Path) -> None:
        def on_step(step: int, loss: float) -> None:
            if step % 50 == 0 or step == config.pretrain_steps:
                context.progress(step, config.pretrain_steps, "pretraining the base on known entities", loss=loss)

        losses.extend(
            pretrain_base(
                world,
                folder,
                model_cfg=shape,
                steps=config.pretrain_steps,
                batch_size=config.pretrain_batch,
                lr=config.pretrain_lr,
                seed=config.world_seed,
                on_step=on_step,
                check_cancelled=context.check_cancelled,
            )
        )

    folder = cached_checkpoint(context.cache_dir / "rlag", key, build)
    return Source(
        folder=folder,
        train=world.target_questions("train"),
        evaluation={
            "paraphrase": world.target_questions("paraphrase"),
            "untrained_fact": world.target_questions("untrained_fact"),
        },
        style=PromptStyle(),
        scope="miniature",
        dtype=torch.float32,
        has_fact_sentences=True,
        pretrain_losses=losses,
    )


def authors_questions(path: Path) -> list[Question]:
    """Items ``{"question", "options": {"A": ...}, "answer": <option text>, "ctx": <snippets>}``."""
    rows = load_jsonl(path, AUTHORS_FIELDS) if path.suffix != ".json" else _load_json_list(path)
    questions = []
    for number, row in enumerate(rows, start=1):
        options = row["options"]
        options = tuple(options.values()) if isinstance(options, dict) else tuple(options)
        if row["answer"] not in options:
            raise DatasetError(path, f"record {number}: answer {row['answer']!r} is not one of its options", [number])
        snippets = tuple(line for line in str(row["ctx"]).split("\n") if line.strip())
        questions.append(
            Question(
                question=row["question"], options=options, answer=row["answer"], snippets=snippets, split="dataset"
            )
        )
    return questions


def _load_json_list(path: Path) -> list[dict]:
    import json

    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DatasetError(path, f"cannot read {path}: {exc}") from exc
    if not isinstance(rows, list):
        raise DatasetError(path, "expected a JSON list of records")
    for number, row in enumerate(rows, start=1):
        missing = [f for f in AUTHORS_FIELDS if not isinstance(row, dict) or f not in row]
        if missing:
            raise DatasetError(path, f"record {number}: missing field {', '.join(map(repr, missing))}", [number])
    return rows


def real_checkpoint(config: Config) -> Source:
    """A user's instruct checkpoint and dataset; a random ``eval_fraction`` of items is held out."""
    if not config.dataset:
        raise DatasetError(Path("dataset"), "the checkpoint path needs a dataset file (field 'dataset')")
    questions = authors_questions(Path(config.dataset).expanduser())
    random.Random(config.world_seed).shuffle(questions)
    n_eval = max(1, round(len(questions) * config.eval_fraction))
    folder = Path(config.checkpoint).expanduser()
    return Source(
        folder=folder,
        train=questions[n_eval:],
        evaluation={"heldout": questions[:n_eval]},
        style=PromptStyle(authors=True, chat=True),
        scope=folder.name,
        dtype=getattr(torch, config.dtype),
        has_fact_sentences=False,
    )
