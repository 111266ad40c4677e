"""The import apply engine: a whole :class:`~inquiry.models.ImportBatch` written in one transaction.

Rows are read and written in bulk (an ``IN`` query per table, :func:`~inquiry.store.upsert.upsert_rows`),
with the outcome of writing them one by one in batch order; the :class:`ApplyReport` says, per kind,
which ids were added, updated, unchanged or retired.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlite_utils.utils import chunks

from ..models import Claim, Edge, EdgeKind, ImportBatch, NodeKind, Note, Paper
from . import rows, search
from .nodes import Nodes
from .rows import marks
from .specs import add_specs
from .upsert import rows_by_id, upsert_rows

_IMPORT_CACHE_KIB = 256 * 1024  # SQLite page cache while an import is applied
# the tables an import writes whose rows the graph is built from: their counter triggers are paused
_GRAPH_TABLES = ("inquiries", "notes", "claims", "papers", "citations", "edges")


@dataclass
class ApplyReport:
    """What an import changed, per kind: ``{"notes": {"added": [...], "updated": [...], ...}}``."""

    changes: dict[str, dict[str, list[str]]] = field(default_factory=dict)

    def record(self, kind: str, outcome: str, node_id: str) -> None:
        self.changes.setdefault(kind, {}).setdefault(outcome, []).append(node_id)

    def count(self, kind: str, outcome: str) -> int:
        return len(self.changes.get(kind, {}).get(outcome, []))

    @property
    def changed_ids(self) -> list[str]:
        return [
            node_id
            for outcomes in self.changes.values()
            for outcome, ids in outcomes.items()
            if outcome != "unchanged"
            for node_id in ids
        ]


class Importer(Nodes):
    def apply(self, batch: ImportBatch) -> ApplyReport:
        """Write a whole import batch atomically; unchanged rows stay untouched.

        Re-applying the same batch reports everything as ``unchanged``. An id the batch holds twice sees
        its first version, then its second.
        """
        report = ApplyReport()
        with self.transaction(), self._import_cache(), self.graph_counter_once(_GRAPH_TABLES) as bump:
            outcomes = upsert_rows(
                self, "inquiries", [(i.id, rows.inquiry_row(i)) for i in batch.inquiries], timestamps=True
            )
            self._index(
                [
                    (i.id, NodeKind.INQUIRY, i.question, "\n\n".join([i.framing, *i.essay]), outcome)
                    for i, outcome in zip(batch.inquiries, outcomes)
                ],
                report,
                "inquiries",
            )
            self._upsert_notes(batch.notes, report)
            self._upsert_papers(batch.papers, report)
            asserted = self._replace_claims(batch.claims, report)
            cited = self.replace_citations(batch.inquiries, batch.citations)
            linked = self.add_new_edges(batch.edges)
            add_specs(self, batch.specs)
            bump.changed = bool(cited or linked or asserted or report.changed_ids)
        return report

    @contextmanager
    def _import_cache(self) -> Iterator[None]:
        """A page cache big enough for an import's index updates, back to the usual size afterwards.

        A large import inserts edges keyed by long ids all over three indexes; with SQLite's default
        2 MB cache the pages thrash (10k documents: 1.5x slower). Memory is only used as pages are read.
        """
        usual = self.db.execute("PRAGMA cache_size").fetchone()[0]
        self.db.execute(f"PRAGMA cache_size = {-_IMPORT_CACHE_KIB}")
        try:
            yield
        finally:
            self.db.execute(f"PRAGMA cache_size = {int(usual)}")

    def _upsert_notes(self, notes: list[Note], report: ApplyReport) -> None:
        """Merge notes: a placeholder never overwrites real content; summaries are kept per source."""
        current = rows_by_id(self, "notes", [note.id for note in notes])
        merged_notes: dict[str, Note] = {}  # the note as written so far, for an id the batch holds twice
        written: list[Note] = []
        values: list[tuple[str, dict[str, Any]]] = []
        variants: list[tuple[str, str, str]] = []
        for note in notes:
            existing = merged_notes.get(note.id)
            if existing is None and note.id in current:
                existing = rows.note(current[note.id], {})
            if existing is not None:
                if note.is_placeholder:
                    note = existing.model_copy(update={"aliases": rows.union(existing.aliases, note.aliases)})
                else:
                    note = note.model_copy(
                        update={
                            "summary": note.summary or existing.summary,
                            "body": note.body or existing.body,
                            "topics": rows.union(existing.topics, note.topics),
                            "aliases": rows.union(existing.aliases, note.aliases),
                            "arxiv": note.arxiv or existing.arxiv,
                            "url": note.url or existing.url,
                            "is_placeholder": False,
                        }
                    )
            merged_notes[note.id] = note
            written.append(note)
            values.append((note.id, rows.note_row(note)))
            variants.extend((note.id, source_id, summary) for source_id, summary in note.summary_variants.items())
        stored_variants = self._stored_variants([note_id for note_id in current if note_id in merged_notes])
        outcomes = upsert_rows(self, "notes", values, timestamps=True, current=current)
        self.db.conn.executemany(
            "INSERT INTO note_summaries (note_id, source_id, summary) VALUES (?, ?, ?) "
            "ON CONFLICT (note_id, source_id) DO UPDATE SET summary = excluded.summary",
            [v for v in variants if stored_variants.get((v[0], v[1])) != v[2]],  # an unchanged one is not written
        )
        self._index(
            [
                (note.id, NodeKind.NOTE, note.title, "\n".join([note.summary, note.body]), outcome)
                for note, outcome in zip(written, outcomes)
            ],
            report,
            "notes",
        )

    def _stored_variants(self, note_ids: list[str]) -> dict[tuple[str, str], str]:
        """The stored source summaries of these notes: ``(note id, source id)`` → summary."""
        stored: dict[tuple[str, str], str] = {}
        for chunk in map(list, chunks(note_ids, 500)):
            for note_id, source_id, summary in self.db.execute(
                f"SELECT note_id, source_id, summary FROM note_summaries WHERE note_id IN ({marks(chunk)})", chunk
            ):
                stored[note_id, source_id] = summary
        return stored

    def _upsert_papers(self, papers: list[Paper], report: ApplyReport) -> None:
        """Merge papers: a bare mention never erases metadata a ``.bib`` file or an earlier mention gave."""
        current = rows_by_id(self, "papers", [paper.id for paper in papers])
        merged: dict[str, Paper] = {}
        for paper in papers:
            existing = merged.get(paper.id) or (rows.paper(current[paper.id]) if paper.id in current else None)
            merged[paper.id] = rows.merge_papers(existing, paper) if existing is not None else paper
        outcomes = upsert_rows(self, "papers", [(p.id, rows.paper_row(p)) for p in merged.values()], current=current)
        for paper_id, outcome in zip(merged, outcomes):
            report.record("papers", outcome, paper_id)

    def _replace_claims(self, claims: list[Claim], report: ApplyReport) -> int:
        """Make each note's claims equal to the batch's; a dropped claim that has runs is retired, not deleted.
        Returns how many ``asserts`` edges were added."""
        claims_by_note: dict[str, list[Claim]] = {}
        for claim in claims:
            claims_by_note.setdefault(claim.note_id, []).append(claim)
        in_order = [claim for group in claims_by_note.values() for claim in group]
        outcomes = upsert_rows(self, "claims", [(claim.id, rows.claim_row(claim)) for claim in in_order])
        self._index(
            [(claim.id, NodeKind.CLAIM, claim.text, "", outcome) for claim, outcome in zip(in_order, outcomes)],
            report,
            "claims",
        )
        asserted = self.add_new_edges(
            [Edge(src=claim.note_id, dst=claim.id, kind=EdgeKind.ASSERTS, provenance="importer") for claim in in_order]
        )
        kept = {claim.id for claim in in_order}
        for chunk in map(list, chunks(claims_by_note, 500)):
            gone = [
                row[0]
                for row in self.db.execute(
                    f"SELECT id FROM claims WHERE retired = 0 AND note_id IN ({marks(chunk)}) ORDER BY id", chunk
                )
                if row[0] not in kept
            ]
            for claim_id in gone:
                self.drop_claim(claim_id)
                report.record("claims", "retired", claim_id)
        return asserted

    def _index(self, entries: list[tuple[str, NodeKind, str, str, str]], report: ApplyReport, kind: str) -> None:
        """Record each ``(id, kind, title, body, outcome)`` in ``report`` and (re)index the changed ones for search.

        A node given twice is indexed once, with its last text; one that was stored before is deleted first.
        """
        fresh: dict[str, tuple[str, str, str, str]] = {}
        stale: set[str] = set()
        for node_id, node_kind, title, body, outcome in entries:
            report.record(kind, outcome, node_id)
            if outcome == "unchanged":
                continue
            if outcome == "updated" and node_id not in fresh:
                stale.add(node_id)
            fresh.pop(node_id, None)
            fresh[node_id] = (node_id, node_kind.value, title, body)
        search.unindex(self, sorted(stale))
        search.index(self, list(fresh.values()))
