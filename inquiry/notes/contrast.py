"""Relation suggestions from the essay's own rhetoric, at the level the text supports.

An essay paragraph that opens with a contrast ("But…", "However…", "Yet…", "In contrast…", "the
twist…") sets what it says against the paragraph before. What the text supports is a relation
between *notes*: the first note cited after the cue (the evidence for the contrasting statement)
contrasts with the first note cited in the paragraph before (the evidence for the claim that
paragraph leads with). That pair becomes one suggested note-level ``contrasts-with`` edge. Notes
cited further on in either paragraph elaborate; on our labelled set (``tests/data/contrast``)
pairing them too halved the precision.

A claim-level ``contradicts`` edge is suggested only where two claims of such a pair of notes say
opposite things about the same subject (:func:`~inquiry.notes.opposition.opposite`); a cue alone
never makes one, so a "But…" no longer sets every claim around it against every other.

>>> from inquiry.models import Citation, Claim
>>> cite = lambda p, n, s=0: Citation(inquiry_id="inq:q", note_id=n, paragraph=p, sentence="", start=s, end=s + 1)
>>> claims = {"note:a": [Claim(id="claim:a/1", note_id="note:a", text="RL expands the problems a model solves.")],
...           "note:b": [Claim(id="claim:b/1", note_id="note:b", text="RL narrows the problems a model solves.")],
...           "note:c": [Claim(id="claim:c/1", note_id="note:c", text="Memory helps agents.")]}
>>> edges = contrast_edges(["RL adds skills.", "But here's the twist: it only selects. More later."],
...                        [cite(0, "note:a"), cite(0, "note:c", 5), cite(1, "note:b")], claims.get)
>>> [(e.src, e.dst, e.kind.value, e.state.value) for e in edges]
[('note:b', 'note:a', 'contrasts-with', 'suggested'), ('claim:b/1', 'claim:a/1', 'contradicts', 'suggested')]
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ..models import Citation, Claim, Edge, EdgeKind, EdgeState
from .claims import split_sentences
from .opposition import opposite

PROVENANCE = "importer:contrast-cue"
CLAIM_PROVENANCE = "importer:opposite-claims"
CONTRAST_CUE = re.compile(
    r"^[\s\"“'*_]*(?:but|however|yet|in contrast|by contrast|conversely|on the other hand|"
    r"(?:and )?(?:here's |here is )?the (?:twist|catch|flip side)|that said|paradoxically)\b|^[\s\"“'*_]*still,",
    re.IGNORECASE,
)


def opens_with_contrast(paragraph: str) -> bool:
    """
    >>> opens_with_contrast("However, base models win."), opens_with_contrast("Butterflies are nice.")
    (True, False)
    >>> opens_with_contrast("Still, the teacher sets a ceiling."), opens_with_contrast("Still water runs deep.")
    (True, False)
    """
    return bool(CONTRAST_CUE.match(paragraph))


def contrast_edges(
    essay: list[str], citations: list[Citation], claims_of: Callable[[str], list[Claim] | None]
) -> list[Edge]:
    """Suggested ``contrasts-with`` edges between notes across a contrast cue, and ``contradicts`` edges
    between their claims that say opposite things. Notes cited on both sides are not set against themselves.

    ``claims_of`` gives a note's claims; it is asked only about notes a cue sets against each other.
    """
    by_paragraph: dict[int, list[Citation]] = {}
    for citation in citations:
        by_paragraph.setdefault(citation.paragraph, []).append(citation)
    edges: list[Edge] = []
    for number, paragraph in enumerate(essay):
        if number == 0 or not opens_with_contrast(paragraph):
            continue
        cue = split_sentences(paragraph)[0][2]
        cited_here = sorted(by_paragraph.get(number, []), key=lambda c: c.start)
        later = [cited_here[0].note_id] if cited_here else []
        cited_before = sorted(by_paragraph.get(number - 1, []), key=lambda c: c.start)
        earlier = [cited_before[0].note_id] if cited_before else []
        for src_note in later:
            for dst_note in earlier:
                if src_note == dst_note:
                    continue
                edges.append(
                    Edge(
                        src=src_note,
                        dst=dst_note,
                        kind=EdgeKind.CONTRASTS_WITH,
                        state=EdgeState.SUGGESTED,
                        why=cue,
                        provenance=PROVENANCE,
                        attrs={"paragraph": number},
                    )
                )
                for src in claims_of(src_note) or []:
                    for dst in claims_of(dst_note) or []:
                        predicate = opposite(src.text, dst.text)
                        if predicate is not None:
                            edges.append(
                                Edge(
                                    src=src.id,
                                    dst=dst.id,
                                    kind=EdgeKind.CONTRADICTS,
                                    state=EdgeState.SUGGESTED,
                                    why=f"opposite claims about {predicate!r}",
                                    provenance=CLAIM_PROVENANCE,
                                    attrs={"paragraph": number},
                                )
                            )
    return edges
