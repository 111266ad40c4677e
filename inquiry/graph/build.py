"""The notebook as a typed networkx MultiDiGraph, built lazily and kept in step with writes.

Nodes are the notebook's ids, each with ``kind`` (inquiry/note/claim/paper/run), ``title`` and
``status`` (a claim's evidence status, a note's roll-up of its claims, a run's run status; "" where
none applies); notes also carry ``placeholder``. Edges are keyed by their kind, so there is at most
one edge of each kind between two nodes, and carry ``kind`` and ``state`` (``accepted`` or
``suggested``; rejected relations are left out). Relation rows keep their ``id`` (for accept/reject)
and ``why``; ``cites`` edges carry the essay ``paragraphs`` they occur in; runs hang off their claim
by ``tested-by``.

The store stays the source of truth: :class:`KnowledgeGraph` builds the graph on first use from
one scan per table (or reads it from :mod:`inquiry.graph.cache` when nothing changed since a big graph
was last built), then follows :class:`~inquiry.store.ChangeEvent` s, re-reading only the rows that
changed.

>>> import tempfile
>>> from inquiry.store import Notebook
>>> from inquiry.models import ImportBatch, Note, Claim
>>> nb = Notebook.open(tempfile.mkdtemp())
>>> kg = graph_for(nb)
>>> _ = nb.apply(ImportBatch(notes=[Note(id="note:a", title="Does A?")],
...                          claims=[Claim(id="claim:a/1", note_id="note:a", text="A holds.")]))
>>> kg.graph.nodes["note:a"]["kind"], list(kg.graph.successors("note:a"))
('note', ['claim:a/1'])
"""

from __future__ import annotations

import gc
import weakref
from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import networkx as nx

from ..models import EdgeKind, EdgeState, NodeKind, Status, kind_of
from ..store import graph_rows
from . import cache
from .rollup import combine

if TYPE_CHECKING:
    from ..store import ChangeEvent, Notebook

# A change touching more rows than this is cheaper to answer with one rebuild on next use.
REBUILD_THRESHOLD = 20_000


def _note_attrs(row: tuple) -> dict[str, Any]:
    return {"kind": "note", "title": row[1], "status": "", "placeholder": bool(row[2])}


def _claim_attrs(row: tuple) -> dict[str, Any]:
    return {"kind": "claim", "title": row[2], "status": row[3], "note": row[1]}


def _run_attrs(row: tuple) -> dict[str, Any]:
    title = row[2] + (f"/{row[3]}" if row[3] else "")
    return {"kind": "run", "title": title, "status": row[4], "verdict": row[5] or ""}


# One builder per kind, looked up once per table: the full build calls them for every row.
_NODE_ATTRS = {
    NodeKind.INQUIRY: lambda row: {"kind": "inquiry", "title": row[1], "status": ""},
    NodeKind.NOTE: _note_attrs,
    NodeKind.CLAIM: _claim_attrs,
    NodeKind.PAPER: lambda row: {"kind": "paper", "title": row[1], "status": ""},
    NodeKind.RUN: _run_attrs,
}


def _node_attrs(kind: NodeKind, row: tuple) -> dict[str, Any]:
    """Node attributes from a node tuple of :mod:`inquiry.store.graph_rows` (a note's status is filled in separately)."""
    return _NODE_ATTRS[kind](row)


def _edge_attrs(kind: str, state: str, row_id: int | None = None, why: str | None = None) -> dict[str, Any]:
    attrs: dict[str, Any] = {"kind": kind, "state": state}
    if row_id is not None:
        attrs["id"] = row_id
    if why:
        attrs["why"] = why
    return attrs


