"""The ``inquiry`` command line. Every action of the terminal app is also a command here.

Commands live in small modules by area (``core``, ``graph``, ``runs``, ``export``…); each defines
click commands and registers them on :data:`cli` through :func:`register`.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..errors import InquiryError

if TYPE_CHECKING:  # the store is imported when a command first needs the notebook
    from ..store import Notebook

ENV_NOTEBOOK = "INQUIRY_NOTEBOOK"


def default_notebook_path() -> Path:
    """``$INQUIRY_NOTEBOOK`` or ``<user data dir>/inquiry/default``."""
    if os.environ.get(ENV_NOTEBOOK):
        return Path(os.environ[ENV_NOTEBOOK]).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("inquiry")) / "default"


class State:
    """Per-invocation options, reached through ``click.pass_obj``."""

    def __init__(self, notebook: Path, as_json: bool, empty: bool):
        self.notebook_path = notebook
        self.as_json = as_json
        self.empty = empty
        self._notebook: Notebook | None = None

    @property
    def notebook(self) -> Notebook:
        """The open notebook; a notebook created now gets the bundled example unless ``--empty``."""
        if self._notebook is None:
            from ..store import Notebook

            initialise: Callable[[Notebook], object] | None = None
            if not self.empty:
                from ..example import import_example

                initialise = import_example
            # the example is imported while the notebook is created, atomically (see Notebook.open)
            nb = self._notebook = Notebook.open(self.notebook_path, initialise=initialise)
            from ..runs.status import upgrade

            changed = upgrade(nb)  # a notebook from an older inquiry: statuses under the current rule
            if changed is not None:
                click.echo(
                    f"upgraded {self.notebook_path} to schema {nb.schema_version}: statuses "
                    f"recomputed under the current evidence rule, {len(changed)} claim"
                    f"{'s' if len(changed) != 1 else ''} changed",
                    err=True,
                )
        return self._notebook


# Control characters a stored title may carry (from a hostile vault): ESC sequences and C1 codes can set the
# window title, clear the screen or write the clipboard (OSC 52). Tab and newline are layout, not control.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def terminal_safe(text: str) -> str:
    r"""Show control characters escaped instead of sending them to the terminal.

    >>> terminal_safe("title\x1b]0;pwned\x07 ok")
    'title\\x1b]0;pwned\\x07 ok'
    """
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def _json_safe(text: str) -> str:
    # json.dumps escapes C0 already; C1 codes pass through with ensure_ascii=False, so escape those too
    return re.sub(r"[\x7f-\x9f]", lambda m: f"\\u{ord(m.group()):04x}", text)


def emit(state: State, data: Any, render: Callable[[], str] | None = None) -> None:
    """Print ``data`` as JSON with ``--json``, else the human rendering (or JSON if none); either way
    with no raw control characters, so stored text can never drive the terminal."""
    if state.as_json or render is None:
        click.echo(_json_safe(json.dumps(data, indent=2, ensure_ascii=False, default=str)))
    else:
        click.echo(terminal_safe(render()))


class InquiryGroup(click.Group):
    """Turns :class:`InquiryError` into one clear line on stderr and exit status 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except InquiryError as exc:
            click.echo(terminal_safe(f"error: {exc}"), err=True)
            sys.exit(1)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        # --json is a global option, but people type it last ("inquiry search pass@k --json"): hoist it.
        if ctx.parent is None and "--json" in args:
            cut = args.index("--") if "--" in args else len(args)
            if "--json" in args[:cut]:
                args = ["--json"] + [a for i, a in enumerate(args) if not (a == "--json" and i < cut)]
        return super().parse_args(ctx, args)


@click.group(cls=InquiryGroup, invoke_without_command=True)
@click.option(
    "--notebook",
    "-n",
    type=click.Path(path_type=Path),
    default=None,
    help=f"notebook folder (default: ${ENV_NOTEBOOK} or the user data dir)",
)
@click.option("--json", "as_json", is_flag=True, help="machine-readable output")
@click.option("--empty", is_flag=True, help="do not import the bundled example into a new notebook")
@click.version_option(package_name="inquiry")
@click.pass_context
def cli(ctx: click.Context, notebook: Path | None, as_json: bool, empty: bool) -> None:
    """inquiry: walk research claims as a graph and test them with real reproduction runs.

    With no command, opens the terminal app on the default notebook.
    """
    ctx.obj = State(notebook or default_notebook_path(), as_json, empty)
    if ctx.invoked_subcommand is None:
        ctx.invoke(open_app)


@cli.command("open")
@click.argument("notebook", required=False, type=click.Path(path_type=Path))
@click.pass_obj
def open_app(state: State, notebook: Path | None = None) -> None:
    """Open the terminal app on NOTEBOOK (default: the default notebook)."""
    if notebook is not None:
        state.notebook_path = notebook
    _ = state.notebook  # create and seed before the app starts
    from ..tui.app import run_app

    run_app(state.notebook_path)


def main() -> None:
    cli(prog_name="inquiry")


# The command modules define their commands on ``cli``; importing the package gives the whole CLI
# (tests and `python -m inquiry` alike), with no import needed for its side effect elsewhere.
from . import core, export, graph, literature, relations, runs, serve, specs  # noqa: E402,F401
