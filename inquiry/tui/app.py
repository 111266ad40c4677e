"""The terminal app: ``InquiryApp`` over one notebook, and ``run_app`` for the CLI's ``open`` command.

    inquiry open ~/notebooks/rl      # or: inquiry   (the default notebook)

Tests build the app directly: ``InquiryApp(notebook)`` with an open :class:`Notebook`, then
``async with app.run_test(size=(140, 45)) as pilot``.
"""

from __future__ import annotations

import os
from pathlib import Path

from textual.app import App
from textual.screen import Screen

from ..store import Notebook
from .commands import InquiryCommands
from .data import NotebookData
from .screens.main import PANES, MainScreen
from .settings import UiSettings


class InquiryApp(App[None]):
    TITLE = "inquiry"
    CSS_PATH = "inquiry.tcss"
    COMMANDS = App.COMMANDS | {InquiryCommands}

    def __init__(self, notebook: Notebook | str | os.PathLike[str], poll_s: float = 1.0):
        super().__init__()
        if isinstance(notebook, Notebook):
            self.owns_notebook, nb = False, notebook
        else:
            self.owns_notebook, nb = True, Notebook.open(notebook, create=False)
        self.data = NotebookData(nb)
        self.poll_s = poll_s
        self.settings = UiSettings.load(nb.path)
        self.keymap_overrides = dict(self.settings.keymap)

    def get_default_screen(self) -> Screen:
        return MainScreen(self.data, self.poll_s)

    def on_mount(self) -> None:
        if self.settings.theme in self.available_themes:
            self.theme = self.settings.theme
        if self.keymap_overrides:
            self.set_keymap(self.keymap_overrides)
        if self.settings.maximized in PANES:
            main = self.main
            main.call_after_refresh(
                lambda: main.maximize(main.query_one(f"#{self.settings.maximized}"), container=False)
            )

    def watch_theme(self, theme: str) -> None:
        """The theme chosen (ctrl+p → theme) is remembered for this notebook."""
        if getattr(self, "settings", None) is not None and theme != self.settings.theme:
            self.settings.theme = theme
            self.settings.save(self.data.nb.path)

    def remember_layout(self, maximized: str | None) -> None:
        self.settings.maximized = maximized
        self.settings.save(self.data.nb.path)

    @property
    def main(self) -> MainScreen:
        return self.screen_stack[0]  # type: ignore[return-value]

    def on_unmount(self) -> None:
        # Runs are separate processes: closing the app leaves them running.
        if self.owns_notebook:
            self.data.nb.close()


def run_app(notebook_path: str | os.PathLike[str]) -> None:
    """Open the app on a notebook folder (the CLI has created and seeded it already)."""
    InquiryApp(Path(notebook_path)).run()
