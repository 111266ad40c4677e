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
from bisect import bisect_left
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from ..ids import FOLD_QUOTES, normalize_title, note_id  # FOLD_QUOTES: the same folding normalize_title applies
from ..models import Citation
from .claims import split_sentences

_WORD = re.compile(r"\w+")
_OTHER_SPACE = re.compile(r"[^\S ]")  # whitespace other than a plain space
_QUOTE_CHARS = re.compile(
    "|".join(re.escape(chr(c)) for c in FOLD_QUOTES)
)  # what FOLD_QUOTES folds: none, no translate
_KEY_WORDS = 3  # titles are bucketed by their first three words
_KEY = re.compile(r"(\w+)\W+(\w+)\W+(\w+)")  # those three words, read where a title may start
_MAX_START_ALTERNATIVES = 32  # TitleIndex._title_starts: up to this many first words, one regex finds them
_MIN_TITLE_WORDS = 3  # shorter titles ("RLVR") would match ordinary prose
_QUESTION_WORDS = (
    r"(?:Can|Could|Does|Do|Did|Is|Are|Was|Were|What|Why|How|When|Which|Who|Where|Should|"
    r"Would|Will|Has|Have|Might|May)"
)
# A pasted question title: a capitalized question word up to the first "?", no sentence end inside
# (see question_spans; a lazy regex for it backtracked to the paragraph's end from every question word).
_QUESTION_WORD = re.compile(rf"\b{_QUESTION_WORDS}\b")
# What ends a question title before its "?": "!", a newline, or a period followed by whitespace or the end.
_TITLE_STOP = re.compile(r"[!\n]|\.(?!\S)")
_QUESTION_MARK = re.compile(r"\?")
# A citation row keeps at most this much of the sentence it supports (a 179 KB "sentence" stored once per
# citation grew a notebook to 1.8 GB); the span into the paragraph stays exact.
MAX_SENTENCE = 1000
# How far before a title a system-name prefix is looked for (three short tokens).
_PREFIX_WINDOW = 256
_PREFIX_TOKEN = re.compile(r"^[A-Z0-9][\w\-]*$")
# Capitalized words that open sentences rather than name systems.
_NOT_A_NAME = {
    "The",
    "A",
    "An",
    "In",
    "On",
    "This",
    "That",
    "These",
    "Those",
    "Then",
    "And",
    "But",
    "So",
    "See",
    "Yet",
    "Also",
    "As",
    "By",
    "For",
    "From",
    "With",
    "It",
    "Its",
    "We",
    "Our",
    "If",
    "Thus",
}
_MAX_PREFIX_TOKENS = 3
# _tidy: the gaps a removed title leaves
_ORPHAN_COMMA = re.compile(r"[,;]\s*(?=[,;.!?])")
_SPACE_BEFORE_PUNCT = re.compile(r"\s+(?=[,;:.!?])")
_SPACES = re.compile(r" {2,}")


def fold(text: str) -> tuple[str, Sequence[int]]:
    """``text`` in the comparison form of :func:`~inquiry.ids.normalize_title`, with a map back to offsets.

    >>> folded, where = fold("Can  RL’s\\u00a0gap?")
    >>> folded, where[folded.index("gap")]
    ("can rl's gap?", 10)
    """
    whole = unicodedata.normalize("NFKC", text)
    if _QUOTE_CHARS.search(whole):
        whole = whole.translate(FOLD_QUOTES)
    whole = whole.casefold()
    if len(whole) == len(text) and "  " not in text and not _OTHER_SPACE.search(text):
        return whole, range(len(text))  # the usual case: one char each, offsets unchanged
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        if ch.isspace():
            if out and out[-1] == " ":
                continue
            piece = " "
        else:
            piece = unicodedata.normalize("NFKC", ch).translate(FOLD_QUOTES).casefold()
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
        self._starts: re.Pattern[str] | None = None  # those words as one pattern; rebuilt when the set grows
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
        norm = norm[first.start() :] if first else ""
        if norm in self._ids:
            return
        words = _WORD.findall(norm)
        if len(words) < _MIN_TITLE_WORDS:
            return
        self._ids[norm] = nid
        if words[0] not in self._first_words:
            self._first_words.add(words[0])
            self._starts = None
        bucket = self._buckets.setdefault(tuple(words[:_KEY_WORDS]), [])
        bucket.append(norm)
        bucket.sort(key=len, reverse=True)

    def get(self, title: str) -> str | None:
        return self._ids.get(self.normalize(title))

    def find(self, paragraph: str) -> list[TitleMatch]:
        """Non-overlapping known titles in ``paragraph``, the longest winning where two overlap."""
        folded, where = fold(paragraph)
        candidates: list[tuple[int, int, str]] = []
        for start, key in self._title_starts(folded):
            for norm in self._buckets.get(key, ()):
                end = start + len(norm)
                if folded.startswith(norm, start) and (end == len(folded) or not _is_word(folded[end])):
                    candidates.append((start, end, norm))
        taken: list[TitleMatch] = []
        occupied = bytearray(len(paragraph) + 1)  # characters a taken title covers: one check per candidate
        for start, end, norm in sorted(candidates, key=lambda c: (c[0] - c[1], c[0])):
            o_start, o_end = where[start], where[end - 1] + 1
            if o_end < len(paragraph) and paragraph[o_end] == "?":
                o_end += 1
            if occupied.find(1, o_start, o_end) == -1:
                occupied[o_start:o_end] = b"\x01" * (o_end - o_start)
                taken.append(TitleMatch(o_start, o_end, self._ids[norm], paragraph[o_start:o_end]))
        return sorted(taken, key=lambda m: m.start)

    def _title_starts(self, folded: str) -> Iterator[tuple[int, tuple[str, ...]]]:
        """Where a known title may start in ``folded``, with the (up to three) words there.

        Question titles open with one of a few words: one regex over them lets the regex engine skip every
        other word (2-3x faster than a Python loop over all words). A regex alternation costs time in
        proportion to its words, so with many distinct first words (file-name titles) the loop is used.
        """
        if len(self._first_words) <= _MAX_START_ALTERNATIVES:
            if self._starts is None:
                if not self._first_words:
                    return
                alternatives = "|".join(map(re.escape, sorted(self._first_words, key=len, reverse=True)))
                self._starts = re.compile(rf"\b(?:{alternatives})\b")
            for first in self._starts.finditer(folded):
                key = _KEY.match(folded, first.start())
                if key is not None:  # else fewer than three words are left: no title fits
                    yield first.start(), key.groups()
            return
        words = list(_WORD.finditer(folded))
        texts = [w.group() for w in words]
        for i, text in enumerate(texts):
            if text in self._first_words:  # most words: one set lookup, no key built
                yield words[i].start(), tuple(texts[i : i + _KEY_WORDS])


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
        matches = index.find(paragraph)  # sorted, non-overlapping
        starts = [m.start for m in matches]
        ends = {m.end for m in matches}
        for span_start, span_end in question_spans(paragraph):
            k = bisect_left(starts, span_end)  # known titles that start before the span ends
            if k and matches[k - 1].end > span_start:
                continue
            title = paragraph[span_start:span_end]
            if _in_citation_position(paragraph, span_start, ends):
                nid = note_id(title)
                scan.placeholders.setdefault(nid, title)
                index.add(title, nid)
                matches.append(TitleMatch(span_start, span_end, nid, title))
                ends.add(span_end)
            else:
                scan.unresolved.append((number, title))
        matches.sort(key=lambda m: m.start)
        prefixes = [prefix_at(paragraph, m.start) for m in matches]
        sentences = supported_sentences(paragraph, matches, prefixes)
        for match, sentence, prefix in zip(matches, sentences, prefixes):
            scan.citations.append(
                Citation(
                    inquiry_id=inquiry_id,
                    note_id=match.note_id,
                    paragraph=number,
                    sentence=sentence,
                    start=match.start,
                    end=match.end,
                    prefix=prefix,
                )
            )
    return scan