def bulk_add_edges(graph: nx.MultiDiGraph, edges: Iterable[tuple[str, str, str, dict[str, Any]]]) -> None:
    """Add ``(u, v, key, attrs)`` edges, merging attrs into an existing edge with that key.

    Same result as ``graph.add_edges_from`` but writes networkx's adjacency dicts directly, about twice
    as fast, which is what lets a million-edge notebook load within its 3-second budget. The layout
    (``_succ[u][v] is _pred[v][u]``, a dict of key → attrs) is networkx's documented data structure.
    """
    succ, pred, node = graph._succ, graph._pred, graph._node
    inner = graph.adjlist_inner_dict_factory
    for u, v, key, attrs in edges:
        out = succ.get(u)
        if out is None:
            out = succ[u] = inner()
            pred[u], node[u] = {}, {}
        keydict = out.get(v)
        if keydict is None:  # the usual case: the first edge between u and v
            if v not in succ:
                succ[v], pred[v], node[v] = inner(), {}, {}
            out[v] = pred[v][u] = {key: attrs}
        elif key in keydict:
            keydict[key].update(attrs)
        else:
            keydict[key] = attrs


def _build_into(graph: nx.MultiDiGraph, nb: Notebook) -> None:
    """Fill an empty graph from the tables: nodes, edge rows, citations, runs (the full build).

    One plain scan per table (no ORDER BY / GROUP BY: SQLite sorting a million rows costs more than the
    build), each row written straight into networkx's adjacency dicts in one loop, like
    :func:`bulk_add_edges` but without a generator and a call per row between the scan and the dicts.
    """
    node, succ, pred = graph._node, graph._succ, graph._pred
    assert graph.adjlist_inner_dict_factory is dict  # the loops below write plain dicts
    _load_nodes(node, succ, pred, nb)
    created: list[str] = []  # edge ends that no table holds (e.g. a "next" line never imported)
    kinds, states = graph_rows.EDGE_KINDS, graph_rows.EDGE_STATES
    for src, dst, kind, state, row_id, why in graph_rows.edges(nb):
        out, into = succ.get(src), pred.get(dst)
        if out is None or into is None:
            # Edges may name nodes outside the tables (placeholder targets), but never a retired claim.
            if (out is None and src.startswith("claim:")) or (into is None and dst.startswith("claim:")):
                continue
            if out is None:
                out = succ[src] = {}
                pred[src], node[src] = {}, {}
                created.append(src)
                into = pred.get(dst)  # a self-loop's end was just made
            if into is None:
                succ[dst], into, node[dst] = {}, {}, {}
                pred[dst] = into
                created.append(dst)
        if kind.__class__ is int:
            kind = kinds[kind]
        if state.__class__ is int:
            state = states[state]
        attrs = (
            {"kind": kind, "state": state, "id": row_id, "why": why}
            if why
            else {"kind": kind, "state": state, "id": row_id}
        )
        keydict = out.get(dst)
        if keydict is None:  # the usual case: the first edge between src and dst
            out[dst] = into[src] = {kind: attrs}
        else:  # (src, dst, kind) is unique in the table: a new key
            keydict[kind] = attrs
    _add_citations(node, succ, pred, created, nb)
    tested_by, accepted = EdgeKind.TESTED_BY.value, EdgeState.ACCEPTED.value
    for run, claim in graph_rows.tested(nb):
        out = succ.get(claim)
        if out is None or run not in node:
            continue
        keydict = out.get(run)
        if keydict is None:
            out[run] = pred[run][claim] = {tested_by: {"kind": tested_by, "state": accepted}}
        elif tested_by in keydict:
            keydict[tested_by].update(kind=tested_by, state=accepted)
        else:
            keydict[tested_by] = {"kind": tested_by, "state": accepted}
    for node_id in created:
        attrs = node[node_id]
        if not attrs:
            attrs.update(kind=_kind_name(node_id), title=node_id, status="")


