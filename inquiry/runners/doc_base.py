"""A tiny Llama pretrained on a stream of short documents, cached under a hash of everything that shapes it.

The miniature runners that need a base which "knows" a synthetic world (Think-in-Games, cognitive
tools, AgentFly) build it here: a character- or word-level tokenizer over the world's symbols, a fresh
model, next-token training on whole documents (each ending with ``<eos>``), saved as a real
checkpoint under :func:`~inquiry.runners.substrate.cache.cached_checkpoint`, so tests and reruns
with the same settings skip pretraining.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Literal

import torch

from .substrate.cache import cached_checkpoint
from .substrate.model import TinyModelConfig, build_model, load_checkpoint, save_checkpoint
from .substrate.tokenizer import build_tokenizer, encode
from .substrate.train import pad_batch, train_lm

# a text, trained on whole; (question, answer), trained on the answer; (question, answer, False): the same with
# no <eos> after the answer, for a text that goes on in other documents (it must not teach that it ends there)
Document = str | tuple[str, str] | tuple[str, str, bool]


def _batches(
    document: Callable[[random.Random], Document], tok, batch_size: int, rng: random.Random
) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """Batches of whole documents. A document given as ``(question, answer)`` is trained on its answer (and
    ``<eos>``) only: a tiny model spends most of its capacity on the unpredictable tokens of a question
    (random operands) otherwise: 200 steps learnt 100 % of a 40-entry lookup table this way, 30 % without."""
    eos = tok.eos_token_id
    while True:
        seqs, masked = [], []
        for _ in range(batch_size):
            doc = document(rng)
            question, answer, ends = (*doc, True)[:3] if isinstance(doc, tuple) else ("", doc, True)
            prefix = encode(tok, question) if question else []
            seqs.append(encode(tok, question + answer) + ([eos] if ends else []))
            masked.append(len(prefix))
        yield pad_batch(seqs, tok.pad_token_id, masked if any(masked) else None)


def pretrained_base(
    cache_root: Path,
    key: dict[str, Any],
    symbols: list[str],
    document: Callable[[random.Random], Document],
    *,
    model_cfg: TinyModelConfig,
    steps: int,
    batch_size: int,
    lr: float,
    seed: int,
    level: Literal["char", "word"] = "char",
    on_step=None,
    check_cancelled=None,
) -> tuple[Path, list[float]]:
    """The checkpoint folder (built once per distinct ``key`` and settings) and its pretraining losses.

    ``key`` must name everything about the world that changes the documents. ``document`` returns a text,
    trained on whole, or a ``(question, answer)`` pair, trained on the answer only.
    """
    full_key = {
        **key,
        "symbols": " ".join(symbols),
        "level": level,
        "model": model_cfg.model_dump(),
        "steps": steps,
        "batch": batch_size,
        "lr": lr,
        "seed": seed,
    }
    if isinstance(document(random.Random(0)), tuple):  # only then, so that earlier bases keep their cache keys
        full_key["loss_on"] = "answers"
    losses: list[float] = []

    def build(folder: Path) -> None:
        tok = build_tokenizer(symbols, level=level)
        model = build_model(tok, model_cfg, seed=seed)
        losses.extend(
            train_lm(
                model,
                _batches(document, tok, batch_size, random.Random(seed)),
                steps=steps,
                lr=lr,
                warmup=max(1, steps // 20),
                on_step=on_step,
                check_cancelled=check_cancelled,
            )
        )
        save_checkpoint(model, tok, folder)
        (folder / "losses.txt").write_text("\n".join(f"{x:.5f}" for x in losses))

    folder = cached_checkpoint(cache_root, full_key, build)
    if not losses and (folder / "losses.txt").is_file():
        losses = [float(x) for x in (folder / "losses.txt").read_text().split()]
    return folder, losses


def load_base(folder: Path, device: str):
    """The cached base and its tokenizer, in eval mode."""
    return load_checkpoint(folder, device=device)
