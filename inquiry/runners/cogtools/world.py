"""The task, the documents the base reads, and the tools' formats.

Four functions ``a b c d`` map a digit to a digit; each is a fixed permutation of 0-9 (a lookup
table, the same in every world). A problem is a digit and three functions, ``5 b d a``; its answer
applies them left to right: ``a(d(b(5)))``. The base reads four kinds of document:

* direct answers ``Q5bda=2`` for a fixed set of ``solved`` problems (the only whole problems it sees), 20 %;
* single steps ``S5b=7`` for every digit and function (the parts, fully known), a third of the rest;
* checks ``E5b=7?y`` / ``E5b=3?n`` of single steps, half of them wrong (the examine tool), two thirds
  of the rest;
* worked chains ``M5bda=7,0,2`` for the solved problems (a monolithic format, a small share).

Each document is a question and an answer; the base is trained on the answer only (a tiny model
otherwise spends its capacity on the random question digits and learns no table in a test-sized run).

Evaluation problems are never among the solved ones (``held_out``), or, in the control world, are
exactly the solved ones (``practised``): problems the model already answers directly, where
nothing is left for tools to unlock.

>>> p = (5, "b", "d", "a")
>>> steps(p) == [("b", 5, apply("b", 5)), ("d", apply("b", 5), apply("d", apply("b", 5))),
...              ("a", steps(p)[1][2], answer(p))]
True
>>> direct_prompt(p), step_prompt("b", 5), examine_prompt("b", 5, 7), mono_prompt(p)
('Q5bda=', 'S5b=', 'E5b=7?', 'M5bda=')
>>> len(set(TABLES["a"])) == 10 and TABLES["a"] != TABLES["b"]
True
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, field

SYMBOLS = list("0123456789QSEMabcd=?,yn")
FUNCTIONS = "abcd"
STEPS = 3  # functions per problem
DIRECT_SHARE = 0.2  # of pretraining documents: direct answers of solved problems
Problem = tuple[int, str, str, str]  # a digit and the STEPS functions applied to it in turn


def _tables() -> dict[str, list[int]]:
    rng = random.Random("cogtools-functions")
    out = {}
    for f in FUNCTIONS:
        perm = list(range(10))
        rng.shuffle(perm)
        out[f] = perm
    return out


TABLES = _tables()


def apply(f: str, x: int) -> int:
    return TABLES[f][x]


def steps(p: Problem) -> list[tuple[str, int, int]]:
    """(function, input, result) for each of the three steps."""
    out, value = [], p[0]
    for f in p[1:]:
        result = apply(f, value)
        out.append((f, value, result))
        value = result
    return out


def answer(p: Problem) -> int:
    return steps(p)[-1][2]


def digits(p: Problem) -> str:
    return "".join(map(str, p))


def direct_prompt(p: Problem) -> str:
    return f"Q{digits(p)}="


def mono_prompt(p: Problem) -> str:
    return f"M{digits(p)}="


def mono_text(p: Problem) -> str:
    return mono_prompt(p) + ",".join(str(r) for *_, r in steps(p))


def step_prompt(f: str, x: int) -> str:
    return f"S{x}{f}="


def examine_prompt(f: str, x: int, z: int) -> str:
    return f"E{x}{f}={z}?"


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
        everything: list[Problem] = list(itertools.product(range(10), FUNCTIONS, FUNCTIONS, FUNCTIONS))
        random.Random(f"problems-{self.seed}").shuffle(everything)
        self.solved = everything[: self.n_solved]
        if self.evaluate_on == "practised":
            self.evaluation = self.solved[: self.n_eval]
        else:
            self.evaluation = everything[self.n_solved : self.n_solved + self.n_eval]

    def document(self, rng: random.Random) -> tuple[str, str]:
        """One pretraining document as (question, answer): the base is trained on the answer only."""
        roll = rng.random()
        if roll < self.mono_share:
            p = rng.choice(self.solved)
            return mono_prompt(p), mono_text(p)[len(mono_prompt(p)) :]
        if roll < self.mono_share + DIRECT_SHARE:
            p = rng.choice(self.solved)
            return direct_prompt(p), str(answer(p))
        f, x = rng.choice(FUNCTIONS), rng.randrange(10)
        z = apply(f, x)
        if rng.random() < 1 / 3:  # a check is harder to learn than the step it checks: two thirds are checks
            return step_prompt(f, x), str(z)
        if rng.random() < 0.5:
            return examine_prompt(f, x, z), "y"
        return examine_prompt(f, x, rng.choice([v for v in range(10) if v != z])), "n"
