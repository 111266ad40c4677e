"""How questions, snippets and options become text, for the miniature and for a real instruct checkpoint.

Scoring ("sampling" in the authors' code) uses plain prefixes: augmented = snippets + question,
naive = question alone, and the option is appended after a space. A real checkpoint is trained
on its chat template (as the authors do); the miniature has none, so it trains on the same plain
prefixes it is scored with.

>>> style = PromptStyle()
>>> style.naive("where does kalo live ?")
'question : where does kalo live ? answer :'
>>> style.augmented("where does kalo live ?", ["kalo lives in quell ."])
'context : kalo lives in quell . question : where does kalo live ? answer :'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

# The authors' sampling template (template.py), with the domain word made neutral.
AUTHORS_AUGMENTED = (
    "Provide a direct answer to the following question without analyzing or explaining your "
    "answer.\nRelated literature: {ctx}\nQuestion: {question}"
)
AUTHORS_NAIVE = (
    "Provide a direct answer to the following question without analyzing or explaining your "
    "answer.\nQuestion: {question}"
)


@dataclass
class PromptStyle:
    """Plain miniature prompts; ``authors=True`` switches to the authors' wording, ``chat`` to a chat template."""

    authors: bool = False
    tokenizer: Any = None  # set with chat=True: its chat template wraps the training prompts
    chat: bool = False

    def augmented(self, question: str, snippets: Sequence[str]) -> str:
        if self.authors:
            return AUTHORS_AUGMENTED.format(ctx="\n".join(snippets), question=question)
        return f"context : {' '.join(snippets)} question : {question} answer :"

    def naive(self, question: str) -> str:
        if self.authors:
            return AUTHORS_NAIVE.format(question=question)
        return f"question : {question} answer :"

    def closed_book(self, question: str) -> str:
        """The evaluation prefix: the authors score ``f"{question} {option}"`` with no instruction."""
        return question if self.authors else self.naive(question)

    @property
    def train_separator(self) -> str:
        """What joins a prefix and its option: a space, or nothing after a chat template's assistant header."""
        return "" if self.chat else " "

    def for_training(self, prompt: str) -> str:
        """The prefix the loss conditions on: the chat-templated user turn when ``chat``, else ``prompt``."""
        if not self.chat:
            return prompt
        return self.tokenizer.apply_chat_template(
            [{"role": "user", "content": prompt}], tokenize=False, add_generation_prompt=True
        )
