"""How much of the network an update touched (Mukherjee et al. 2025), at three precisions.

Like the authors' ``check_sparsity.py``, both state dicts are cast to bf16 and compared exactly
and with ``isclose(Δ, 0, atol)`` (``atol`` is the registered ``sparsity_atol``, 1e-5); the fp32 comparisons (exact and with the same tolerance)
are added because with fp32 master weights Adam moves nearly every parameter that gets any
gradient: the precision of the comparison is part of the finding.

>>> import torch
>>> base = {"w": torch.zeros(4, 4), "b": torch.ones(4)}
>>> after = {"w": torch.zeros(4, 4), "b": torch.ones(4)}
>>> after["w"][0, :2] = 0.5
>>> round(unchanged_share(base, after, "fp32_exact"), 4)  # 2 of 20 parameters moved
0.9
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import torch

from .verdict import threshold

PRECISIONS = ("bf16_exact", "bf16_isclose", "fp32_exact", "fp32_isclose")

StateDict = Mapping[str, torch.Tensor]


def changed_mask(before: torch.Tensor, after: torch.Tensor, precision: str) -> torch.Tensor:
    """True where the parameter changed, judged at ``precision`` (isclose: at the registered ``sparsity_atol``)."""
    atol = threshold("sparsity_atol")
    if precision.startswith("fp32"):
        delta = after.float() - before.float()
        return delta != 0 if precision == "fp32_exact" else ~torch.isclose(delta, torch.zeros_like(delta), atol=atol)
    delta = after.to(torch.bfloat16) - before.to(torch.bfloat16)  # bf16 arithmetic, as the authors do
    if precision == "bf16_exact":
        return delta != 0
    if precision == "bf16_isclose":
        return ~torch.isclose(delta, torch.zeros_like(delta), atol=atol)
    raise ValueError(f"unknown precision {precision!r}; use one of {PRECISIONS}")


def _distinct(state: StateDict) -> dict[str, torch.Tensor]:
    """Floating-point tensors, each storage once (tied input/output embeddings count once)."""
    seen: set[int] = set()
    out: dict[str, torch.Tensor] = {}
    for name, tensor in state.items():
        if not tensor.is_floating_point() or tensor.data_ptr() in seen:
            continue
        # a cloned state dict no longer shares storage: recognise a tied output head by its values
        if "lm_head" in name and any(t.shape == tensor.shape and torch.equal(t, tensor) for t in out.values()):
            continue
        seen.add(tensor.data_ptr())
        out[name] = tensor
    return out


def changed_masks(before: StateDict, after: StateDict, precision: str) -> dict[str, torch.Tensor]:
    return {name: changed_mask(tensor, after[name], precision) for name, tensor in _distinct(before).items()}


def unchanged_share(before: StateDict, after: StateDict, precision: str) -> float:
    """Sparsity = 1 - ||Δ||_0 / #params (the paper's definition) at ``precision``."""
    masks = changed_masks(before, after, precision)
    total = sum(m.numel() for m in masks.values())
    return 1.0 - sum(int(m.sum()) for m in masks.values()) / total


_LAYER = re.compile(r"layers\.(\d+)\.")


def per_layer_unchanged(before: StateDict, after: StateDict, precision: str) -> dict[str, float]:
    """Sparsity per decoder layer (``layers.<i>``), with embeddings and the final norm as their own rows."""
    groups: dict[str, list[int]] = {}
    for name, mask in changed_masks(before, after, precision).items():
        match = _LAYER.search(name)
        group = (
            f"layer {match.group(1)}"
            if match
            else ("embeddings" if "embed" in name or "lm_head" in name else "final norm / other")
        )
        changed, total = groups.setdefault(group, [0, 0])
        groups[group] = [changed + int(mask.sum()), total + mask.numel()]
    return {g: 1.0 - c / t for g, (c, t) in sorted(groups.items())}


def update_rank_ratios(before: StateDict, after: StateDict) -> dict[str, float]:
    """rank(Δ) / min(shape) of every 2-D non-norm matrix (the authors' ``update_rank.py``).

    >>> base = {"w": torch.zeros(4, 6)}
    >>> update_rank_ratios(base, {"w": torch.outer(torch.ones(4), torch.arange(6.0))})  # a rank-1 update
    {'w': 0.25}
    """
    return {
        name: torch.linalg.matrix_rank(after[name].float() - t.float()).item() / min(t.shape)
        for name, t in _distinct(before).items()
        if t.ndim == 2 and "norm" not in name
    }


def overlap_minus_chance(before: StateDict, after_a: StateDict, after_b: StateDict, precision: str) -> float:
    """One-sided overlap |I_a ∩ I_b| / |I_a| of the changed sets minus chance (the density of I_b).

    >>> base = {"w": torch.zeros(10)}
    >>> a, b = {"w": torch.zeros(10)}, {"w": torch.zeros(10)}
    >>> a["w"][:2] = 1; b["w"][:5] = 1
    >>> overlap_minus_chance(base, a, b, "fp32_exact")  # I_a inside I_b: 1.0 - 0.5
    0.5
    """
    ma = torch.cat([m.flatten() for m in changed_masks(before, after_a, precision).values()])
    mb = torch.cat([m.flatten() for m in changed_masks(before, after_b, precision).values()])
    if int(ma.sum()) == 0:
        return 0.0
    return float((ma & mb).sum() / ma.sum()) - float(mb.float().mean())
