"""``inquiry export``: an inquiry as annotated markdown (an Obsidian vault, or one GFM file with its images)."""

from __future__ import annotations

from pathlib import Path

import click

from ..export.markdown import STYLES, export
from ..export.paths import safe_name
from . import State, cli, emit


@cli.command("export")
@click.argument("inquiries", nargs=-1)
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="target folder (default: ./<question> export)")
@click.option("--style", type=click.Choice(STYLES), default="obsidian", show_default=True,
              help="obsidian: a vault, one file per inquiry and note; gfm: one self-contained file")
@click.option("--all", "everything", is_flag=True, help="every inquiry (and, for obsidian, every note)")
@click.option("--force", is_flag=True, help="overwrite files that already exist")
@click.pass_obj
def export_cmd(state: State, inquiries: tuple[str, ...], output: Path | None, style: str, everything: bool,
               force: bool) -> None:
    """Export INQUIRY (id, id prefix or question) as markdown; re-import a vault with ``inquiry import``."""
    if bool(inquiries) == everything:
        raise click.UsageError("name the inquiries to export, or pass --all")
    nb = state.notebook
    ids = None if everything else [nb.resolve_id(ref) for ref in inquiries]
    if output is None:
        first = nb.get_inquiry(ids[0]).question if ids else "notebook"
        output = Path(f"{safe_name(first)} export")
    written = export(nb, output, ids, style=style, force=force)
    data = {"style": style, "folder": str(output), "files": [str(p) for p in written]}
    emit(state, data, lambda: f"wrote {len(written)} file(s) to {output}/")
