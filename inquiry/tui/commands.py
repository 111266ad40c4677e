"""Command palette (ctrl+p): "go to" over every node title, and actions named "area: action"."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    from .screens.main import MainScreen

from .keys import KEYS

GOTO_LIMIT = 15


class InquiryCommands(Provider):
    @property
    def main(self) -> MainScreen:
        return self.app.main  # type: ignore[attr-defined]

    def _actions(self) -> list[tuple[str, Callable[[], object], str]]:
        """Every action of the key table; one that does not apply now is shown as unavailable, with the
        reason, and choosing it says why instead of doing nothing."""
        main = self.main
        out: list[tuple[str, Callable[[], object], str]] = []
        for key in KEYS:
            if not key.palette:
                continue
            reason = main.why_not(key.action)
            if reason is None:
                out.append((key.palette, partial(main.run_action, key.action), key.help))
            else:
                out.append(
                    (
                        f"{key.palette} (unavailable)",
                        partial(main.notify, reason, title=key.description, severity="warning"),
                        f"unavailable: {reason}",
                    )
                )
        return out

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
            with data.locked() as nb:
                return nb.search(query, limit=GOTO_LIMIT)

        for rank, hit in enumerate(await asyncio.to_thread(titles)):
            text = f"go to: {hit.title[:100]}"
            score = max(matcher.match(text), 0.5 / (rank + 1))
            yield Hit(
                score,
                matcher.highlight(text),
                partial(self.main.navigate, hit.node_id),
                text=text,
                help=f"{hit.kind} · {hit.node_id}",
            )
