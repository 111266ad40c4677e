"""``inquiry serve``: the same terminal app in a web browser, through textual-serve.

    inquiry serve                  # http://127.0.0.1:8000, the default notebook
    inquiry -n ~/nb serve --port 8765

Each browser tab starts its own ``inquiry open`` process on the notebook (runs are shared through
the notebook as usual). It listens on 127.0.0.1 only: the app can launch runs and write files, so
it is not for the open network. textual-serve is an optional extra: ``pip install 'inquiry[web]'``.
"""

from __future__ import annotations

import shlex
import sys

import click

from .output import State, output_options


def serve_command(state: State) -> str:
    """The command each browser session runs: this Python's ``inquiry open`` on the chosen notebook."""
    return shlex.join([sys.executable, "-m", "inquiry", "--notebook", str(state.notebook_path), "open"])


@click.command("serve")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True, help="port on 127.0.0.1")
@output_options
@click.pass_obj
def serve(state: State, port: int) -> None:
    """Serve the terminal app to a web browser on http://127.0.0.1:PORT (needs the `web` extra)."""
    try:
        from textual_serve.server import Server
    except ImportError:
        raise click.ClickException("inquiry serve needs textual-serve: pip install 'inquiry[web]'") from None
    _ = state.notebook  # create and seed before the first browser session opens it
    Server(serve_command(state), host="127.0.0.1", port=port, title="inquiry").serve()
