"""The optimiser every arm uses, as in the authors' ``train.py``: AdamW (eps 1e-7), a warm-up over the
first 10% of steps (half-cosine ramp) then a constant learning rate, gradient norm clipped at 1.0.

>>> [round(warmup_then_constant(s, 40), 3) for s in (0, 1, 3, 20)]
[0.146, 0.5, 1.0, 1.0]
"""

from __future__ import annotations

import math

import torch

WARMUP_FRACTION = 0.1
GRAD_CLIP = 1.0


def warmup_then_constant(step: int, total_steps: int) -> float:
    """Multiplier of the peak lr: a half-cosine ramp over the warm-up steps, then 1."""
    warmup = max(1, int(total_steps * WARMUP_FRACTION))
    if step >= warmup:
        return 1.0
    return 0.5 * (1.0 - math.cos(math.pi * (step + 1) / warmup))


class Optimiser:
    """AdamW plus schedule plus clipping; ``step(loss)`` does one update."""

    def __init__(self, model: torch.nn.Module, lr: float, total_steps: int):
        self.model = model
        self.adamw = torch.optim.AdamW(model.parameters(), lr=lr, eps=1e-7, weight_decay=0.0)
        self.schedule = torch.optim.lr_scheduler.LambdaLR(
            self.adamw, lambda s: warmup_then_constant(s, total_steps))

    def step(self, loss: torch.Tensor) -> None:
        self.adamw.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(self.model.parameters(), GRAD_CLIP)
        self.adamw.step()
        self.schedule.step()
