"""Closed-book evaluation with the authors' scoring, the explanation proxy, and the base's use of context.

Closed book = the naive prefix (no snippets); a question is answered correctly when the gold
option has the highest mean per-token log-prob. The explanation proxy stands in for the paper's
"rationality of explanations for correctly answered questions": after a correct answer, does the
model also rank the *fact sentence* that supports it (``kalo lives in quell .``) above the same
sentence with each wrong option, closed book? (So an answer backed by declarative knowledge counts;
an answer guessed from the question's surface does not.)
"""

from __future__ import annotations

from collections.abc import Sequence

from .prompts import PromptStyle
from .scoring import argmax, score_options
from .world import Question, fact_sentence


def closed_book_correct(
    model, tokenizer, questions: Sequence[Question], style: PromptStyle, batch_size: int = 256
) -> list[int]:
    """1 where the naive-prompt argmax is the gold option, else 0."""
    scores = score_options(
        model,
        tokenizer,
        [style.closed_book(q.question) for q in questions],
        [q.options for q in questions],
        batch_size=batch_size,
    )
    return [int(argmax(s) == q.gold_index) for s, q in zip(scores, questions)]


def augmented_correct(
    model, tokenizer, questions: Sequence[Question], style: PromptStyle, batch_size: int = 256
) -> list[int]:
    """1 where the argmax with the snippets in the prompt is the gold option, else 0."""
    scores = score_options(
        model,
        tokenizer,
        [style.augmented(q.question, q.snippets) for q in questions],
        [q.options for q in questions],
        batch_size=batch_size,
    )
    return [int(argmax(s) == q.gold_index) for s, q in zip(scores, questions)]


def explanation_supported(
    model, tokenizer, questions: Sequence[Question], correct: Sequence[int], batch_size: int = 256
) -> list[int | None]:
    """Per question: None when answered wrongly, else 1 if the gold fact sentence outranks its variants."""
    picked = [q for q, ok in zip(questions, correct) if ok and q.entity]
    sentences = [tuple(fact_sentence(q.entity, q.attribute, option) for option in q.options) for q in picked]
    scores = score_options(model, tokenizer, [""] * len(picked), sentences, batch_size=batch_size)
    ranked = iter(int(argmax(s) == q.gold_index) for s, q in zip(scores, picked))
    return [next(ranked) if ok and q.entity else None for q, ok in zip(questions, correct)]
