"""What the app shows, read from the notebook in pages: navigator rows, filter matches, links, runs.

Nothing here imports Textual or writes SQL: rows come from the store's browsing reads
(:class:`~inquiry.store.Notebook`), co-citation from :mod:`inquiry.graph.queries`, runs from
:mod:`inquiry.runs`. Statuses are never decided here: a claim's is the ``claims.status`` column that
the roll-up keeps current, and a note's or an inquiry's is the roll-up's own rule
(:func:`inquiry.graph.rollup.combine`) over its claims' statuses. All database work goes through
:meth:`NotebookData.locked`, which holds one lock: the app's workers are threads sharing the
notebook's single SQLite connection, and a connection must not interleave two cursors.

Large groups are paged (:data:`PAGE` rows at a time) so that a hub note cited by thousands, or a
notebook of 100k notes, never builds more rows than the screen can show.

    data = NotebookData(Notebook.open(path))
    data.inquiries().rows[0].title          # 'Can reinforcement learning close the gap …'
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import compress, repeat
from operator import contains

from ..evidence import counts_text
from ..graph import build, queries, rollup
from ..models import STATUS_GLYPH, NodeKind, Status, kind_of
from ..runs import launcher, records
from ..runs.records import RunRecord
from ..store import Notebook

PAGE = 200
FILTER_LIMIT = 60  # more than a screenful; each keystroke rebuilds these rows
PER_KIND = 50
# Up to this many notes the knowledge graph builds in well under a second, so the links panel draws
# the local graph of every node it shows; above it (a 100k-note build takes ~15 s of the interface's
# CPU) the drawing waits until asked for ("g").
GRAPH_AUTO_NOTES = 5_000
BUILDING = "building the graph…"
ON_DEMAND = "g: draw the local graph (builds the knowledge graph first; it takes a while here)"


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
        return STATUS_GLYPH[self.status] if self.status else " "


def plural(n: int, word: str, many: str | None = None) -> str:
    """``1 inquiry``, ``2 inquiries``.

    >>> plural(1, "inquiry", "inquiries"), plural(3, "note")
    ('1 inquiry', '3 notes')
    """
    return f"{n} {word if n == 1 else (many or word + 's')}"


@dataclass
class Page:
    """A slice of a group: ``rows`` start at ``offset`` of ``total``."""

    rows: list[Row]
    total: int
    offset: int = 0

    @property
    def remaining(self) -> int:
        return max(0, self.total - self.offset - len(self.rows))


class TitleIndex:
    """Every inquiry question, note title and claim text, casefolded once, for filtering as the user types.

    A keystroke must not hold the interpreter for long (the filter runs in a thread, but a Python loop
    over 30k titles still takes the lock the interface needs to draw), so each word is looked for by
    ``map``/``compress`` in C, and a query that extends the previous one (the user typed another
    character) only searches the previous matches.
    """

    def __init__(self, entries: list[tuple[str, str, str]]):  # (folded, node_id, title)
        self.entries = entries
        self.folded = [folded for folded, _, _ in entries]
        self._last: tuple[str, list[int]] = ("", list(range(len(entries))))

    def match(self, text: str, limit: int = FILTER_LIMIT) -> tuple[list[tuple[str, str]], int]:
        """Titles containing every word of ``text``; returns up to ``limit`` and the total count.

        >>> TitleIndex([("does rl help?", "note:a", "Does RL help?")]).match("RL hel")
        ([('note:a', 'Does RL help?')], 1)
        """
        folded = text.casefold()
        words = folded.split()
        if not words:
            return [], 0
        last_text, last_hits = self._last
        # every title matching "pass" also matched "pas": search only the previous matches
        scope: Sequence[int] = last_hits if last_text and folded.startswith(last_text) else range(len(self.folded))
        found: list[int] = []
        for word in sorted(words, key=len, reverse=True):  # the longest word rules out the most titles
            candidates = self.folded if isinstance(scope, range) else map(self.folded.__getitem__, scope)
            scope = found = list(compress(scope, map(contains, candidates, repeat(word))))
        self._last = (folded, found)  # one assignment: a concurrent keystroke sees the old or the new pair
        return [(self.entries[i][1], self.entries[i][2]) for i in found[:limit]], len(found)


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
    """Everything the links panel shows for one node; until ``drawing`` is there, ``waiting`` says why."""

    node_id: str
    groups: list[LinkGroup]
    cocited: list[tuple[Link, int]]  # a note and how many inquiries cite both
    drawing: str | None = None
    waiting: str = BUILDING


class NotebookData:
    """Paged reads of one notebook for the terminal app, and the lock its threads share (:meth:`locked`)."""

    def __init__(self, nb: Notebook):
        self.nb = nb
        self.lock = threading.RLock()
        self._titles: TitleIndex | None = None
        self._popularity: list[tuple[str, int]] | None = None
        self._notes: int | None = None

    @contextmanager
    def locked(self) -> Iterator[Notebook]:
        """The notebook, for this thread alone until the block ends: the app's worker threads share
        one SQLite connection, for reads and writes alike."""
        with self.lock:
            yield self.nb

    def group_sizes(self) -> dict[str, int]:
        """Row counts for the navigator's group headings."""
        with self.locked() as nb:
            return nb.browse_counts()

    # ---- statuses (the roll-up's, never decided here) ------------------------------------

    def claim_statuses(self, claim_ids: list[str]) -> dict[str, Status]:
        """Each claim's stored status (``running`` while the roll-up says a run may still decide it)."""
        with self.locked() as nb:
            return nb.claim_statuses(claim_ids)

    def note_statuses(self, note_ids: list[str]) -> dict[str, Status]:
        """Each note's status: the roll-up's rule over its live claims' statuses."""
        with self.locked() as nb:
            parts = nb.live_claim_statuses(note_ids)
        return {note_id: rollup.combine(found) for note_id, found in parts.items()}

    def note_counts(self, note_id: str) -> str:
        """``✅ 1 · ❌ 0 · ○ 1``: the note's live claims by stored status."""
        with self.locked() as nb:
            return counts_text(nb.live_claim_counts([note_id])[note_id])

    def note_status(self, note_id: str) -> Status:
        """One note's status as the roll-up computes it from the runs."""
        with self.locked() as nb:
            return rollup.note_status(nb, note_id)

    def claim_status(self, claim_id: str) -> Status:
        """One claim's status as the roll-up computes it from the runs."""
        with self.locked() as nb:
            return rollup.claim_status(nb, claim_id)

    # ---- navigator groups ------------------------------------------------------------------

    def inquiries(self, offset: int = 0, limit: int = PAGE) -> Page:
        """Inquiries with the counts of the claims they cite (a question gets counts, never one glyph)."""
        with self.locked() as nb:
            found, total = nb.inquiry_rows(offset, limit)
            tally = nb.cited_claim_counts([r["id"] for r in found])
        return Page(
            [
                Row(r["id"], r["question"], None, f"{counts_text(tally[r['id']])} · {r['cited']} notes", r["cited"] > 0)
                for r in found
            ],
            total,
            offset,
        )

    def statuses_of(self, node_ids: list[str]) -> dict[str, tuple[Status | None, str | None]]:
        """Fresh stored status of navigator rows of any kind; for an inquiry, its new counts label instead
        (an inquiry gets counts, never one glyph)."""
        by_kind: dict[NodeKind | None, list[str]] = {}
        for node_id in node_ids:
            by_kind.setdefault(
                kind_of(node_id) if ":" in node_id and not node_id.startswith(("status:", "runner:")) else None, []
            ).append(node_id)
        out: dict[str, tuple[Status | None, str | None]] = {}
        if by_kind.get(NodeKind.CLAIM):
            out.update((k, (v, None)) for k, v in self.claim_statuses(by_kind[NodeKind.CLAIM]).items())
        if by_kind.get(NodeKind.NOTE):
            out.update((k, (v, None)) for k, v in self.note_statuses(by_kind[NodeKind.NOTE]).items())
        if by_kind.get(NodeKind.INQUIRY):
            with self.locked() as nb:
                tally = nb.cited_claim_counts(by_kind[NodeKind.INQUIRY])
            out.update((k, (None, counts_text(v))) for k, v in tally.items())
        return out

    def cited_notes(self, inquiry_id: str, offset: int = 0, limit: int = PAGE) -> Page:
        """The notes an inquiry cites, in the order its essay first cites them, then its other sources."""
        with self.locked() as nb:
            ids = nb.cited_note_ids(inquiry_id)
        return Page(self._note_rows(ids[offset : offset + limit]), len(ids), offset)

    def inquiries_using(self, note_id: str, limit: int = PER_KIND) -> Page:
        """The inquiries citing a note or listing it as a source, by question (a hub's list is capped)."""
        with self.locked() as nb:
            found, total = nb.citing_inquiries(note_id, limit)
        return Page([Row(r["id"], r["question"]) for r in found], total)

    def note_claims(self, note_id: str) -> Page:
        with self.locked() as nb:
            claims = nb.list_claims(note_id=note_id)
        return Page([Row(c.id, c.text, c.status) for c in claims], len(claims))

    def popular_notes(self, offset: int = 0, limit: int = PAGE) -> Page:
        """Notes by how many inquiries cite them, most-used first (ranked once, then paged)."""
        if self._popularity is None:
            with self.locked() as nb:
                self._popularity = nb.notes_by_use()
        ids = [note_id for note_id, _ in self._popularity[offset : offset + limit]]
        return Page(self._note_rows(ids), len(self._popularity), offset)

    def placeholders(self, offset: int = 0, limit: int = PAGE) -> Page:
        with self.locked() as nb:
            ids, total = nb.placeholder_ids(offset, limit)
        return Page(self._note_rows(ids), total, offset)

    def claim_status_counts(self) -> dict[Status, int]:
        with self.locked() as nb:
            return nb.claim_status_counts()

    def claims_with_status(self, status: Status, offset: int = 0, limit: int = PAGE) -> Page:
        with self.locked() as nb:
            found, total = nb.claims_with_status(status, offset, limit)
        return Page([Row(r["id"], r["text"], status) for r in found], total, offset)

    def runner_groups(self, offset: int = 0, limit: int = PAGE) -> Page:
        """One row per runner that a reproduction spec or a run names, with how many claims it covers."""
        with self.locked() as nb:
            found = nb.claims_by_runner()
        rows = [Row(f"runner:{name}", name, None, plural(n, "claim"), True) for name, n in found]
        return Page(rows[offset : offset + limit], len(rows), offset)

    def runner_claims(self, runner: str, offset: int = 0, limit: int = PAGE) -> Page:
        with self.locked() as nb:
            found, total = nb.claims_for_runner(runner, offset, limit)
        return Page([Row(r["id"], r["text"], Status(r["status"])) for r in found], total, offset)

    def _note_rows(self, note_ids: list[str]) -> list[Row]:
        """Rows for notes in the given order, each with its status, 'used by N' and whether it has claims."""
        with self.locked() as nb:
            found = nb.note_rows(note_ids)
            tally = nb.live_claim_counts(list(found))
        rows = []
        for note_id in note_ids:
            r = found.get(note_id)
            if r is not None:  # a note is a question: its claims' counts, never one glyph
                detail = (
                    "placeholder" if r["is_placeholder"] else f"{counts_text(tally[note_id])} · used by {r['used']}"
                )
                rows.append(Row(note_id, r["title"], None, detail, r["claims"] > 0))
        return rows

    # ---- filter ----------------------------------------------------------------------------

    def title_index(self) -> TitleIndex:
        if self._titles is None:
            with self.locked() as nb:
                titles = nb.browse_titles() + nb.claim_texts()
            self._titles = TitleIndex([(title.casefold(), node_id, title) for node_id, title in titles])
        return self._titles

    def filter(self, text: str) -> Page:
        """Inquiries, notes and claims whose title (a claim's text) contains every typed word, as navigator rows."""
        hits, total = self.title_index().match(text)
        notes = {
            row.node_id: row
            for row in self._note_rows([node_id for node_id, _ in hits if kind_of(node_id) is NodeKind.NOTE])
        }
        inquiry_ids = [node_id for node_id, _ in hits if kind_of(node_id) is NodeKind.INQUIRY]
        with self.locked() as nb:
            tally = nb.cited_claim_counts(inquiry_ids)
        claims = self.claim_statuses([node_id for node_id, _ in hits if kind_of(node_id) is NodeKind.CLAIM])
        rows = []
        for node_id, title in hits:
            if node_id in notes:
                rows.append(notes[node_id])
            elif kind_of(node_id) is NodeKind.INQUIRY:
                rows.append(Row(node_id, title, None, f"{counts_text(tally[node_id])} · inquiry", True))
            else:
                rows.append(Row(node_id, title, claims.get(node_id), "claim"))
        return Page(rows, total)

    # ---- links ---------------------------------------------------------------------------

    def neighbors(self, node_id: str, per_kind: int = PER_KIND) -> list[LinkGroup]:
        """Links (outgoing) and backlinks (incoming) grouped by edge kind, each group capped with a count.

        Rejected relations are left out; suggested ones are kept (marked) so they can be accepted or
        rejected from the links panel.
        """
        groups: list[LinkGroup] = []
        with self.locked() as nb:
            for outgoing, direction in ((True, "links"), (False, "backlinks")):
                for kind, total, found in nb.edge_groups(node_id, outgoing, per_kind):
                    titles = nb.titles_of([r["node"] for r in found])
                    groups.append(
                        LinkGroup(
                            f"{kind} ({direction})",
                            [Link(r["node"], titles[r["node"]], r["id"], r["state"] == "suggested") for r in found],
                            total,
                        )
                    )
        return groups

    def local_view(self, node_id: str) -> LocalView:
        """Links and co-cited notes of one node, all by SQL (no graph needed); the drawing comes later."""
        cocited = []
        if kind_of(node_id) is NodeKind.NOTE:
            with self.locked() as nb:
                cocited = [
                    (Link(c["id"], c["title"]), c["inquiries"]) for c in queries.cocited_in_store(nb, node_id, 10)
                ]
        return LocalView(node_id, self.neighbors(node_id), cocited)

    def graph_ready(self) -> bool:
        """Whether the knowledge graph is built (only graph views need it; it is built on their first use)."""
        return build.graph_for(self.nb).built

    def graph_is_small(self) -> bool:
        """Whether building the graph is quick enough to draw every node's local graph unasked."""
        if self._notes is None:
            self._notes = self.group_sizes()["notes"]
        return self._notes <= GRAPH_AUTO_NOTES

    def local_drawing(self, node_id: str, width: int = 70) -> str:
        """The text drawing of a node's local graph (radius 2, capped); builds the graph on first use.

        The build runs outside :attr:`lock`: it only reads, and the connection is in SQLite's
        serialized mode (``sqlite3.threadsafety == 3``), so other workers' queries go on meanwhile.
        """
        graph = build.load(self.nb)
        with self.locked():
            if node_id not in graph:
                return ""
            return queries.render_local(
                queries.local_graph(graph, node_id, radius=2, per_node=6, max_nodes=40), width=width
            )

    # ---- runs ------------------------------------------------------------------------------

    def runs(self, claim_id: str) -> list[RunRecord]:
        """The claim's runs, newest first, as recorded (reaping dead workers is the watcher's job)."""
        with self.locked() as nb:
            return records.list_runs(nb, claim_id=claim_id)

    # ---- live state ------------------------------------------------------------------------

    def look_for_changes(
        self, last_version: int | None
    ) -> tuple[int, dict[str, tuple[str, str, int | None, str]]] | None:
        """Reap runs whose worker died and start queued ones (the app's background watcher calls this
        every poll), then, if the notebook changed since ``last_version`` (``PRAGMA data_version``:
        another process committed), the new version and every run's ``(claim, status, step, heartbeat)``.

        Returns ``None`` when nothing changed, so the interface does no work at all then.
        """
        with self.locked() as nb:
            launcher.reap(nb)
            version = nb.data_version()
            if version == last_version:
                return None
            runs = {r.id: (r.claim_id or "", r.status.value, r.step, r.heartbeat or "") for r in records.list_runs(nb)}
        return version, runs

    def run(self, run_id: str) -> RunRecord:
        with self.locked() as nb:
            return records.get(nb, run_id)
