"""Command palette (ctrl+p): "go to" over every node title, and actions named "area: action"."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    from .screens.main import MainScreen

GOTO_LIMIT = 15

# (palette name, action on the main screen, help)
ACTIONS = [
    ("claim: run reproduction", "run", "launch a runner on the open claim"),
    ("claim: cancel run", "cancel_run", "cancel the selected or newest active run"),
    ("claim: relate to another claim", "relate", "mark it as supporting, contradicting or refining another"),
    ("inquiry: export markdown", "export", "write the open inquiry as annotated markdown"),
    ("graph: draw local graph", "draw_graph", "the open node's neighbourhood as a text drawing (builds the graph)"),
    ("notebook: search", "search", "full-text search across the notebook"),
    ("navigator: filter titles", "focus_filter", "narrow the navigator as you type"),
    ("history: back", "back", "the previously open node"),
    ("history: forward", "forward", "undo a step back"),
    ("help: keys", "help", "every key of the app"),
]


class InquiryCommands(Provider):
    @property
    def main(self) -> MainScreen:
        return self.app.main  # type: ignore[attr-defined]

    def _actions(self) -> list[tuple[str, Callable[[], object], str]]:
        """Only the actions that apply now (a claim's actions when a claim is open, …)."""
        main = self.main
        return [(name, partial(main.run_action, action), help_text) for name, action, help_text in ACTIONS
                if main.check_action(action, ()) is True]

    async def discover(self) -> Hits:
        for name, callback, help_text in self._actions():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, callback, help_text in self._actions():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)
        data = self.main.data

        def titles() -> list:
            with data.read() as nb:
                return nb.search(query, limit=GOTO_LIMIT)

        for rank, hit in enumerate(await asyncio.to_thread(titles)):
            text = f"go to: {hit.title[:100]}"
            score = max(matcher.match(text), 0.5 / (rank + 1))
            yield Hit(score, matcher.highlight(text), partial(self.main.navigate, hit.node_id), text=text,
                      help=f"{hit.kind} · {hit.node_id}")
