"""The documents the base is pretrained on, its vocabulary, and the play formats.

Characters; three kinds of text, as in a corpus that describes a game and also holds logs of people
playing it:

* declarative facts ``K37=1`` ("from pile 37 the best move takes 1") for every winning pile;
* state descriptions ``D37>K37`` for every pile (how the game's texts name a pile; no moves), which
  teach the model to restate any pile in the facts' notation;
* play transcripts for piles up to ``practised_max`` only, in three formats that differ only in what
  comes before the move: a rationale stating the pile's fact (``P37>K37=1>3``), nothing
  (``A37>3``), or filler of the rationale's length (``F37>#####>3``). The players know
  the facts (their rationales state them) but act on them only a share ``1 - noise`` of the time:
  the knowing–doing gap, in the data.

In the ``control`` world the declarative facts (and so the rationales) are false: a fixed losing
move per pile. The model can know them perfectly; acting on them cannot win.

>>> world = World(max_n=20, practised_max=10, noise=0.7, facts="true", trap_share=0.0, seed=0)
>>> world.fact(13), play_text("rationale", 13, 1, 2)
(1, 'P13>K13=1>2')
>>> play_text("action", 13, 1, 2), play_text("filler", 13, 1, 2)
('A13>2', 'F13>#####>2')
>>> false = World(max_n=20, practised_max=10, noise=0.7, facts="false", trap_share=0.0, seed=0)
>>> any(false.game.move_wins(n, false.fact(n)) for n in false.states)
False
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

from .game import MAX_TAKE, Game

FORMATS = ("rationale", "action", "filler")
_PREFIX = {"rationale": "P", "action": "A", "filler": "F"}
DESCRIPTION_SHARE = 0.1  # of pretraining documents
MAX_PILE = 99


def symbols() -> list[str]:
    return list("0123456789KPAFD=>#")


def rationale(n: int, stated: int) -> str:
    return f"K{n}={stated}"


def play_prompt(fmt: str, n: int) -> str:
    return f"{_PREFIX[fmt]}{n}>"


def play_completion(fmt: str, n: int, stated: int, move: int) -> str:
    if fmt == "rationale":
        return f"{rationale(n, stated)}>{move}"
    if fmt == "filler":
        return "#" * len(rationale(n, stated)) + f">{move}"
    return str(move)


def play_text(fmt: str, n: int, stated: int, move: int) -> str:
    return play_prompt(fmt, n) + play_completion(fmt, n, stated, move)


def fact_prompt(n: int) -> str:
    return f"K{n}="


_PATTERNS = {
    "rationale": re.compile(r"K(?P<pile>\d{1,2})=(?P<stated>[123])>(?P<move>[123])"),
    "action": re.compile(r"(?P<move>[123])"),
    "filler": re.compile(r"#{3,5}>(?P<move>[123])"),
}


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


@dataclass
class World:
    max_n: int
    practised_max: int
    noise: float
    facts: str  # "true": K facts are the game's best moves; "false": a fixed losing move per pile
    trap_share: float
    seed: int
    game: Game = field(init=False, repr=False)
    _false: dict[int, int] = field(default_factory=dict, repr=False)

    def __post_init__(self):
        if self.max_n > MAX_PILE:
            raise ValueError(f"max_n must be at most {MAX_PILE}")
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
        """One pretraining document: a fact or a description of any pile, or a transcript of a practised one."""
        roll = rng.random()
        if roll < fact_share:
            n = rng.choice(self.states)
            return f"{fact_prompt(n)}{self.fact(n)}"
        if roll < fact_share + DESCRIPTION_SHARE:
            n = rng.randint(1, self.max_n)
            return f"D{n}>K{n}"
        n = rng.choice(self.practised)
        move = self.fact(n) if rng.random() >= self.noise else rng.randint(1, MAX_TAKE)
        return play_text(rng.choice(FORMATS), n, self.fact(n), move)