def _load_nodes(node: dict, succ: dict, pred: dict, nb: Notebook) -> None:
    """One node per row of the node tables; a note's status is the roll-up of its live claims'."""
    for kind in (NodeKind.INQUIRY, NodeKind.PAPER, NodeKind.RUN):
        attrs_of = _NODE_ATTRS[kind]
        for row in graph_rows.nodes(nb, kind):
            node[row[0]], succ[row[0]], pred[row[0]] = attrs_of(row), {}, {}
    untested = Status.UNTESTED.value
    for note_id, title, placeholder in graph_rows.nodes(nb, NodeKind.NOTE):
        node[note_id] = {"kind": "note", "title": title, "status": untested, "placeholder": bool(placeholder)}
        succ[note_id], pred[note_id] = {}, {}
    claim_statuses: dict[str, set[str]] = defaultdict(set)
    for claim_id, note_id, text, status in graph_rows.nodes(nb, NodeKind.CLAIM):
        node[claim_id] = {"kind": "claim", "title": text, "status": status, "note": note_id}
        succ[claim_id], pred[claim_id] = {}, {}
        claim_statuses[note_id].add(status)
    rollups: dict[frozenset[str], str] = {}  # notes share a handful of status mixes: combine each once
    for note_id, statuses in claim_statuses.items():
        attrs = node.get(note_id)
        if attrs is not None and attrs.get("kind") == "note":
            key = frozenset(statuses)
            if key not in rollups:
                rollups[key] = combine(key).value or untested
            attrs["status"] = rollups[key]


def _add_citations(node: dict, succ: dict, pred: dict, created: list[str], nb: Notebook) -> None:
    """One ``cites`` edge per (inquiry, note) of the citation rows, with the sorted ``paragraphs`` it occurs
    in; merged into a ``cites`` edge row between the same two nodes, if any."""
    cites, accepted = EdgeKind.CITES.value, EdgeState.ACCEPTED.value
    grown: list[list[int]] = []  # paragraph lists that got a second item: sorted at the end
    for inquiry, note, paragraph in graph_rows.citations(nb):
        out, into = succ.get(inquiry), pred.get(note)
        if out is None:
            out = succ[inquiry] = {}
            pred[inquiry], node[inquiry] = {}, {}
            created.append(inquiry)
            into = pred.get(note)
        if into is None:
            succ[note], into, node[note] = {}, {}, {}
            pred[note] = into
            created.append(note)
        keydict = out.get(note)
        if keydict is None:  # most notes are cited once per essay
            out[note] = into[inquiry] = {cites: {"kind": cites, "state": accepted, "paragraphs": [paragraph]}}
            continue
        attrs = keydict.get(cites)
        if attrs is None:
            keydict[cites] = {"kind": cites, "state": accepted, "paragraphs": [paragraph]}
        elif "paragraphs" not in attrs:  # a ``cites`` edge row: the citations make it accepted
            attrs.update(state=accepted, paragraphs=[paragraph])
        elif paragraph not in attrs["paragraphs"]:
            attrs["paragraphs"].append(paragraph)
            grown.append(attrs["paragraphs"])
    for paragraphs in grown:
        paragraphs.sort()


