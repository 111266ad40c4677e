"""The base model: pretrained on *known* entities to read snippets and answer, never on target facts.

Its pretraining mixes three kinds of example:

* reading comprehension in the scoring format (snippets + question + answer, then the other
  attributes asked and answered in turn) for any entity,
  known or target; a target entity's snippets then carry freshly drawn *random* attributes, so the
  base learns to copy from context and its names, but nothing true about the target entities;
* closed-book questions about two thirds of the known entities (answer tokens trained);
* fact sentences about all known entities, so some known facts are learnt from sentences alone
  and the base has a reason to link declarative facts to answers.

>>> from inquiry.runners.rlag.world import build_world
>>> world = build_world(n_known=6, n_target=4, n_options=4, n_distractors=2, seed=0)
>>> import random
>>> prefix, continuation = pretraining_example(world, PromptStyle(), random.Random(0))
>>> (prefix == "" or prefix.endswith("answer :")) and len(continuation) > 0
True
"""

from __future__ import annotations

import random
from collections.abc import Iterator

import torch

from ..substrate.model import TinyModelConfig, build_model, save_checkpoint
from ..substrate.tokenizer import build_tokenizer
from ..substrate.train import pad_batch, train_lm
from .prompts import PromptStyle
from .scoring import split_prompt_target
from .world import ATTRIBUTES, QUESTION_TEMPLATES, World, fact_sentence, random_facts

# Shares of reading comprehension, closed-book QA and fact sentences in the pretraining stream.
MIX = (0.7, 0.15, 0.15)
QA_SHARE_OF_KNOWN = 2 / 3


def pretraining_example(world: World, style: PromptStyle, rng: random.Random) -> tuple[str, str]:
    """``(prefix, continuation)``: the loss trains the continuation (the whole text when prefix is empty)."""
    kind = rng.choices(("read", "qa", "fact"), weights=MIX)[0]
    known = list(world.known)
    attribute = rng.choice(ATTRIBUTES)
    template = rng.choice(QUESTION_TEMPLATES[attribute])
    if kind == "read":
        names = rng.sample(known + list(world.target), 1 + world.n_distractors)
        # Known entities keep their true facts; target entities get random ones (no leak).
        pool = {n: world.known.get(n) or random_facts(rng) for n in names}
        entity = names[0]
        snippets = world.snippets_for(entity, pool[entity], rng, pool)
        # Every attribute is asked in turn after the same snippets: three answers of signal per example.
        asked = rng.sample(ATTRIBUTES, len(ATTRIBUTES))
        questions = [rng.choice(QUESTION_TEMPLATES[a]).format(e=entity) for a in asked]
        follow_ups = " ".join(f"{style.naive(q)} {pool[entity][a]}" for q, a in zip(questions[1:], asked[1:]))
        return style.augmented(questions[0], snippets), f"{pool[entity][asked[0]]} {follow_ups}"
    if kind == "qa":
        entity = rng.choice(known[: max(1, int(len(known) * QA_SHARE_OF_KNOWN))])
        return style.naive(template.format(e=entity)), world.known[entity][attribute]
    entity = rng.choice(known)
    return "", fact_sentence(entity, attribute, world.known[entity][attribute])


def pretraining_batches(
    world: World, tokenizer, style: PromptStyle, batch_size: int, rng: random.Random
) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    while True:
        seqs, prompt_lens = [], []
        for _ in range(batch_size):
            prefix, continuation = pretraining_example(world, style, rng)
            prompt, target = split_prompt_target(tokenizer, prefix, continuation, style.train_separator)
            seqs.append(prompt + target)
            prompt_lens.append(len(prompt))
        yield pad_batch(seqs, tokenizer.pad_token_id, prompt_lens)


def world_tokenizer(world: World):
    return build_tokenizer(world.vocabulary(), level="word")


def pretrain_base(
    world: World,
    folder,
    *,
    model_cfg: TinyModelConfig,
    steps: int,
    batch_size: int,
    lr: float,
    seed: int,
    on_step=None,
    check_cancelled=None,
) -> list[float]:
    """Build, pretrain and save the base checkpoint into ``folder``; returns the loss per step."""
    tokenizer = world_tokenizer(world)
    model = build_model(tokenizer, model_cfg, seed=seed)
    batches = pretraining_batches(world, tokenizer, PromptStyle(), batch_size, random.Random(seed))
    losses = train_lm(
        model, batches, steps=steps, lr=lr, warmup=max(1, steps // 20), on_step=on_step, check_cancelled=check_cancelled
    )
    save_checkpoint(model, tokenizer, folder)
    return losses
