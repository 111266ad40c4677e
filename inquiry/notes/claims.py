"""Claims: a note summary split into sentences, each tagged with the quantities it quotes.

>>> [c.text for c in claims_for("note:x", "RL helps. It touches 5–30% of weights.")]
['RL helps.', 'It touches 5–30% of weights.']
>>> claims_for("note:x", "It touches 5–30% of weights.")[0].quantities[0].relation
'range'
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..ids import claim_id
from ..models import Claim, ClaimKind, Quantity

# Words after which a period does not end a sentence ("e.g. the", "Nie et al. show").
_ABBREVIATIONS = {"e.g", "i.e", "vs", "al", "etc", "fig", "eq", "cf", "approx", "dr", "mr", "ms", "no", "sec", "ca"}
_LONGEST_ABBREVIATION = max(map(len, _ABBREVIATIONS))
# A boundary: terminal punctuation (and closing quotes/brackets), whitespace, then something that can open a sentence.
_BOUNDARY = re.compile(r"[.!?][\"'”’)\]]*(?=\s+[\"'“‘(\[*_]*[A-Z0-9])")

_NUMBER = r"\d+(?:[.,]\d+)?"
_UNIT = r"(?:%|×|x(?![A-Za-z0-9])|-fold\b|\s?pp\b|\s?percentage points\b)"
_CHANGE = re.compile(rf"(?P<a>{_NUMBER})\s*(?P<ua>{_UNIT})?\s*(?:→|->|⟶|\bto\b)\s*(?P<b>{_NUMBER})\s*(?P<ub>{_UNIT})")
_RANGE = re.compile(rf"(?P<a>{_NUMBER})\s*(?P<ua>{_UNIT})?\s*[–—-]\s*(?P<b>{_NUMBER})\s*(?P<ub>{_UNIT})")
_VALUE = re.compile(rf"(?P<a>{_NUMBER})\s*(?P<ua>{_UNIT})")
# A number glued to letters ("GPT-4.1", "AIME2024", "x86") is a name, not a quantity.
_GLUED = re.compile(r"[A-Za-z][-.]?$")


def split_sentences(text: str) -> list[tuple[int, int, str]]:
    """Sentences of ``text`` as ``(start, end, sentence)`` spans, abbreviations and decimals kept whole.

    >>> [s for _, _, s in split_sentences("Nie et al. show gains of 2.5×. Base wins at k=256! Why?")]
    ['Nie et al. show gains of 2.5×.', 'Base wins at k=256!', 'Why?']
    """
    spans, start = [], 0
    for match in _BOUNDARY.finditer(text):
        word = _word_before_period(text, start, match.start())
        if word and (word.casefold() in _ABBREVIATIONS or (len(word) == 1 and "A" <= word <= "Z")):
            continue  # "et al.", "e.g.", an initial ("J. Smith")
        spans.append((start, match.end()))
        start = match.end()
    spans.append((start, len(text)))
    result = []
    for a, b in spans:
        piece = text[a:b]
        sentence = piece.lstrip()
        a += len(piece) - len(sentence)
        sentence = sentence.rstrip()
        if sentence:
            result.append((a, a + len(sentence), sentence))
    return result


def _word_before_period(text: str, start: int, at: int) -> str | None:
    """The run of word characters and dots right before the period at ``at`` (not before ``start``).

    Walks back at most a few characters: an abbreviation is short, and a search over the whole
    sentence so far made splitting quadratic in a text full of abbreviations (issue 21).
    """
    if text[at] != ".":
        return None
    i = at
    while i > start and (text[i - 1].isalnum() or text[i - 1] in "_."):
        i -= 1
        if at - i > _LONGEST_ABBREVIATION:
            return None
    return text[i:at] or None


def _number(text: str) -> float:
    return float(text.replace(",", "") if re.fullmatch(r"\d{1,3}(,\d{3})+", text) else text.replace(",", "."))


def _unit(raw: str | None) -> str:
    raw = (raw or "").strip()
    if raw in ("×", "x", "-fold"):
        return "x"
    if raw in ("pp", "percentage points"):
        return "pp"
    return raw


def extract_quantities(text: str) -> list[Quantity]:
    """The measured figures a sentence quotes: values with a unit, ranges and changes.

    >>> [(q.text, q.low, q.high, q.unit, q.relation) for q in extract_quantities(
    ...     "improved GPT-4.1 on AIME2024 from 26.7% to 43.3%, 2.5× faster, 87.88% on GAIA")]
    [('26.7% to 43.3%', 26.7, 43.3, '%', 'change'), ('2.5×', 2.5, None, 'x', 'value'), ('87.88%', 87.88, None, '%', 'value')]

    A change keeps its direction: ``low`` is the figure before, ``high`` the figure after.
    """
    found: list[tuple[int, Quantity]] = []
    taken: list[tuple[int, int]] = []
    for pattern, relation in ((_CHANGE, "change"), (_RANGE, "range"), (_VALUE, "value")):
        for m in pattern.finditer(text):
            if any(m.start() < end and start < m.end() for start, end in taken):
                continue
            if _GLUED.search(text[: m.start()]):
                continue
            unit = _unit(m.group("ub") if relation != "value" else m.group("ua"))
            high = _number(m.group("b")) if relation != "value" else None
            taken.append((m.start(), m.end()))
            found.append(
                (
                    m.start(),
                    Quantity(
                        text=m.group(0).strip(), low=_number(m.group("a")), high=high, unit=unit, relation=relation
                    ),
                )
            )
    return [q for _, q in sorted(found, key=lambda item: item[0])]


# Sections of a note that list links or to-dos, not findings.
NON_FINDING_SECTIONS = {
    "references",
    "reference",
    "see also",
    "links",
    "related",
    "related notes",
    "sources",
    "backlinks",
    "further reading",
    "bibliography",
    "tags",
    "todo",
    "to do",
    "questions",
    "open questions",
    "next",
    "next steps",
    "next inquiring lines",
    "citation",
    "cite",
    "metadata",
}
MIN_CLAIM_WORDS = 4


def is_finding(text: str) -> bool:
    """A statement worth testing: a few words long, not a question, not a bare heading-like fragment.

    >>> is_finding("RL touches 5–30% of parameters."), is_finding("Why does it work?"), is_finding("See below")
    (True, False, False)
    """
    text = text.strip()
    return len(text.split()) >= MIN_CLAIM_WORDS and not text.endswith("?")


def claims_for_note(note_id: str, summary: str, body: Sequence[tuple[str | None, str, str]] = ()) -> list[Claim]:
    """A note's claims: each sentence of the summary, then its body's findings.

    ``body`` holds ``(section, kind, text)`` per block after the summary: ``kind`` ``"item"`` is a
    bullet (one claim as a whole, however many sentences), ``"paragraph"`` prose (one claim per
    sentence). Sections that hold links or to-dos (:data:`NON_FINDING_SECTIONS`) are left out, and
    so are questions and fragments. A sentence given twice is one claim (ids hash the normalized text).

    >>> [c.text for c in claims_for_note("note:x", "RL helps. Why?", [
    ...     ("Findings", "item", "Base models win at k=256."), ("See also", "item", "Another note on sampling"),
    ...     (None, "paragraph", "Sparse updates are full rank. They repeat across seeds.")])]
    ['RL helps.', 'Why?', 'Base models win at k=256.', 'Sparse updates are full rank.', 'They repeat across seeds.']
    """
    texts = [sentence for _, _, sentence in split_sentences(summary)]  # as for an inquiring line's Sources
    for section, kind, text in body:
        if section and section.strip().casefold().rstrip(":") in NON_FINDING_SECTIONS:
            continue
        pieces = [text.strip()] if kind == "item" else [s for _, _, s in split_sentences(text)]
        texts += [piece for piece in pieces if is_finding(piece)]
    claims: list[Claim] = []
    seen: set[str] = set()
    for sentence in texts:
        cid = claim_id(note_id, sentence)
        if cid in seen:
            continue
        seen.add(cid)
        quantities = extract_quantities(sentence)
        kind = ClaimKind.QUANTITATIVE if quantities else ClaimKind.QUALITATIVE
        claims.append(
            Claim(id=cid, note_id=note_id, text=sentence, index=len(claims), kind=kind, quantities=quantities)
        )
    return claims


def claims_for(note_id: str, summary: str) -> list[Claim]:
    """One claim per sentence of ``summary``; a sentence quoting a figure is quantitative.

    A sentence repeated in the summary is one claim (claim ids hash the normalized text).
    """
    return claims_for_note(note_id, summary)
