"""Chained modular sums in three formats: a reasoning mode that exists in the base but is seldom used.

A problem is K labelled digits, ``a3b5c8d2e7=``; the answer is their sum mod 10. The written
scratchpad keeps a running sum per label (``a3b8c6d8e5>5``): each step is one induction-style look-up
plus a one-digit addition, which a two-layer model can learn in a few thousand steps. Answering at
once needs the whole K-term sum in one forward pass, which the same model does not learn in that
time, so the scratchpad should be worth a large accuracy gap (a 1.5k-step prototype with 5 digits: .66
against chance, .10).

Pretraining mixes three formats: ``R`` + problem → scratchpad, ``D`` + problem → direct answer, and
the untagged problem → mostly direct, with the scratchpad only ``untagged_reason_rate`` of the time.
Both formats end in ``>`` and the answer; the direct one is just ``>5``, so the first generated
token is the mode choice (``a`` or ``>``) and greedy decoding follows the majority format (were the
direct answer a bare digit, its mass would split over ten tokens and greedy would pick the rare
scratchpad).

>>> task = ChainSumTask(operands=3)
>>> p = task.problem((3, 5, 8))
>>> task.prompt(p, "reason"), task.prompt(p, "direct"), task.prompt(p, "untagged")
('Ra3b5c8=', 'Da3b5c8=', 'a3b5c8=')
>>> task.completion(p, "scratchpad"), task.completion(p, "direct")
('a3b8c6>6', '>6')
>>> task.grade(p, "a3b8c6>6"), task.grade(p, ">6"), task.grade(p, "a3b8c6>7"), task.grade(p, "a3>")
((True, 'scratchpad'), (True, 'direct'), (False, 'scratchpad'), (False, 'invalid'))

Two worlds without the latent mode, where nothing the base ever wrote is a scratchpad: ``hint`` (the
control world: the reason-tagged prompt hands the base the running sums and it answers directly, so the
explicit prompt helps without any mode to switch on) and ``none`` (the reason tag changes nothing):

>>> hint = ChainSumTask(operands=3, reason_format="hint")
>>> hint.prompt(p, "reason"), hint.reason_completion(p), hint.prompt(p, "untagged")
('Ra3b8c6=', '>6', 'a3b5c8=')
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

Mode = Literal["reason", "direct", "untagged"]
# what the reason tag meant in pretraining: a written scratchpad (the latent mode), running sums handed over in
# the prompt (no mode: the control world), or nothing at all (the precondition cannot pass)
ReasonFormat = Literal["scratchpad", "hint", "none"]
Format = Literal["scratchpad", "direct", "invalid"]
TAGS = {"reason": "R", "direct": "D", "untagged": ""}
LABELS = "abcdefgh"
MODULUS = 10


@dataclass(frozen=True)
class Problem:
    digits: tuple[int, ...]

    @property
    def answer(self) -> str:
        return str(sum(self.digits) % MODULUS)


class ChainSumTask:
    """Problems with ``operands`` labelled digits, their prompts, teacher completions and an exact grader."""

    symbols = [*"0123456789", *LABELS, "=", ">", "R", "D"]

    def __init__(self, operands: int = 5, reason_format: ReasonFormat = "scratchpad"):
        if not 2 <= operands <= len(LABELS):
            raise ValueError(f"operands must lie in 2..{len(LABELS)}, got {operands}")
        self.operands = operands
        self.reason_format = reason_format
        labels = LABELS[:operands]
        self._scratchpad_re = re.compile("".join(f"{label}(\\d)" for label in labels) + r">(\d)")

    def problem(self, digits: tuple[int, ...]) -> Problem:
        if len(digits) != self.operands or not all(0 <= d < MODULUS for d in digits):
            raise ValueError(f"need {self.operands} digits in 0..9, got {digits}")
        return Problem(tuple(digits))

    def random_problem(self, rng: random.Random) -> Problem:
        return Problem(tuple(rng.randrange(MODULUS) for _ in range(self.operands)))

    def prompt(self, problem: Problem, mode: Mode) -> str:
        digits = self.running_sums(problem) if mode == "reason" and self.reason_format == "hint" else problem.digits
        body = "".join(f"{label}{d}" for label, d in zip(LABELS, digits))
        return f"{TAGS[mode]}{body}="

    @staticmethod
    def running_sums(problem: Problem) -> list[int]:
        out, running = [], 0
        for d in problem.digits:
            running = (running + d) % MODULUS
            out.append(running)
        return out

    def reason_completion(self, problem: Problem) -> str:
        """What the base was taught to write after the reason tag in this world."""
        return self.completion(problem, "scratchpad" if self.reason_format == "scratchpad" else "direct")

    def scratchpad(self, problem: Problem) -> str:
        running, steps = 0, []
        for label, d in zip(LABELS, problem.digits):
            running = (running + d) % MODULUS
            steps.append(f"{label}{running}")
        return "".join(steps) + f">{running}"

    @property
    def max_new_tokens(self) -> int:
        return 2 * self.operands + 3  # the scratchpad, ">", the answer and eos

    def neutral_pairs(self, problems: list[Problem]) -> list[tuple[str, str]]:
        """(prompt, continuation) whose NLL measures damage: reason-tagged prompts and their reference traces.

        The trace is what the base writes in the reasoning mode, so a steered rise in its NLL means the
        vector breaks the computation rather than just choosing the mode.
        """
        return [(self.prompt(p, "reason"), self.reason_completion(p)) for p in problems]

    def untagged_pairs(self, problems: list[Problem]) -> list[tuple[str, str]]:
        """(untagged prompt, reference trace): untagged text whose NLL after the trace's first token (the
        format choice the vector is meant to change) measures damage to the computation itself."""
        return [(self.prompt(p, "untagged"), self.scratchpad(p)) for p in problems]

    def completion(self, problem: Problem, fmt: Format) -> str:
        return self.scratchpad(problem) if fmt == "scratchpad" else f">{problem.answer}"

    def detect_format(self, completion: str) -> Format:
        """``scratchpad`` for a complete running-sum trace, ``direct`` for ``>`` and a digit, else ``invalid``."""
        if self._scratchpad_re.fullmatch(completion):
            return "scratchpad"
        return "direct" if re.fullmatch(r">\d", completion) else "invalid"

    def grade(self, problem: Problem, completion: str) -> tuple[bool, Format]:
        """(final answer correct, format). Only the answer counts: a wrong trace with the right answer passes."""
        fmt = self.detect_format(completion)
        if fmt == "invalid":
            return False, fmt
        return completion[-1] == problem.answer, fmt

    def split(self, sizes: list[int], seed: int) -> list[list[Problem]]:
        """Disjoint lists of distinct problems of the given sizes (e.g. dev, test, contrast)."""
        space = MODULUS**self.operands
        if sum(sizes) > space // 2:
            raise ValueError(f"asked for {sum(sizes)} held-out problems out of only {space}")
        rng = random.Random(seed)
        seen: set[Problem] = set()
        out: list[list[Problem]] = []
        for size in sizes:
            part: list[Problem] = []
            while len(part) < size:
                problem = self.random_problem(rng)
                if problem not in seen:
                    seen.add(problem)
                    part.append(problem)
            out.append(part)
        return out

    def pretraining_texts(
        self, held_out: set[Problem], mix: tuple[float, float, float], untagged_reason_rate: float, rng: random.Random
    ) -> Iterator[tuple[str, str]]:
        """Endless (prompt, completion) pairs in the three formats; ``mix`` weighs reason/direct/untagged."""
        modes: list[Mode] = ["reason", "direct", "untagged"]
        while True:
            problem = self.random_problem(rng)
            if problem in held_out:
                continue
            mode = rng.choices(modes, weights=mix)[0]
            latent = self.reason_format == "scratchpad"  # only this world ever writes the scratchpad
            if latent and (mode == "reason" or (mode == "untagged" and rng.random() < untagged_reason_rate)):
                fmt: Format = "scratchpad"
            else:
                fmt = "direct"
            yield self.prompt(problem, mode), self.completion(problem, fmt)
