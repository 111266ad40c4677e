"""Do two claims say opposite things about the same subject? A small, conservative detector.

Two claims oppose when (1) they share a subject — at least two content words besides the predicate —
and (2) one asserts a directional predicate that the other denies: "RLVR expands the set of solvable
problems" against "RLVR does not expand the set of solvable problems", or its antonym ("narrows").
Only predicates from a fixed list count, each with its antonyms; a word is denied when a negation
("not", "n't", "no", "never", "fails to", "without", "rather than") comes shortly before it in the
same clause. Anything less clear-cut is left alone: a missed contradiction costs a reader nothing,
a wrong one costs trust.

>>> opposite("RLVR expands the set of problems the base model can solve.",
...          "RLVR does not expand the set of problems the base model can solve.")
'expand'
>>> opposite("RL narrows sampling toward solutions the base model already finds.",
...          "RL expands the solutions the base model finds.")
'expand'
>>> opposite("RL expands reasoning.", "Distillation expands reasoning.") is None
True
>>> opposite("RL does not transfer new reasoning patterns to small models.",
...          "Distillation transfers reasoning patterns the small model does not find with RL.") is None
True
"""

from __future__ import annotations

import re
from functools import lru_cache

# canonical predicate -> its antonyms (a claim using an antonym asserts the predicate's negation)
PREDICATES: dict[str, tuple[str, ...]] = {
    "expand": ("narrow", "shrink", "restrict", "limit"),
    "improve": ("degrade", "hurt", "worsen", "harm", "impair"),
    "increase": ("decrease", "reduce", "lower", "drop", "diminish"),
    "outperform": ("underperform", "trail", "lag"),
    "help": (),
    "transfer": (),
    "generalize": (),
    "create": (),
    "teach": (),
    "add": ("remove",),
    "close": ("widen",),
    "require": (),
    "scale": (),
    "work": ("fail",),
    "beat": ("lose",),
    "match": (),
    "surpass": (),
    "preserve": ("destroy", "erase", "forget"),
    "stabilize": ("destabilize",),
}
_ANTONYM = {antonym: canon for canon, antonyms in PREDICATES.items() for antonym in antonyms}
_NEGATION = re.compile(
    r"^(?:not|no|never|cannot|can't|won't|nor|without|neither|fails?|failed|n't|doesn't|don't|didn't|"
    r"isn't|aren't|wasn't|weren't|hardly|rarely)$"
)
_CLAUSE_BREAK = {",", ";", ":", "—", "–", "but", "while", "whereas", "although", "though", "yet", "and"}
_STOP = {
    "a",
    "an",
    "the",
    "of",
    "to",
    "in",
    "on",
    "for",
    "with",
    "by",
    "at",
    "from",
    "as",
    "is",
    "are",
    "was",
    "were",
    "be",
    "been",
    "being",
    "it",
    "its",
    "this",
    "that",
    "these",
    "those",
    "and",
    "or",
    "but",
    "not",
    "no",
    "nor",
    "than",
    "then",
    "so",
    "such",
    "can",
    "could",
    "does",
    "do",
    "did",
    "has",
    "have",
    "had",
    "will",
    "would",
    "may",
    "might",
    "must",
    "should",
    "which",
    "who",
    "whom",
    "whose",
    "what",
    "when",
    "where",
    "why",
    "how",
    "all",
    "any",
    "both",
    "each",
    "few",
    "more",
    "most",
    "other",
    "some",
    "only",
    "own",
    "same",
    "very",
    "just",
    "also",
    "into",
    "over",
    "under",
    "about",
    "between",
    "through",
    "their",
    "there",
    "they",
    "them",
    "we",
    "our",
    "you",
    "your",
    "he",
    "she",
    "his",
    "her",
    "i",
    "rather",
    "much",
    "many",
    "per",
    "via",
}
_WORD = re.compile(r"[a-z0-9@]+(?:'[a-z]+)?|[,;:—–]")
_WINDOW = 4  # a negation reaches this many words ahead


@lru_cache(maxsize=1 << 16)
def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    if word.endswith("e") and len(word) > 4:
        word = word[:-1]
    return word


_STEMMED = {_stem(w): w for w in [*PREDICATES, *_ANTONYM]}


def _canon(word: str) -> tuple[str, bool] | None:
    """The predicate a word asserts, and whether it asserts it (False for an antonym)."""
    base = _STEMMED.get(_stem(word))
    if base is None:
        return None
    if base in PREDICATES:
        return base, True
    return _ANTONYM[base], False


@lru_cache(maxsize=1 << 14)
def analyse(text: str) -> tuple[dict[str, frozenset[tuple[bool, frozenset[str]]]], frozenset[str]]:
    """The directional predicates of a claim, each with its polarity and its subject (the content
    stems of its clause before it), and all the claim's other content stems (remembered: a hub
    note's claims are compared against many others)."""
    tokens = _WORD.findall(text.casefold().replace("’", "'"))
    predicates: dict[str, set[tuple[bool, frozenset[str]]]] = {}
    content: set[str] = set()
    clause: list[str] = []
    negated_until = -1
    rather_than = False
    for i, token in enumerate(tokens):
        if token in _CLAUSE_BREAK:
            negated_until = -1
            if token != "and":
                clause = []
            continue
        if _NEGATION.match(token) or token.endswith("n't"):
            negated_until = i + _WINDOW
            continue
        if token == "rather" and i + 1 < len(tokens) and tokens[i + 1] == "than":
            rather_than = True  # "X rather than Y": Y is denied, to the clause's end
            continue
        found = _canon(token)
        if found is not None:
            canon, positive = found
            if i <= negated_until or rather_than:
                positive = not positive
            predicates.setdefault(canon, set()).add((positive, frozenset(clause)))
        elif token not in _STOP and len(token) >= 2:
            stem = _stem(token)
            content.add(stem)
            clause.append(stem)
    return {canon: frozenset(uses) for canon, uses in predicates.items()}, frozenset(content)


def opposite(a: str, b: str, min_shared: int = 2) -> str | None:
    """The predicate on which claim ``a`` and claim ``b`` take opposite sides of one subject, else None.

    Both claims must use the predicate one way only, its subjects must share a word ("RL does not
    transfer…" and "Distillation transfers…" are about different things), and the claims must share
    ``min_shared`` content words in all.
    """
    pred_a, content_a = analyse(a)
    pred_b, content_b = analyse(b)
    if len(content_a & content_b) < min_shared:
        return None
    for canon in sorted(pred_a.keys() & pred_b.keys()):
        sides_a = {positive for positive, _ in pred_a[canon]}
        sides_b = {positive for positive, _ in pred_b[canon]}
        if len(sides_a) != 1 or len(sides_b) != 1 or sides_a == sides_b:
            continue
        subjects_a = frozenset().union(*(subject for _, subject in pred_a[canon]))
        subjects_b = frozenset().union(*(subject for _, subject in pred_b[canon]))
        if subjects_a & subjects_b:
            return canon
    return None
