"""Every key of the app, read from the bindings themselves so the list cannot go stale."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close")]

    def __init__(self, sections: dict[str, list[Binding]]):
        super().__init__()
        self.sections = sections

    def compose(self) -> ComposeResult:
        with Vertical(id="help-dialog", classes="dialog"):
            yield Label("Keys", classes="dialog-title")
            table: DataTable[str] = DataTable(cursor_type="row", zebra_stripes=True)
            table.add_columns("where", "key", "does")
            for where, bindings in self.sections.items():
                for b in bindings:
                    table.add_row(where, b.key.replace("question_mark", "?").replace("slash", "/")
                                  .replace("left_square_bracket", "[").replace("right_square_bracket", "]"),
                                  b.description or b.action)
            table.add_row("anywhere", "ctrl+p", "command palette: go to any title, or run an action")
            yield table
            yield Label("escape closes this screen", classes="dim")
