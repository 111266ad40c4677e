"""Measuring one arm (a prompt format plus an optional steering vector), and the grid of settings.

A setting is (block, alpha, injection positions). alpha is in units of the mean residual norm at
the steered block: the vector added is ``alpha * mean_norm * unit_direction``, so every direction
(the contrast vector, its sign flip, the label-shuffled one, random ones) is added with the same norm.

>>> pick_setting({Setting(0, 1.0, "prompt_end_only"): .40, Setting(1, 2.0, "from_prompt_end"): .55,
...               Setting(1, 2.0, "prompt_end_only"): .55, Setting(1, 4.0, "from_prompt_end"): .55})
Setting(layer=1, alpha=2.0, positions='prompt_end_only')
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import torch

from .config import Positions
from .generate import Steering, generate
from .qa_task import QATask
from .task import ChainSumTask, Mode


class Setting(NamedTuple):
    """One grid cell: steer block ``layer`` with strength ``alpha`` at ``positions``."""

    layer: int
    alpha: float
    positions: Positions


@dataclass
class Outcome:
    """Per-item results of one arm; with several samples each entry is the mean over them."""

    correct: np.ndarray
    scratchpad: np.ndarray
    valid: np.ndarray
    tokens: np.ndarray

    def summary(self) -> dict[str, float]:
        return {
            "accuracy": float(self.correct.mean()),
            "scratchpad_rate": float(self.scratchpad.mean()),
            "valid_rate": float(self.valid.mean()),
            "tokens": float(self.tokens.mean()),
        }


@dataclass
class Evaluator:
    """Binds a model, a task and decoding settings; :meth:`measure` runs one arm on some items."""

    model: torch.nn.Module
    task: ChainSumTask | QATask
    encode: Callable[[str], list[int]]
    decode: Callable[[list[int]], str]
    eos_id: int | list[int]  # one stop id or several
    pad_id: int
    max_new_tokens: int
    batch_size: int
    generator: torch.Generator

    def prompts(self, items: list, mode: Mode) -> list[list[int]]:
        return [self.encode(self.task.prompt(item, mode)) for item in items]

    def measure(
        self, items: list, prompts: list[list[int]], steering: Steering | None, *, n: int = 1, temperature: float = 0.0
    ) -> Outcome:
        completions = generate(
            self.model,
            prompts,
            steering,
            n=n,
            max_new_tokens=self.max_new_tokens,
            temperature=temperature if n > 1 else 0.0,
            eos_id=self.eos_id,
            pad_id=self.pad_id,
            generator=self.generator,
            batch_size=self.batch_size,
        )
        correct, scratchpad, valid, tokens = (np.zeros(len(items)) for _ in range(4))
        for i, (item, samples) in enumerate(zip(items, completions)):
            for ids in samples:
                ok, fmt = self.task.grade(item, self.decode(ids))
                correct[i] += ok
                scratchpad[i] += fmt == "scratchpad"
                valid[i] += fmt != "invalid"
                tokens[i] += len(ids)
        k = max(1, n)
        return Outcome(correct / k, scratchpad / k, valid / k, tokens / k)


def scaled(direction: torch.Tensor, alpha: float, mean_norm: float) -> torch.Tensor:
    """``alpha * mean_norm * direction / |direction|``."""
    return direction / direction.norm() * (alpha * mean_norm)


def pick_setting(dev_accuracy: dict[Setting, float]) -> Setting:
    """The setting with the best dev accuracy; ties go to the gentler one: smaller alpha, then fewer
    steered positions (``prompt_end_only``), then the earlier layer."""
    return min(
        dev_accuracy,
        key=lambda cell: (-dev_accuracy[cell], cell.alpha, cell.positions != "prompt_end_only", cell.layer),
    )


def middle_third(num_layers: int) -> list[int]:
    """Block indices in the middle third of the stack (at least one).

    >>> middle_third(2), middle_third(24)
    ([0], [8, 9, 10, 11, 12, 13, 14, 15])
    """
    return list(range(num_layers // 3, max(num_layers // 3 + 1, 2 * num_layers // 3)))
