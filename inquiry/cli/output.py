"""What every command shares: the per-invocation :class:`State`, the ``--json`` output option, printing
(JSON, plain text, or a Rich table on a terminal) and the group that turns errors into one line.

This module imports click and nothing heavy: ``inquiry --help`` loads it and the command modules only.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..errors import InquiryError

if TYPE_CHECKING:
    from ..store import Notebook


def default_notebook_path() -> Path:
    """``$INQUIRY_NOTEBOOK`` or ``<user data dir>/inquiry/default``."""
    from ..settings import settings

    chosen = settings().notebook
    if chosen is not None:
        return chosen
    import platformdirs

    return Path(platformdirs.user_data_dir("inquiry")) / "default"


class State:
    """Per-invocation options, reached through ``click.pass_obj``."""

    def __init__(self, notebook: Path | None, as_json: bool, empty: bool):
        self._notebook_path = notebook
        self.as_json = as_json
        self.empty = empty
        self._notebook: Notebook | None = None

    @property
    def notebook_path(self) -> Path:
        """``--notebook``, else the default (looked up only when a command needs a notebook)."""
        if self._notebook_path is None:
            self._notebook_path = default_notebook_path()
        return self._notebook_path

    @notebook_path.setter
    def notebook_path(self, path: Path) -> None:
        self._notebook_path = path

    @property
    def notebook(self) -> Notebook:
        """The open notebook; a notebook created now gets the bundled example unless ``--empty``."""
        if self._notebook is None:
            from ..store import Notebook

            initialise: Callable[[Notebook], Any] | None = None
            if not self.empty:
                from ..example import import_example

                initialise = import_example
            # the example is imported while the notebook is created, atomically (see Notebook.open)
            self._notebook = Notebook.open(self.notebook_path, initialise=initialise)
            from ..runs.status import upgrade

            changed = upgrade(self._notebook)  # a notebook from an older inquiry: statuses under the current rule
            if changed is not None:
                click.echo(
                    f"upgraded {self.notebook_path} to schema {self._notebook.schema_version}: statuses "
                    f"recomputed under the current evidence rule, {len(changed)} claim"
                    f"{'s' if len(changed) != 1 else ''} changed",
                    err=True,
                )
        return self._notebook


# ---- --json ------------------------------------------------------------------------------------


def _set_json(ctx: click.Context, _param: click.Parameter, value: bool) -> bool:
    state = ctx.find_object(State)
    if value and state is not None:
        state.as_json = True
    return value


def output_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """``--json`` on a command or group, so it is accepted wherever people type it: ``inquiry --json
    search pass@k`` and ``inquiry search pass@k --json`` alike. It sets :attr:`State.as_json`."""
    return click.option(
        "--json",
        "as_json",
        is_flag=True,
        expose_value=False,
        callback=_set_json,
        help="machine-readable output",
    )(command)


# ---- printing ------------------------------------------------------------------------------------

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


def on_terminal(err: bool = False) -> bool:
    """Whether stdout (or stderr) is a terminal: Rich tables and progress bars there, plain lines elsewhere."""
    stream = sys.stderr if err else sys.stdout
    return bool(getattr(stream, "isatty", lambda: False)())


class Table:
    """Rows with a header: a Rich table on a terminal, aligned plain columns when piped (the tests and
    scripts that read text see the same lines as before). Cells are shown with control characters escaped.

    >>> print(Table(["id", "status"], [["run:a", "queued"], ["run:bb", "running"]]).plain())
    run:a   queued
    run:bb  running
    """

    def __init__(self, headers: Sequence[str], rows: Sequence[Sequence[str]], last_unpadded: bool = True):
        self.headers = list(headers)
        self.rows = [[str(cell) for cell in row] for row in rows]
        self.last_unpadded = last_unpadded

    def plain(self) -> str:
        if not self.rows:
            return ""
        padded = len(self.headers) - 1 if self.last_unpadded else len(self.headers)
        widths = [max(len(row[i]) for row in self.rows) for i in range(padded)]
        lines = []
        for row in self.rows:
            cells = [cell.ljust(width) for cell, width in zip(row, widths)] + row[padded:]
            lines.append("  ".join(cells).rstrip())
        return "\n".join(lines)

    def rich(self) -> Any:
        from rich.table import Table as RichTable
        from rich.text import Text

        table = RichTable(box=None, header_style="bold", pad_edge=False)
        for i, header in enumerate(self.headers):
            if i < len(self.headers) - 1:  # ids and short words are kept whole (people copy them); the last wraps
                width = max([len(header)] + [len(row[i]) for row in self.rows])
                table.add_column(header, no_wrap=True, min_width=width)
            else:
                table.add_column(header, overflow="fold")
        for row in self.rows:
            table.add_row(*(Text(terminal_safe(cell)) for cell in row))
        return table


Rendering = str | Table


def emit(state: State, data: Any, render: Callable[[], Rendering] | None = None) -> None:
    """Print ``data`` as JSON with ``--json``, else the human rendering (or JSON if none); either way
    with no raw control characters, so stored text can never drive the terminal. A :class:`Table` is
    drawn by Rich on a terminal and as plain columns when piped."""
    if state.as_json or render is None:
        click.echo(_json_safe(json.dumps(data, indent=2, ensure_ascii=False, default=str)))
    else:
        show(render())


def show(shown: Rendering) -> None:
    """Print a rendering: text with control characters escaped; a :class:`Table` through Rich on a terminal."""
    if isinstance(shown, Table):
        if shown.rows and on_terminal():
            from rich.console import Console

            Console(highlight=False).print(shown.rich())
            return
        shown = shown.plain()
    click.echo(terminal_safe(shown))


# ---- parameters --------------------------------------------------------------------------------


class LazyChoice(click.Choice):
    """A :class:`click.Choice` whose choices come from a function called on first use, so the module that
    holds them (the models, the runs package) is imported when the option is used, not at start-up."""

    def __init__(self, load: Callable[[], Sequence[str]], case_sensitive: bool = True):
        self._load = load
        self._loaded: tuple[str, ...] | None = None
        self.case_sensitive = case_sensitive

    @property
    def choices(self) -> tuple[str, ...]:  # type: ignore[override]
        if self._loaded is None:
            self._loaded = tuple(self._load())
        return self._loaded


class KeyValue(click.ParamType):
    """``KEY=VALUE`` → ``("KEY", "VALUE")``; anything else is one line naming the pair (``expected key=value``)."""

    name = "KEY=VALUE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> tuple[str, str]:
        if isinstance(value, tuple):
            return value
        from ..runners.registry import parse_overrides

        ((key, parsed),) = parse_overrides([value]).items()  # a ConfigError is one line, exit 1
        return key, parsed


class SweepAxis(click.ParamType):
    """``NAME=A..B`` (integers, inclusive) or ``NAME=V1,V2`` → ``(NAME, [values])``; errors name the field."""

    name = "NAME=A..B|NAME=V1,V2"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> tuple[str, list[Any]]:
        if isinstance(value, tuple):
            return value
        from ..runs.sweeps import parse_axis

        return parse_axis(value)


# ---- the group ----------------------------------------------------------------------------------


class InquiryGroup(click.Group):
    """Turns :class:`InquiryError` into one clear line on stderr and exit status 1 (bad ``--set`` and
    ``--sweep`` values too: their parameter types raise it while the command line is parsed)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except InquiryError as exc:
            click.echo(terminal_safe(f"error: {exc}"), err=True)
            sys.exit(1)
