"""The RLAG training loop as the authors' ``train.py`` runs it, with their per-step diagnostics.

For each pass, the training questions are shuffled and split into chunks; each chunk is re-scored
with the *current* model (chosen = augmented argmax, rejected = naive argmax), then trained for a
few epochs in mini-batches. :func:`planned_steps` gives the optimizer steps this takes, which the
baselines get as well.

>>> planned_steps(n_questions=10, passes=2, chunks=3, epochs_per_chunk=2, batch_size=2)
24
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch

from .loss import RLAGTerms, rlag_loss
from .optim import Optimiser
from .prompts import PromptStyle
from .scoring import argmax, score_options, sequence_logprobs, split_prompt_target
from .world import Question


@dataclass(frozen=True)
class RLAGSettings:
    passes: int
    chunks: int
    epochs_per_chunk: int
    batch_size: int
    lr: float
    gamma: float
    eps_chosen: float
    eps_rejected: float
    score_batch: int = 256


@dataclass(frozen=True)
class ScoredItem:
    """A training question with the current model's augmented (chosen) and naive (rejected) picks."""

    question: Question
    chosen: int
    rejected: int


def _chunks(items: list, n: int) -> list[list]:
    return [list(part) for part in np.array_split(np.array(items, dtype=object), n) if len(part)]


def planned_steps(*, n_questions: int, passes: int, chunks: int, epochs_per_chunk: int, batch_size: int) -> int:
    """Optimizer steps of the chunked loop (chunk sizes as ``numpy.array_split`` makes them)."""
    sizes = [len(c) for c in np.array_split(np.arange(n_questions), min(chunks, n_questions))]
    return passes * epochs_per_chunk * sum(math.ceil(size / batch_size) for size in sizes)


def snippet_ids(tokenizer, snippets: Sequence[str]) -> tuple[list[int], list[int]]:
    """The snippets each wrapped in bos … eos and concatenated, as ``(first token, the rest)``.

    >>> from inquiry.runners.substrate import build_tokenizer
    >>> tok = build_tokenizer(["a", "b"], level="word")
    >>> snippet_ids(tok, ["a", "b a"])
    ([1], [4, 2, 1, 5, 4, 2])
    """
    ids: list[int] = []
    for snippet in snippets:
        body = tokenizer(snippet, add_special_tokens=False)["input_ids"]
        ids += [
            tokenizer.bos_token_id if tokenizer.bos_token_id is not None else tokenizer.eos_token_id,
            *body,
            tokenizer.eos_token_id,
        ]
    return ids[:1], ids[1:]


def score_chunk(
    model, tokenizer, questions: Sequence[Question], style: PromptStyle, batch_size: int = 256
) -> list[ScoredItem]:
    """Re-score a chunk with the current model: chosen/rejected are its own argmax picks, not the gold."""
    options = [q.options for q in questions]
    # scoring prompts are plain text: option after a space (score_options' default separator)
    augmented = score_options(
        model, tokenizer, [style.augmented(q.question, q.snippets) for q in questions], options, batch_size=batch_size
    )
    naive = score_options(
        model, tokenizer, [style.naive(q.question) for q in questions], options, batch_size=batch_size
    )
    return [ScoredItem(q, argmax(a), argmax(n)) for q, a, n in zip(questions, augmented, naive)]


def rlag_batch(model, tokenizer, batch: Sequence[ScoredItem], style: PromptStyle, settings: RLAGSettings):
    """The RLAG loss terms of one mini-batch (three forward passes: snippets, chosen, rejected)."""
    pad = tokenizer.pad_token_id
    snippets = sequence_logprobs(model, [snippet_ids(tokenizer, item.question.snippets) for item in batch], pad)
    chosen = sequence_logprobs(
        model,
        [
            split_prompt_target(
                tokenizer,
                style.for_training(style.augmented(i.question.question, i.question.snippets)),
                i.question.options[i.chosen],
                style.train_separator,
            )
            for i in batch
        ],
        pad,
    )
    rejected = sequence_logprobs(
        model,
        [
            split_prompt_target(
                tokenizer,
                style.for_training(style.naive(i.question.question)),
                i.question.options[i.rejected],
                style.train_separator,
            )
            for i in batch
        ],
        pad,
    )
    same = torch.tensor([item.chosen == item.rejected for item in batch])
    return rlag_loss(
        snippets,
        chosen,
        rejected,
        same,
        gamma=settings.gamma,
        eps_chosen=settings.eps_chosen,
        eps_rejected=settings.eps_rejected,
    )


def diagnostics(batch: Sequence[ScoredItem], terms: RLAGTerms) -> dict[str, float]:
    """What the authors log per step: chosen/rejected correctness, chosen failures, agreement, rewards."""
    gold = [item.question.gold_index for item in batch]
    terms = RLAGTerms(*(t.detach() for t in (terms.loss, terms.information, terms.chosen, terms.rejected)))
    return {
        "loss": float(terms.loss),
        "chosen_correct": float(np.mean([i.chosen == g for i, g in zip(batch, gold)])),
        "rejected_correct": float(np.mean([i.rejected == g for i, g in zip(batch, gold)])),
        "chosen_failure": float(np.mean([i.rejected == g and i.chosen != g for i, g in zip(batch, gold)])),
        "chosen_ne_rejected": float(np.mean([i.chosen != i.rejected for i in batch])),
        "reward_information": float(terms.information.mean()),
        "reward_chosen": float(terms.chosen.mean()),
        "reward_rejected": float(terms.rejected.mean()),
    }


def train_rlag(
    model,
    tokenizer,
    questions: Sequence[Question],
    style: PromptStyle,
    settings: RLAGSettings,
    rng: random.Random,
    on_step: Callable[[int, int, dict[str, float]], None] | None = None,
    check_cancelled: Callable[[], None] | None = None,
) -> list[dict[str, float]]:
    """Run the chunked loop in place on ``model``; returns the diagnostics of every step."""
    total = planned_steps(
        n_questions=len(questions),
        passes=settings.passes,
        chunks=settings.chunks,
        epochs_per_chunk=settings.epochs_per_chunk,
        batch_size=settings.batch_size,
    )
    optimiser = Optimiser(model, settings.lr, total)
    log: list[dict[str, float]] = []
    for _ in range(settings.passes):
        order = list(questions)
        rng.shuffle(order)  # re-split every pass, as the authors do
        for chunk in _chunks(order, min(settings.chunks, len(order))):
            scored = score_chunk(model, tokenizer, chunk, style, settings.score_batch)
            model.train()
            for _ in range(settings.epochs_per_chunk):
                rng.shuffle(scored)
                for start in range(0, len(scored), settings.batch_size):
                    if check_cancelled is not None:
                        check_cancelled()
                    batch = scored[start : start + settings.batch_size]
                    terms = rlag_batch(model, tokenizer, batch, style, settings)
                    optimiser.step(terms.loss)
                    log.append(diagnostics(batch, terms))
                    if on_step is not None:
                        on_step(len(log), total, log[-1])
    model.eval()
    return log
