"""Graph commands: ``inquiry graph neighbors|local|path|cocited|hubs|central|orphans|placeholders|
duplicates|export``. Node arguments take an id, a unique id prefix or an exact title."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from .output import LazyChoice, State, emit, output_options


def _formats() -> tuple[str, ...]:
    from ..graph.interchange import FORMATS

    return tuple(FORMATS)


def _line(item: dict[str, Any]) -> str:
    status = f" [{item['status']}]" if item.get("status") else ""
    return f"{item['kind']:8} {item['title']}{status}  ({item['id']})"


def _table(rows: list[dict[str, Any]], extra: str | None = None) -> str:
    if not rows:
        return "(none)"
    return "\n".join((f"{row[extra]:>8}  " if extra else "") + _line(row) for row in rows)


@click.group("graph")
@output_options
def graph_group() -> None:
    """Walk the knowledge graph: links, paths, co-citations, hubs and exports."""


@graph_group.command("neighbors")
@click.argument("node")
@click.option("--limit", default=20, show_default=True, help="items per group")
@click.option("--offset", default=0, show_default=True, help="skip this many items in each group")
@click.option("--kind", "kinds", multiple=True, help="only these edge kinds (repeatable)")
@output_options
@click.pass_obj
def neighbors_cmd(state: State, node: str, limit: int, offset: int, kinds: tuple[str, ...]) -> None:
    """Links and backlinks of NODE, grouped by edge kind, paged."""
    from ..graph import queries
    from ..graph.build import load

    nb = state.notebook
    found = queries.neighbors(load(nb), nb.resolve_id(node), limit=limit, offset=offset, kinds=list(kinds) or None)

    def render() -> str:
        lines = [_line(found["node"])]
        for group in found["groups"]:
            arrow = "→" if group["direction"] == "out" else "←"
            shown = (
                f"{offset + 1}-{offset + len(group['items'])} of {group['total']}"
                if group["items"]
                else (f"0 of {group['total']}")
            )
            lines.append(f"{arrow} {group['kind']} ({shown})")
            for item in group["items"]:
                mark = " (suggested)" if item["edge"].get("state") == "suggested" else ""
                lines.append(f"    {_line(item)}{mark}")
        return "\n".join(lines)

    emit(state, found, render)


@graph_group.command("local")
@click.argument("node")
@click.option("--radius", "-r", default=2, show_default=True, help="hops (larger values are capped)")
@click.option("--per-node", default=25, show_default=True, help="new neighbours shown per node")
@click.option("--max-nodes", default=500, show_default=True)
@output_options
@click.pass_obj
def local_cmd(state: State, node: str, radius: int, per_node: int, max_nodes: int) -> None:
    """The local graph around NODE as a tree."""
    from ..graph import queries
    from ..graph.build import load

    nb = state.notebook
    local = queries.local_graph(load(nb), nb.resolve_id(node), radius=radius, per_node=per_node, max_nodes=max_nodes)
    emit(state, local.to_dict(), lambda: queries.render_local(local))


@graph_group.command("path")
@click.argument("source")
@click.argument("target")
@click.option("--suggested", is_flag=True, help="also follow suggested relations")
@output_options
@click.pass_obj
def path_cmd(state: State, source: str, target: str, suggested: bool) -> None:
    """The shortest connection from SOURCE to TARGET, explained edge by edge."""
    from ..graph import queries
    from ..graph.build import load

    nb = state.notebook
    found = queries.path(load(nb), nb.resolve_id(source), nb.resolve_id(target), include_suggested=suggested)

    def render() -> str:
        if not found["nodes"]:
            return "no connection"
        return "\n".join([found["explained"], *(f"  {step['text']}" for step in found["steps"])])

    emit(state, found, render)


@graph_group.command("cocited")
@click.argument("note")
@click.option("--limit", default=20, show_default=True)
@output_options
@click.pass_obj
def cocited_cmd(state: State, note: str, limit: int) -> None:
    """Notes most often cited together with NOTE (same inquiry; same paragraph)."""
    from ..graph import queries
    from ..graph.build import load

    nb = state.notebook
    rows = queries.cocited(load(nb), nb.resolve_id(note), limit=limit)
    emit(
        state,
        rows,
        lambda: (
            "inquiries  same-paragraph\n"
            + "\n".join(f"{r['inquiries']:>9}  {r['same_paragraph']:>14}  {_line(r)}" for r in rows)
        ),
    )


@graph_group.command("hubs")
@click.option("--limit", default=20, show_default=True)
@output_options
@click.pass_obj
def hubs_cmd(state: State, limit: int) -> None:
    """The notes used by the most inquiries."""
    from ..graph import queries
    from ..graph.build import load

    rows = queries.hubs(load(state.notebook), limit=limit)
    emit(state, rows, lambda: _table(rows, "used_by"))


@graph_group.command("central")
@click.option("--limit", default=20, show_default=True)
@click.option("--kind", default=None, help="only nodes of this kind (note, claim, inquiry, paper)")
@output_options
@click.pass_obj
def central_cmd(state: State, limit: int, kind: str | None) -> None:
    """The most central nodes by PageRank."""
    from ..graph import queries
    from ..graph.build import load

    rows = queries.central(load(state.notebook), limit=limit, kind=kind)
    for row in rows:
        row["pagerank"] = round(row["pagerank"], 6)
    emit(state, rows, lambda: _table(rows, "pagerank"))


@graph_group.command("orphans")
@output_options
@click.pass_obj
def orphans_cmd(state: State) -> None:
    """Notes and papers nothing points at, and inquiries with no links."""
    from ..graph import queries
    from ..graph.build import load

    rows = queries.orphans(load(state.notebook))
    emit(state, rows, lambda: _table(rows))


@graph_group.command("placeholders")
@output_options
@click.pass_obj
def placeholders_cmd(state: State) -> None:
    """Notes cited but never described, most referenced first."""
    from ..graph import queries
    from ..graph.build import load

    rows = queries.placeholders(load(state.notebook))
    emit(state, rows, lambda: _table(rows, "referenced_by"))


@graph_group.command("duplicates")
@click.option("--threshold", default=0.6, show_default=True, help="minimum Jaccard overlap of cited notes")
@click.option(
    "--notes",
    "split",
    is_flag=True,
    help="notes split in two by a title change instead (same summary or source url under two titles)",
)
@output_options
@click.pass_obj
def duplicates_cmd(state: State, threshold: float, split: bool) -> None:
    """Inquiries whose cited notes overlap strongly (or, with --notes, notes that look split in two)."""
    from ..graph import queries
    from ..graph.build import load

    if split:
        pairs = state.notebook.split_notes()
        emit(
            state,
            pairs,
            lambda: (
                "\n".join(
                    f"{p['why']}: {p['a']['title']}  ~  {p['b']['title']}   (inquiry alias OLD NEW joins them)"
                    for p in pairs
                )
                or "(none)"
            ),
        )
        return
    rows = queries.near_duplicates(load(state.notebook), threshold=threshold)
    emit(
        state,
        rows,
        lambda: (
            "\n".join(
                f"{r['jaccard']:.2f} ({r['shared']} shared)  {r['a']['title']}  ~  {r['b']['title']}" for r in rows
            )
            or "(none)"
        ),
    )


@graph_group.command("export")
@click.option("--format", "fmt", type=LazyChoice(_formats), default="graphml", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), required=True)
@output_options
@click.pass_obj
def export_cmd(state: State, fmt: str, output: Path) -> None:
    """Write the whole graph as GraphML, node-link JSON or DOT."""
    from ..graph.build import load
    from ..graph.interchange import export

    graph = load(state.notebook)
    written = export(graph, output, fmt)
    summary = {"path": str(written), "format": fmt, "nodes": graph.number_of_nodes(), "edges": graph.number_of_edges()}
    emit(state, summary, lambda: f"wrote {summary['nodes']} nodes and {summary['edges']} edges to {written}")
