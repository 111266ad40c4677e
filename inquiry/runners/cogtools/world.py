"""The task, the documents the base reads, and the tools' formats.

A problem is four digits ``a b c d``; its answer is ``((a + b) * c + d) mod 10``, computed left to
right one operation at a time. The base reads four kinds of document:

* direct answers ``Q3425=9`` for a fixed set of ``solved`` problems (the only whole problems it sees);
* single operations ``S3+4=7`` / ``S7*2=4`` for every pair of digits (the parts, fully known);
* checks ``E7*2=4?y`` / ``E7*2=5?n`` of single operations, half of them wrong (the examine tool);
* worked chains ``M3425=7,4,9`` for the solved problems (a monolithic format, a small share).

Evaluation problems are never among the solved ones (``held_out``), or, in the control world, are
exactly the solved ones (``practised``): problems the model already answers directly, where
nothing is left for tools to unlock.

>>> answer((3, 4, 2, 5)), steps((3, 4, 2, 5))
(9, [('+', 3, 4, 7), ('*', 7, 2, 4), ('+', 4, 5, 9)])
>>> direct_prompt((3, 4, 2, 5)), step_prompt("*", 7, 2), examine_prompt("*", 7, 2, 4), mono_text((3, 4, 2, 5))
('Q3425=', 'S7*2=', 'E7*2=4?', 'M3425=7,4,9')
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, field

SYMBOLS = list("0123456789QSEM+*=?,yn")
Problem = tuple[int, int, int, int]
OPS = ("+", "*", "+")  # the operation applied with b, c and d in turn


def apply(op: str, x: int, y: int) -> int:
    return (x + y) % 10 if op == "+" else (x * y) % 10


def steps(p: Problem) -> list[tuple[str, int, int, int]]:
    """(op, left, right, result) for each of the three operations."""
    out, value = [], p[0]
    for op, y in zip(OPS, p[1:]):
        result = apply(op, value, y)
        out.append((op, value, y, result))
        value = result
    return out


def answer(p: Problem) -> int:
    return steps(p)[-1][3]


def digits(p: Problem) -> str:
    return "".join(map(str, p))


def direct_prompt(p: Problem) -> str:
    return f"Q{digits(p)}="


def mono_prompt(p: Problem) -> str:
    return f"M{digits(p)}="


def mono_text(p: Problem) -> str:
    return mono_prompt(p) + ",".join(str(r) for *_, r in steps(p))


def step_prompt(op: str, x: int, y: int) -> str:
    return f"S{x}{op}{y}="


def examine_prompt(op: str, x: int, y: int, z: int) -> str:
    return f"E{x}{op}{y}={z}?"


def parse_digit(text: str) -> int | None:
    text = text.strip()
    return int(text) if len(text) == 1 and text.isdigit() else None


def parse_mono(text: str) -> int | None:
    """The last number of a worked chain ("7,4,9" -> 9), None unless it has three one-digit results."""
    parts = text.strip().split(",")
    return int(parts[-1]) if len(parts) == 3 and all(len(x) == 1 and x.isdigit() for x in parts) else None


@dataclass
class World:
    n_solved: int
    n_eval: int
    evaluate_on: str  # "held_out": problems never solved in the documents; "practised": the solved ones
    mono_share: float
    seed: int
    solved: list[Problem] = field(default_factory=list, repr=False)
    evaluation: list[Problem] = field(default_factory=list, repr=False)

    def __post_init__(self):
        everything: list[Problem] = list(itertools.product(range(10), range(10), range(10), range(10)))
        random.Random(f"problems-{self.seed}").shuffle(everything)
        self.solved = everything[: self.n_solved]
        if self.evaluate_on == "practised":
            self.evaluation = self.solved[: self.n_eval]
        else:
            self.evaluation = everything[self.n_solved : self.n_solved + self.n_eval]

    def document(self, rng: random.Random) -> str:
        roll = rng.random()
        if roll < self.mono_share:
            return mono_text(rng.choice(self.solved))
        if roll < self.mono_share + 0.3:
            p = rng.choice(self.solved)
            return direct_prompt(p) + str(answer(p))
        op, x, y = rng.choice("+*"), rng.randrange(10), rng.randrange(10)
        z = apply(op, x, y)
        if rng.random() < 0.5:
            return step_prompt(op, x, y) + str(z)
        if rng.random() < 0.5:
            return examine_prompt(op, x, y, z) + "y"
        return examine_prompt(op, x, y, rng.choice([v for v in range(10) if v != z])) + "n"
