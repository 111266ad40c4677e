"""The checkpoint path's task: local question/answer JSONL, suffix-tagged prompts, numeric grading.

The three formats of the miniature map onto instructions: the untagged question, the question plus
``reason_suffix`` ("Let's think step by step.") and plus ``direct_suffix`` ("Answer with only the
number."). A completion counts as reasoning when it has at least ``reason_min_words`` words.

>>> qa = QATask([{"prompt": "Q: 2+3?", "answer": "5"}], " Think.", " Number only.", reason_min_words=4)
>>> item = qa.items[0]
>>> qa.prompt(item, "reason"), qa.prompt(item, "untagged")
('Q: 2+3? Think.', 'Q: 2+3?')
>>> qa.grade(item, "2 plus 3 makes 5, so the answer is 5."), qa.grade(item, "6"), qa.grade(item, "no idea")
((True, 'scratchpad'), (False, 'direct'), (False, 'invalid'))
"""

from __future__ import annotations

import random
import re

from .task import Format, Mode

_NUMBER = re.compile(r"-?\d[\d,]*(?:\.\d+)?")


def _as_number(text: str) -> float | None:
    try:
        return float(text.replace(",", ""))
    except ValueError:
        return None


class QATask:
    """Questions with numeric answers; the final number in a completion is its answer."""

    def __init__(
        self,
        items: list[dict],
        reason_suffix: str,
        direct_suffix: str,
        reason_min_words: int,
        max_new_tokens: int = 512,
    ):
        self.items = items
        self.suffix = {"reason": reason_suffix, "direct": direct_suffix, "untagged": ""}
        self.reason_min_words = reason_min_words
        self.max_new_tokens = max_new_tokens

    def prompt(self, item: dict, mode: Mode) -> str:
        return f"{item['prompt']}{self.suffix[mode]}"

    def grade(self, item: dict, completion: str) -> tuple[bool, Format]:
        numbers = _NUMBER.findall(completion)
        if not numbers:
            return False, "invalid"
        fmt: Format = "scratchpad" if len(completion.split()) >= self.reason_min_words else "direct"
        got, want = _as_number(numbers[-1]), _as_number(str(item["answer"]))
        return got is not None and want is not None and got == want, fmt

    def split(self, sizes: list[int], seed: int) -> list[list[dict]]:
        """Disjoint shuffled parts of the questions; a part asking for more than is left gets the rest."""
        order = list(self.items)
        random.Random(seed).shuffle(order)
        parts, start = [], 0
        for size in sizes:
            parts.append(order[start : start + size])
            start += size
        return parts

    def neutral_pairs(self, items: list[dict]) -> list[tuple[str, str]]:
        """The questions themselves as neutral text, scored from the first token."""
        return [("", item["prompt"]) for item in items]
