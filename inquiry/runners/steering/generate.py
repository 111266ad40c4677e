"""Sampling and scoring with an optional steering vector at the last prompt token (and maybe after).

Two injection modes (``Positions``): ``from_prompt_end`` adds the vector at the last prompt token
and every generated one (CAA / ActAdd); ``prompt_end_only`` adds it at the last prompt token alone,
the point where the model picks its format (closer to Venhoff et al., who steer chosen positions).
With a KV cache the latter steers only the prefill's last position, never a decoding step.

Generation left-pads prompts of any lengths into shared batches and steers the prefill's last column
(every prompt's last token) with :func:`~.hooks.steer_prompt_end`. The NLL metric, teacher-forced on
right-padded rows, steers absolute positions, so its prompts are grouped by token length and each group
runs with its own start; outputs come back in the input order.

>>> group_by_length([[1, 2], [3], [4, 5]])
{2: [0, 2], 1: [1]}
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from ..substrate import decoder_layers, pad_batch, sample
from .config import Positions
from .hooks import steer, steer_prompt_end


@dataclass(frozen=True)
class Steering:
    """Add ``vector`` (already scaled) to the output of decoder block ``layer`` at ``positions``."""

    layer: int
    vector: torch.Tensor
    positions: Positions = "from_prompt_end"


def group_by_length(prompts: list[list[int]]) -> dict[int, list[int]]:
    groups: dict[int, list[int]] = {}
    for index, prompt in enumerate(prompts):
        groups.setdefault(len(prompt), []).append(index)
    return groups


def _steered(model, steering: Steering | None, start: int):
    if steering is None:
        return contextlib.nullcontext()
    stop = start + 1 if steering.positions == "prompt_end_only" else None
    return steer(decoder_layers(model)[steering.layer], steering.vector, start, stop)


def generate(
    model,
    prompts: list[list[int]],
    steering: Steering | None,
    *,
    n: int,
    max_new_tokens: int,
    temperature: float,
    eos_id: int | list[int],
    pad_id: int,
    generator: torch.Generator,
    batch_size: int = 1024,
) -> list[list[list[int]]]:
    """``n`` completions per prompt (the stop id stripped), steered at each prompt's last token (and on, per
    mode). ``eos_id`` may list several stop ids (a checkpoint's generation config)."""
    stops = set(eos_id) if isinstance(eos_id, (list, tuple)) else {eos_id}
    context: contextlib.AbstractContextManager[None]
    if steering is None:
        context = contextlib.nullcontext()
    else:
        context = steer_prompt_end(
            decoder_layers(model)[steering.layer],
            steering.vector,
            then_every_token=steering.positions == "from_prompt_end",
        )
    with context:  # one left-padded run for prompts of every length
        batch = sample(
            model,
            prompts,
            n=n,
            max_new_tokens=max_new_tokens,
            temperature=temperature,
            eos_id=eos_id,
            pad_id=pad_id,
            generator=generator,
            batch_size=batch_size,
        )
    return [[c[:-1] if c and c[-1] in stops else c for c in completions] for completions in batch.completions]


@torch.inference_mode()
def continuation_nll(
    model,
    pairs: list[tuple[list[int], list[int]]],
    steering: Steering | None,
    *,
    pad_id: int,
    batch_size: int = 256,
    skip: int = 0,
) -> list[float]:
    """Mean NLL per token (nats) of each continuation given its prompt, steered as in :func:`generate`;
    the first ``skip`` continuation tokens are context, not scored."""
    device = next(model.parameters()).device
    out = [0.0] * len(pairs)
    for length, indices in group_by_length([p for p, _ in pairs]).items():
        for chunk_start in range(0, len(indices), batch_size):
            chunk = indices[chunk_start : chunk_start + batch_size]
            ids, labels = pad_batch(
                [pairs[i][0] + pairs[i][1] for i in chunk], pad_id, label_mask_prefix_lens=[length + skip] * len(chunk)
            )
            positions = torch.arange(ids.shape[1])[None].expand_as(ids)  # right padding: row positions from 0
            with _steered(model, steering, start=length - 1):
                logits = model(input_ids=ids.to(device), position_ids=positions.to(device)).logits.float()
            losses = F.cross_entropy(
                logits[:, :-1].transpose(1, 2), labels[:, 1:].to(device), ignore_index=-100, reduction="none"
            )
            counts = (labels[:, 1:] != -100).sum(1).clamp(min=1).to(device)
            for index, value in zip(chunk, (losses.sum(1) / counts).tolist()):
                out[index] = value
    return out
