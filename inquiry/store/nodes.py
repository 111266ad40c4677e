"""Nodes and edges: inquiries, notes (and their per-source summaries), claims, papers, citations and edges.

Reads return domain models; writes join the caller's transaction and tell the listeners what changed.
"""

from __future__ import annotations

import json
from typing import Any

from sqlite_utils.utils import chunks

from ..errors import InquiryError, NotFound
from ..models import Citation, Claim, Edge, EdgeKind, EdgeState, Inquiry, NodeKind, Note, Paper, Status, kind_of, utcnow
from . import rows, runs, search
from .base import Connection
from .rows import marks
from .specs import delete_specs_of
from .upsert import upsert_rows

# the table holding each kind of node
TABLES = {
    NodeKind.INQUIRY: "inquiries",
    NodeKind.NOTE: "notes",
    NodeKind.CLAIM: "claims",
    NodeKind.PAPER: "papers",
    NodeKind.RUN: "runs",
}


class Nodes(Connection):
    # ---- edges -----------------------------------------------------------------------------

    def add_edge(self, edge: Edge, overwrite_state: bool = True) -> int:
        """Insert an edge or update its state/why; returns the edge's row id.

        With ``overwrite_state=False`` an existing edge keeps its state (a re-import does not
        resurrect a suggestion the user rejected).
        """
        with self.transaction():
            row = self.db.execute(
                "SELECT id, state, why FROM edges WHERE src = ? AND dst = ? AND kind = ?",
                [edge.src, edge.dst, edge.kind.value],
            ).fetchone()
            if row is None:
                cursor = self.db.execute(
                    "INSERT INTO edges (src, dst, kind, state, why, provenance, attrs, created) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        edge.src,
                        edge.dst,
                        edge.kind.value,
                        edge.state.value,
                        edge.why,
                        edge.provenance,
                        rows.dump(edge.attrs),
                        utcnow(),
                    ],
                )
                self._pending.edges.append(edge)
                assert cursor.lastrowid is not None  # set by the INSERT just run
                return cursor.lastrowid
            if overwrite_state and (row[1] != edge.state.value or (edge.why and row[2] != edge.why)):
                self.db.execute(
                    "UPDATE edges SET state = ?, why = COALESCE(?, why), provenance = "
                    "COALESCE(?, provenance) WHERE id = ?",
                    [edge.state.value, edge.why, edge.provenance, row[0]],
                )
                self._pending.edges.append(edge)
            return row[0]

    def add_new_edges(self, edges: list[Edge]) -> int:
        """Bulk :meth:`add_edge` with ``overwrite_state=False``: insert the edges not yet stored; returns how many."""
        existing: set[tuple[str, str, str]] = set()
        for chunk in chunks(sorted({edge.src for edge in edges}), 500):
            sources = list(chunk)
            existing.update(
                self.db.execute(f"SELECT src, dst, kind FROM edges WHERE src IN ({marks(sources)})", sources)
            )
        fresh: dict[tuple[str, str, str], Edge] = {}  # an edge given twice keeps its first place, its last version
        for edge in edges:
            key = edge.key
            if key not in existing:
                fresh[key] = edge
        new = list(fresh.values())
        now = utcnow()
        with self.indexes_after("edges", len(new)):
            self.db.conn.executemany(
                "INSERT INTO edges (src, dst, kind, state, why, provenance, attrs, created) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (*key, e.state._value_, e.why, e.provenance, rows.dump(e.attrs) if e.attrs else "{}", now)
                    for key, e in fresh.items()
                ],
            )
        self._pending.edges.extend(new)
        return len(new)

    def set_edge_state(self, edge_row_id: int, state: EdgeState) -> Edge:
        with self.transaction():
            edge = self.edge_by_row(edge_row_id)
            self.db.execute("UPDATE edges SET state = ? WHERE id = ?", [state.value, edge_row_id])
            edge = edge.model_copy(update={"state": state})
            self._pending.edges.append(edge)
        return edge

    def edge_by_row(self, edge_row_id: int) -> Edge:
        found = list(self.db.table("edges").rows_where("id = ?", [edge_row_id]))
        if not found:
            raise NotFound(f"no relation with id {edge_row_id}")
        return rows.edge(found[0])

    def remove_edges(self, node: str) -> None:
        for row in self.db.table("edges").rows_where("src = ? OR dst = ?", [node, node], select="src, dst, kind"):
            self._pending.removed_edges.append((row["src"], row["dst"], row["kind"]))
        self.db.table("edges").delete_where("src = ? OR dst = ?", [node, node])

    def edges(
        self,
        src: str | None = None,
        dst: str | None = None,
        kind: EdgeKind | None = None,
        state: EdgeState | None = EdgeState.ACCEPTED,
    ) -> list[tuple[int, Edge]]:
        """Edges matching every given filter, with their row ids (``state=None`` means any state)."""
        where, args = rows.equals(src=src, dst=dst, kind=kind and kind.value, state=state and state.value)
        return [(row["id"], rows.edge(row)) for row in self.db.table("edges").rows_where(where, args, order_by="id")]

    def edges_at(self, node: str, kind: EdgeKind, state: EdgeState = EdgeState.ACCEPTED) -> list[Edge]:
        """The edges of one kind and state with ``node`` at either end, in the order they were made."""
        where = "kind = ? AND state = ? AND (src = ? OR dst = ?)"
        return [
            rows.edge(row)
            for row in self.db.table("edges").rows_where(where, [kind.value, state.value, node, node], order_by="id")
        ]

    # ---- reads -----------------------------------------------------------------------------

    def has(self, kind: NodeKind, node_id: str) -> bool:
        """Whether a node of this kind with this id is stored."""
        return self.db.execute(f"SELECT 1 FROM {TABLES[kind]} WHERE id = ?", [node_id]).fetchone() is not None

    def _row(self, table: str, node_id: str) -> dict[str, Any] | None:
        """One stored row by id, as a dict. A plain cursor: an import resolving against the notebook asks for
        every known note (sqlite-utils' ``rows_where`` looks up the schema on each call, twice the cost)."""
        cursor = self.db.execute(f"SELECT * FROM [{table}] WHERE id = ?", [node_id])
        found = cursor.fetchone()
        return None if found is None else dict(zip([d[0] for d in cursor.description], found))

    def get_inquiry(self, inquiry_id: str) -> Inquiry | None:
        found = self._row("inquiries", inquiry_id)
        return rows.inquiry(found) if found else None

    def get_note(self, note_id: str) -> Note | None:
        found = self._row("notes", note_id)
        if not found:
            return None
        variants = dict(
            self.db.execute(
                "SELECT source_id, summary FROM note_summaries WHERE note_id = ? ORDER BY source_id", [note_id]
            ).fetchall()
        )
        return rows.note(found, variants)

    def get_claim(self, claim_id: str) -> Claim | None:
        found = self._row("claims", claim_id)
        return rows.claim(found) if found else None

    def get_paper(self, paper_id: str) -> Paper | None:
        found = self._row("papers", paper_id)
        return rows.paper(found) if found else None

    def get_run_row(self, run_id: str) -> dict[str, Any] | None:
        return runs.row(self, run_id)

    def list_papers(self, ids: list[str] | None = None) -> list[Paper]:
        """Every paper (or those with these ids), by year then name."""
        if ids is None:
            found = list(self.db.table("papers").rows)
        else:
            found = [
                row
                for chunk in map(list, chunks(ids, 500))
                for row in self.db.table("papers").rows_where(f"id IN ({marks(chunk)})", chunk)
            ]
        return sorted((rows.paper(r) for r in found), key=lambda p: (p.year or 0, p.name.casefold(), p.id))

    def split_notes(self) -> list[dict[str, Any]]:
        """Pairs of notes that look like one note split in two by a title change: the same summary text,
        or the same source url, under two ids. Exact matches only — titles are never compared for likeness."""
        pairs = []
        for column, why in (("summary", "same summary"), ("url", "same source url")):
            for group in self.db.execute(
                f"SELECT group_concat(id, char(31)) FROM notes WHERE {column} IS NOT NULL "
                f"AND {column} != '' GROUP BY {column} HAVING count(*) > 1"
            ).fetchall():
                ids = sorted(group[0].split("\x1f"))
                titles = self.titles_of(ids)
                pairs += [
                    {"a": {"id": a, "title": titles[a]}, "b": {"id": b, "title": titles[b]}, "why": why}
                    for i, a in enumerate(ids)
                    for b in ids[i + 1 :]
                ]
        return pairs

    def note_urls(self) -> dict[str, str]:
        """Source url → note id, for recognizing a note exported again under a new title."""
        return dict(self.db.execute("SELECT url, id FROM notes WHERE url IS NOT NULL").fetchall())

    def note_titles(self) -> dict[str, str]:
        """Note id → title, for every note."""
        return dict(self.db.execute("SELECT id, title FROM notes").fetchall())

    def get_node(self, node_id: str) -> Inquiry | Note | Claim | Paper | dict[str, Any]:
        """Any node by id; runs come back as their row dict. Raises :class:`NotFound`."""
        try:
            kind = kind_of(node_id)
        except ValueError as exc:
            raise NotFound(str(exc)) from None
        getter = {
            NodeKind.INQUIRY: self.get_inquiry,
            NodeKind.NOTE: self.get_note,
            NodeKind.CLAIM: self.get_claim,
            NodeKind.PAPER: self.get_paper,
            NodeKind.RUN: self.get_run_row,
        }[kind]
        node = getter(node_id)
        if node is None:
            raise NotFound(f"no {kind.value} with id {node_id}")
        return node

    def resolve_id(self, ref: str) -> str:
        """A full node id from an id, a unique id prefix or an exact title (case-insensitive).

        Lets users type ``inquiry show note:does-rlvr`` instead of the whole id.
        """
        for table in ("inquiries", "notes", "claims", "papers", "runs"):
            if self.db.execute(f"SELECT 1 FROM {table} WHERE id = ?", [ref]).fetchone():
                return ref
        matches = [
            r[0]
            for table in ("inquiries", "notes", "claims", "runs")
            for r in self.db.execute(f"SELECT id FROM {table} WHERE id LIKE ? LIMIT 3", [ref.replace("%", "") + "%"])
        ]
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise NotFound(f"{ref!r} is ambiguous: {', '.join(matches[:3])} …")
        from ..ids import normalize_title

        wanted = normalize_title(ref)
        for table, column in (("inquiries", "question"), ("notes", "title")):
            for row in self.db.query(f"SELECT id, {column} AS t FROM {table}"):
                if normalize_title(row["t"]) == wanted:
                    return row["id"]
        by_alias = self.titles().get(wanted)  # a note's former title
        if by_alias is not None:
            return by_alias
        for row in self.db.query("SELECT id, name, bibkey FROM papers"):
            if wanted in (normalize_title(row["name"]), normalize_title(row["bibkey"] or "")):
                return row["id"]
        raise NotFound(f"nothing in the notebook matches {ref!r}")

    def list_inquiries(self) -> list[Inquiry]:
        return [rows.inquiry(r) for r in self.db.table("inquiries").rows_where(order_by="question")]

    def list_notes(self, placeholders: bool | None = None) -> list[Note]:
        where, args = rows.equals(is_placeholder=None if placeholders is None else int(placeholders))
        return [rows.note(r, {}) for r in self.db.table("notes").rows_where(where, args, order_by="title")]

    def list_claims(
        self, note_id: str | None = None, status: Status | None = None, include_retired: bool = False
    ) -> list[Claim]:
        where, args = rows.equals(
            *([] if include_retired else ["retired = 0"]), note_id=note_id, status=status and status.value
        )
        return [rows.claim(r) for r in self.db.table("claims").rows_where(where, args, order_by="note_id, idx")]

    def live_claim_ids(self, note_id: str) -> list[str]:
        """A note's live (not retired) claims, in the note's order."""
        return [
            r[0]
            for r in self.db.execute("SELECT id FROM claims WHERE note_id = ? AND retired = 0 ORDER BY idx", [note_id])
        ]

    def all_claim_statuses(self) -> dict[str, str]:
        """Claim id → stored status, for every claim (retired ones too)."""
        return dict(self.db.execute("SELECT id, status FROM claims").fetchall())

    def claims_worth_refreshing(self, claim_ids: list[str]) -> list[str]:
        """Those of these claims that could have a status other than untested: they have runs, an imported
        status, or a stored status to clear."""
        worth = []
        for chunk in map(list, chunks(claim_ids, 500)):
            where = marks(chunk)
            worth += [
                r[0]
                for r in self.db.execute(
                    f"SELECT id FROM claims WHERE id IN ({where}) AND (status != 'untested' OR imported_status IS NOT "
                    f"NULL OR id IN (SELECT claim_id FROM runs WHERE claim_id IN ({where})))",
                    chunk + chunk,
                )
            ]
        return worth

    def citations(self, inquiry_id: str | None = None, note_id: str | None = None) -> list[Citation]:
        where, args = rows.equals(inquiry_id=inquiry_id, note_id=note_id)
        return [
            Citation(
                inquiry_id=r["inquiry_id"],
                note_id=r["note_id"],
                paragraph=r["paragraph"],
                sentence=r["sentence"],
                start=r["start"],
                end=r["end"],
                prefix=r["prefix"],
            )
            for r in self.db.table("citations").rows_where(where, args, order_by="inquiry_id, paragraph, start")
        ]

    def notes_cited_by(self, inquiry_id: str) -> list[str]:
        """The notes an inquiry's essay cites, by id (see ``cited_note_ids`` for the essay's order)."""
        return [
            r[0]
            for r in self.db.execute(
                "SELECT DISTINCT note_id FROM citations WHERE inquiry_id = ? ORDER BY note_id", [inquiry_id]
            )
        ]

    def titles(self) -> dict[str, str]:
        """Every known note title and alias (normalized) → note id, for citation resolution."""
        from ..ids import normalize_title

        index: dict[str, str] = {}
        for row in self.db.query("SELECT id, title, aliases FROM notes"):
            index[normalize_title(row["title"])] = row["id"]
            for alias in json.loads(row["aliases"]):
                index.setdefault(normalize_title(alias), row["id"])
        return index

    def titles_of(self, node_ids: list[str]) -> dict[str, str]:
        """A display title per node id of any kind (a claim's is its text; an unknown id stands for itself)."""
        columns = {
            "inq:": ("inquiries", "question"),
            "note:": ("notes", "title"),
            "claim:": ("claims", "text"),
            "paper:": ("papers", "name"),
            "run:": ("runs", "runner || ' run ' || id"),
        }
        titles: dict[str, str] = {}
        for prefix, (table, column) in columns.items():
            for chunk in map(list, chunks([i for i in node_ids if i.startswith(prefix)], 500)):
                titles.update(self.db.execute(f"SELECT id, {column} FROM {table} WHERE id IN ({marks(chunk)})", chunk))
        return {i: titles.get(i, i) for i in node_ids}

    def imported_status(self, claim_id: str) -> tuple[Status | None, str | None]:
        row = self.db.execute("SELECT imported_status, imported_from FROM claims WHERE id = ?", [claim_id]).fetchone()
        return (Status(row[0]) if row and row[0] else None), (row[1] if row else None)

    # ---- writes ----------------------------------------------------------------------------

    def set_claim_status(self, claim_id: str, status: Status) -> None:
        """Store a claim's status. Only :mod:`inquiry.runs.status` calls this: it is the one writer."""
        with self.transaction():
            self.db.execute("UPDATE claims SET status = ? WHERE id = ?", [status.value, claim_id])
            self.touch(claim_id)

    def set_imported_status(self, claim_id: str, status: Status | None, source: str | None) -> None:
        """Remember the status another notebook's export gave a claim (not evidence here)."""
        self.db.execute(
            "UPDATE claims SET imported_status = ?, imported_from = ? WHERE id = ?",
            [status.value if status else None, source, claim_id],
        )

    def save_note(self, note: Note) -> None:
        """Write a note's own fields as given (title, aliases, summary…); its source summaries stay as stored."""
        with self.transaction():
            upsert_rows(self, "notes", [(note.id, rows.note_row(note))], timestamps=True)
            self.reindex_note(note.id, note.title, "\n".join([note.summary, note.body]))

    def reindex_note(self, note_id: str, title: str, body: str) -> None:
        search.unindex(self, [note_id])
        search.index(self, [(note_id, NodeKind.NOTE.value, title, body)])

    def drop_claim(self, claim_id: str) -> None:
        """Retire a claim that has runs (their results stay readable); delete one that has none."""
        if runs.any_for_claim(self, claim_id):
            self.db.execute("UPDATE claims SET retired = 1 WHERE id = ?", [claim_id])
            return
        delete_specs_of(self, claim_id)
        self.remove_edges(node=claim_id)
        self.db.execute("DELETE FROM claims WHERE id = ?", [claim_id])
        search.unindex(self, [claim_id])
        self._removed(claim_id)

    def merge_note_into(self, old: str, new: str) -> Note:
        """Fold note ``old`` into note ``new``: its citations, links and source summaries move over, its
        title and aliases become aliases of ``new``, and ``old`` is deleted. Returns the merged note.

        ``old``'s claims are dropped (their ids name ``old``); a claim with runs cannot be dropped, so a
        note whose claims have runs is refused rather than losing their link to the evidence.
        """
        with self.transaction():
            source, target = self.get_note(old), self.get_note(new)
            if source is None or target is None:
                raise NotFound(f"no note with id {old if source is None else new}")
            tested = runs.count_on_claims_of(self, old)
            if tested:
                raise InquiryError(
                    f"{old} has {tested} run(s) on its claims; merging would cut them off "
                    "from their claims, so it is refused"
                )
            self.db.execute("UPDATE citations SET note_id = ? WHERE note_id = ?", [new, old])
            moved = []
            for row in self.db.table("edges").rows_where("(src = ? OR dst = ?) AND kind != 'asserts'", [old, old]):
                edge = rows.edge(row)
                src, dst = (new if edge.src == old else edge.src), (new if edge.dst == old else edge.dst)
                if src != dst:
                    moved.append(edge.model_copy(update={"src": src, "dst": dst}))
            for claim in self.list_claims(note_id=old, include_retired=True):
                self.drop_claim(claim.id)
            self.remove_edges(old)
            self.add_new_edges(moved)
            self.db.execute(
                "INSERT OR IGNORE INTO note_summaries (note_id, source_id, summary) "
                "SELECT ?, source_id, summary FROM note_summaries WHERE note_id = ?",
                [new, old],
            )
            self.db.table("note_summaries").delete_where("note_id = ?", [old])
            merged = target.model_copy(
                update={
                    "aliases": [
                        a for a in rows.union(target.aliases, [source.title, *source.aliases]) if a != target.title
                    ],
                    "topics": rows.union(target.topics, source.topics),
                    "summary": target.summary or source.summary,
                    "body": target.body or source.body,
                    "is_placeholder": target.is_placeholder and source.is_placeholder,
                    "arxiv": target.arxiv or source.arxiv,
                    "url": target.url or source.url,
                    "summary_variants": {},
                }
            )
            self.db.table("notes").delete_where("id = ?", [old])
            search.unindex(self, [old])
            self._removed(old)
            self.save_note(merged)
        return self.get_note(new)  # type: ignore[return-value]

    def merge_paper_into(self, old: str, new: str) -> None:
        """Fold paper ``old`` into ``new`` (two mentions of one paper): what mentioned ``old`` mentions ``new``."""
        with self.transaction():
            moved = [
                rows.edge(row).model_copy(update={"dst": new})
                for row in self.db.table("edges").rows_where("dst = ?", [old])
            ]
            self.remove_edges(old)
            self.add_new_edges(moved)
            self.db.table("papers").delete_where("id = ?", [old])
            self._removed(old)

    def replace_citations(self, inquiries: list[Inquiry], citations: list[Citation]) -> int:
        """Each inquiry's citations become the batch's: where they differ from the stored ones, those are deleted
        and the new ones inserted. Returns how many rows were deleted or inserted (none for an unchanged re-import)."""
        by_inquiry: dict[str, list[tuple[Any, ...]]] = {i.id: [] for i in inquiries}
        for c in citations:
            by_inquiry.setdefault(c.inquiry_id, []).append(
                (c.inquiry_id, c.note_id, c.paragraph, c.sentence, c.start, c.end, c.prefix)
            )
        stored: dict[str, list[tuple[Any, ...]]] = {}
        for chunk in map(list, chunks(by_inquiry, 500)):
            for row in self.db.execute(
                'SELECT inquiry_id, note_id, paragraph, sentence, start, "end", prefix FROM citations '
                f"WHERE inquiry_id IN ({marks(chunk)}) ORDER BY id",
                chunk,
            ):
                stored.setdefault(row[0], []).append(row)
        pending: list[tuple[Any, ...]] = []
        written = 0
        for inquiry_id, cited in by_inquiry.items():
            before = stored.get(inquiry_id)
            if before == cited:
                continue
            if before:  # the pending rows go first: row ids follow the batch order, as one by one
                self._insert_citations(pending)
                written += len(pending) + len(before)
                pending = []
                self.db.execute("DELETE FROM citations WHERE inquiry_id = ?", [inquiry_id])
            pending.extend(cited)
        self._insert_citations(pending)
        return written + len(pending)

    def _insert_citations(self, values: list[tuple[Any, ...]]) -> None:
        with self.indexes_after("citations", len(values)):
            self.db.conn.executemany(
                'INSERT INTO citations (inquiry_id, note_id, paragraph, sentence, start, "end", '
                "prefix) VALUES (?, ?, ?, ?, ?, ?, ?)",
                values,
            )
