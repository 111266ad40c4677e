"""The ``inquiry`` command line. Every action of the terminal app is also a command here.

Commands live in small modules by area (``core``, ``graph``, ``runs``, ``export``…) and are added to
:data:`cli` below, by name, in one list: what the CLI offers is read here, not gathered from import side
effects. The command modules import click and :mod:`.output` only; each command imports what it needs
when it runs, so ``inquiry --help`` starts without loading the store, the graph or the runners.
"""

from __future__ import annotations

from pathlib import Path

import click

from . import core, export, graph, literature, relations, runs, serve, specs
from .output import InquiryGroup, State, emit, output_options, terminal_safe

__all__ = ["State", "cli", "emit", "main", "terminal_safe"]


@click.group(cls=InquiryGroup, invoke_without_command=True)
@click.option(
    "--notebook",
    "-n",
    type=click.Path(path_type=Path),
    default=None,
    help="notebook folder (default: $INQUIRY_NOTEBOOK or the user data dir)",
)
@click.option("--json", "as_json", is_flag=True, help="machine-readable output (also accepted after the command)")
@click.option("--empty", is_flag=True, help="do not import the bundled example into a new notebook")
@click.version_option(package_name="inquiry")
@click.pass_context
def cli(ctx: click.Context, notebook: Path | None, as_json: bool, empty: bool) -> None:
    """inquiry: walk research claims as a graph and test them with real reproduction runs.

    With no command, opens the terminal app on the default notebook.
    """
    ctx.obj = State(notebook, as_json, empty)
    if ctx.invoked_subcommand is None:
        ctx.invoke(open_app)


@cli.command("open")
@click.argument("notebook", required=False, type=click.Path(path_type=Path))
@output_options
@click.pass_obj
def open_app(state: State, notebook: Path | None = None) -> None:
    """Open the terminal app on NOTEBOOK (default: the default notebook)."""
    if notebook is not None:
        state.notebook_path = notebook
    _ = state.notebook  # create and seed before the app starts
    from ..tui.app import run_app

    run_app(state.notebook_path)


COMMANDS: list[click.Command] = [
    core.import_cmd,
    core.list_cmd,
    core.show_cmd,
    core.search_cmd,
    core.stats_cmd,
    core.init_cmd,
    graph.graph_group,
    relations.link_cmd,
    relations.relations_group,
    runs.run_command,
    runs.settings_command,
    runs.runners_command,
    runs.runs_group,
    specs.specs_group,
    export.export_cmd,
    literature.papers_cmd,
    literature.alias_cmd,
    serve.serve,
]
for command in COMMANDS:
    cli.add_command(command)


def main() -> None:
    cli(prog_name="inquiry")
