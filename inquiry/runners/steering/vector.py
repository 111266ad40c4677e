"""Steering vectors: difference of means at the last prompt token (CAA / ActAdd), and their controls.

The vector for layer L is ``mean h_L(positive prompt) - mean h_L(negative prompt)``, with h_L the
output of decoder block L read at each prompt's last token. Controls have the same norm by
construction, because the sweep scales every vector to ``alpha * mean residual norm``: the
sign-flipped vector, a vector from label-blind (balanced) halves of the contrast rows, and random
directions.

>>> pos = torch.tensor([[1.0, 2.0], [3.0, 2.0]])
>>> neg = torch.tensor([[0.0, 1.0], [0.0, 1.0]])
>>> mean_difference(pos, neg).tolist()
[2.0, 1.0]
>>> [round(x, 4) for x in unit(torch.tensor([3.0, 4.0])).tolist()]
[0.6, 0.8]
"""

from __future__ import annotations

import torch

from .hooks import record


def mean_difference(positive: torch.Tensor, negative: torch.Tensor) -> torch.Tensor:
    """Mean of ``positive`` rows minus mean of ``negative`` rows (each ``(n, hidden)``)."""
    return positive.float().mean(0) - negative.float().mean(0)


def shuffled_difference(positive: torch.Tensor, negative: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """The difference of means between two label-blind halves, each holding a random half of the
    positive rows and a random half of the negative rows.

    A plain shuffle of the pooled rows leaves a chance imbalance of labels between the halves, so
    its difference keeps a piece of the real contrast; scaled up to the full steering norm that
    piece steers like the real vector. Balancing the halves removes the contrast exactly and
    leaves only the scatter within labels, which is what this control is meant to measure.
    """
    pos = positive[torch.randperm(len(positive), generator=generator)].float()
    neg = negative[torch.randperm(len(negative), generator=generator)].float()
    half_pos, half_neg = len(pos) // 2, len(neg) // 2
    return mean_difference(torch.cat([pos[:half_pos], neg[:half_neg]]), torch.cat([pos[half_pos:], neg[half_neg:]]))


def random_directions(count: int, hidden: int, generator: torch.Generator) -> torch.Tensor:
    """``count`` unit vectors drawn uniformly on the sphere, shape ``(count, hidden)``."""
    draws = torch.randn(count, hidden, generator=generator)
    return draws / draws.norm(dim=1, keepdim=True)


def unit(vector: torch.Tensor) -> torch.Tensor:
    norm = vector.norm()
    if norm == 0:
        raise ValueError("cannot normalise a zero steering vector (the contrast prompts gave identical activations)")
    return vector / norm


@torch.inference_mode()
def block_outputs(
    model, block: torch.nn.Module, prompts: list[list[int]], pad_id: int, batch_size: int = 256
) -> tuple[torch.Tensor, float]:
    """Outputs of ``block`` at each prompt's last token ``(n, hidden)``, and the mean residual norm there.

    The mean norm is over every real token but the first (the first token's residual is often an
    outlier "attention sink" in real models), the unit steering strength is measured in.
    """
    device = next(model.parameters()).device
    last_rows, norm_sum, norm_count = [], 0.0, 0
    for start in range(0, len(prompts), batch_size):
        chunk = prompts[start : start + batch_size]
        width = max(len(p) for p in chunk)
        ids = torch.full((len(chunk), width), pad_id, dtype=torch.long)
        mask = torch.zeros((len(chunk), width), dtype=torch.long)
        for row, prompt in enumerate(chunk):  # left padding: the last column is every prompt's last token
            ids[row, width - len(prompt) :] = torch.tensor(prompt)
            mask[row, width - len(prompt) :] = 1
        positions = (mask.cumsum(-1) - 1).clamp(min=0)
        seen: list[torch.Tensor] = []
        with record(block, seen):
            model(input_ids=ids.to(device), attention_mask=mask.to(device), position_ids=positions.to(device))
        hidden = seen[0].float().cpu()
        last_rows.append(hidden[:, -1])
        counted = mask.bool() & (positions > 0)
        norm_sum += float(hidden.norm(dim=-1)[counted].sum())
        norm_count += int(counted.sum())
    return torch.cat(last_rows), norm_sum / max(1, norm_count)
