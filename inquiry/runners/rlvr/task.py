"""Countdown-3 with a written trace: the verifiable task of the RLVR miniature.

A problem is three digits (1-9, sorted) and a target 0-999: ``<bos>345:017>``. A solution uses
each digit once with two operators from ``+-*``, evaluated left to right, and writes every
intermediate result, so that a lucky guess is nearly impossible:

* direct style: the bare expression ``3*4+5`` (the prototype's form in
  ``shared/research/feasibility.md``; the default, because a 0.1M-parameter base learns it in
  seconds)
* trace style: ``3*4=12,12+5=17``, every intermediate result written out and checked (the
  spurious-reward variant's second style, detected by :func:`style_of`)

:func:`verify` accepts a completion only when it is whole and right: the prompt's digits, the
target as its value, and in trace style canonical numbers and correct arithmetic at every step.
Either way the answer space is the 54 expressions over the digits, so a uniform guesser hits
with probability ``len(solutions(p)) / 54`` per sample (:func:`guess_rate`): the floor any
pass@k curve must be read against.

>>> p = Problem(digits=(3, 4, 5), target=17)
>>> p.prompt
'345:017>'
>>> verify(p, "3*4=12,12+5=17"), verify(p, "3*4=12,12+5=18"), verify(p, "4*3+5"), verify(p, "4*5+3")
(True, False, True, False)
>>> verify(p, "3*4=11,11+5=17")  # right target, wrong arithmetic: the trace is checked
False
>>> style_of("3*4=12,12+5=17"), style_of("3*4+5"), style_of("garbage")
('trace', 'direct', None)
"""

from __future__ import annotations

import itertools
import random
import re
from dataclasses import dataclass

OPERATORS = "+-*"
SYMBOLS = list("0123456789+-*=,:>")
PROMPT_LEN = 8  # "345:017>" (without <bos>)
MAX_ANSWER_LEN = 16  # "9*9=81,81*9=729" is 15 characters, plus <eos>


@dataclass(frozen=True, order=True)
class Problem:
    digits: tuple[int, int, int]
    target: int

    @property
    def prompt(self) -> str:
        return "".join(map(str, self.digits)) + f":{self.target:03d}>"

    @property
    def key(self) -> str:
        return self.prompt[:-1]


def _apply(left: int, op: str, right: int) -> int:
    return left + right if op == "+" else left - right if op == "-" else left * right


@dataclass(frozen=True)
class Expression:
    """``x o1 y o2 z`` evaluated left to right."""

    x: int
    o1: str
    y: int
    o2: str
    z: int

    @property
    def intermediate(self) -> int:
        return _apply(self.x, self.o1, self.y)

    @property
    def value(self) -> int:
        return _apply(self.intermediate, self.o2, self.z)

    def write(self, style: str) -> str:
        """The solution text in ``"trace"`` or ``"direct"`` style."""
        if style == "trace":
            mid = self.intermediate
            return f"{self.x}{self.o1}{self.y}={mid},{mid}{self.o2}{self.z}={self.value}"
        return f"{self.x}{self.o1}{self.y}{self.o2}{self.z}"


def expressions(digits: tuple[int, int, int]) -> list[Expression]:
    """All 54 orderings x operators (duplicates kept when digits repeat, like a uniform teacher)."""
    return [
        Expression(x, o1, y, o2, z)
        for x, y, z in itertools.permutations(digits)
        for o1 in OPERATORS
        for o2 in OPERATORS
    ]


def solutions(problem: Problem) -> list[Expression]:
    return [e for e in expressions(problem.digits) if e.value == problem.target]


def guess_rate(problem: Problem) -> float:
    """Per-sample success of a uniform guesser over the 54 expressions (repeats counted).

    >>> round(guess_rate(Problem((3, 4, 5), 17)), 4)  # 3*4+5, 4*3+5, 4*5-3, 5*4-3
    0.0741
    """
    return len(solutions(problem)) / 54


def all_problems() -> list[Problem]:
    """Every solvable (sorted digits, target in 0-999) pair, in a fixed order."""
    found = set()
    for digits in itertools.combinations_with_replacement(range(1, 10), 3):
        for e in expressions(digits):
            if 0 <= e.value <= 999:
                found.add(Problem(digits, e.value))
    return sorted(found)


