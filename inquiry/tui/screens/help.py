"""Every key of the app and the status glyphs, read from the one key table (:mod:`inquiry.tui.keys`)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label, Static

from ..keys import KEYS, WIDGET_KEYS, glyph_legend, shown_key

SECTIONS = {
    "main": "Anywhere on the main screen",
    "navigator": "Navigator",
    "filter": "Filter box",
    "reader": "Reader",
    "links": "Links",
    "runs": "Runs (under an open claim)",
    "graph": "Graph (g)",
    "anywhere": "Anywhere",
}


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close")]

    def __init__(self, keymap: dict[str, str] | None = None):
        super().__init__()
        self.keymap = keymap or {}

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-dialog", classes="dialog"):
            yield Label("Keys", classes="dialog-title")
            table: DataTable[str] = DataTable(cursor_type="row", zebra_stripes=True, id="help-keys")
            table.add_columns("where", "key", "does")
            rows = [(k.where, shown_key(self.keymap.get(k.id, k.key)), k.help) for k in KEYS]
            rows += WIDGET_KEYS
            for where in SECTIONS:
                for row_where, key, does in rows:
                    if row_where == where:
                        table.add_row(SECTIONS[where], key, does)
            yield table
            yield Label("Status glyphs", classes="dialog-title")
            yield Static(glyph_legend(), id="help-glyphs")
            yield Static(
                "An inquiry's row counts its cited claims: ✅ supported · ❌ contradicted · ○ the rest. Keys can be remapped "
                'per notebook in tui.json: {"keymap": {"claim.run": "R"}}.',
                classes="dim",
            )
            yield Label("escape closes this screen", classes="dim")
