"""One full-text search, grouped: ``inquiry search`` and the app's search dialog both call :func:`search`.

A summary sentence is the note's evidence: "pass@k" should find the note that argues it. So a matching
claim stands under its note (one result per note, its matching claims listed), unless claims themselves
were asked for (``kinds`` names ``claim``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..store import Notebook, SearchHit


@dataclass
class SearchResult:
    """A node that matched, or whose claims matched (``claims``: those claims' hits, best first)."""

    id: str
    kind: str
    title: str
    marked: str  # the best matching passage, matched words between the store's MATCH_START/MATCH_END
    snippet: str
    rank: float
    claims: list[SearchHit] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """As ``inquiry search --json`` prints it (claims by id)."""
        return {
            "id": self.id,
            "kind": self.kind,
            "title": self.title,
            "snippet": self.snippet,
            "rank": self.rank,
            "claims": [hit.node_id for hit in self.claims],
        }


def search(nb: Notebook, query: str, limit: int = 10, kinds: list[str] | None = None) -> list[SearchResult]:
    """The best ``limit`` results for ``query``, a matching claim counted for its note unless claims were
    asked for (``kinds`` containing ``"claim"``); ``kinds`` limits the node kinds (inquiry, note, claim)."""
    from ..models import kind_of

    group_claims = not kinds or "claim" not in kinds
    fetch_kinds = sorted(set(kinds) | ({"claim"} if kinds and "note" in kinds else set())) if kinds else None
    results: dict[str, SearchResult] = {}
    for hit in nb.search(query, limit=limit * 4, kinds=fetch_kinds):
        node_id, claim_hits = hit.node_id, []
        if hit.kind == "claim" and group_claims:
            claim = nb.get_claim(hit.node_id)
            if claim is None:
                continue
            node_id, claim_hits = claim.note_id, [hit]
        entry = results.get(node_id)
        if entry is None:
            note = None if node_id == hit.node_id else nb.get_note(node_id)
            title = note.title if note is not None else hit.title
            entry = results[node_id] = SearchResult(
                id=node_id,
                kind=kind_of(node_id).value,
                title=title,
                marked=hit.marked,
                snippet=hit.snippet,
                rank=hit.rank,
            )
        entry.claims += claim_hits
    return list(results.values())[:limit]
