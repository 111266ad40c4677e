"""Export an inquiry as annotated markdown: asks for the folder and style; the main screen writes and says where."""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select

STYLES = [
    ("gfm: one self-contained file (plus images)", "gfm"),
    ("obsidian: a vault, one file per inquiry and note", "obsidian"),
]


class ExportScreen(ModalScreen[tuple[Path, str] | None]):
    """Returns ``(folder, style)`` to export into, or ``None``."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Close")]

    def __init__(self, question: str, default_path: Path):
        super().__init__()
        self.question = question
        self.default_path = default_path

    def compose(self) -> ComposeResult:
        with Vertical(id="export-dialog", classes="dialog"):
            yield Label("Export inquiry as markdown", classes="dialog-title")
            yield Label(self.question)
            yield Label("into the folder:")
            yield Input(str(self.default_path), id="export-path")
            yield Select(STYLES, value="gfm", allow_blank=False, id="export-style")
            yield Label("", id="export-error", classes="field-error")
            with Horizontal(classes="buttons"):
                yield Button("Export", variant="primary", id="export")
                yield Button("Cancel", id="close")

    @on(Button.Pressed, "#export")
    @on(Input.Submitted, "#export-path")
    def _export(self) -> None:
        text = self.query_one("#export-path", Input).value.strip()
        if not text:
            self.query_one("#export-error", Label).update("Give a folder to write into.")
            return
        self.dismiss((Path(text).expanduser(), str(self.query_one("#export-style", Select).value)))

    @on(Button.Pressed, "#close")
    def _close(self) -> None:
        self.dismiss(None)
