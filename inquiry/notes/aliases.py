"""Resolving a raw slug to a note: exact title first, then alias, then a *unique* slug prefix — never a similarity guess.

Titles drift between exports of the same corpus ("…cognitive tools boost…" → "…unlock…"), and one
old title can be one word away from a different note, so nothing here compares texts for likeness.
A note keeps its former titles as aliases (the notebook's title index holds both); what remains is a
slug written where a title belongs (``concise-intermediate-reasoning-chains-match-verbose-cot-occupy``),
which resolves only when exactly one known note's slug starts with it (or it starts with exactly one
known slug), and the caller warns naming the note chosen.

>>> index = SlugIndex(["note:concise-intermediate-reasoning-chains-match-verbose-cot-occupying-less",
...                    "note:does-rlvr-expand-reasoning-at-scale", "note:does-rlvr-expand-reasoning-at-all"])
>>> index.resolve("concise-intermediate-reasoning-chains-match-verbose-cot-occupy")
'note:concise-intermediate-reasoning-chains-match-verbose-cot-occupying-less'
>>> index.resolve("does-rlvr-expand-reasoning-at") is None   # two notes start so: ambiguous
True
>>> index.resolve("does-rlvr-expand") is None   # too short to go on
True
>>> index.resolve("Does RLVR expand?") is None   # not a slug
True
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+){2,}$")  # three words at least: "rl-helps" is too little to go on
MIN_SLUG_CHARS = 24


def looks_like_slug(text: str) -> bool:
    return bool(SLUG.match(text.strip())) and len(text.strip()) >= MIN_SLUG_CHARS


class SlugIndex:
    """Known note slugs, sorted, for unique-prefix lookups."""

    def __init__(self, note_ids: Iterable[str] = ()):
        self._slugs = sorted({i.removeprefix("note:") for i in note_ids if i.startswith("note:")})

    def add(self, note_id: str) -> None:
        slug = note_id.removeprefix("note:")
        at = bisect.bisect_left(self._slugs, slug)
        if at == len(self._slugs) or self._slugs[at] != slug:
            self._slugs.insert(at, slug)

    def resolve(self, text: str) -> str | None:
        """The one known note whose slug extends ``text`` (or that ``text`` extends), else None."""
        slug = text.strip()
        if not looks_like_slug(slug):
            return None
        at = bisect.bisect_left(self._slugs, slug)
        if at < len(self._slugs) and self._slugs[at] == slug:
            return "note:" + slug
        found = set()
        for candidate in self._slugs[at : at + 2]:
            if candidate.startswith(slug):
                found.add(candidate)
        # a known slug the text extends (the known one was cut short): it sorts just before the text
        for candidate in self._slugs[max(0, at - 1) : at]:
            if slug.startswith(candidate) and len(candidate) >= MIN_SLUG_CHARS:
                found.add(candidate)
        if len(found) == 1:
            return "note:" + found.pop()
        return None
