"""The episode stream (stepped by code), the prompt format, and the documents the base reads.

A task is a two-digit key; the environment holds a hidden answer digit per key and pays 1 when the
agent's answer equals it. Tasks recur in the stream. The agent's prompt is the cases its memory
retrieved, then the query: ``5+;3-;q37=`` (a case shows the answer given and whether it was
rewarded, not which task it came from: judging which past cases bear on the query is the memory's
job, the credit assignment this runner tests).

The base never sees the stream's answers. Its documents teach only how to use cases: reuse the
answer of a rewarded case, avoid the answer of an unrewarded one. In each document the answers are
drawn afresh.

In the ``control`` world the hidden answer is redrawn at every visit, so experience never transfers.

>>> env = Environment(n_tasks=5, resample=False, seed=0)
>>> task = env.tasks[0]
>>> env.reward(task, env.answer(task)), prompt([Case("37", 5, True), Case("12", 3, False)], "37")
(1, '5+;3-;q37=')
"""

from __future__ import annotations

import random
from dataclasses import dataclass

SYMBOLS = list("0123456789q=;+-")


@dataclass(frozen=True)
class Case:
    key: str
    answer: int
    rewarded: bool
    time: int = 0


def case_text(case: Case) -> str:
    return f"{case.answer}{'+' if case.rewarded else '-'};"


def prompt(cases: list[Case], key: str) -> str:
    return "".join(case_text(c) for c in cases) + f"q{key}="


def parse_answer(text: str) -> int | None:
    text = text.strip()
    return int(text) if len(text) == 1 and text.isdigit() else None


class Environment:
    """Hidden answers per task; ``resample`` redraws the answer at every visit (the control world)."""

    def __init__(self, n_tasks: int, resample: bool, seed: int):
        rng = random.Random(f"env-{seed}")
        self.tasks = [f"{k:02d}" for k in rng.sample(range(100), n_tasks)]
        self._answers = {t: rng.randrange(10) for t in self.tasks}
        self.resample = resample
        self._rng = random.Random(f"visits-{seed}")

    def stream(self, episodes: int, seed: int) -> list[str]:
        rng = random.Random(f"stream-{seed}")
        return [rng.choice(self.tasks) for _ in range(episodes)]

    def answer(self, task: str) -> int:
        return self._answers[task]

    def visit(self, task: str) -> int:
        """The hidden answer for this visit (redrawn each time in the control world)."""
        if self.resample:
            self._answers[task] = self._rng.randrange(10)
        return self._answers[task]

    def reward(self, task: str, answer: int | None, truth: int | None = None) -> int:
        return int(answer is not None and answer == (self._answers[task] if truth is None else truth))


def document(rng: random.Random) -> str:
    """A pretraining document: 0-2 cases then a query, its answer consistent with the cases."""
    key = f"{rng.randrange(100):02d}"
    truth = rng.randrange(10)
    cases = []
    for _ in range(rng.choice((0, 1, 2, 2))):
        if rng.random() < 0.5:
            cases.append(Case(key, truth, True))
        else:
            cases.append(Case(key, rng.choice([d for d in range(10) if d != truth]), False))
    return prompt(cases, key) + str(truth)
