"""Claim relations (supports / contradicts / refines): added by the user, or suggested and reviewed.

The importer stores relations it infers from the essay's contrast cues as ``suggested`` edges with
their provenance; here the user lists them and accepts or rejects each (a rejected suggestion is
kept, so that a re-import does not suggest it again).

>>> import tempfile
>>> from inquiry.store import Notebook
>>> from inquiry.models import ImportBatch, Note, Claim
>>> nb = Notebook.open(tempfile.mkdtemp())
>>> _ = nb.apply(ImportBatch(notes=[Note(id="note:a", title="A?")], claims=[
...     Claim(id="claim:a/1", note_id="note:a", text="RL adds reasoning."),
...     Claim(id="claim:a/2", note_id="note:a", text="RL only selects.", index=1)]))
>>> rid = add_relation(nb, "claim:a/2", "claim:a/1", "contradicts", why="pass@k at high k")
>>> [(r["kind"], r["state"], r["provenance"]) for r in list_relations(nb)]
[('contradicts', 'accepted', 'user')]
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import InquiryError, NotFound
from .models import CLAIM_RELATIONS, Edge, EdgeKind, EdgeState, NodeKind, kind_of

if TYPE_CHECKING:
    from .store import Notebook

RELATION_KINDS = tuple(kind.value for kind in CLAIM_RELATIONS)
# What the importer suggests and the user reviews: claim relations, and notes an essay sets against each other.
REVIEWABLE = (*CLAIM_RELATIONS, EdgeKind.CONTRASTS_WITH)


class BadRelation(InquiryError):
    """A relation that cannot be recorded (wrong node kinds, a self-loop, an unknown kind, no reason)."""


def _claim_text(nb: Notebook, claim_id: str) -> str:
    try:
        is_claim = kind_of(claim_id) is NodeKind.CLAIM
    except ValueError:
        is_claim = False
    if not is_claim:
        raise BadRelation(f"{claim_id} is not a claim; relations join two claims")
    claim = nb.get_claim(claim_id)
    if claim is None:
        raise NotFound(f"no claim with id {claim_id}")
    return claim.text


def add_relation(nb: Notebook, src: str, dst: str, kind: str | EdgeKind, why: str) -> int:
    """Record that claim ``src`` supports/contradicts/refines claim ``dst``, and why; returns its id.

    Re-adding an existing (even rejected or suggested) relation accepts it with the new reason.
    """
    kind_value = kind.value if isinstance(kind, EdgeKind) else kind
    if kind_value not in RELATION_KINDS:
        raise BadRelation(f"relation kind {kind_value!r} is not one of {', '.join(RELATION_KINDS)}")
    if not why or not why.strip():
        raise BadRelation("say why the relation holds (--why)")
    if src == dst:
        raise BadRelation(f"a claim cannot {kind_value} itself ({src})")
    _claim_text(nb, src)
    _claim_text(nb, dst)
    return nb.add_edge(
        Edge(src=src, dst=dst, kind=EdgeKind(kind_value), state=EdgeState.ACCEPTED, why=why.strip(), provenance="user")
    )


def relation_row(nb: Notebook, row_id: int, edge: Edge) -> dict[str, Any]:
    """A relation as plain data, with both claims' texts for review."""
    texts = {}
    for end in (edge.src, edge.dst):
        if end.startswith("note:"):
            note = nb.get_note(end)
            texts[end] = note.title if note else ""
            continue
        claim = nb.get_claim(end)
        texts[end] = claim.text if claim else ""
    return {
        "id": row_id,
        "src": edge.src,
        "dst": edge.dst,
        "kind": edge.kind.value,
        "state": edge.state.value,
        "why": edge.why,
        "provenance": edge.provenance,
        "attrs": edge.attrs,
        "src_text": texts[edge.src],
        "dst_text": texts[edge.dst],
    }


def list_relations(nb: Notebook, suggested: bool = False) -> list[dict[str, Any]]:
    """Accepted claim relations (and note contrasts), or with ``suggested=True`` the suggestions awaiting review."""
    state = EdgeState.SUGGESTED if suggested else EdgeState.ACCEPTED
    return [relation_row(nb, row_id, edge) for kind in REVIEWABLE for row_id, edge in nb.edges(kind=kind, state=state)]


def _review(nb: Notebook, row_id: int, state: EdgeState) -> dict[str, Any]:
    edge = nb.edge_by_row(row_id)
    if edge.kind not in REVIEWABLE:
        raise BadRelation(f"edge {row_id} is a {edge.kind.value!r} edge, not a relation to review")
    return relation_row(nb, row_id, nb.set_edge_state(row_id, state))


def accept(nb: Notebook, row_id: int) -> dict[str, Any]:
    """Accept a (suggested or rejected) relation by its id."""
    return _review(nb, row_id, EdgeState.ACCEPTED)


def reject(nb: Notebook, row_id: int) -> dict[str, Any]:
    """Reject a relation by its id; it stays recorded as rejected and leaves the graph."""
    return _review(nb, row_id, EdgeState.REJECTED)
