"""``inquiry export``: an inquiry as annotated markdown (an Obsidian vault, or one GFM file with its images).

``-o`` names a folder (``out/``, an existing folder, or any name not ending in ``.md``) that receives
the files, or — for ``--style gfm`` and one inquiry — the markdown file itself, its images beside it.
"""

from __future__ import annotations

from pathlib import Path

import click

from .output import LazyChoice, State, emit, output_options


def _styles() -> tuple[str, ...]:
    from ..export.markdown import STYLES

    return STYLES


def _as_file(output: str) -> bool:
    """``-o out.md`` names a file; ``-o out.md/`` or an existing folder names a folder."""
    return output.lower().endswith(".md") and not output.endswith(("/", "\\")) and not Path(output).is_dir()


@click.command("export")
@click.argument("inquiries", nargs=-1)
@click.option(
    "-o", "--output", default=None, help="target folder (default: ./<question> export), or FILE.md for one gfm file"
)
@click.option(
    "--style",
    type=LazyChoice(_styles),
    default="obsidian",
    show_default=True,
    help="obsidian: a vault, one file per inquiry and note; gfm: one self-contained file",
)
@click.option("--all", "everything", is_flag=True, help="every inquiry (and, for obsidian, every note)")
@click.option(
    "--bib",
    "bib",
    type=click.Path(path_type=Path),
    default=None,
    help="also write the papers the inquiries rest on to this .bib file",
)
@click.option("--force", is_flag=True, help="overwrite files that already exist")
@output_options
@click.pass_obj
def export_cmd(
    state: State,
    inquiries: tuple[str, ...],
    output: str | None,
    style: str,
    everything: bool,
    bib: Path | None,
    force: bool,
) -> None:
    """Export INQUIRY (id, id prefix or question) as markdown; re-import a vault with ``inquiry import``."""
    from ..export.markdown import render
    from ..export.paths import ExportRefused, safe_name, write_files
    from ..export.references import bib_text

    if bool(inquiries) == everything:
        raise click.UsageError("name the inquiries to export, or pass --all")
    if output is not None and not output.strip():
        raise click.UsageError("-o needs a folder or file name (an empty one would mean the current folder)")
    nb = state.notebook
    ids = None if everything else [nb.resolve_id(ref) for ref in inquiries]
    if output is None:
        inquiry = nb.get_inquiry(ids[0]) if ids else None
        first = inquiry.question if inquiry is not None else "notebook"
        output = f"{safe_name(first)} export"
    files = render(nb, ids, style=style)
    if _as_file(output):
        pages = [name for name in files if "/" not in name]
        if style != "gfm" or len(pages) != 1:
            raise click.UsageError(
                f"-o {output} names one markdown file: that needs --style gfm and one inquiry "
                "(a vault, or several inquiries, go to a folder: -o DIR/)"
            )
        target = Path(output)
        folder = target.parent
        files = {target.name if name == pages[0] else name: data for name, data in files.items()}
    else:
        folder = Path(output)
    try:
        written = write_files(folder, files, force=force)
        if bib is not None:
            written += write_files(bib.parent, {bib.name: bib_text(nb, ids).encode()}, force=force)
    except OSError as exc:  # a full disk or a read-only place part-way: write_files has undone its moves
        raise ExportRefused(f"cannot write the export into {folder}: {exc.strerror or exc}") from None
    data = {"style": style, "folder": str(folder), "files": [str(p) for p in written]}
    emit(
        state,
        data,
        lambda: (
            f"wrote {len(written)} file(s): "
            + ", ".join(str(p) for p in written[:4])
            + (" …" if len(written) > 4 else "")
        ),
    )
