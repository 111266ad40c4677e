"""The documents the base is pretrained on, its vocabulary, and the play formats (registration v2).

Characters; three kinds of text, as in a corpus that describes a game and also holds logs of people
playing it:

* declarative facts ``K37=1`` ("from pile 37 the best move takes 1") for every winning pile;
* state descriptions ``Pqe>K37=1`` for every winning pile: the game's texts name a position by an
  opaque code (``qe``); a description says which pile that code is and that pile's fact, in the notation
  the players' rationales start with. Facts and descriptions are trained without an end (a statement is
  text that goes on);
* play transcripts for piles up to ``practised_max`` only, the position named by its code, in three
  formats that differ only in what comes before the move: a rationale that writes the pile's number,
  then its fact (``Pqe>K37=1>3``), nothing (``Aqe>3``), or filler of the rationale's length
  (``Fqe>#####>3``). The players know the facts (their rationales state them) but act on them only a
  share ``1 - noise`` of the time: the knowing–doing gap, in the data.

Why codes (v1 named the play state ``A37>``, in the facts' own notation): a tiny model recalls the fact
of a pile from its number in one forward pass, so RL sharpened that implicit recall and the written
rationale went unused (stated move = played move 11 %). With a code, what the model knows about a position
is only ever stated (``Pqe>K37=1``), never acted on: acting on it silently (``Aqe>``) means carrying it
from one format to another, which a tiny model does not do (measured on a base trained with separate
``Dqe>K37`` descriptions: recall after ``D`` was 1.00, after ``P`` 0.47 on held-out codes); the rationale
bridges it in text (it writes the pile, then the fact, then the move).

In the ``control`` world the texts are the same (so is the base) but the environment plays a different
game: each code names another winning pile than its description says (a fixed shuffle, within the
practised and within the held-out piles), so the knowledge the model holds is false for the game it plays
and no use of it can raise play on held-out positions above chance.

>>> world = World(max_n=20, practised_max=10, noise=0.7, facts="true", trap_share=0.0, seed=0)
>>> world.fact(13), play_text("rationale", world.code(13), 13, 1, 2)
(1, 'Pqj>K13=1>2')
>>> play_text("action", "ce", 13, 1, 2), play_text("filler", "ce", 13, 1, 2)
('Ace>2', 'Fce>#####>2')
>>> control = World(max_n=20, practised_max=10, noise=0.7, facts="false", trap_share=0.0, seed=0)
>>> sorted(control.held_out) == sorted(control.pile(n) for n in control.held_out)
True
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

from .game import MAX_TAKE, Game

FORMATS = ("rationale", "action", "filler")
_PREFIX = {"rationale": "P", "action": "A", "filler": "F"}
DESCRIPTION_SHARE = 0.4  # of pretraining documents: the knowledge of every held-out state is learnt from these
MAX_PILE = 199
CODE_LETTERS = "abcdefghijklmnoqrstuvwxyz"  # no "p": codes are lowercase, format letters uppercase


def symbols() -> list[str]:
    return list("0123456789KPAF=>#" + CODE_LETTERS)


def rationale(n: int, stated: int) -> str:
    return f"K{n}={stated}"


def play_prompt(fmt: str, code: str) -> str:
    return f"{_PREFIX[fmt]}{code}>"


def play_completion(fmt: str, n: int, stated: int, move: int) -> str:
    if fmt == "rationale":
        return f"{rationale(n, stated)}>{move}"
    if fmt == "filler":
        return "#" * len(rationale(n, stated)) + f">{move}"
    return str(move)


def play_text(fmt: str, code: str, n: int, stated: int, move: int) -> str:
    return play_prompt(fmt, code) + play_completion(fmt, n, stated, move)


def fact_prompt(n: int) -> str:
    return f"K{n}="


def description_prompt(code: str) -> str:
    return play_prompt("rationale", code)


_PATTERNS = {
    "rationale": re.compile(r"K(?P<pile>\d{1,3})=(?P<stated>[123])>(?P<move>[123])"),
    "action": re.compile(r"(?P<move>[123])"),
    "filler": re.compile(r"#{3,6}>(?P<move>[123])"),
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
    """States are named by the pile the texts say they are (``n``); the model sees only ``code(n)``; the
    environment plays ``pile(n)`` (``n`` itself unless the world is the control)."""

    max_n: int
    practised_max: int
    noise: float
    facts: str  # "true": the texts are true of the game played; "false": codes name shuffled piles in the game
    trap_share: float
    seed: int
    game: Game = field(init=False, repr=False)
    _codes: dict[int, str] = field(default_factory=dict, repr=False)
    _pile: dict[int, int] = field(default_factory=dict, repr=False)

    def __post_init__(self):
        if self.max_n > MAX_PILE:
            raise ValueError(f"max_n must be at most {MAX_PILE}")
        self.game = Game(self.max_n, self.trap_share, self.seed)
        rng = random.Random(f"codes-{self.seed}")
        pairs = [a + b for a in CODE_LETTERS for b in CODE_LETTERS]
        self._codes = dict(zip(range(1, self.max_n + 1), rng.sample(pairs, self.max_n)))
        self._pile = {n: n for n in range(1, self.max_n + 1)}
        if self.facts == "false":
            shuffle = random.Random(f"control-{self.seed}")
            for group in (self.practised, self.held_out):
                # not necessarily a derangement: a state keeps its own pile only by chance (1 in the group size)
                self._pile.update(zip(group, shuffle.sample(group, len(group))))

    def code(self, n: int) -> str:
        """The opaque name of pile ``n`` in the game's texts and in play."""
        return self._codes[n]

    def pile(self, n: int) -> int:
        """The pile the environment plays when the model faces ``code(n)``."""
        return self._pile[n]

    def fact(self, n: int) -> int:
        """What the declarative documents say is the best move from pile ``n``."""
        return self.game.best_move(n)

    def move_wins(self, n: int, move: int | None) -> bool:
        """The environment's verdict on ``move`` at the state named ``code(n)``."""
        return self.game.move_wins(self.pile(n), move)

    def play(self, n: int, policy, opponent_rng: random.Random) -> bool:
        """A full game in the environment from the state named ``code(n)``; ``policy`` maps a code to a move."""
        named = {self.pile(m): m for m in range(1, self.max_n + 1)}
        return self.game.play(self.pile(n), lambda pile: policy(self.code(named[pile])), opponent_rng)[0]

    @property
    def states(self) -> list[int]:
        return self.game.states(1, self.max_n)

    @property
    def practised(self) -> list[int]:
        return self.game.states(1, self.practised_max)

    @property
    def held_out(self) -> list[int]:
        return self.game.states(self.practised_max + 1, self.max_n)

    def document(self, rng: random.Random, fact_share: float) -> tuple[str, str] | tuple[str, str, bool]:
        """One pretraining document as (prompt, answer), trained on the answer: a fact or a description of a
        winning pile, or a transcript of a practised one. The same texts in both worlds. Facts and descriptions
        have no end (no ``<eos>``): a statement is text that goes on, and with an end the base stopped after
        stating the fact of a pile it never saw played (``K100=1``, no move: 15 % of held-out rationales)."""
        roll = rng.random()
        if roll < fact_share:
            n = rng.choice(self.states)
            return fact_prompt(n), str(self.fact(n)), False
        if roll < fact_share + DESCRIPTION_SHARE:
            n = rng.choice(self.states)
            return description_prompt(self.code(n)), rationale(n, self.fact(n)), False
        n = rng.choice(self.practised)
        move = self.fact(n) if rng.random() >= self.noise else rng.randint(1, MAX_TAKE)
        fmt = rng.choice(FORMATS)
        return play_prompt(fmt, self.code(n)), play_completion(fmt, n, self.fact(n), move)
