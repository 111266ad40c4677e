"""Case memory and its two retrieval policies.

* :class:`RecentSameKey` (non-parametric, by similarity): the ``k`` most recent cases with the
  query's key, whatever their outcome.
* :class:`SoftQRetriever` (parametric, Memento's learned case selection): a linear Q-function over
  features of (case, query) scores every stored case; ``k`` are drawn by a softmax over scores; after
  the episode the retrieved cases' scores move toward the episode's reward (online logistic
  regression): credit assignment through memory, the model's weights untouched.

>>> bank = CaseBank()
>>> bank.add(Case("37", 5, True, 0)); bank.add(Case("12", 3, False, 1))
>>> [c.key for c in RecentSameKey(2).retrieve(bank, "37", 2, None)]
['37']
"""

from __future__ import annotations

import math
import random

from .world import Case


class CaseBank:
    def __init__(self):
        self.cases: list[Case] = []

    def add(self, case: Case) -> None:
        self.cases.append(case)


class RecentSameKey:
    def __init__(self, k: int):
        self.k = k

    def retrieve(self, bank: CaseBank, key: str, now: int, rng) -> list[Case]:
        same = [c for c in bank.cases if c.key == key]
        return same[-self.k :]

    def learn(self, cases: list[Case], key: str, now: int, reward: int) -> None:
        pass


FEATURES = ("bias", "same_key", "rewarded", "same_key_and_rewarded", "recency")


def features(case: Case, key: str, now: int) -> list[float]:
    same = float(case.key == key)
    return [1.0, same, float(case.rewarded), same * float(case.rewarded), math.exp(-(now - case.time) / 50.0)]


class SoftQRetriever:
    """Q(case, query) = w · φ; k cases drawn without replacement from softmax(Q / temperature)."""

    def __init__(self, k: int, lr: float, temperature: float, candidates: int):
        self.k, self.lr, self.temperature, self.candidates = k, lr, temperature, candidates
        self.w = [0.0] * len(FEATURES)
        self.history: list[list[float]] = []

    def q(self, case: Case, key: str, now: int) -> float:
        return sum(w * x for w, x in zip(self.w, features(case, key, now)))

    def retrieve(self, bank: CaseBank, key: str, now: int, rng: random.Random) -> list[Case]:
        pool = bank.cases[-self.candidates :]
        chosen: list[Case] = []
        remaining = list(pool)
        while remaining and len(chosen) < self.k:
            scores = [self.q(c, key, now) / self.temperature for c in remaining]
            top = max(scores)
            weights = [math.exp(s - top) for s in scores]
            pick = rng.choices(range(len(remaining)), weights=weights)[0]
            chosen.append(remaining.pop(pick))
        return chosen

    def learn(self, cases: list[Case], key: str, now: int, reward: int) -> None:
        for case in cases:
            phi = features(case, key, now)
            p = 1.0 / (1.0 + math.exp(-sum(w * x for w, x in zip(self.w, phi))))
            self.w = [w + self.lr * (reward - p) * x for w, x in zip(self.w, phi)]
        self.history.append(list(self.w))
