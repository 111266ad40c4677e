"""The reward functions GRPO can be given: the true verifier and three spurious ones.

``random`` draws from its own ``random.Random`` stream, so it is independent of the text and of
every other stream of the run (Shao et al.'s ``random0.5``).

>>> from inquiry.runners.rlvr.task import Problem
>>> p = Problem((3, 4, 5), 17)
>>> make_reward("true")(p, "3*4=12,12+5=17"), make_reward("format")(p, "3*4=12,12+5=18")
(1.0, 1.0)
>>> make_reward("incorrect", wrong_labels={p: 19})(p, "3*5=15,15+4=19")
1.0
>>> rewards = [make_reward("random", seed=1)(p, "x") for _ in range(4)]
>>> set(rewards) <= {0.0, 1.0}
True
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Literal

from .task import Problem, final_value, parse, verify

RewardKind = Literal["true", "random", "format", "incorrect"]


def make_reward(
    kind: RewardKind,
    *,
    seed: int = 0,
    wrong_labels: dict[Problem, int] | None = None,
    verifier: Callable[[Problem, str], bool] = verify,
) -> Callable[[Problem, str], float]:
    """A reward function ``(problem, completion) -> 0.0 | 1.0`` of the given kind.

    * ``true``: the whole trace is right (``verifier``: countdown's :func:`~.task.verify` unless given)
    * ``random``: Bernoulli(0.5), independent of the text
    * ``format``: a well-formed solution in either style, right or wrong
    * ``incorrect``: a well-formed, arithmetically consistent solution over the prompt's digits
      whose final value is the problem's fixed *wrong* label (``wrong_labels``)
    """
    if kind == "true":
        return lambda problem, text: float(verifier(problem, text))
    if kind == "random":
        stream = random.Random(f"random-reward-{seed}")
        return lambda problem, text: float(stream.random() < 0.5)
    if kind == "format":
        return lambda problem, text: float(parse(text) is not None)
    if kind == "incorrect":
        if wrong_labels is None:
            raise ValueError("the incorrect-label reward needs wrong_labels")

        def incorrect(problem: Problem, text: str) -> float:
            parsed = parse(text)
            if parsed is None or sorted((parsed[0].x, parsed[0].y, parsed[0].z)) != list(problem.digits):
                return 0.0
            return float(final_value(text) == wrong_labels[problem])

        return incorrect
    raise ValueError(f"unknown reward kind {kind!r}")
