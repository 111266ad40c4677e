"""Full-text search over the notebook (``/``): results as you type, enter opens the chosen node."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from ...store import MATCH_END, MATCH_START, SearchHit
from ..data import NotebookData

TITLE_WIDTH = 90
SNIPPET_WIDTH = 110


def clip(text: str, width: int) -> str:
    """``text`` cut at a word boundary with an ellipsis when longer than ``width``.

    >>> clip("pass at k grows with k", 12)
    'pass at k…'
    """
    if len(text) <= width:
        return text
    cut = text[: width - 1]
    return (cut[: cut.rfind(" ")] if " " in cut else cut).rstrip(" ,;:") + "…"


def marked_text(marked: str, width: int) -> Text:
    """A snippet with its matched words in bold (the store marks them), clipped with an ellipsis."""
    plain = marked.replace(MATCH_START, "").replace(MATCH_END, "")
    shown = clip(plain, width)
    out = Text(style="italic dim")
    inside, count = False, 0
    for piece in marked.replace(MATCH_END, MATCH_START).split(MATCH_START):
        take = piece[: max(0, len(shown.rstrip("…")) - count)]
        out.append(take, style="bold not dim" if inside else "")
        count += len(take)
        inside = not inside
    if shown.endswith("…") and not out.plain.endswith("…"):
        out.append("…")
    return out


def hit_prompt(hit: SearchHit) -> Text:
    """Kind, title and, when it adds anything (a claim's snippet is its own text), the matched passage."""
    text = Text.assemble((f"{hit.kind:<8}", "dim"), clip(hit.title, TITLE_WIDTH))
    snippet = hit.snippet.strip(" …")
    if snippet and snippet not in hit.title:
        text.append("\n         ")
        text.append_text(marked_text(hit.marked, SNIPPET_WIDTH))
    return text


class SearchScreen(ModalScreen[str | None]):
    """Returns the chosen node id, or ``None``."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Close"), Binding("down", "focus_results", "Results", show=False)]

    def __init__(self, data: NotebookData):
        super().__init__()
        self.data = data
        self.hits: list[SearchHit] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="search-dialog", classes="dialog"):
            yield Label("Search the notebook", classes="dialog-title")
            yield Input(placeholder="words… (OR between words for either; enter opens the first result)", id="query")
            yield Label("", id="search-count")
            yield OptionList(id="results")

    def on_mount(self) -> None:
        self.query_one("#query", Input).focus()

    @on(Input.Changed, "#query")
    def _changed(self, event: Input.Changed) -> None:
        self._search(event.value)

    @work(thread=True, exclusive=True, group="search")
    def _search(self, text: str) -> None:
        with self.data.read() as nb:
            hits = nb.search(text, limit=30)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show, text, hits)

    def _show(self, text: str, hits: list[SearchHit]) -> None:
        self.hits = hits
        results = self.query_one("#results", OptionList)
        results.clear_options()
        results.add_options([Option(hit_prompt(h)) for h in hits])
        if hits:
            results.highlighted = 0
        self.query_one("#search-count", Label).update(
            f"{len(hits)} result{'s' if len(hits) != 1 else ''}" if text.strip() else ""
        )

    @on(Input.Submitted, "#query")
    def _submitted(self) -> None:
        index = self.query_one("#results", OptionList).highlighted
        if self.hits:
            self.dismiss(self.hits[index or 0].node_id)

    @on(OptionList.OptionSelected, "#results")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.hits[event.option_index].node_id)

    def action_focus_results(self) -> None:
        self.query_one("#results", OptionList).focus()
