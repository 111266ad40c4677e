"""The interactive search environment and its two teachers (pure Python, no torch).

A hidden code of ``depth`` bits. The model acts one token at a time: a bit (``0``/``1``) extends the
current prefix, ``b`` backtracks one level, ``.`` stops. After every action the environment appends
its answer: ``o`` (the prefix is still alive), ``x`` (dead end) or ``!`` (solved; the episode ends).
Exactly one child of every live node is alive, so a systematic depth-first explorer never needs more
than ``3 * depth`` actions; the budget is ``budget_per_level * depth``.

Each action is classified against the state the environment knows (Lu et al.'s properties):
*validity* — extending a dead prefix, retrying a child already answered ``x``, backtracking at the
root, or stopping before the code is found; *necessity* — backtracking out of a live prefix (throwing
away progress). Tokens that are not actions end the episode as a *format* failure (not a violation).

>>> env = Episode(secret=(1, 0))
>>> [env.step(a) for a in "0b1"], env.violations
(['x', 'o', 'o'], [None, None, None])
>>> env.step("b"), env.violations[-1], env.step("1"), env.step("0"), env.solved
('o', 'backtrack_live', 'o', '!', True)
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

ACTIONS = ("0", "1", "b", ".")
REPLIES = ("o", "x", "!")
START = "S"
SYMBOLS = [*ACTIONS, *REPLIES, START]
VALIDITY = ("extend_dead", "revisit_dead", "backtrack_root", "stop")
NECESSITY = ("backtrack_live",)
KINDS = (*VALIDITY, *NECESSITY)


@dataclass
class Episode:
    """One episode's state; :meth:`step` returns the environment's answer token ('' once it has ended)."""

    secret: tuple[int, ...]
    budget: int = 10**6
    path: list[int] = field(default_factory=list)
    dead: dict[tuple[int, ...], set[int]] = field(default_factory=dict)  # node -> children answered 'x'
    violations: list[str | None] = field(default_factory=list)  # one entry per action
    done: bool = False
    solved: bool = False
    failure: str = ""  # "stop", "format", "budget" when it ended unsolved

    def alive(self) -> bool:
        return tuple(self.path) == self.secret[: len(self.path)]

    def tried_dead(self) -> set[int]:
        return self.dead.get(tuple(self.path), set())

    def step(self, action: str) -> str:
        if self.done:
            return ""
        if action not in ACTIONS:
            self.violations.append(None)
            return self._end("format")
        kind, reply = self._apply(action)
        self.violations.append(kind)
        if action == ".":
            return self._end("stop")
        if reply == "!":
            self.done = self.solved = True
        elif len(self.violations) >= self.budget:
            self._end("budget")
        return reply

    def _apply(self, action: str) -> tuple[str | None, str]:
        if action == ".":
            return "stop", ""
        if action == "b":
            if not self.path:
                return "backtrack_root", "o"
            kind = "backtrack_live" if self.alive() else None
            self.path.pop()
            return kind, "o" if self.alive() else "x"
        bit = int(action)
        kind = None
        if not self.alive():
            kind = "extend_dead"
        elif bit in self.tried_dead():
            kind = "revisit_dead"
        was_alive = self.alive()
        self.path.append(bit)
        if self.alive():
            return kind, "!" if len(self.path) == len(self.secret) else "o"
        if was_alive:
            self.dead.setdefault(tuple(self.path[:-1]), set()).add(bit)
        return kind, "x"

    def _end(self, why: str) -> str:
        self.done, self.failure = True, why
        return ""


def teacher_action(env: Episode, wander: float, rng: random.Random) -> str:
    """The next action of a depth-first teacher that, with probability ``wander``, commits a violation.

    Systematic move: at a dead prefix backtrack; at a live one try an untried child (random order).
    A wandering move picks uniformly among the violations possible in this state, stopping included.
    """
    alive, tried = env.alive(), env.tried_dead()
    if rng.random() < wander:
        options = ["."]
        if not alive:
            options += ["0", "1"]  # extend a dead end
        else:
            options += [str(bit) for bit in tried]  # retry a dead child
            if env.path:
                options.append("b")  # abandon a live prefix
        return rng.choice(options)
    if not alive:
        return "b"
    return str(rng.choice([bit for bit in (0, 1) if bit not in tried]))


def teacher_trace(depth: int, wander: float, budget_per_level: int, rng: random.Random) -> str:
    """A whole episode as text: ``S`` then action/answer pairs, e.g. ``S0x b o1o0!`` without spaces."""
    secret = tuple(rng.randrange(2) for _ in range(depth))
    env = Episode(secret=secret, budget=budget_per_level * depth)
    text = [START]
    while not env.done:
        action = teacher_action(env, wander, rng)
        reply = env.step(action)
        text.append(action + reply)
    return "".join(text)
