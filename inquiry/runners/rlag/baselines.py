"""The fine-tuning baselines, each given exactly the optimizer steps and batch size RLAG used.

* ``cpt``: continued pretraining (next-token loss on every token) on the domain text, here the
  very snippets RLAG's information term reads, in the same bos … eos format;
* ``sft``: the naive (closed-book) question → gold option, loss on the answer tokens;
* ``cpt_sft``: the first half of the steps CPT, the second half SFT (one optimiser throughout).

>>> from inquiry.runners.rlag.world import build_world
>>> from inquiry.runners.substrate import build_tokenizer
>>> world = build_world(n_known=4, n_target=3, n_options=3, n_distractors=1, seed=0)
>>> tok = build_tokenizer(world.vocabulary(), level="word")
>>> qs = world.target_questions("train")
>>> seqs, prompt_lens = example_batch("sft", qs[:2], tok, PromptStyle())
>>> tok.decode(seqs[0][prompt_lens[0]:]) == qs[0].answer
True
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Sequence

from ..substrate.train import masked_lm_loss, pad_batch
from .optim import Optimiser
from .prompts import PromptStyle
from .scoring import split_prompt_target
from .training import snippet_ids
from .world import Question

BASELINES = ("cpt", "sft", "cpt_sft")


def example_batch(
    kind: str, questions: Sequence[Question], tokenizer, style: PromptStyle
) -> tuple[list[list[int]], list[int]]:
    """Token sequences and how many leading tokens of each carry no loss."""
    seqs, prompt_lens = [], []
    for q in questions:
        if kind == "cpt":
            prompt, target = snippet_ids(tokenizer, q.snippets)
        else:
            prompt, target = split_prompt_target(
                tokenizer, style.for_training(style.naive(q.question)), q.answer, style.train_separator
            )
        seqs.append(prompt + target)
        prompt_lens.append(len(prompt))
    return seqs, prompt_lens


def _epochs(questions: Sequence[Question], batch_size: int, rng: random.Random) -> Iterator[list[Question]]:
    """Mini-batches forever, reshuffled each epoch (every question once per epoch)."""
    while True:
        order = list(questions)
        rng.shuffle(order)
        for start in range(0, len(order), batch_size):
            yield order[start : start + batch_size]


def train_baseline(
    kind: str,
    model,
    tokenizer,
    questions: Sequence[Question],
    style: PromptStyle,
    *,
    steps: int,
    batch_size: int,
    lr: float,
    rng: random.Random,
    on_step: Callable[[int, int, float], None] | None = None,
    check_cancelled: Callable[[], None] | None = None,
) -> list[float]:
    """Train ``model`` in place for ``steps`` optimizer steps; returns the loss of each step."""
    if kind not in BASELINES:
        raise ValueError(f"unknown baseline {kind!r}; known: {', '.join(BASELINES)}")
    optimiser = Optimiser(model, lr, steps)
    batches = _epochs(questions, batch_size, rng)
    device = next(model.parameters()).device
    model.train()
    losses: list[float] = []
    for step in range(steps):
        if check_cancelled is not None:
            check_cancelled()
        phase = kind if kind != "cpt_sft" else ("cpt" if step < steps // 2 else "sft")
        seqs, prompt_lens = example_batch(phase, next(batches), tokenizer, style)
        ids, labels = pad_batch(seqs, tokenizer.pad_token_id, prompt_lens)
        ids, labels = ids.to(device), labels.to(device)
        # Right padding: causal attention never lets a real token see the padding after it.
        loss = masked_lm_loss(model(input_ids=ids).logits, labels)
        optimiser.step(loss)
        losses.append(float(loss.detach()))
        if on_step is not None:
            on_step(step + 1, steps, losses[-1])
    model.eval()
    return losses