_NUM = r"(-?\d+)"
_TRACE = re.compile(rf"^(\d)([-+*])(\d)={_NUM},{_NUM}([-+*])(\d)={_NUM}$")
_DIRECT = re.compile(r"^(\d)([-+*])(\d)([-+*])(\d)$")


def _canonical(text: str) -> bool:
    return str(int(text)) == text


def parse(text: str) -> tuple[Expression, str, list[int]] | None:
    """The expression a completion writes, its style and the numbers it states, or None if malformed."""
    if m := _TRACE.match(text):
        x, o1, y, mid, mid_again, o2, z, final = m.groups()
        if mid != mid_again or not all(map(_canonical, (mid, final))):
            return None
        return Expression(int(x), o1, int(y), o2, int(z)), "trace", [int(mid), int(final)]
    if m := _DIRECT.match(text):
        x, o1, y, o2, z = m.groups()
        return Expression(int(x), o1, int(y), o2, int(z)), "direct", []
    return None


def style_of(text: str) -> str | None:
    """``"trace"``, ``"direct"`` or None (not a well-formed solution): the style detector."""
    parsed = parse(text)
    return parsed[1] if parsed else None


def final_value(text: str) -> int | None:
    """The value of a well-formed completion: a direct expression's, or a trace's stated final
    result when every stated number is right (else None)."""
    parsed = parse(text)
    if parsed is None:
        return None
    expr, style, stated = parsed
    if style == "direct":
        return expr.value
    return stated[-1] if stated == [expr.intermediate, expr.value] else None


def verify(problem: Problem, text: str) -> bool:
    """True only for a whole, correct solution: the prompt's digits, right arithmetic, the target."""
    parsed = parse(text)
    if parsed is None:
        return False
    expr = parsed[0]
    return sorted((expr.x, expr.y, expr.z)) == list(problem.digits) and final_value(text) == problem.target


@dataclass(frozen=True)
class Teacher:
    """The noisy 'web data' the base is pretrained on.

    Each document picks a style (``trace`` with probability ``trace_prior``), then with probability
    1 - noise(style) a correct solution, else a random expression over the same digits, always
    written with correct arithmetic. The base inherits a broad distribution whose per-problem
    success depends on how many solutions a problem has: the regime where pass@k discriminates.
    """

    noise: float = 0.6  # chance a trace-style document is a random expression
    direct_noise: float = 0.9  # the same for direct-style documents (the inaccurate style)
    trace_prior: float = 1.0  # share of documents in trace style

    def document(self, problem: Problem, rng: random.Random) -> str:
        style = "trace" if rng.random() < self.trace_prior else "direct"
        noise = self.noise if style == "trace" else self.direct_noise
        pool = expressions(problem.digits) if rng.random() < noise else solutions(problem)
        return rng.choice(pool).write(style)


@dataclass(frozen=True)
class Split:
    """Held-out problems (never seen in pretraining or RL), RL problems, and the pretraining pool."""

    held_out: list[Problem]
    rl_train: list[Problem]
    pretrain: list[Problem]


def make_split(n_held_out: int, n_rl_train: int, seed: int) -> Split:
    """Shuffle every problem with ``seed``; RL problems stay in the pretraining pool (like web data).

    >>> s = make_split(10, 20, seed=0)
    >>> len(s.held_out), len(s.rl_train), set(s.held_out) & set(s.pretrain)
    (10, 20, set())
    """
    return split_problems(all_problems(), n_held_out, n_rl_train, seed)


def split_problems(problems: list, n_held_out: int, n_rl_train: int, seed: int) -> Split:
    """Any task's problems shuffled with ``seed`` into held-out, RL and pretraining sets (the RL problems stay
    in the pretraining pool; the held-out ones never do)."""
    problems = list(problems)
    if n_held_out + n_rl_train > len(problems):
        raise ValueError(f"asked for {n_held_out + n_rl_train} problems; only {len(problems)} exist")
    random.Random(seed).shuffle(problems)
    return Split(problems[:n_held_out], problems[n_held_out : n_held_out + n_rl_train], problems[n_held_out:])
