"""A tiny synthetic verifiable task: addition of two small numbers, with an exact verifier.

The training stream imitates noisy web data: with probability ``noise`` the written answer is a
random number instead of the sum, which keeps a briefly trained model's answer distribution broad
(pass@1 well below pass@k), as the pass@k literature's base models are.

>>> task = AdditionTask(digits=2)
>>> p = task.problem(12, 34)
>>> p.prompt, p.answer, task.verify(p, "46"), task.verify(p, "47")
('12+34=', '46', True, False)
>>> train, test = task.split(held_out=5, seed=0)
>>> len(test), len(train) + len(test), set(train).isdisjoint(test)
(5, 10000, True)
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    prompt: str
    answer: str


class AdditionTask:
    """``a+b=`` with a, b in [0, 10**digits); the answer is the decimal sum."""

    symbols = list("0123456789+=")

    def __init__(self, digits: int = 2):
        if not 1 <= digits <= 4:
            raise ValueError(f"digits must lie in 1..4, got {digits}")
        self.digits = digits
        self.limit = 10**digits

    def problem(self, a: int, b: int) -> Problem:
        return Problem(f"{a}+{b}=", str(a + b))

    def split(self, held_out: int, seed: int) -> tuple[list[Problem], list[Problem]]:
        """All problems, shuffled by ``seed``, as (train, held-out test)."""
        problems = [self.problem(a, b) for a in range(self.limit) for b in range(self.limit)]
        if not 0 < held_out < len(problems):
            raise ValueError(f"held_out must lie in 1..{len(problems) - 1}, got {held_out}")
        random.Random(seed).shuffle(problems)
        return problems[held_out:], problems[:held_out]

    @staticmethod
    def verify(problem: Problem, completion: str) -> bool:
        """Exact match of the completion (special tokens already stripped) with the sum."""
        return completion.strip() == problem.answer

    def training_texts(self, problems: list[Problem], noise: float, rng: random.Random) -> Iterator[Problem]:
        """An endless stream of worked examples; a share ``noise`` of them carry a wrong random answer."""
        while True:
            problem = rng.choice(problems)
            if rng.random() < noise:
                problem = Problem(problem.prompt, str(rng.randrange(2 * self.limit - 1)))
            yield problem
