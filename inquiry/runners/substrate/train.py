"""Language-model training: AdamW with linear warmup then cosine decay, loss masked at label -100.

>>> pad_batch([[1, 5, 6], [1, 7]], pad_id=0, label_mask_prefix_lens=[2, 1])
(tensor([[1, 5, 6],
        [1, 7, 0]]), tensor([[-100, -100,    6],
        [-100,    7, -100]]))
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence

import torch
import torch.nn.functional as F

IGNORE = -100


def pad_batch(
    seqs: Sequence[Sequence[int]], pad_id: int, label_mask_prefix_lens: Sequence[int] | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """Right-pad ``seqs`` into ``(input_ids, labels)``.

    Labels equal the inputs, with padding and the first ``label_mask_prefix_lens[i]`` tokens of
    row i set to -100 (e.g. the prompt, to train on answers only). The model shifts labels itself.
    """
    width = max(len(s) for s in seqs)
    ids = torch.full((len(seqs), width), pad_id, dtype=torch.long)
    labels = torch.full((len(seqs), width), IGNORE, dtype=torch.long)
    for row, seq in enumerate(seqs):
        ids[row, : len(seq)] = torch.tensor(list(seq), dtype=torch.long)
        start = label_mask_prefix_lens[row] if label_mask_prefix_lens is not None else 0
        labels[row, start : len(seq)] = ids[row, start : len(seq)]
    return ids, labels


def lr_factor(step: int, steps: int, warmup: int) -> float:
    """Multiplier of the peak lr at ``step``: linear warmup to 1, then cosine to 0 at ``steps``.

    >>> [round(lr_factor(s, 10, 2), 3) for s in (0, 1, 2, 6, 10)]
    [0.5, 1.0, 1.0, 0.5, 0.0]
    """
    if step < warmup:
        return (step + 1) / warmup
    progress = (step - warmup) / max(1, steps - warmup)
    return 0.5 * (1.0 + math.cos(math.pi * min(1.0, progress)))


def masked_lm_loss(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Mean next-token cross-entropy over positions whose (shifted) label is not -100."""
    return F.cross_entropy(
        logits[:, :-1].reshape(-1, logits.shape[-1]).float(), labels[:, 1:].reshape(-1), ignore_index=IGNORE
    )


def train_lm(
    model: torch.nn.Module,
    batches: Iterator[tuple[torch.Tensor, torch.Tensor]],
    *,
    steps: int,
    lr: float,
    warmup: int = 0,
    weight_decay: float = 0.0,
    betas: tuple[float, float] = (0.9, 0.98),
    grad_clip: float | None = 1.0,
    on_step: Callable[[int, float], None] | None = None,
    check_cancelled: Callable[[], None] | None = None,
    cosine: bool = True,
) -> list[float]:
    """Train for ``steps`` batches; returns the loss of every step.

    ``cosine=False`` keeps the lr constant, no warmup or decay (to match an arm trained at constant lr).

    ``check_cancelled`` is called before each step (it raises to stop); ``on_step(step, loss)``
    after it, with ``step`` counted from 1.
    """
    device = next(model.parameters()).device
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, betas=betas, weight_decay=weight_decay)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: lr_factor(s, steps, warmup) if cosine else 1.0)
    model.train()
    losses: list[float] = []
    for step in range(steps):
        if check_cancelled is not None:
            check_cancelled()
        input_ids, labels = next(batches)
        input_ids, labels = input_ids.to(device), labels.to(device)
        # Right padding needs no attention mask: causal attention never lets real tokens see it.
        logits = model(input_ids=input_ids).logits
        loss = masked_lm_loss(logits, labels)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        if grad_clip:
            torch.nn.utils.clip_grad_norm_(model.parameters(), grad_clip)
        optimizer.step()
        schedule.step()
        losses.append(loss.item())
        if on_step is not None:
            on_step(step + 1, losses[-1])
    model.eval()
    return losses
