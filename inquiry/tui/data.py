"""What the app shows, read from the notebook in pages: navigator rows, filter matches, runs.

Nothing here imports Textual, so every query can be timed and tested on its own. All database work
goes through :meth:`NotebookData.read`, which holds one lock: the app's workers are threads sharing
the notebook's single SQLite connection, and a connection must not interleave two cursors.

Large groups are paged (:data:`PAGE` rows at a time) so that a hub note cited by thousands, or a
notebook of 100k notes, never builds more rows than the screen can show.

    data = NotebookData(Notebook.open(path))
    data.inquiries().rows[0].title          # 'Can reinforcement learning close the gap …'
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from ..graph import build, queries, rollup
from ..models import NodeKind, Status, kind_of
from ..runs import launcher, records
from ..runs.records import RunRecord
from ..store import Notebook

PAGE = 200
FILTER_LIMIT = 200
PER_KIND = 50

GLYPH = {
    Status.SUPPORTED: "✅",
    Status.CONTRADICTED: "❌",
    Status.MIXED: "⚖",
    Status.INCONCLUSIVE: "❔",
    Status.UNTESTED: "○",
    Status.RUNNING: "⟳",
}
ACTIVE_RUN = ("queued", "running")


@dataclass(frozen=True)
class Row:
    """One navigator entry: a node, its evidence status (if it has one) and a count."""

    node_id: str
    title: str
    status: Status | None = None
    detail: str = ""
    expandable: bool = False

    @property
    def glyph(self) -> str:
        return GLYPH[self.status] if self.status else " "


@dataclass
class Page:
    """A slice of a group: ``rows`` start at ``offset`` of ``total``."""

    rows: list[Row]
    total: int
    offset: int = 0

    @property
    def remaining(self) -> int:
        return max(0, self.total - self.offset - len(self.rows))


@dataclass
class TitleIndex:
    """Every inquiry question and note title, casefolded once, for filtering as the user types."""

    entries: list[tuple[str, str, str]] = field(default_factory=list)  # (folded, node_id, title)

    def match(self, text: str, limit: int = FILTER_LIMIT) -> tuple[list[tuple[str, str]], int]:
        """Titles containing every word of ``text``; returns up to ``limit`` and the total count."""
        words = text.casefold().split()
        if not words:
            return [], 0
        hits = [(node_id, title) for folded, node_id, title in self.entries
                if all(w in folded for w in words)]
        return hits[:limit], len(hits)


@dataclass(frozen=True)
class Link:
    """One entry of the links panel; ``edge`` is the edge's row id (to accept or reject a suggestion)."""

    node_id: str
    title: str
    edge: int | None = None
    suggested: bool = False


@dataclass
class LinkGroup:
    heading: str
    links: list[Link]
    total: int

    @property
    def remaining(self) -> int:
        return self.total - len(self.links)


@dataclass
class LocalView:
    """Everything the links panel shows for one node."""

    node_id: str
    groups: list[LinkGroup]
    cocited: list[tuple[Link, int]]  # a note and how many inquiries cite both
    drawing: str