class KnowledgeGraph:
    """The graph of one notebook. Get it with :func:`graph_for`; read it through :attr:`graph`.

    Treat the graph as read-only: the store is the source of truth and this object mirrors it.
    """

    def __init__(self, nb: Notebook):
        # A weak reference, so that the registry in graph_for does not keep closed notebooks alive.
        self._notebook = weakref.ref(nb)
        self._graph: nx.MultiDiGraph | None = None
        self.builds = 0  # how many full builds happened (tests check that writes do not rebuild)
        self.from_cache = False  # whether the last full build was read from the cache file
        nb.listeners.append(self._on_change)

    @property
    def nb(self) -> Notebook:
        nb = self._notebook()
        if nb is None:
            raise RuntimeError("the notebook of this graph has been closed")
        return nb

    @property
    def _live(self) -> nx.MultiDiGraph:
        """The built graph, for the incremental updates (which run only once it is built)."""
        assert self._graph is not None
        return self._graph

    @property
    def built(self) -> bool:
        """Whether the graph is built (reading :attr:`graph` builds it)."""
        return self._graph is not None

    @property
    def graph(self) -> nx.MultiDiGraph:
        if self._graph is None:
            self._graph = self._build()
            self.builds += 1
        return self._graph

    def detach(self) -> None:
        """Stop following the notebook."""
        if self._on_change in self.nb.listeners:
            self.nb.listeners.remove(self._on_change)

    # ---- full build ------------------------------------------------------------------------

    def _build(self) -> nx.MultiDiGraph:
        """The graph from the cache file saved under the notebook's current key, else built from the tables
        (and saved when big, if no write landed while it was being built: then the rows read are the key's)."""
        nb = self.nb
        self.from_cache = False
        # Millions of small dicts would trigger many useless cyclic-GC passes; none of them is garbage.
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            key = cache.cache_key(nb)  # None inside a write, whose rows may still be rolled back
            graph = cache.load(nb, key) if key is not None else None
            if graph is not None:
                self.from_cache = True
                return graph
            graph = nx.MultiDiGraph()
            _build_into(graph, nb)
            size = len(graph._node) + sum(map(len, graph._succ.values()))  # nodes + linked pairs
            if key is not None and size >= cache.MIN_ELEMENTS and cache.cache_key(nb) == key:
                cache.save(nb, key, graph)
            return graph
        finally:
            if was_enabled:
                gc.enable()

    @staticmethod
    def _endpoint_ok(node_id: str, live: dict) -> bool:
        """Edges may name nodes outside the tables (placeholder targets), but never a retired claim."""
        return node_id in live or not node_id.startswith("claim:")

    @staticmethod
    def _citation_edges(citations: Iterable[tuple[Any, ...]]) -> Iterable[tuple[str, str, str, dict[str, Any]]]:
        """One ``cites`` edge per (inquiry, note) from citation rows ``(inquiry_id, note_id, paragraph)``."""
        paragraphs: dict[tuple[str, str], list[int]] = {}
        for inquiry, note, paragraph in citations:
            found = paragraphs.get((inquiry, note))
            if found is None:  # most notes are cited once per essay: a one-item list, no set
                paragraphs[inquiry, note] = [paragraph]
            elif paragraph not in found:
                found.append(paragraph)
        cites, accepted = EdgeKind.CITES.value, EdgeState.ACCEPTED.value
        for (inquiry, note), found in paragraphs.items():
            yield inquiry, note, cites, {"kind": cites, "state": accepted, "paragraphs": sorted(found)}

    # ---- incremental updates ---------------------------------------------------------------

    def _on_change(self, event: ChangeEvent) -> None:
        if self._graph is None:
            return  # not built yet: the first read will see the new rows anyway
        size = len(event.nodes) + len(event.removed) + len(event.edges) + len(event.removed_edges)
        if size > REBUILD_THRESHOLD:
            self._graph = None
            return
        graph = self._graph
        stale_notes: set[str] = set()  # notes whose roll-up status must be recomputed at the end
        for node_id in event.removed:
            stale_notes |= self._remove_node(node_id)
        for src, dst, kind in event.removed_edges:
            if graph.has_edge(src, dst, key=kind):
                graph.remove_edge(src, dst, key=kind)
        # Nodes before edges: an import adds a claim and its "asserts" edge in one event.
        for node_id in dict.fromkeys(event.nodes):
            stale_notes |= self._sync_node(node_id)
        for edge in event.edges:
            self._sync_edge(edge.src, edge.dst, edge.kind.value)
            if edge.kind is EdgeKind.ASSERTS:
                stale_notes.add(edge.src)
        for note_id in stale_notes:
            self._sync_note_status(note_id)

    def _remove_node(self, node_id: str) -> set[str]:
        graph = self._live
        if node_id not in graph:
            return set()
        note = graph.nodes[node_id].get("note")
        graph.remove_node(node_id)
        return {note} if note else set()

    def _sync_edge(self, src: str, dst: str, kind: str) -> None:
        """Make one edge match its row: added, updated, or gone when rejected."""
        graph = self._live
        row = graph_rows.edge(self.nb, src, dst, kind)
        if (
            row is None
            or row[0] == EdgeState.REJECTED.value
            or not (self._endpoint_ok(src, graph._node) and self._endpoint_ok(dst, graph._node))
        ):
            if graph.has_edge(src, dst, key=kind):
                graph.remove_edge(src, dst, key=kind)
            return
        for end in (src, dst):
            if end not in graph:
                graph.add_node(end, kind=_kind_name(end), title=end, status="")
        if graph.has_edge(src, dst, key=kind):
            graph.edges[src, dst, kind].update(_edge_attrs(kind, row[0], row[1], row[2]))
            if not row[2]:
                graph.edges[src, dst, kind].pop("why", None)
        else:
            graph.add_edge(src, dst, key=kind, **_edge_attrs(kind, row[0], row[1], row[2]))

    def _sync_node(self, node_id: str) -> set[str]:
        """Re-read one node's row (and what hangs off it: an inquiry's citations, a claim's runs).

        Returns the notes whose status may have changed.
        """
        try:
            kind = kind_of(node_id)
        except ValueError:
            return set()
        graph = self._live
        row = graph_rows.node(self.nb, kind, node_id)
        if row is None:
            return self._remove_node(node_id)
        attrs = _node_attrs(kind, row)
        if node_id in graph:
            old_note = graph.nodes[node_id].get("note")
            graph.nodes[node_id].clear()
            graph.nodes[node_id].update(attrs)
        else:
            old_note = None
            graph.add_node(node_id, **attrs)
        if kind is NodeKind.INQUIRY:
            self._sync_citations("inquiry_id", node_id)
        elif kind is NodeKind.NOTE:
            self._sync_citations("note_id", node_id)
            return {node_id}
        elif kind is NodeKind.CLAIM:
            self._sync_runs(node_id)
            return {attrs["note"], old_note} - {None}
        elif kind is NodeKind.RUN and row[1] in graph:
            graph.add_edge(
                row[1],
                node_id,
                key=EdgeKind.TESTED_BY.value,
                **_edge_attrs(EdgeKind.TESTED_BY.value, EdgeState.ACCEPTED.value),
            )
        return set()

    def _sync_citations(self, column: str, node_id: str) -> None:
        """Replace the ``cites`` edges at one end (an inquiry's essay or a note's citers) from the table."""
        graph = self._live
        cites = EdgeKind.CITES.value
        around = graph.out_edges(node_id, keys=True) if column == "inquiry_id" else graph.in_edges(node_id, keys=True)
        for u, v, key in list(around):
            if key == cites:
                graph.remove_edge(u, v, key=key)
        bulk_add_edges(
            graph,
            self._citation_edges(
                graph_rows.citations(self.nb, inquiry_id=node_id)
                if column == "inquiry_id"
                else graph_rows.citations(self.nb, note_id=node_id)
            ),
        )
        for _, other in graph.edges(node_id) if column == "inquiry_id" else graph.in_edges(node_id):
            if not graph.nodes[other]:
                graph.nodes[other].update(kind=_kind_name(other), title=other, status="")

    def _sync_runs(self, claim_id: str) -> None:
        for row in graph_rows.runs_of_claim(self.nb, claim_id):
            self._live.add_node(row[0], **_node_attrs(NodeKind.RUN, row))
            self._live.add_edge(
                claim_id,
                row[0],
                key=EdgeKind.TESTED_BY.value,
                **_edge_attrs(EdgeKind.TESTED_BY.value, EdgeState.ACCEPTED.value),
            )

    def _sync_note_status(self, note_id: str) -> None:
        graph = self._live
        if note_id not in graph:
            return
        claims = [
            v
            for v, keys in graph._succ[note_id].items()
            if EdgeKind.ASSERTS.value in keys and graph.nodes[v].get("kind") == NodeKind.CLAIM.value
        ]
        graph.nodes[note_id]["status"] = combine(graph.nodes[c]["status"] for c in claims).value


def _kind_name(node_id: str) -> str:
    try:
        return kind_of(node_id).value
    except ValueError:
        return "unknown"


_GRAPHS: weakref.WeakKeyDictionary[Notebook, KnowledgeGraph] = weakref.WeakKeyDictionary()


def graph_for(nb: Notebook) -> KnowledgeGraph:
    """The one :class:`KnowledgeGraph` of an open notebook (created on first call, built on first read)."""
    if nb not in _GRAPHS:
        _GRAPHS[nb] = KnowledgeGraph(nb)
    return _GRAPHS[nb]


def load(nb: Notebook) -> nx.MultiDiGraph:
    """The notebook's graph, built if needed: ``load(nb).nodes["note:…"]["status"]``."""
    return graph_for(nb).graph
