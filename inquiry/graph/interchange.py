"""Write the graph for other tools: GraphML (Gephi, Cytoscape), node-link JSON, Graphviz DOT.

Every node carries ``kind``, ``title`` and ``status``; every edge ``kind`` and ``state``. GraphML
holds only scalars, so list attributes (a citation's paragraphs) are written as ``"1,4"`` there.

>>> import networkx as nx, io
>>> g = nx.MultiDiGraph()
>>> g.add_node("note:a", kind="note", title='Does "A" hold?', status="supported")
>>> g.add_node("claim:a/1", kind="claim", title="A holds.", status="supported")
>>> _ = g.add_edge("note:a", "claim:a/1", key="asserts", kind="asserts", state="accepted")
>>> print(dot_text(g).splitlines()[2])
  "note:a" [label="Does \\"A\\" hold?", kind="note", status="supported"];
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import networkx as nx

FORMATS = ("graphml", "json", "dot")


def _scalar(value: Any) -> Any:
    if isinstance(value, (list, tuple, set)):
        return ",".join(str(v) for v in value)
    return "" if value is None else value


def scalar_copy(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy whose attribute values are all str/int/float/bool, as GraphML requires."""
    flat = nx.MultiDiGraph()
    flat.add_nodes_from((n, {k: _scalar(v) for k, v in a.items()}) for n, a in graph.nodes(data=True))
    flat.add_edges_from(
        (u, v, key, {k: _scalar(x) for k, x in a.items()}) for u, v, key, a in graph.edges(keys=True, data=True)
    )
    return flat


def write_graphml(graph: nx.MultiDiGraph, path: Path) -> None:
    nx.write_graphml(scalar_copy(graph), path)


def write_json(graph: nx.MultiDiGraph, path: Path) -> None:
    """Node-link JSON (read back with ``nx.node_link_graph(data, edges="edges")``)."""
    data = nx.node_link_data(graph, edges="edges")
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")


def _quote(value: Any) -> str:
    text = str(_scalar(value)).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{text}"'


def dot_text(graph: nx.MultiDiGraph) -> str:
    """Graphviz DOT for the graph, written directly (no pygraphviz/pydot needed); titles become labels."""
    lines = ["digraph inquiry {", "  node [shape=box];"]
    for node, attrs in graph.nodes(data=True):
        fields = [f"label={_quote(attrs.get('title', node))}"]
        fields += [f"{k}={_quote(v)}" for k, v in attrs.items() if k in ("kind", "status")]
        lines.append(f"  {_quote(node)} [{', '.join(fields)}];")
    for u, v, key, attrs in graph.edges(keys=True, data=True):
        style = ', style="dashed"' if attrs.get("state") == "suggested" else ""
        lines.append(
            f"  {_quote(u)} -> {_quote(v)} [label={_quote(key)}, state={_quote(attrs.get('state', ''))}{style}];"
        )
    lines.append("}")
    return "\n".join(lines) + "\n"


def write_dot(graph: nx.MultiDiGraph, path: Path) -> None:
    path.write_text(dot_text(graph), encoding="utf-8")


WRITERS: dict[str, Callable[[nx.MultiDiGraph, Path], None]] = {
    "graphml": write_graphml,
    "json": write_json,
    "dot": write_dot,
}


def export(graph: nx.MultiDiGraph, path: Path, fmt: str) -> Path:
    """Write ``graph`` to ``path`` in ``fmt`` (one of :data:`FORMATS`); returns the path written."""
    if fmt not in WRITERS:
        raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    path = Path(path)
    WRITERS[fmt](graph, path)
    return path
