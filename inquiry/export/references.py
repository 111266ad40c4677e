"""The papers an export rests on, as BibTeX.

An inquiry rests on the papers that its cited notes (and those notes' claims) mention. Papers that
came from a ``.bib`` file are written back with their own key and fields.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from ..models import EdgeKind, Paper
from ..notes.bib import write_bib

if TYPE_CHECKING:
    from ..store import Notebook


def papers_of(nb: Notebook, inquiry_ids: Iterable[str] | None) -> list[Paper]:
    """Papers mentioned by the notes the inquiries cite or list, and by those notes' claims (``None``: every paper)."""
    if inquiry_ids is None:
        return nb.list_papers()
    wanted: list[str] = []
    for inquiry_id in inquiry_ids:
        for note_id in nb.cited_note_ids(inquiry_id):
            nodes = [note_id, *(c.id for c in nb.list_claims(note_id=note_id))]
            for node in nodes:
                wanted += [e.dst for _, e in nb.edges(src=node, kind=EdgeKind.MENTIONS)]
    order = {pid: n for n, pid in enumerate(dict.fromkeys(wanted))}
    return sorted(nb.list_papers(list(order)), key=lambda p: order[p.id])


def bib_text(nb: Notebook, inquiry_ids: Iterable[str] | None) -> str:
    return write_bib(papers_of(nb, inquiry_ids))
