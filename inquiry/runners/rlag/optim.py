"""The optimiser every arm uses, as in the authors' ``train.py``: AdamW (eps 1e-7), a warm-up over the
first 10% of steps (half-cosine ramp) then a constant learning rate, gradient norm clipped at 1.0.

Weights stored in bf16 (or fp16) train through fp32 master copies: AdamW steps the fp32 copy and the
model's weights are the copy rounded. Stepping bf16 weights directly would round away every update
smaller than half a bf16 ulp of the weight (about 0.2 % of its size): at lr 1e-5 on weights ~0.02, most
of them (see ``tests/test_rlag_optim.py``).

>>> [round(warmup_then_constant(s, 40), 3) for s in (0, 1, 3, 20)]
[0.146, 0.5, 1.0, 1.0]
"""

from __future__ import annotations

import math

import torch

WARMUP_FRACTION = 0.1
GRAD_CLIP = 1.0
LOW_PRECISION = (torch.bfloat16, torch.float16)


def warmup_then_constant(step: int, total_steps: int) -> float:
    """Multiplier of the peak lr: a half-cosine ramp over the warm-up steps, then 1."""
    warmup = max(1, int(total_steps * WARMUP_FRACTION))
    if step >= warmup:
        return 1.0
    return 0.5 * (1.0 - math.cos(math.pi * (step + 1) / warmup))


class Optimiser:
    """AdamW plus schedule plus clipping; ``step(loss)`` does one update (on fp32 masters for bf16 weights)."""

    def __init__(self, model: torch.nn.Module, lr: float, total_steps: int):
        self.model = model
        self.params = [p for p in model.parameters() if p.requires_grad]
        self.low_precision = any(p.dtype in LOW_PRECISION for p in self.params)
        # fp32 master copies of low-precision weights; fp32 weights are their own masters
        self.masters = [p.detach().float().clone() if p.dtype in LOW_PRECISION else p for p in self.params]
        self.adamw = torch.optim.AdamW(self.masters, lr=lr, eps=1e-7, weight_decay=0.0)
        self.schedule = torch.optim.lr_scheduler.LambdaLR(self.adamw, lambda s: warmup_then_constant(s, total_steps))

    def step(self, loss: torch.Tensor) -> None:
        for p in self.params:
            p.grad = None
        self.adamw.zero_grad(set_to_none=True)
        loss.backward()
        if self.low_precision:
            for master, p in zip(self.masters, self.params):
                if master is not p:
                    master.grad = None if p.grad is None else p.grad.float()
                    p.grad = None
        torch.nn.utils.clip_grad_norm_(self.masters, GRAD_CLIP)
        self.adamw.step()
        self.schedule.step()
        if self.low_precision:
            with torch.no_grad():
                for master, p in zip(self.masters, self.params):
                    if master is not p:
                        p.copy_(master)
