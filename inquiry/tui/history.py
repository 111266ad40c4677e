"""Back and forward through visited nodes, like a browser."""

from __future__ import annotations


class History:
    """``visit`` records a node; ``back``/``forward`` move and return the node to show (or ``None``).

    >>> h = History(); h.visit("a"); h.visit("b"); h.back(), h.forward(), h.forward()
    ('a', 'b', None)
    """

    def __init__(self) -> None:
        self.past: list[str] = []
        self.future: list[str] = []
        self.current: str | None = None

    def visit(self, node_id: str) -> None:
        if node_id == self.current:
            return
        if self.current is not None:
            self.past.append(self.current)
        self.current = node_id
        self.future.clear()

    def back(self) -> str | None:
        if not self.past or self.current is None:
            return None
        self.future.append(self.current)
        self.current = self.past.pop()
        return self.current

    def forward(self) -> str | None:
        if not self.future or self.current is None:
            return None
        self.past.append(self.current)
        self.current = self.future.pop()
        return self.current
