"""The scans the knowledge graph (:mod:`inquiry.graph.build`) is built and kept in step from.

Each returns plain tuples straight from the cursor: the full build reads every row of five tables and
writes them into networkx's dicts in one loop, so no dict or model per row (a million edges load in ~3 s).
The tuple layouts are part of the contract with the graph:

- nodes, per kind: inquiry ``(id, question)``; note ``(id, title, is_placeholder)``; claim ``(id, note_id,
  text, status)`` (live claims only); paper ``(id, name)``; run ``(id, claim_id, runner, preset, status, verdict)``;
- edges ``(src, dst, kind, state, id, why)``, rejected ones left out, ``why`` None when empty, ``kind`` and
  ``state`` as an index into :data:`EDGE_KINDS` / :data:`EDGE_STATES` where they are known (Python reuses
  small ints where every text value would be a new string object per row: time, and ~90 MB at a million
  edges), else the text;
- citations ``(inquiry_id, note_id, paragraph)``; runs of claims ``(run id, claim id)``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..models import EdgeKind, EdgeState, NodeKind
from .base import Connection

EDGE_KINDS = tuple(kind.value for kind in EdgeKind)
EDGE_STATES = tuple(state.value for state in EdgeState)

_NODE_SQL = {
    NodeKind.INQUIRY: "SELECT id, question FROM inquiries",
    NodeKind.NOTE: "SELECT id, title, is_placeholder FROM notes",
    NodeKind.CLAIM: "SELECT id, note_id, text, status FROM claims WHERE retired = 0",
    NodeKind.PAPER: "SELECT id, name FROM papers",
    NodeKind.RUN: "SELECT id, claim_id, runner, preset, status, verdict FROM runs",
}

_EDGE_SQL = (
    "SELECT src, dst, CASE kind "
    + " ".join(f"WHEN '{k}' THEN {i}" for i, k in enumerate(EDGE_KINDS))
    + " ELSE kind END, CASE state "
    + " ".join(f"WHEN '{s}' THEN {i}" for i, s in enumerate(EDGE_STATES))
    + " ELSE state END, id, nullif(why, '') FROM edges WHERE state != ?"
)


def nodes(nb: Connection, kind: NodeKind) -> Iterable[tuple[Any, ...]]:
    """Every node of one kind (a plain scan: no ORDER BY, which would cost more than the build)."""
    return nb.db.execute(_NODE_SQL[kind])


def node(nb: Connection, kind: NodeKind, node_id: str) -> tuple[Any, ...] | None:
    """One node's tuple, or None when it is not stored (or is a retired claim)."""
    sql = _NODE_SQL[kind]
    return nb.db.execute(sql + (" AND" if " WHERE " in sql else " WHERE") + " id = ?", [node_id]).fetchone()


def runs_of_claim(nb: Connection, claim_id: str) -> Iterable[tuple[Any, ...]]:
    return nb.db.execute(_NODE_SQL[NodeKind.RUN] + " WHERE claim_id = ?", [claim_id])


def tested(nb: Connection) -> Iterable[tuple[str, str]]:
    """``(run id, claim id)`` of every run of a claim."""
    return nb.db.execute("SELECT id, claim_id FROM runs WHERE claim_id IS NOT NULL")


def edges(nb: Connection) -> Iterable[tuple[Any, ...]]:
    """Every edge that is not rejected."""
    return nb.db.execute(_EDGE_SQL, [EdgeState.REJECTED.value])


def edge(nb: Connection, src: str, dst: str, kind: str) -> tuple[str, int, str | None] | None:
    """``(state, id, why)`` of one edge, or None."""
    return nb.db.execute(
        "SELECT state, id, why FROM edges WHERE src = ? AND dst = ? AND kind = ?", [src, dst, kind]
    ).fetchone()


def citations(nb: Connection, inquiry_id: str | None = None, note_id: str | None = None) -> Iterable[tuple[Any, ...]]:
    """Citation rows, all of them or those of one inquiry or one note."""
    sql = "SELECT inquiry_id, note_id, paragraph FROM citations"
    if inquiry_id is not None:
        return nb.db.execute(sql + " WHERE inquiry_id = ?", [inquiry_id])
    if note_id is not None:
        return nb.db.execute(sql + " WHERE note_id = ?", [note_id])
    return nb.db.execute(sql)
