"""Literature commands: ``inquiry papers`` (the references notes rest on) and ``inquiry alias OLD NEW``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .output import State, emit, output_options

if TYPE_CHECKING:
    from ..models import Paper
    from ..store import Notebook


def paper_view(nb: Notebook, paper: Paper) -> dict[str, Any]:
    """A paper with the notes and claims that mention it."""
    from ..models import EdgeKind

    users = [e.src for _, e in nb.edges(dst=paper.id, kind=EdgeKind.MENTIONS)]
    return {
        **paper.model_dump(mode="json"),
        "notes": sorted({u for u in users if u.startswith("note:")}),
        "claims": sorted({u for u in users if u.startswith("claim:")}),
    }


def _paper_line(row: dict[str, Any]) -> str:
    ident = (row["arxiv"] and f"arXiv:{row['arxiv']}") or (row["doi"] and f"doi:{row['doi']}") or ""
    title = f"  {row['title']}" if row["title"] else ""
    return (
        f"{row['id']}  {row['name']}{title}"
        + (f"  [{ident}]" if ident else "")
        + f"  ({len(row['notes'])} note(s), {len(row['claims'])} claim(s))"
    )


@click.command("papers")
@click.option("--bib", "bib", type=click.Path(path_type=Path), default=None, help="write every paper to this .bib file")
@click.option("--force", is_flag=True, help="overwrite the .bib file if it exists")
@output_options
@click.pass_obj
def papers_cmd(state: State, bib: Path | None, force: bool) -> None:
    """List the papers notes mention: authors, year, title, arXiv id or DOI, and who rests on them."""
    from ..export.paths import write_files
    from ..export.references import bib_text

    nb = state.notebook
    rows = [paper_view(nb, p) for p in nb.list_papers()]
    if bib is not None:
        write_files(bib.parent, {bib.name: bib_text(nb, None).encode()}, force=force)
    emit(state, rows, lambda: "\n".join(_paper_line(r) for r in rows) or "no papers")


@click.command("alias")
@click.argument("old")
@click.argument("new")
@output_options
@click.pass_obj
def alias_cmd(state: State, old: str, new: str) -> None:
    """Record that the note titled OLD is now titled NEW (OLD stays as an alias; two notes become one)."""
    from ..aliasing import add_alias

    result = add_alias(state.notebook, old, new)
    note = result["note"]
    emit(
        state,
        result,
        lambda: (
            f"{result['action']}: {note['id']}  {note['title']}"
            + (f"\n  aliases: {', '.join(note['aliases'])}" if note["aliases"] else "")
            + (f"\n  folded in {result['merged']}" if result["merged"] else "")
        ),
    )
