"""Modular-arithmetic chains with a checked trace: the pass@k task where guessing is hopeless.

A problem is a start value and three operations on Z_23 (values ``a``..``w``, operations ``0``..``5``):
``<bos>k025>``. A solution names a method and writes every intermediate value in that method's
notation: method ``x`` in ``a``..``w`` (``xlws``: k+1 = l, l*2 = w, w*5 = s), method ``y`` in
``A``..``W`` (``yLWS``). :func:`verify` checks each step. A uniform guesser over well-formed traces
hits with probability 1/23^3 = 8.2e-5 per sample (:func:`guess_rate`), so coverage at large k
above that floor is the base's own.

The teacher the base is pretrained on knows each step (method, operation, value) only in part:
a reliability drawn once per world from ``RELIABILITIES``, or 0 (a blind spot, with probability
``blind_share`` for method x and ``blind_share_y`` for y) where it always writes the same wrong
value (a misconception), so the right one is never in the base's data. A problem is in the base's
support when one method has no blind step on its path. The two methods are the miniature's
"reasoning paths": method x is the better one on average, y solves some problems x cannot, so
RL can sharpen both, or drop y and lose those. A clean teacher (:meth:`World.clean_teacher`) knows
every step: the distillation arm of the control preset.

>>> w = World.make(seed=0)
>>> p = Problem(start=10, ops=(0, 2, 5))
>>> p.prompt, w.solution(p)
('k025>', 'xlws')
>>> verify(p, "xlws"), verify(p, "yLWS"), verify(p, "ylws"), verify(p, "xlwt"), verify(p, "lws")
(True, True, False, False, False)
>>> guess_rate(p) < 1e-3, style_of("yLWS"), style_of("zz")
(True, 'y', None)
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass

from .task import Split, split_problems

MODULUS = 23
HOPS = 3
VALUES = [chr(ord("a") + i) for i in range(MODULUS)]  # a..w: the prompt's and method x's notation
VALUES_Y = [chr(ord("A") + i) for i in range(MODULUS)]  # A..W: method y's notation
# the operations on Z_23, in the order of their symbols 0..5
OPERATIONS = (("+", 1), ("+", 5), ("*", 2), ("*", 3), ("+", 11), ("*", 5))
OP_SYMBOLS = [str(i) for i in range(len(OPERATIONS))]
METHODS = ("x", "y")
NOTATION = {"x": VALUES, "y": VALUES_Y}
SYMBOLS = [*VALUES, *VALUES_Y, *OP_SYMBOLS, *METHODS, ">"]
PROMPT_LEN = 1 + HOPS + 1
MAX_ANSWER_LEN = 1 + HOPS + 1  # method, values, <eos>
RELIABILITIES = (0.4, 0.7, 0.95)  # a step's chance of being written right, when it is not a blind spot


def apply(op: int, value: int) -> int:
    kind, k = OPERATIONS[op]
    return (value + k) % MODULUS if kind == "+" else (value * k) % MODULUS


@dataclass(frozen=True, order=True)
class Problem:
    start: int
    ops: tuple[int, ...]

    @property
    def prompt(self) -> str:
        return VALUES[self.start] + "".join(OP_SYMBOLS[o] for o in self.ops) + ">"

    @property
    def key(self) -> str:
        return self.prompt[:-1]

    def path(self) -> list[int]:
        """The right intermediate values, one per operation."""
        out, value = [], self.start
        for op in self.ops:
            value = apply(op, value)
            out.append(value)
        return out

    def steps(self) -> list[tuple[int, int]]:
        """The (operation, input value) steps of the right trace."""
        inputs = [self.start, *self.path()[:-1]]
        return list(zip(self.ops, inputs))


def parse(text: str) -> tuple[str, list[int]] | None:
    """``(method, values)`` of a well-formed trace (values in the method's notation), else None."""
    if len(text) != 1 + HOPS or text[0] not in METHODS:
        return None
    notation = NOTATION[text[0]]
    if any(c not in notation for c in text[1:]):
        return None
    return text[0], [notation.index(c) for c in text[1:]]


def style_of(text: str) -> str | None:
    """The method a well-formed trace names (``"x"`` / ``"y"``), else None."""
    parsed = parse(text)
    return parsed[0] if parsed else None


def verify(problem: Problem, text: str) -> bool:
    """True only when every written intermediate value is right (either method)."""
    parsed = parse(text)
    return parsed is not None and parsed[1] == problem.path()


def guess_rate(problem: Problem) -> float:
    """Per-sample success of a uniform guesser over well-formed traces: one right trace in 23^3."""
    return 1.0 / MODULUS**HOPS


def all_problems() -> list[Problem]:
    return [Problem(s, ops) for s in range(MODULUS) for ops in itertools.product(range(len(OPERATIONS)), repeat=HOPS)]


def misconception(method: str, op: int, value: int) -> int:
    """The wrong value a teacher always writes on a blind step: fixed per (method, op, value)."""
    shift = 1 + (7 * op + 3 * value + (5 if method == "y" else 0)) % (MODULUS - 1)
    return (apply(op, value) + shift) % MODULUS


@dataclass(frozen=True)
class Teacher:
    """Writes one document per call: a method (``method_prior`` for ``x``), then each step right with
    that method's reliability for the step, else a wrong value: on a blind spot (reliability 0) always
    the same one (a misconception), elsewhere a uniformly drawn one; later steps apply the operation
    to whatever was written."""

    reliability: dict[tuple[str, int, int], float]  # (method, op, input value) -> chance it is right
    method_prior: float = 0.5

    def document(self, problem: Problem, rng: random.Random) -> str:
        method = "x" if rng.random() < self.method_prior else "y"
        value, out = problem.start, []
        for op in problem.ops:
            right = apply(op, value)
            reliability = self.reliability[(method, op, value)]
            if rng.random() < reliability:
                value = right
            elif reliability == 0.0:
                value = misconception(method, op, value)
            else:
                value = rng.choice([v for v in range(MODULUS) if v != right])
            out.append(NOTATION[method][value])
        return method + "".join(out)

    def success(self, problem: Problem) -> float:
        """The teacher's own chance of writing a right trace for ``problem``."""
        total = 0.0
        for method, prior in (("x", self.method_prior), ("y", 1 - self.method_prior)):
            p = prior
            for op, value in problem.steps():
                p *= self.reliability[(method, op, value)]
            total += p
        return total


@dataclass(frozen=True)
class World:
    """Per (method, operation, value) reliabilities, drawn once from ``seed``."""

    reliability: dict[tuple[str, int, int], float]

    @classmethod
    def make(cls, seed: int, blind_share: float = 0.1, blind_share_y: float = 0.2) -> World:
        rng = random.Random(f"chains-world-{seed}")
        table = {}
        for method, blind in (("x", blind_share), ("y", blind_share_y)):
            for op in range(len(OPERATIONS)):
                for value in range(MODULUS):
                    table[(method, op, value)] = 0.0 if rng.random() < blind else rng.choice(RELIABILITIES)
        return cls(table)

    def teacher(self, method_prior: float = 0.5) -> Teacher:
        return Teacher(self.reliability, method_prior)

    def clean_teacher(self) -> Teacher:
        """A teacher that knows every step, writing method ``x``: the distillation source."""
        return Teacher(dict.fromkeys(self.reliability, 1.0), method_prior=1.0)

    def solution(self, problem: Problem) -> str:
        return "x" + "".join(VALUES[v] for v in problem.path())

    def open_methods(self, problem: Problem) -> set[str]:
        """The methods with no blind step on the problem's path."""
        return {m for m in METHODS if all(self.reliability[(m, op, v)] > 0 for op, v in problem.steps())}

    def in_support(self, problem: Problem) -> bool:
        """Whether one method has no blind step on the problem's path."""
        return self.teacher().success(problem) > 0


def make_split(n_held_out: int, n_rl_train: int, seed: int) -> Split:
    """Held-out problems never appear in pretraining or RL (their steps do, in other problems).

    >>> s = make_split(10, 20, seed=0)
    >>> len(s.held_out), len(s.rl_train), set(s.held_out) & set(s.pretrain)
    (10, 20, set())
    """
    return split_problems(all_problems(), n_held_out, n_rl_train, seed)
