"""The links panel: links and backlinks by kind, co-cited notes, and a drawing of the local graph.

Every entry is an option; choosing one posts :class:`LinksPanel.Chosen`. A suggested relation is
marked, and ``a``/``x`` accept or reject it (:class:`LinksPanel.Review`).
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import ScrollableContainer, Vertical
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ...present.text import clip
from ..data import Link, LocalView
from ..keys import bindings

TITLE_WIDTH = 60


class LinksPanel(Vertical):
    """Right pane."""

    ALLOW_MAXIMIZE = True  # m fills the screen with the pane (80×24 terminals)

    BINDINGS = bindings("links")

    @dataclass
    class Chosen(Message):
        node_id: str

    @dataclass
    class Review(Message):
        edge: int
        decision: str  # "accept" | "reject"

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.entries: list[Link | None] = []
        self.shown: LocalView | None = None

    def compose(self) -> ComposeResult:
        yield OptionList(id="linklist")
        with ScrollableContainer(id="localgraph"):
            yield Static("", id="drawing")

    def show(self, view: LocalView) -> None:
        """Place a node's links; when only the drawing changed (it comes later), keep the list and its cursor."""
        drawing = self.query_one("#drawing", Static)
        if self.shown is not None and (self.shown.node_id, self.shown.groups, self.shown.cocited) == (
            view.node_id,
            view.groups,
            view.cocited,
        ):
            if view.drawing != self.shown.drawing:
                drawing.update(self._drawing(view))
            self.shown = view
            return
        self.shown = view
        options: list[Option] = []
        self.entries = []

        def heading(text: str) -> None:
            options.append(Option(Text(text, style="bold"), disabled=True))
            self.entries.append(None)

        for group in view.groups:
            heading(group.heading + (f" · {group.total}" if group.total > len(group.links) else ""))
            for entry in group.links:
                mark = Text(" suggested", style="italic yellow") if entry.suggested else ""
                options.append(Option(Text.assemble("  ", clip(entry.title, TITLE_WIDTH), mark)))
                self.entries.append(entry)
            if group.remaining:
                heading(f"  … {group.remaining} more")
        if view.cocited:
            heading("co-cited notes")
            for entry, times in view.cocited:
                options.append(Option(Text.assemble("  ", clip(entry.title, TITLE_WIDTH), (f"  ×{times}", "dim"))))
                self.entries.append(entry)
        if not options:
            heading("no links")
        option_list = self.query_one(OptionList)
        option_list.clear_options()
        option_list.add_options(options)
        drawing.update(self._drawing(view))
        option_list.scroll_home(animate=False)  # a new node starts at its top, root of the drawing in view
        self.query_one("#localgraph", ScrollableContainer).scroll_to(0, 0, animate=False)

    @staticmethod
    def _drawing(view: LocalView) -> Text:
        if view.drawing is None:  # the graph is built on the first graph view, or on request in a big notebook
            return Text(view.waiting, style="italic")
        return Text(view.drawing, no_wrap=True, overflow="ellipsis")

    def highlighted(self) -> Link | None:
        index = self.query_one(OptionList).highlighted
        return self.entries[index] if index is not None and index < len(self.entries) else None

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        entry = self.entries[event.option_index]
        if entry is not None:
            self.post_message(self.Chosen(entry.node_id))

    def action_review(self, decision: str) -> None:
        entry = self.highlighted()
        if entry is None or not entry.suggested or entry.edge is None:
            self.app.notify("Highlight a suggested relation first.", severity="warning")
            return
        self.post_message(self.Review(entry.edge, decision))
