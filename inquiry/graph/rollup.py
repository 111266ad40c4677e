"""Evidence roll-up: from claims' stored statuses to notes, inquiries and essay sentences.

A claim's status is computed and stored by :mod:`inquiry.runs.status` (the only writer of
``claims.status``: runs seen through the claim's specs). This module only reads stored statuses and
rolls them up. A note or an inquiry is not one claim, so it shows *counts* (``✅ 1 · ❌ 0 · ○ 1``,
:func:`note_counts`, :func:`inquiry_summary`); :func:`combine` still gives the one-word roll-up the
graph and the essay's citation flags use, with this precedence:

1. **mixed** when some parts say *supported* and others *contradicted* (or a part is already mixed);
2. else **contradicted** / **supported** when every decisive part agrees;
3. else **running**; 4. else **inconclusive**; 5. else **imported**; 6. else **untested**.

>>> combine([Status.SUPPORTED, Status.INCONCLUSIVE]).value
'supported'
>>> combine([Status.SUPPORTED, Status.CONTRADICTED]).value
'mixed'
>>> combine([Status.INCONCLUSIVE, Status.RUNNING]).value
'running'
>>> combine([]).value
'untested'
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ..errors import NotFound
from ..evidence import counts
from ..models import EdgeKind, NodeKind, Status

if TYPE_CHECKING:
    from ..store import Notebook


def combine(statuses: Iterable[Status | str]) -> Status:
    """The one-word status of a whole from the statuses of its parts (see the module docstring)."""
    seen = {Status(s) for s in statuses}
    if Status.MIXED in seen or {Status.SUPPORTED, Status.CONTRADICTED} <= seen:
        return Status.MIXED
    for status in (Status.CONTRADICTED, Status.SUPPORTED, Status.RUNNING, Status.INCONCLUSIVE, Status.IMPORTED):
        if status in seen:
            return status
    return Status.UNTESTED


def _stored(nb: Notebook, claim_ids: list[str]) -> dict[str, Status]:
    found = nb.claim_statuses(claim_ids)
    return {claim_id: found.get(claim_id, Status.UNTESTED) for claim_id in claim_ids}


def _require(nb: Notebook, kind: NodeKind, node_id: str) -> None:
    if not nb.has(kind, node_id):
        raise NotFound(f"no {kind.value} with id {node_id}")


def claim_status(nb: Notebook, claim_id: str) -> Status:
    """A claim's stored status."""
    _require(nb, NodeKind.CLAIM, claim_id)
    return _stored(nb, [claim_id])[claim_id]


def _live_claims(nb: Notebook, note_ids: list[str]) -> dict[str, list[str]]:
    return {note_id: nb.live_claim_ids(note_id) for note_id in note_ids}


def note_status(nb: Notebook, note_id: str) -> Status:
    """A note's one-word roll-up of its live claims' statuses (retired claims no longer speak for the note)."""
    _require(nb, NodeKind.NOTE, note_id)
    claim_ids = _live_claims(nb, [note_id])[note_id]
    return combine(_stored(nb, claim_ids).values())


def note_counts(nb: Notebook, note_id: str) -> dict[str, int]:
    """How many of a note's live claims are supported, contradicted, and neither (what the note shows)."""
    _require(nb, NodeKind.NOTE, note_id)
    return counts(_stored(nb, _live_claims(nb, [note_id])[note_id]).values())


def _cited_notes(nb: Notebook, inquiry_id: str) -> list[str]:
    _require(nb, NodeKind.INQUIRY, inquiry_id)
    return nb.notes_cited_by(inquiry_id)


def inquiry_summary(nb: Notebook, inquiry_id: str) -> dict[str, int]:
    """How many of the claims an inquiry cites (through its cited notes) stand at each status.

    Every status is a key, zeros included, so callers can render a fixed legend.
    """
    claims_by_note = _live_claims(nb, _cited_notes(nb, inquiry_id))
    statuses = _stored(nb, [c for ids in claims_by_note.values() for c in ids])
    counts = {status.value: 0 for status in Status}
    for status in statuses.values():
        counts[status.value] += 1
    return counts


def _contested_by(nb: Notebook, claim_ids: list[str]) -> dict[str, list[str]]:
    """For each claim, the claims that an accepted ``contradicts`` relation sets against it (either way)."""
    return {
        claim_id: [
            edge.dst if edge.src == claim_id else edge.src for edge in nb.edges_at(claim_id, EdgeKind.CONTRADICTS)
        ]
        for claim_id in claim_ids
    }


def citation_flags(nb: Notebook, inquiry_id: str) -> list[dict[str, Any]]:
    """One entry per citation in the inquiry's essay: does that sentence rest on shaky evidence?

    ``rests_on`` is ``"contradicted"`` when a cited claim is contradicted, else ``"mixed"`` when one
    is mixed, else None; ``status`` is the cited note's rolled-up status; ``contested_by`` lists
    claims that accepted ``contradicts`` relations set against the cited note's claims.
    """
    cited = _cited_notes(nb, inquiry_id)
    claims_by_note = _live_claims(nb, cited)
    all_claims = [c for ids in claims_by_note.values() for c in ids]
    statuses = _stored(nb, all_claims)
    contested = _contested_by(nb, all_claims)
    flags = []
    for citation in nb.citations(inquiry_id=inquiry_id):
        claim_ids = claims_by_note[citation.note_id]
        parts = {statuses[c] for c in claim_ids}
        rests_on = next((s.value for s in (Status.CONTRADICTED, Status.MIXED) if s in parts), None)
        flags.append(
            {
                "note_id": citation.note_id,
                "paragraph": citation.paragraph,
                "sentence": citation.sentence,
                "status": combine(parts).value,
                "rests_on": rests_on,
                "claims": {c: statuses[c].value for c in claim_ids},
                "contested_by": sorted({other for c in claim_ids for other in contested[c]}),
            }
        )
    return flags
