"""Inline citations: note titles pasted verbatim into the essay after the sentence they support.

Titles are matched against every title the caller knows (the document's own Sources and every note
already in the notebook), longest first, ignoring case, quote style, dashes and spacing. A
question-shaped span in citation position that matches no known title becomes a placeholder note;
one at the start of a sentence may be a rhetorical question, so it is only reported as unresolved.

>>> index = TitleIndex({"does rlvr expand reasoning": "note:rlvr"})
>>> scan = scan_citations("inq:q", ["Base models win at high k Does RLVR expand reasoning?. "
...                                  "In a similar spirit, RLAG Is X new at all? helps."], index)
>>> [(c.note_id, c.sentence, c.prefix) for c in scan.citations]
[('note:rlvr', 'Base models win at high k.', None), ('note:is-x-new-at-all', 'In a similar spirit, RLAG helps.', 'RLAG')]
>>> scan.placeholders
{'note:is-x-new-at-all': 'Is X new at all?'}
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field

from ..ids import _QUOTES, normalize_title, note_id  # _QUOTES: the same folding normalize_title applies
from ..models import Citation
from .claims import split_sentences

_WORD = re.compile(r"\w+")
_NOT_SINGLE_SPACE = re.compile(r"\s\s|[^\S ]")
_KEY_WORDS = 3  # titles are bucketed by their first three words
_MIN_TITLE_WORDS = 3  # shorter titles ("RLVR") would match ordinary prose
_QUESTION_WORDS = (r"(?:Can|Could|Does|Do|Did|Is|Are|Was|Were|What|Why|How|When|Which|Who|Where|Should|"
                   r"Would|Will|Has|Have|Might|May)")
# A pasted question title: a capitalized question word up to the first "?", no sentence end inside.
_QUESTION_SPAN = re.compile(rf"\b{_QUESTION_WORDS}\b(?:[^.!?\n]|\.(?=\S))*?\?")
_PREFIX_TOKEN = re.compile(r"^[A-Z0-9][\w\-]*$")
# Capitalized words that open sentences rather than name systems.
_NOT_A_NAME = {"The", "A", "An", "In", "On", "This", "That", "These", "Those", "Then", "And", "But", "So", "See",
               "Yet", "Also", "As", "By", "For", "From", "With", "It", "Its", "We", "Our", "If", "Thus"}
_MAX_PREFIX_TOKENS = 3


def fold(text: str) -> tuple[str, list[int]]:
    """``text`` in the comparison form of :func:`~inquiry.ids.normalize_title`, with a map back to offsets.

    >>> folded, where = fold("Can  RL’s\\u00a0gap?")
    >>> folded, where[folded.index("gap")]
    ("can rl's gap?", 10)
    """
    whole = unicodedata.normalize("NFKC", text).translate(_QUOTES).casefold()
    if len(whole) == len(text) and not _NOT_SINGLE_SPACE.search(text):
        return whole, list(range(len(text)))  # the usual case: one char each, offsets unchanged
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        if ch.isspace():
            if out and out[-1] == " ":
                continue
            piece = " "
        else:
            piece = unicodedata.normalize("NFKC", ch).translate(_QUOTES).casefold()
        for c in piece:
            out.append(c)
            where.append(i)
    return "".join(out), where


@dataclass
class TitleMatch:
    start: int  # span in the original paragraph, including a trailing "?"
    end: int
    note_id: str
    title: str


class TitleIndex:
    """Known titles, bucketed by their first words so that a paragraph is scanned once, not once per title.

    >>> index = TitleIndex({"can rl close the gap": "note:gap"})
    >>> [(m.start, m.end, m.note_id) for m in index.find("So Can RL close the gap? Yes.")]
    [(3, 24, 'note:gap')]
    """

    def __init__(self, titles: Mapping[str, str] | None = None):
        self._ids: dict[str, str] = {}
        self._buckets: dict[tuple[str, ...], list[str]] = {}
        self._first_words: set[str] = set()  # a paragraph word outside this set cannot start a title
        self._normalized: dict[str, str] = {}  # title as written → normalize_title(title); titles recur a lot
        for title, nid in (titles or {}).items():
            self.add(title, nid)

    def normalize(self, title: str) -> str:
        """:func:`~inquiry.ids.normalize_title`, remembered: hub titles are resolved thousands of times."""
        norm = self._normalized.get(title)
        if norm is None:
            norm = self._normalized[title] = normalize_title(title)
        return norm

    def add(self, title: str, nid: str) -> None:
        norm = self.normalize(title)
        first = _WORD.search(norm)
        norm = norm[first.start():] if first else ""
        if norm in self._ids:
            return
        words = _WORD.findall(norm)
        if len(words) < _MIN_TITLE_WORDS:
            return
        self._ids[norm] = nid
        self._first_words.add(words[0])
        bucket = self._buckets.setdefault(tuple(words[:_KEY_WORDS]), [])
        bucket.append(norm)
        bucket.sort(key=len, reverse=True)

    def get(self, title: str) -> str | None:
        return self._ids.get(self.normalize(title))

    def find(self, paragraph: str) -> list[TitleMatch]:
        """Non-overlapping known titles in ``paragraph``, the longest winning where two overlap."""
        folded, where = fold(paragraph)
        words = list(_WORD.finditer(folded))
        texts = [w.group() for w in words]
        candidates: list[tuple[int, int, str]] = []
        for i, text in enumerate(texts):
            if text not in self._first_words:  # most words: one set lookup, no key built
                continue
            start = words[i].start()
            for norm in self._buckets.get(tuple(texts[i:i + _KEY_WORDS]), ()):
                end = start + len(norm)
                if folded.startswith(norm, start) and (end == len(folded) or not _is_word(folded[end])):
                    candidates.append((start, end, norm))
        taken: list[TitleMatch] = []
        for start, end, norm in sorted(candidates, key=lambda c: (c[0] - c[1], c[0])):
            o_start, o_end = where[start], where[end - 1] + 1
            if o_end < len(paragraph) and paragraph[o_end] == "?":
                o_end += 1
            if all(o_end <= m.start or m.end <= o_start for m in taken):
                taken.append(TitleMatch(o_start, o_end, self._ids[norm], paragraph[o_start:o_end]))
        return sorted(taken, key=lambda m: m.start)


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


@dataclass
class CitationScan:
    """What the essay cites: citations, placeholder notes to create (id → title), unresolved mentions."""

    citations: list[Citation] = field(default_factory=list)
    placeholders: dict[str, str] = field(default_factory=dict)
    unresolved: list[tuple[int, str]] = field(default_factory=list)  # (paragraph index, mention)


def scan_citations(inquiry_id: str, essay: list[str], index: TitleIndex) -> CitationScan:
    """Find and resolve the citations of every essay paragraph (``Citation.paragraph`` indexes ``essay``).

    Unknown question titles in citation position are added to ``index`` as placeholders, so a
    later paragraph (or document) citing the same title resolves to the same placeholder.
    """
    scan = CitationScan()
    for number, paragraph in enumerate(essay):
        matches = index.find(paragraph)
        for span in _QUESTION_SPAN.finditer(paragraph):
            if any(span.start() < m.end and m.start < span.end() for m in matches):
                continue
            title = span.group()
            if _in_citation_position(paragraph, span.start(), matches):
                nid = note_id(title)
                scan.placeholders.setdefault(nid, title)
                index.add(title, nid)
                matches.append(TitleMatch(span.start(), span.end(), nid, title))
            else:
                scan.unresolved.append((number, title))
        matches.sort(key=lambda m: m.start)
        prefixes = [_prefix(paragraph[:m.start]) for m in matches]
        sentences = _supported_sentences(paragraph, matches, prefixes)
        for match, sentence, prefix in zip(matches, sentences, prefixes):
            scan.citations.append(Citation(
                inquiry_id=inquiry_id, note_id=match.note_id, paragraph=number, sentence=sentence,
                start=match.start, end=match.end, prefix=prefix))
    return scan


def _in_citation_position(paragraph: str, start: int, matches: list[TitleMatch]) -> bool:
    """Mid-sentence, or right after another citation: where exports paste titles."""
    before = paragraph[:start].rstrip(" ,;")
    if any(m.end == len(before) for m in matches):
        return True
    return bool(before) and before[-1] not in '.!?:;"“(['


def _prefix(before: str) -> str | None:
    """A system name written just before a title ("RLAG Can reinforcement learning …?")."""
    tokens = before.rstrip().split(" ") if before.endswith(" ") else []
    name: list[str] = []
    while tokens and len(name) < _MAX_PREFIX_TOKENS:
        token = tokens.pop()
        if not _PREFIX_TOKEN.match(token) or token in _NOT_A_NAME:
            break
        name.insert(0, token)
    return " ".join(name) or None


def _supported_sentences(paragraph: str, matches: list[TitleMatch], prefixes: list[str | None]) -> list[str]:
    """For each match, the sentence it supports: the one it sits in, or the one just before it.

    The titles are cut out first, so that their question marks do not end sentences.
    """
    pieces, positions, cursor = [], [], 0
    for match in matches:
        pieces.append(paragraph[cursor:match.start].rstrip())
        positions.append(sum(map(len, pieces)))
        cursor = match.end
    pieces.append(paragraph[cursor:])
    spans = split_sentences("".join(pieces))
    result = []
    for position, prefix in zip(positions, prefixes):
        before = [s for s in spans if s[0] < position] or spans[:1]
        # A sentence that is only the system name ("… high k. RLAG <title>") supports nothing itself.
        if len(before) > 1 and prefix and _tidy(before[-1][2]).rstrip(".!?") == prefix:
            before.pop()
        result.append(_tidy(before[-1][2]) if before else "")
    return result


def _tidy(sentence: str) -> str:
    """Remove the gaps a removed title leaves: orphan commas, space before punctuation."""
    sentence = re.sub(r"[,;]\s*(?=[,;.!?])", "", sentence)
    sentence = re.sub(r"\s+(?=[,;:.!?])", "", sentence)
    return re.sub(r" {2,}", " ", sentence).strip()
