"""The reader: the selected node as Markdown, with a keyboard cursor over its links.

A plain ``Markdown(open_links=False)`` inside a scroll container, not ``MarkdownViewer``: the viewer
treats every href as a file path and swallows ``note:``/``claim:`` links. Clicking a link posts
``Markdown.LinkClicked``; from the keyboard, ``n``/``p`` step through the page's links (shown in the
bar below) and ``enter`` follows the current one. Both end in :class:`Reader.Follow`.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Markdown, Static

from ..keys import bindings, glyph_legend
from ..render import page_links


class Reader(Vertical):
    """Center pane. ``show(node_id, markdown)`` replaces the page."""

    ALLOW_MAXIMIZE = True  # m fills the screen with the pane (80×24 terminals)

    BINDINGS = bindings("reader")

    @dataclass
    class Follow(Message):
        target: str

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.node_id: str | None = None
        self.markdown = ""
        self.links: list[tuple[str, str]] = []
        self.cursor = -1

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="page", can_focus=True):
            yield Markdown("*Choose an inquiry, note or claim on the left.*", open_links=False, id="markdown")
        yield Static("", id="linkbar")
        yield Static(Text(glyph_legend(compact=True), style="dim"), id="legend")

    async def show(self, node_id: str, markdown: str) -> None:
        if node_id == self.node_id and markdown == self.markdown:
            return  # a refresh that changed nothing: keep the widgets, the scroll position and the link cursor
        self.node_id = node_id
        self.markdown = markdown
        self.links = page_links(markdown)
        self.cursor = -1
        await self.query_one(Markdown).update(markdown)
        self.query_one("#page", VerticalScroll).scroll_home(animate=False)
        self._show_cursor()

    def _show_cursor(self) -> None:
        bar = self.query_one("#linkbar", Static)
        if not self.links:
            bar.update("")
        elif self.cursor < 0:
            bar.update(Text(f"{len(self.links)} links · n/p to choose, enter to follow", style="dim"))
        else:
            text, target = self.links[self.cursor]
            bar.update(
                Text.assemble((f"link {self.cursor + 1}/{len(self.links)} → ", "bold"), text, (f"  ({target})", "dim"))
            )

    def action_link(self, step: int) -> None:
        if self.links:
            self.cursor = (
                (self.cursor + step) % len(self.links) if self.cursor >= 0 else (0 if step > 0 else len(self.links) - 1)
            )
            self._show_cursor()

    def action_follow(self) -> None:
        if self.links:
            self.post_message(self.Follow(self.links[max(self.cursor, 0)][1]))

    @on(Markdown.LinkClicked)
    def _clicked(self, event: Markdown.LinkClicked) -> None:
        event.stop()
        self.post_message(self.Follow(event.href))
