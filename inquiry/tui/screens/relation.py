"""Relate the open claim to another: pick the kind, find the other claim by fuzzy search, say why."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.fuzzy import Matcher
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Select
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from ...models import CLAIM_RELATIONS, Claim
from ..data import NotebookData

CANDIDATES = 40


@dataclass
class RelationChoice:
    kind: str
    target: str
    why: str


class RelationScreen(ModalScreen[RelationChoice | None]):
    BINDINGS = [Binding("escape", "dismiss(None)", "Close")]

    def __init__(self, data: NotebookData, claim: Claim):
        super().__init__()
        self.data = data
        self.claim = claim
        self.candidates: list[tuple[str, str]] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="relation-dialog", classes="dialog"):
            yield Label("Relate this claim to another", classes="dialog-title")
            yield Label(Text(self.claim.text[:200], style="italic"))
            yield Select(
                [(f"this claim {k.value} the other", k.value) for k in CLAIM_RELATIONS],
                value=CLAIM_RELATIONS[0].value,
                allow_blank=False,
                id="relation-kind",
            )
            yield Input(placeholder="find the other claim (fuzzy)…", id="relation-query")
            yield OptionList(id="relation-candidates")
            yield Input(placeholder="why does it hold?", id="relation-why")
            yield Label("", id="relation-error", classes="field-error")
            with Horizontal(classes="buttons"):
                yield Button("Relate", variant="primary", id="relate")
                yield Button("Cancel", id="close")

    def on_mount(self) -> None:
        self._find("")

    @on(Input.Changed, "#relation-query")
    def _query(self, event: Input.Changed) -> None:
        self._find(event.value)

    @work(thread=True, exclusive=True, group="relation-find")
    def _find(self, text: str) -> None:
        """Full-text search narrows 100k claims to a few dozen; the fuzzy matcher ranks and highlights them."""
        with self.data.locked() as nb:
            if text.strip():
                pool = [(h.node_id, h.title) for h in nb.search(text, limit=CANDIDATES * 2, kinds=["claim"])]
            else:
                pool = [(c.id, c.text) for c in nb.list_claims(note_id=None)[:CANDIDATES]]
        pool = [(i, t) for i, t in pool if i != self.claim.id]
        shown: list[tuple[str, Text | Content, str]]
        if text.strip():
            matcher = Matcher(text)
            scored = sorted(((matcher.match(t), i, t) for i, t in pool), key=lambda s: -s[0])
            shown = [(i, matcher.highlight(t[:120]), t) for _, i, t in scored[:CANDIDATES]]
        else:
            shown = [(i, Text(t[:120]), t) for i, t in pool]
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show, shown)

    def _show(self, shown: list) -> None:
        self.candidates = [(i, t) for i, _, t in shown]
        options = self.query_one("#relation-candidates", OptionList)
        options.clear_options()
        options.add_options([Option(label) for _, label, _ in shown])
        if shown:
            options.highlighted = 0

    @on(Button.Pressed, "#relate")
    def _relate(self) -> None:
        index = self.query_one("#relation-candidates", OptionList).highlighted
        why = self.query_one("#relation-why", Input).value.strip()
        error = self.query_one("#relation-error", Label)
        if index is None or not self.candidates:
            error.update("Choose the other claim from the list.")
        elif not why:
            error.update("Say why the relation holds.")
        else:
            self.dismiss(
                RelationChoice(str(self.query_one("#relation-kind", Select).value), self.candidates[index][0], why)
            )

    @on(Button.Pressed, "#close")
    def _close(self) -> None:
        self.dismiss(None)
