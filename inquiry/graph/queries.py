"""Navigation queries over the knowledge graph (see :mod:`inquiry.graph.build`).

Every function takes the graph (``load(nb)``) and returns plain data (dicts and lists of str/int/
float) ready for ``--json``. Big neighbourhoods are paged or capped, and say how much they left out,
so a note cited by thousands of inquiries never stalls the terminal.

>>> import networkx as nx
>>> g = nx.MultiDiGraph()
>>> g.add_node("inq:q", kind="inquiry", title="Q?", status="")
>>> for n in ("a", "b"):
...     g.add_node(f"note:{n}", kind="note", title=n.upper(), status="untested")
...     _ = g.add_edge("inq:q", f"note:{n}", key="cites", kind="cites", state="accepted", paragraphs=[1])
>>> path(g, "note:a", "note:b")["explained"]
'inquiry cites note, inquiry cites note'
>>> [(c["id"], c["inquiries"], c["same_paragraph"]) for c in cocited(g, "note:a")]
[('note:b', 1, 1)]
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import networkx as nx
import numpy as np

from ..errors import NotFound
from ..models import EdgeKind, EdgeState, NodeKind
from ..present.text import clip

if TYPE_CHECKING:
    from ..store import Notebook

MAX_RADIUS = 4
CITING = (EdgeKind.CITES.value, EdgeKind.LISTS_SOURCE.value)
# PageRank follows these edge kinds; "asserts" and "tested-by" would only drain rank into claims and runs.
RANK_KINDS = frozenset(
    {
        EdgeKind.CITES.value,
        EdgeKind.LISTS_SOURCE.value,
        EdgeKind.NEXT.value,
        EdgeKind.LINKS_TO.value,
        EdgeKind.MENTIONS.value,
        EdgeKind.SUPPORTS.value,
        EdgeKind.CONTRADICTS.value,
        EdgeKind.REFINES.value,
    }
)


def _require(graph: nx.MultiDiGraph, node: str) -> None:
    if node not in graph:
        raise NotFound(f"{node} is not in the graph")


def describe(graph: nx.MultiDiGraph, node: str) -> dict[str, Any]:
    """A node as ``{"id", "kind", "title", "status"}``."""
    attrs = graph.nodes[node]
    return {
        "id": node,
        "kind": attrs.get("kind", ""),
        "title": attrs.get("title", node),
        "status": attrs.get("status", ""),
    }


# When two nodes are joined by several kinds, explanations name the most telling one.
_EXPLAIN_ORDER = {
    kind: i
    for i, kind in enumerate(
        (
            "cites",
            "asserts",
            "contradicts",
            "supports",
            "refines",
            "links-to",
            "mentions",
            "next",
            "tested-by",
            "lists-source",
        )
    )
}


def _usable(keys: dict[str, dict[str, Any]], include_suggested: bool) -> list[str]:
    """Edge kinds between two nodes that a walk may follow, most telling first."""
    usable = [k for k, attrs in keys.items() if include_suggested or attrs.get("state") != EdgeState.SUGGESTED.value]
    return sorted(usable, key=lambda k: _EXPLAIN_ORDER.get(k, len(_EXPLAIN_ORDER)))


def _either_way(graph: nx.MultiDiGraph, node: str) -> Iterator[str]:
    """Neighbours in both directions, out-links first, without scanning more than the caller consumes."""
    return itertools.chain(graph._succ[node], (u for u in graph._pred[node] if u not in graph._succ[node]))


def _degree_either_way(graph: nx.MultiDiGraph, node: str) -> int:
    """Distinct neighbours either way; exact but O(1) when in- or out-links are empty (the common case)."""
    succ, pred = graph._succ[node], graph._pred[node]
    if not succ or not pred:
        return len(succ) + len(pred)
    small, big = (succ, pred) if len(succ) < len(pred) else (pred, succ)
    return len(big) + sum(1 for n in small if n not in big)


# ---- neighbours --------------------------------------------------------------------------------


def neighbors(
    graph: nx.MultiDiGraph, node: str, limit: int = 20, offset: int = 0, kinds: list[str] | None = None
) -> dict[str, Any]:
    """Links and backlinks of ``node`` grouped by direction and edge kind, one page per group.

    Each group is ``{"direction": "out"|"in", "kind", "total", "items"}``; items are sorted by id
    and sliced ``[offset:offset + limit]``, each with its ``edge`` attributes (``state``, and ``id``
    and ``why`` for relations, ``paragraphs`` for citations), so suggested relations can be marked. Cost is linear in the node's degree plus ``log(limit)`` per neighbour.
    """
    _require(graph, node)
    sides = {"out": graph._succ[node], "in": graph._pred[node]}
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for direction, adjacency in sides.items():
        for other, keys in adjacency.items():
            for kind in keys:
                if kinds is None or kind in kinds:
                    groups[direction, kind].append(other)
    result = []
    for (direction, kind), members in sorted(groups.items()):
        items = []
        for other in heapq.nsmallest(offset + limit, members)[offset:]:
            attrs = sides[direction][other][kind]
            items.append({**describe(graph, other), "edge": {k: v for k, v in attrs.items() if k != "kind"}})
        result.append({"direction": direction, "kind": kind, "total": len(members), "offset": offset, "items": items})
    return {"node": describe(graph, node), "groups": result}


# ---- local graph -------------------------------------------------------------------------------


@dataclass
class LocalGraph:
    """The neighbourhood of ``center`` within ``radius`` hops (either direction), capped per node."""

    center: str
    radius: int
    graph: nx.MultiDiGraph
    depth: dict[str, int]
    parent: dict[str, str]  # BFS tree, for rendering
    hidden: dict[str, int] = field(default_factory=dict)  # node -> neighbours left out by the cap

    def to_dict(self) -> dict[str, Any]:
        nodes = [
            {**describe(self.graph, n), "depth": d, "hidden": self.hidden.get(n, 0)} for n, d in self.depth.items()
        ]
        edges = [
            {"src": u, "dst": v, "kind": k, "state": a.get("state", "")}
            for u, v, k, a in self.graph.edges(keys=True, data=True)
        ]
        return {"center": self.center, "radius": self.radius, "nodes": nodes, "edges": edges}


def local_graph(
    graph: nx.MultiDiGraph, center: str, radius: int = 2, per_node: int = 25, max_nodes: int = 500
) -> LocalGraph:
    """The ego graph of ``center``: breadth-first, at most ``per_node`` new neighbours per node and
    ``max_nodes`` in all; ``hidden`` counts what the caps left out. ``radius`` is capped at 4.

    Unlike ``nx.ego_graph`` it never walks a hub's whole adjacency, so its cost is bounded by the caps.
    """
    _require(graph, center)
    radius = max(0, min(radius, MAX_RADIUS))
    depth, parent, capped = {center: 0}, {}, []
    frontier = [center]
    for level in range(1, radius + 1):
        next_frontier = []
        for node in frontier:
            taken = 0
            for other in _either_way(graph, node):
                if other in depth:
                    continue
                if taken == per_node or len(depth) >= max_nodes:
                    capped.append(node)
                    break
                depth[other], parent[other] = level, node
                next_frontier.append(other)
                taken += 1
        frontier = next_frontier
    hidden = {}
    for node in capped:  # counted against the kept nodes, never by walking the hub's adjacency
        succ, pred = graph._succ[node], graph._pred[node]
        shown = sum(1 for n in depth if n in succ or n in pred)
        hidden[node] = _degree_either_way(graph, node) - shown
    sub = nx.MultiDiGraph()
    sub.add_nodes_from((n, graph.nodes[n]) for n in depth)
    for node in depth:
        succ = graph._succ[node]
        # From each node, look up the other kept nodes or walk its own links, whichever is shorter.
        targets = (n for n in depth if n in succ) if len(succ) > len(depth) else (n for n in succ if n in depth)
        for other in targets:
            sub.add_edges_from((node, other, key, attrs) for key, attrs in succ[other].items())
    return LocalGraph(center, radius, sub, depth, parent, hidden)


def render_local(local: LocalGraph, width: int = 100) -> str:
    """A terminal tree of the local graph, each node once, edges read from the parent's side.

    ``→ cites`` means the parent cites the child; ``← cites`` means the child cites the parent.
    """
    children: dict[str, list[str]] = defaultdict(list)
    for child, par in local.parent.items():
        children[par].append(child)
    g = local.graph

    def label(node: str) -> str:
        d = describe(g, node)
        status = f" · {d['status']}" if d["status"] else ""
        return f"{clip(d['title'], width - 30)} [{d['kind']}{status}]"

    def relation(par: str, child: str) -> str:
        arrow, keys = ("→", g[par][child]) if g.has_edge(par, child) else ("←", g[child][par])
        return (
            arrow
            + " "
            + ", ".join(
                k + (" (suggested)" if a.get("state") == EdgeState.SUGGESTED.value else "") for k, a in keys.items()
            )
        )

    lines = [label(local.center)]

    def walk(node: str, indent: str) -> None:
        kids = children.get(node, [])
        more = local.hidden.get(node, 0)
        for i, child in enumerate(kids):
            last = i == len(kids) - 1 and not more
            lines.append(f"{indent}{'└─' if last else '├─'} {relation(node, child)}: {label(child)}")
            walk(child, indent + ("   " if last else "│  "))
        if more:
            lines.append(f"{indent}└─ … {more} more not shown")

    walk(local.center, "")
    return "\n".join(lines)


# ---- path --------------------------------------------------------------------------------------


def _pick_edge(graph: nx.MultiDiGraph, a: str, b: str, include_suggested: bool) -> tuple[str, str, str] | None:
    """An edge joining a and b in either direction, as ``(src, dst, kind)``; accepted edges first."""
    for src, dst in ((a, b), (b, a)):
        keys = graph._succ[src].get(dst)
        if keys:
            usable = _usable(keys, include_suggested)
            if usable:
                return src, dst, usable[0]
    return None


def path(graph: nx.MultiDiGraph, source: str, target: str, include_suggested: bool = False) -> dict[str, Any]:
    """The shortest connection between two nodes, edges followed either way, explained step by step.

    Returns ``{"nodes": [...], "steps": [{"src", "dst", "kind", "text"}], "explained": "inquiry
    cites note, note asserts claim"}``; ``nodes`` is empty when nothing connects them.
    Bidirectional breadth-first search growing the side with fewer links to walk.
    """
    _require(graph, source)
    _require(graph, target)
    if source == target:
        return {"nodes": [describe(graph, source)], "steps": [], "explained": ""}
    succ, pred = graph._succ, graph._pred
    suggested = EdgeState.SUGGESTED.value
    parents: tuple[dict[str, str | None], dict[str, str | None]] = ({source: None}, {target: None})
    frontiers = [source], [target]
    meet = None
    while frontiers[0] and frontiers[1] and meet is None:
        # Grow the side with fewer links to walk, so a hub at one end is crossed once, from the other side.
        cost = [sum(len(succ[n]) + len(pred[n]) for n in f) for f in frontiers]
        side = 0 if cost[0] <= cost[1] else 1
        mine, theirs = parents[side], parents[1 - side]
        grown = []
        for node in frontiers[side]:
            for adjacency in (succ[node], pred[node]):
                for other, keys in adjacency.items():
                    if other in mine:
                        continue
                    if not include_suggested:  # a plain loop: a generator per link would cost more than the walk
                        for attrs in keys.values():
                            if attrs.get("state") != suggested:
                                break
                        else:
                            continue
                    mine[other] = node
                    if other in theirs:
                        meet = other
                        break
                    grown.append(other)
                if meet is not None:
                    break
            if meet is not None:
                break
        frontiers = (grown, frontiers[1]) if side == 0 else (frontiers[0], grown)
    if meet is None:
        return {"nodes": [], "steps": [], "explained": ""}
    chain = [meet]
    while (parent := parents[0][chain[0]]) is not None:
        chain.insert(0, parent)
    while (child := parents[1][chain[-1]]) is not None:
        chain.append(child)
    steps = []
    for a, b in itertools.pairwise(chain):
        edge = _pick_edge(graph, a, b, include_suggested)
        assert edge is not None  # the walk joined a and b through this edge
        src, dst, kind = edge
        s, d = describe(graph, src), describe(graph, dst)
        steps.append(
            {
                "src": src,
                "dst": dst,
                "kind": kind,
                "text": f"{s['kind']} “{s['title']}” {kind} {d['kind']} “{d['title']}”",
            }
        )
    explained = ", ".join(f"{graph.nodes[s['src']]['kind']} {s['kind']} {graph.nodes[s['dst']]['kind']}" for s in steps)
    return {"nodes": [describe(graph, n) for n in chain], "steps": steps, "explained": explained}


# ---- citation structure ------------------------------------------------------------------------


def _citers(graph: nx.MultiDiGraph, note: str) -> Iterator[tuple[str, dict[str, Any]]]:
    for inquiry, keys in graph._pred[note].items():
        if EdgeKind.CITES.value in keys:
            yield inquiry, keys[EdgeKind.CITES.value]


def cocited(graph: nx.MultiDiGraph, note: str, limit: int = 20) -> list[dict[str, Any]]:
    """Notes most often cited together with ``note``: by how many inquiries cite both
    (``inquiries``) and in how many of those they share a paragraph (``same_paragraph``)."""
    _require(graph, note)
    together: Counter[str] = Counter()
    same: Counter[str] = Counter()
    for inquiry, attrs in _citers(graph, note):
        mine = set(attrs.get("paragraphs", ()))
        for other, keys in graph._succ[inquiry].items():
            if other != note and EdgeKind.CITES.value in keys:
                together[other] += 1
                if mine & set(keys[EdgeKind.CITES.value].get("paragraphs", ())):
                    same[other] += 1
    best = heapq.nsmallest(limit, together, key=lambda n: (-together[n], -same[n], n))
    return [{**describe(graph, n), "inquiries": together[n], "same_paragraph": same[n]} for n in best]


def cocited_in_store(nb: Notebook, note: str, limit: int = 20) -> list[dict[str, Any]]:
    """:func:`cocited` answered by SQL on the notebook's citations and ``cites`` edges, without the graph.

    Same counts and order as ``cocited(load(nb), note, limit)``; each row is ``{"id", "title",
    "inquiries", "same_paragraph"}``. For callers that must not wait for (or hold the GIL building)
    the whole graph, like the terminal app's links panel; SQLite does the work outside the GIL.

    >>> import tempfile
    >>> from inquiry.store import Notebook
    >>> from inquiry.models import Citation, ImportBatch, Inquiry, Note
    >>> nb = Notebook.open(tempfile.mkdtemp())
    >>> cite = lambda n, p: Citation(inquiry_id="inq:q", note_id=f"note:{n}", paragraph=p, sentence="s",
    ...                              start=0, end=1)
    >>> _ = nb.apply(ImportBatch(inquiries=[Inquiry(id="inq:q", question="Q?", essay=["s", "s"])],
    ...                          notes=[Note(id=f"note:{n}", title=n.upper()) for n in "abc"],
    ...                          citations=[cite("a", 0), cite("b", 0), cite("c", 1)]))
    >>> [(r["title"], r["inquiries"], r["same_paragraph"]) for r in cocited_in_store(nb, "note:a")]
    [('B', 1, 1), ('C', 1, 0)]
    """
    return nb.cocited_notes(note, limit)


def hubs(graph: nx.MultiDiGraph, limit: int = 20) -> list[dict[str, Any]]:
    """The notes used by the most inquiries (cited inline or listed as a source): ``used_by``."""
    used_by = {}
    for node, attrs in graph.nodes(data=True):
        if attrs.get("kind") == NodeKind.NOTE.value:
            count = sum(
                1
                for u, keys in graph._pred[node].items()
                if any(k in keys for k in CITING) and graph.nodes[u].get("kind") == NodeKind.INQUIRY.value
            )
            if count:
                used_by[node] = count
    best = heapq.nsmallest(limit, used_by, key=lambda n: (-used_by[n], n))
    return [{**describe(graph, n), "used_by": used_by[n]} for n in best]


def central(
    graph: nx.MultiDiGraph,
    limit: int = 20,
    kind: str | None = None,
    alpha: float = 0.85,
    tol: float = 1e-8,
    max_iter: int = 100,
) -> list[dict[str, Any]]:
    """The most central nodes by PageRank over accepted links (``RANK_KINDS``), optionally of one kind.

    Power iteration on numpy arrays (networkx's own pagerank needs scipy, which we do not ship).
    """
    index = {node: i for i, node in enumerate(graph)}
    n = len(index)
    if n == 0:
        return []
    src, dst = [], []
    for u, v, key, state in graph.edges(keys=True, data="state"):
        if key in RANK_KINDS and state != EdgeState.SUGGESTED.value:
            src.append(index[u])
            dst.append(index[v])
    src_a, dst_a = np.array(src, dtype=np.int64), np.array(dst, dtype=np.int64)
    out_degree = np.bincount(src_a, minlength=n).astype(float)
    dangling = out_degree == 0
    weight = np.zeros(len(src_a)) if len(src_a) == 0 else 1.0 / out_degree[src_a]
    rank = np.full(n, 1.0 / n)
    for _ in range(max_iter):
        spread = np.bincount(dst_a, weights=rank[src_a] * weight, minlength=n)
        new = alpha * (spread + rank[dangling].sum() / n) + (1 - alpha) / n
        done = np.abs(new - rank).sum() < n * tol
        rank = new
        if done:
            break
    nodes = list(index)
    order = np.argsort(-rank, kind="stable")
    picked = [i for i in order if kind is None or graph.nodes[nodes[i]].get("kind") == kind][:limit]
    return [{**describe(graph, nodes[i]), "pagerank": float(rank[i])} for i in picked]


def orphans(graph: nx.MultiDiGraph) -> list[dict[str, Any]]:
    """Nodes nothing points at: notes and papers without incoming links, inquiries without any link."""
    found = []
    for node, attrs in graph.nodes(data=True):
        kind = attrs.get("kind")
        if (kind in (NodeKind.NOTE.value, NodeKind.PAPER.value) and not graph._pred[node]) or (
            kind == NodeKind.INQUIRY.value and not graph._pred[node] and not graph._succ[node]
        ):
            found.append(describe(graph, node))
    return sorted(found, key=lambda d: (d["kind"], d["title"]))


def placeholders(graph: nx.MultiDiGraph) -> list[dict[str, Any]]:
    """Placeholder notes (cited but never described), with who refers to them, most referenced first."""
    found = []
    for node, attrs in graph.nodes(data=True):
        if attrs.get("placeholder"):
            referrers = sorted(graph._pred[node])
            found.append({**describe(graph, node), "referenced_by": len(referrers), "by": referrers[:5]})
    return sorted(found, key=lambda d: (-d["referenced_by"], d["title"]))


# ---- near-duplicate inquiries ------------------------------------------------------------------


def near_duplicates(graph: nx.MultiDiGraph, threshold: float = 0.6) -> list[dict[str, Any]]:
    """Pairs of inquiries whose cited-note sets overlap with Jaccard ≥ ``threshold``, best first.

    A set-similarity join with prefix filtering: ordering notes rarest first, two sets can reach the
    threshold only if they share a note among the first ``|A| - ceil(t·|A|) + 1`` of either, so
    popular hub notes (cited by thousands) never generate candidate pairs on their own.
    """
    if not 0 < threshold <= 1:
        raise ValueError(f"threshold must be in (0, 1], got {threshold}")
    cited: dict[str, set[str]] = {}
    for node, attrs in graph.nodes(data=True):
        if attrs.get("kind") == NodeKind.INQUIRY.value:
            notes = {v for v, keys in graph._succ[node].items() if EdgeKind.CITES.value in keys}
            if notes:
                cited[node] = notes
    frequency = Counter(note for notes in cited.values() for note in notes)
    index: dict[str, list[str]] = defaultdict(list)
    found = []
    for inquiry in sorted(cited, key=lambda q: (len(cited[q]), q)):
        notes = cited[inquiry]
        prefix = sorted(notes, key=lambda note: (frequency[note], note))[
            : len(notes) - math.ceil(threshold * len(notes) - 1e-9) + 1
        ]
        candidates = {other for note in prefix for other in index[note]}
        for other in sorted(candidates):
            shared = len(notes & cited[other])
            score = shared / len(notes | cited[other])
            if score >= threshold:
                found.append(
                    {
                        "a": describe(graph, other),
                        "b": describe(graph, inquiry),
                        "jaccard": round(score, 4),
                        "shared": shared,
                    }
                )
        for note in prefix:
            index[note].append(inquiry)
    return sorted(found, key=lambda d: (-d["jaccard"], d["a"]["id"], d["b"]["id"]))
