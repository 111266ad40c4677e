"""A pile game with traps, stepped by code: take 1–3 stones; moving the pile onto a trap loses at once;
whoever takes the last stone wins.

The traps (a random share of pile sizes, fixed by a seed) make the winning moves irregular: unlike
plain Nim (take ``n % 4``), no rule on the digits of ``n`` predicts them, so a model can only know
them from facts about each pile (or from having practised it). Win/loss by backward induction.

>>> game = Game(max_n=12, trap_share=0.0, seed=0)  # no traps: plain Nim
>>> game.best_move(7), game.is_winning(8), game.states(1, 9)
(3, False, [1, 2, 3, 5, 6, 7, 9])
>>> game.play(11, lambda n: game.best_move(n))[0]
True
>>> game.play(11, lambda n: 1)[0]
False
>>> trapped = Game(max_n=40, trap_share=0.25, seed=1)
>>> all(trapped.move_wins(n, trapped.best_move(n)) for n in trapped.states(1, 40))
True
"""

from __future__ import annotations

import random
from collections.abc import Callable

MAX_TAKE = 3


class Game:
    def __init__(self, max_n: int, trap_share: float, seed: int):
        rng = random.Random(f"traps-{seed}")
        self.max_n = max_n
        self.traps = {n for n in range(2, max_n + 1) if rng.random() < trap_share}
        self._winning: dict[int, bool] = {0: False}  # the player facing an empty pile has lost
        for n in range(1, max_n + 1):
            self._winning[n] = any(not self._winning[n - m] for m in self.legal_moves(n))

    def legal_moves(self, n: int) -> list[int]:
        """Moves that take 1–3 stones and do not land on a trap."""
        return [m for m in range(1, min(MAX_TAKE, n) + 1) if n - m not in self.traps]

    def is_winning(self, n: int) -> bool:
        return n not in self.traps and self._winning[n]

    def winning_moves(self, n: int) -> list[int]:
        return [m for m in self.legal_moves(n) if not self._winning[n - m]]

    def best_move(self, n: int) -> int:
        """The smallest winning move from a winning position."""
        moves = self.winning_moves(n)
        if not moves or n in self.traps:
            raise ValueError(f"{n} is not a winning position")
        return moves[0]

    def states(self, low: int, high: int) -> list[int]:
        """The winning positions in ``low..high``: the ones the model faces when it plays well."""
        return [n for n in range(low, high + 1) if self.is_winning(n)]

    def move_wins(self, n: int, take: int | None) -> bool:
        """Whether ``take`` from ``n`` wins against an optimal opponent (illegal or trapped moves lose)."""
        return take in self.legal_moves(n) and not self._winning[n - take]

    def play(
        self, start: int, policy: Callable[[int], int | None], opponent_rng: random.Random | None = None
    ) -> tuple[bool, list[int]]:
        """Play from ``start``, ``policy`` moving first against an optimal opponent.

        Returns (the policy won, the positions it faced). An illegal, trapped or unparsable move loses.
        From a lost position the opponent takes a random legal move; with none it has lost.
        """
        rng = opponent_rng or random.Random(0)
        n, faced = start, []
        while True:
            faced.append(n)
            take = policy(n)
            if take not in self.legal_moves(n):
                return False, faced
            n -= take
            if n == 0:
                return True, faced
            replies = self.winning_moves(n) or self.legal_moves(n)
            if not replies:
                return True, faced
            n -= replies[0] if self.winning_moves(n) else rng.choice(replies)
            if n == 0:
                return False, faced
