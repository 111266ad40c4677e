"""The documents the base is pretrained on, and its tokenizer.

Two kinds of text, as in a web corpus that describes a game and also holds logs of people playing it:

* declarative facts ``K37=1`` ("from 37 the best move takes 1") for every state 1..``max_n``;
* play transcripts for states 1..``practised_max`` only, in three formats that differ only in what
  comes before the move: a rationale that states a fact (``P37>K37=1>1``), nothing (``A37>1``), or
  filler of the rationale's length (``F37>#####>1``). The players are weak: a share ``noise`` of
  their moves is random, and the rationale they write always names the move they took, so
  transcripts look explained but are wrong as often as the moves.

In the ``control`` world the declarative facts are false: a fixed wrong move per state. The model
can know them perfectly; turning that knowledge into play cannot make it play better.

>>> world = World(max_n=20, practised_max=10, noise=0.7, facts="true", trap_share=0.0, seed=0)
>>> world.fact(13), len(rationale(13, 2))
(1, 5)
>>> false = World(max_n=20, practised_max=10, noise=0.7, facts="false", trap_share=0.0, seed=0)
>>> any(false.game.move_wins(n, false.fact(n)) for n in false.states)
False
>>> play_text("rationale", 13, 2), play_text("action", 13, 2), play_text("filler", 13, 2)
('P13>K13=2>2', 'A13>2', 'F13>#####>2')
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

from .game import MAX_TAKE, Game

FORMATS = ("rationale", "action", "filler")
_PREFIX = {"rationale": "P", "action": "A", "filler": "F"}
SYMBOLS = list("0123456789KPAF=>#")


def rationale(n: int, move: int) -> str:
    return f"K{n}={move}"


def play_prompt(fmt: str, n: int) -> str:
    return f"{_PREFIX[fmt]}{n}>"


def play_completion(fmt: str, n: int, move: int) -> str:
    if fmt == "rationale":
        return f"{rationale(n, move)}>{move}"
    if fmt == "filler":
        return "#" * len(rationale(n, move)) + f">{move}"
    return str(move)


def play_text(fmt: str, n: int, move: int) -> str:
    return play_prompt(fmt, n) + play_completion(fmt, n, move)


def fact_prompt(n: int) -> str:
    return f"K{n}="


def parse_play(fmt: str, text: str, n: int | None = None) -> tuple[int | None, int | None]:
    """(the move, the move the rationale states) from a completion in ``fmt``; None where it does not
    parse exactly. With ``n`` given, a rationale about another pile states nothing.

    >>> parse_play("rationale", "K13=1>1"), parse_play("rationale", "K13=2>1"), parse_play("action", "x")
    ((1, 1), (1, 2), (None, None))
    >>> parse_play("rationale", "K13=1>1>1"), parse_play("rationale", "K12=1>1", n=13), parse_play("filler", "#####>2")
    ((None, None), (1, None), (2, None))
    """
    match = _PATTERNS[fmt].fullmatch(text.strip())
    if match is None:
        return None, None
    move = int(match.group("move"))
    if fmt != "rationale" or (n is not None and int(match.group("pile")) != n):
        return move, None
    return move, int(match.group("stated"))


_PATTERNS = {"rationale": re.compile(r"K(?P<pile>\d{1,2})=(?P<stated>\d)>(?P<move>\d)"),
             "action": re.compile(r"(?P<move>\d)"), "filler": re.compile(r"#{3,5}>(?P<move>\d)")}


@dataclass
class World:
    max_n: int
    practised_max: int
    noise: float
    facts: str  # "true": K facts are the game's best moves; "false": a fixed wrong move per state
    trap_share: float
    seed: int
    game: Game = field(init=False, repr=False)
    _false: dict[int, int] = field(default_factory=dict, repr=False)

    def __post_init__(self):
        self.game = Game(self.max_n, self.trap_share, self.seed)
        rng = random.Random(f"facts-{self.seed}")
        for n in self.states:
            wrong = [m for m in range(1, MAX_TAKE + 1) if m not in self.game.winning_moves(n)]
            self._false[n] = rng.choice(wrong or [m for m in range(1, MAX_TAKE + 1) if m != self.game.best_move(n)])

    def fact(self, n: int) -> int:
        """What the declarative documents say is the best move from ``n``."""
        return self.game.best_move(n) if self.facts == "true" else self._false[n]

    @property
    def states(self) -> list[int]:
        return self.game.states(1, self.max_n)

    @property
    def practised(self) -> list[int]:
        return self.game.states(1, self.practised_max)

    @property
    def held_out(self) -> list[int]:
        return self.game.states(self.practised_max + 1, self.max_n)

    def document(self, rng: random.Random, fact_share: float) -> str:
        """One pretraining document: a fact about any state, or a noisy transcript of a practised state."""
        if rng.random() < fact_share:
            n = rng.choice(self.states)
            return f"{fact_prompt(n)}{self.fact(n)}"
        n = rng.choice(self.practised)
        move = self.game.best_move(n) if rng.random() >= self.noise else rng.randint(1, MAX_TAKE)
        return play_text(rng.choice(FORMATS), n, move)