class NotebookData:
    """Paged, lock-guarded reads of one notebook for the terminal app."""

    def __init__(self, nb: Notebook):
        self.nb = nb
        self.lock = threading.RLock()
        self._titles: TitleIndex | None = None
        self._popularity: list[tuple[str, int]] | None = None

    @contextmanager
    def read(self) -> Iterator[Notebook]:
        with self.lock:
            yield self.nb

    def _rows(self, sql: str, args: list[Any] | tuple[Any, ...] = ()) -> list[dict[str, Any]]:
        with self.read() as nb:
            return list(nb.db.query(sql, args))

    def _scalar(self, sql: str, args: list[Any] | tuple[Any, ...] = ()) -> Any:
        with self.read() as nb:
            return nb.db.execute(sql, args).fetchone()[0]

    def forget(self) -> None:
        """Drop cached indexes after the notebook changed (a new import, a new relation)."""
        self._titles = None
        self._popularity = None

    # ---- group sizes -----------------------------------------------------------------------

    def group_sizes(self) -> dict[str, int]:
        """Row counts for the navigator's group headings (cheap: counts use the tables' b-trees)."""
        return {
            "inquiries": self._scalar("SELECT count(*) FROM inquiries"),
            "notes": self._scalar("SELECT count(*) FROM notes WHERE is_placeholder = 0"),
            "placeholders": self._scalar("SELECT count(*) FROM notes WHERE is_placeholder = 1"),
            "claims": self._scalar("SELECT count(*) FROM claims WHERE retired = 0"),
        }

    # ---- statuses --------------------------------------------------------------------------

    def running_claims(self, claim_ids: list[str] | None = None) -> set[str]:
        sql = "SELECT DISTINCT claim_id FROM runs WHERE status IN ('queued', 'running')"
        return {r["claim_id"] for r in self._rows(sql) if r["claim_id"]
                and (claim_ids is None or r["claim_id"] in claim_ids)}

    def claim_status(self, stored: str, running: bool) -> Status:
        return Status.RUNNING if running else Status(stored)

    def claim_statuses(self, claim_ids: list[str]) -> dict[str, Status]:
        """Current status of each claim, ``running`` while a run of it is queued or running."""
        if not claim_ids:
            return {}
        marks = ",".join("?" * len(claim_ids))
        stored = self._rows(f"SELECT id, status FROM claims WHERE id IN ({marks})", claim_ids)
        running = self.running_claims(claim_ids)
        return {r["id"]: self.claim_status(r["status"], r["id"] in running) for r in stored}

    def note_status(self, note_id: str) -> Status:
        """The note's status rolled up from its claims' runs."""
        with self.read() as nb:
            return rollup.note_status(nb, note_id)

    # ---- navigator groups ------------------------------------------------------------------

    def inquiries(self, offset: int = 0, limit: int = PAGE) -> Page:
        rows = self._rows(
            "SELECT i.id, i.question, (SELECT count(DISTINCT note_id) FROM citations c "
            "WHERE c.inquiry_id = i.id) AS cited FROM inquiries i ORDER BY question LIMIT ? OFFSET ?",
            [limit, offset])
        return Page([Row(r["id"], r["question"], None, f"{r['cited']} notes", r["cited"] > 0) for r in rows],
                    self._scalar("SELECT count(*) FROM inquiries"), offset)

    def cited_notes(self, inquiry_id: str, offset: int = 0, limit: int = PAGE) -> Page:
        """The notes an inquiry cites, in the order its essay first cites them, then its other sources."""
        order = self._rows(
            "SELECT note_id FROM (SELECT note_id, min(paragraph * 1000000 + start) AS pos FROM citations "
            "WHERE inquiry_id = ? GROUP BY note_id UNION ALL SELECT dst, 1e18 FROM edges "
            "WHERE src = ? AND kind IN ('cites', 'lists-source') AND state = 'accepted') "
            "GROUP BY note_id ORDER BY min(pos), note_id", [inquiry_id, inquiry_id])
        ids = [r["note_id"] for r in order]
        return Page(self._note_rows(ids[offset:offset + limit]), len(ids), offset)

    def inquiries_using(self, note_id: str, limit: int = PER_KIND) -> Page:
        """The inquiries citing a note or listing it as a source, by question (a hub's list is capped)."""
        sql = ("SELECT inquiry_id AS id FROM citations WHERE note_id = ? UNION SELECT src FROM edges "
               "WHERE dst = ? AND src LIKE 'inq:%' AND state = 'accepted'")
        total = self._scalar(f"SELECT count(*) FROM ({sql})", [note_id, note_id])
        rows = self._rows(f"SELECT i.id, i.question FROM inquiries i WHERE i.id IN ({sql}) ORDER BY question "
                          "LIMIT ?", [note_id, note_id, limit])
        return Page([Row(r["id"], r["question"]) for r in rows], total)

    def note_claims(self, note_id: str) -> Page:
        rows = self._rows("SELECT id, text, status FROM claims WHERE note_id = ? AND retired = 0 ORDER BY idx",
                          [note_id])
        running = self.running_claims([r["id"] for r in rows])
        return Page([Row(r["id"], r["text"], self.claim_status(r["status"], r["id"] in running))
                     for r in rows], len(rows))

    def popular_notes(self, offset: int = 0, limit: int = PAGE) -> Page:
        """Notes by how many inquiries cite them, most-used first (computed once, then paged)."""
        if self._popularity is None:
            self._popularity = [(r["note_id"], r["used"]) for r in self._rows(
                "SELECT note_id, count(DISTINCT inquiry_id) AS used FROM citations "
                "GROUP BY note_id ORDER BY used DESC, note_id")]
        ids = [note_id for note_id, _ in self._popularity[offset:offset + limit]]
        return Page(self._note_rows(ids), len(self._popularity), offset)

    def placeholders(self, offset: int = 0, limit: int = PAGE) -> Page:
        rows = self._rows("SELECT id FROM notes WHERE is_placeholder = 1 ORDER BY title LIMIT ? OFFSET ?",
                          [limit, offset])
        return Page(self._note_rows([r["id"] for r in rows]),
                    self._scalar("SELECT count(*) FROM notes WHERE is_placeholder = 1"), offset)

    def claim_status_counts(self) -> dict[Status, int]:
        counts = {Status(r["status"]): r["n"] for r in self._rows(
            "SELECT status, count(*) AS n FROM claims WHERE retired = 0 GROUP BY status")}
        running = len(self.running_claims())
        if running:
            counts[Status.RUNNING] = running
        return counts

    def claims_with_status(self, status: Status, offset: int = 0, limit: int = PAGE) -> Page:
        if status is Status.RUNNING:
            ids = sorted(self.running_claims())
            rows = [r for claim_id in ids[offset:offset + limit]
                    for r in self._rows("SELECT id, text FROM claims WHERE id = ?", [claim_id])]
            return Page([Row(r["id"], r["text"], Status.RUNNING) for r in rows], len(ids), offset)
        rows = self._rows("SELECT id, text FROM claims WHERE status = ? AND retired = 0 ORDER BY note_id, idx "
                          "LIMIT ? OFFSET ?", [status.value, limit, offset])
        total = self._scalar("SELECT count(*) FROM claims WHERE status = ? AND retired = 0", [status.value])
        return Page([Row(r["id"], r["text"], status) for r in rows], total, offset)

    def _note_rows(self, note_ids: list[str]) -> list[Row]:
        """Rows for notes in the given order, each with 'used by N' and its claim count."""
        if not note_ids:
            return []
        marks = ",".join("?" * len(note_ids))
        found = {r["id"]: r for r in self._rows(
            f"SELECT n.id, n.title, n.is_placeholder, "
            f"(SELECT count(DISTINCT inquiry_id) FROM citations c WHERE c.note_id = n.id) AS used, "
            f"(SELECT count(*) FROM claims k WHERE k.note_id = n.id AND k.retired = 0) AS claims "
            f"FROM notes n WHERE n.id IN ({marks})", note_ids)}
        rows = []
        for note_id in note_ids:
            r = found.get(note_id)
            if r is None:
                continue
            detail = "placeholder" if r["is_placeholder"] else f"used by {r['used']}"
            rows.append(Row(note_id, r["title"], self.note_status(note_id), detail, r["claims"] > 0))
        return rows

    # ---- filter ----------------------------------------------------------------------------

    def title_index(self) -> TitleIndex:
        if self._titles is None:
            entries = [(r["t"].casefold(), r["id"], r["t"]) for r in self._rows(
                "SELECT id, question AS t FROM inquiries UNION ALL SELECT id, title FROM notes")]
            self._titles = TitleIndex(entries)
        return self._titles

    def filter(self, text: str) -> Page:
        """Inquiries and notes whose title contains every typed word, as navigator rows."""
        hits, total = self.title_index().match(text)
        notes = {row.node_id: row for row in self._note_rows(
            [node_id for node_id, _ in hits if kind_of(node_id) is NodeKind.NOTE])}
        rows = [notes.get(node_id) or Row(node_id, title, None, "inquiry", True) for node_id, title in hits]
        return Page(rows, total)

    # ---- links ---------------------------------------------------------------------------

    def titles_of(self, node_ids: list[str]) -> dict[str, str]:
        """Display titles for node ids of any kind (a claim's title is its text)."""
        columns = {"inq:": ("inquiries", "question"), "note:": ("notes", "title"), "claim:": ("claims", "text"),
                   "paper:": ("papers", "name"), "run:": ("runs", "runner || ' run ' || id")}
        titles: dict[str, str] = {}
        for prefix, (table, column) in columns.items():
            ids = [i for i in node_ids if i.startswith(prefix)]
            for start in range(0, len(ids), 500):
                chunk = ids[start:start + 500]
                titles.update((r["id"], r["t"]) for r in self._rows(
                    f"SELECT id, {column} AS t FROM {table} WHERE id IN ({','.join('?' * len(chunk))})", chunk))
        return {i: titles.get(i, i) for i in node_ids}

    def neighbors(self, node_id: str, per_kind: int = PER_KIND) -> list[LinkGroup]:
        """Links (outgoing) and backlinks (incoming) grouped by edge kind, each group capped with a count.

        Citations count as ``cites`` links of the inquiry; rejected relations are left out, suggested
        ones are kept (marked) so they can be accepted or rejected from the links panel.
        """
        groups: list[LinkGroup] = []
        for column, other, direction in (("src", "dst", "links"), ("dst", "src", "backlinks")):
            kinds = self._rows(f"SELECT kind, count(*) AS n FROM edges WHERE {column} = ? AND state != 'rejected' "
                               f"GROUP BY kind ORDER BY kind", [node_id])
            for k in kinds:
                rows = self._rows(f"SELECT id, {other} AS node, state FROM edges WHERE {column} = ? AND kind = ? "
                                  f"AND state != 'rejected' ORDER BY state, id LIMIT ?", [node_id, k["kind"], per_kind])
                titles = self.titles_of([r["node"] for r in rows])
                groups.append(LinkGroup(f"{k['kind']} ({direction})", [
                    Link(r["node"], titles[r["node"]], r["id"], r["state"] == "suggested") for r in rows], k["n"]))
        return groups

    def graph_ready(self) -> bool:
        return build.graph_for(self.nb)._graph is not None

    def warm_graph(self) -> None:
        """Build the knowledge graph now (from a background worker) so that the first links view is quick.

        Not under :attr:`lock`: the build only reads, and the connection is in SQLite's serialized
        mode (``sqlite3.threadsafety == 3``), so it may read while other workers query.
        """
        build.load(self.nb)

    def local_view(self, node_id: str) -> LocalView:
        """Links and co-cited notes of one node, all by SQL (no graph needed); ``drawing`` is left empty."""
        groups = self.neighbors(node_id)
        cocited = []
        if kind_of(node_id) is NodeKind.NOTE:
            with self.read() as nb:
                cocited = [(Link(c["id"], c["title"]), c["inquiries"])
                           for c in queries.cocited_in_store(nb, node_id, 10)]
        return LocalView(node_id, groups, cocited, "")

    def local_drawing(self, node_id: str) -> str:
        """The text drawing of a node's local graph (radius 2, capped); builds the graph on first use."""
        self.warm_graph()
        with self.read() as nb:
            graph = build.load(nb)
            if node_id not in graph:
                return ""
            return queries.render_local(queries.local_graph(graph, node_id, radius=2, per_node=6, max_nodes=40),
                                        width=70)

    # ---- runs ------------------------------------------------------------------------------

    def runs(self, claim_id: str) -> list[RunRecord]:
        """The claim's runs, newest first (runs whose worker died are marked interrupted first)."""
        with self.read() as nb:
            return launcher.list_runs(nb, claim_id=claim_id)

    def run(self, run_id: str) -> RunRecord:
        with self.read() as nb:
            return records.get(nb, run_id)
