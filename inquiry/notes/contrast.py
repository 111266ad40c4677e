"""Relation suggestions from the essay's own rhetoric.

An essay paragraph that opens with a contrast ("But…", "However…", "Yet…", "In contrast…", "the
twist…") sets the notes it cites against the notes cited in the paragraph before. Each pair of their
claims becomes a *suggested* ``contradicts`` edge; the user accepts or rejects it later.

>>> from inquiry.models import Citation, Claim
>>> cite = lambda p, n: Citation(inquiry_id="inq:q", note_id=n, paragraph=p, sentence="", start=0, end=1)
>>> claims = {"note:a": [Claim(id="claim:a/1", note_id="note:a", text="RL adds skills.")],
...           "note:b": [Claim(id="claim:b/1", note_id="note:b", text="RL only selects.")]}
>>> edges = contrast_edges(["RL adds skills.", "But here's the twist: it only selects."],
...                        [cite(0, "note:a"), cite(1, "note:b")], claims)
>>> [(e.src, e.dst, e.kind.value, e.state.value, e.why) for e in edges]
[('claim:b/1', 'claim:a/1', 'contradicts', 'suggested', "But here's the twist: it only selects.")]
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from ..models import Citation, Claim, Edge, EdgeKind, EdgeState
from .claims import split_sentences

PROVENANCE = "importer:contrast-cue"
CONTRAST_CUE = re.compile(
    r"^[\s\"“'*_]*(?:but|however|yet|in contrast|by contrast|conversely|on the other hand|"
    r"(?:and )?(?:here's |here is )?the (?:twist|catch|flip side)|that said|still,|paradoxically)\b",
    re.IGNORECASE)


def opens_with_contrast(paragraph: str) -> bool:
    """
    >>> opens_with_contrast("However, base models win."), opens_with_contrast("Butterflies are nice.")
    (True, False)
    """
    return bool(CONTRAST_CUE.match(paragraph))


def contrast_edges(essay: list[str], citations: list[Citation], claims_by_note: Mapping[str, list[Claim]]) -> list[Edge]:
    """Suggested ``contradicts`` edges: claims of notes cited after a contrast cue → claims cited just before.

    Notes cited in both paragraphs are not set against themselves. Notes whose claims are not in
    ``claims_by_note`` contribute nothing.
    """
    cited: dict[int, list[str]] = {}
    for citation in citations:
        notes = cited.setdefault(citation.paragraph, [])
        if citation.note_id not in notes:
            notes.append(citation.note_id)
    edges: list[Edge] = []
    for number, paragraph in enumerate(essay):
        if number == 0 or not opens_with_contrast(paragraph):
            continue
        cue = split_sentences(paragraph)[0][2]
        later, earlier = cited.get(number, []), cited.get(number - 1, [])
        for src_note in later:
            for dst_note in earlier:
                if src_note == dst_note:
                    continue
                for src in claims_by_note.get(src_note, []):
                    for dst in claims_by_note.get(dst_note, []):
                        edges.append(Edge(src=src.id, dst=dst.id, kind=EdgeKind.CONTRADICTS,
                                          state=EdgeState.SUGGESTED, why=cue, provenance=PROVENANCE,
                                          attrs={"paragraph": number}))
    return edges