def question_spans(paragraph: str) -> list[tuple[int, int]]:
    """Spans from a capitalized question word to the first "?" with no sentence end between, left to right.

    >>> text = "So Does RL help? Why. What else? Who"
    >>> [text[a:b] for a, b in question_spans(text)]
    ['Does RL help?', 'What else?']
    """
    marks = [m.start() for m in _QUESTION_MARK.finditer(paragraph)]
    stops = [m.start() for m in _TITLE_STOP.finditer(paragraph)]
    spans: list[tuple[int, int]] = []
    cursor = 0
    for word in _QUESTION_WORD.finditer(paragraph):
        if word.start() < cursor:
            continue
        q = bisect_left(marks, word.end())
        if q == len(marks):
            break  # no "?" after this word, nor after any later one
        stop = bisect_left(stops, word.end())
        if stop < len(stops) and stops[stop] < marks[q]:
            continue
        spans.append((word.start(), marks[q] + 1))
        cursor = marks[q] + 1
    return spans


def _in_citation_position(paragraph: str, start: int, ends: set[int]) -> bool:
    """Mid-sentence, or right after another citation (``ends``: where the known titles end): where exports
    paste titles."""
    i = start
    while i > 0 and paragraph[i - 1] in " ,;":
        i -= 1
    if i in ends:
        return True
    return i > 0 and paragraph[i - 1] not in '.!?:;"“(['


def prefix_at(paragraph: str, start: int) -> str | None:
    """:func:`_prefix` of the text before ``start``, looking only at the few hundred characters before it."""
    window = paragraph[max(0, start - _PREFIX_WINDOW) : start]
    if start > _PREFIX_WINDOW and " " in window:
        window = window[window.index(" ") :]  # a token cut by the window is not a name
    return _prefix(window)


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


def supported_sentences(paragraph: str, matches: list[TitleMatch], prefixes: list[str | None]) -> list[str]:
    """For each match, the sentence it supports: the one it sits in, or the one just before it.

    The titles are cut out first, so that their question marks do not end sentences.
    """
    pieces, positions, cursor, length = [], [], 0, 0
    for match in matches:
        pieces.append(paragraph[cursor : match.start].rstrip())
        length += len(pieces[-1])
        positions.append(length)
        cursor = match.end
    pieces.append(paragraph[cursor:])
    spans = split_sentences("".join(pieces))
    starts = [s[0] for s in spans]
    tidied: dict[int, str] = {}  # a sentence cited many times is tidied once

    def tidy(k: int) -> str:
        if k not in tidied:
            tidied[k] = _tidy(spans[k][2][:MAX_SENTENCE])
        return tidied[k]

    result = []
    for position, prefix in zip(positions, prefixes):
        k = max(bisect_left(starts, position), 1) - 1 if spans else -1  # the last sentence starting before
        # A sentence that is only the system name ("… high k. RLAG <title>") supports nothing itself.
        if k > 0 and spans[k][0] < position and prefix and tidy(k).rstrip(".!?") == prefix:
            k -= 1
        result.append(tidy(k) if k >= 0 else "")
    return result


def _tidy(sentence: str) -> str:
    """Remove the gaps a removed title leaves: orphan commas, space before punctuation."""
    sentence = _ORPHAN_COMMA.sub("", sentence)
    sentence = _SPACE_BEFORE_PUNCT.sub("", sentence)
    return _SPACES.sub(" ", sentence).strip()
