"""Claim relation commands: ``inquiry link A B --contradicts --why …`` and ``inquiry relations``."""

from __future__ import annotations

from typing import Any

import click

from .output import State, emit, output_options


def _render(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "(none)"
    lines = []
    for row in rows:
        lines.append(f"#{row['id']} [{row['state']}] {row['kind']} ({row['provenance'] or 'unknown'})")
        lines.append(f"    {row['src_text']}  ({row['src']})")
        lines.append(f"  {row['kind']}")
        lines.append(f"    {row['dst_text']}  ({row['dst']})")
        if row["why"]:
            lines.append(f"  why: {row['why']}")
    return "\n".join(lines)


@click.command("link")
@click.argument("source")
@click.argument("target")
@click.option("--supports", "kind", flag_value="supports", help="SOURCE supports TARGET")
@click.option("--contradicts", "kind", flag_value="contradicts", help="SOURCE contradicts TARGET")
@click.option("--refines", "kind", flag_value="refines", help="SOURCE refines TARGET")
@click.option("--why", required=True, help="the reason, in a sentence")
@output_options
@click.pass_obj
def link_cmd(state: State, source: str, target: str, kind: str | None, why: str) -> None:
    """Record that claim SOURCE supports, contradicts or refines claim TARGET."""
    from .. import relations

    if kind is None:
        raise click.UsageError("choose one of --supports, --contradicts, --refines")
    nb = state.notebook
    row_id = relations.add_relation(nb, nb.resolve_id(source), nb.resolve_id(target), kind, why)
    row = relations.relation_row(nb, row_id, nb.edge_by_row(row_id))
    emit(state, row, lambda: _render([row]))


@click.group("relations", invoke_without_command=True)
@click.option("--suggested", is_flag=True, help="list suggestions awaiting review instead")
@output_options
@click.pass_context
def relations_group(ctx: click.Context, suggested: bool) -> None:
    """List claim relations; review suggestions with ``accept ID`` / ``reject ID``."""
    from .. import relations

    if ctx.invoked_subcommand is None:
        state: State = ctx.obj
        rows = relations.list_relations(state.notebook, suggested=suggested)
        emit(state, rows, lambda: _render(rows))


@relations_group.command("accept")
@click.argument("relation_id", type=int)
@output_options
@click.pass_obj
def accept_cmd(state: State, relation_id: int) -> None:
    """Accept relation RELATION_ID."""
    from .. import relations

    row = relations.accept(state.notebook, relation_id)
    emit(state, row, lambda: _render([row]))


@relations_group.command("reject")
@click.argument("relation_id", type=int)
@output_options
@click.pass_obj
def reject_cmd(state: State, relation_id: int) -> None:
    """Reject relation RELATION_ID (it is remembered, so a re-import does not suggest it again)."""
    from .. import relations

    row = relations.reject(state.notebook, relation_id)
    emit(state, row, lambda: _render([row]))
