"""Full-text search over the notebook (``/``): results as you type, grouped as ``inquiry search`` groups them
(a matching claim listed under its note); enter opens the chosen note, inquiry or claim."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from ...present.search import SearchResult, search
from ...present.text import clip
from ...store import MATCH_END, MATCH_START, SearchHit
from ..data import NotebookData

TITLE_WIDTH = 90
SNIPPET_WIDTH = 110
CLAIM_WIDTH = 100
LIMIT = 30  # results (notes, inquiries); a note's matching claims are listed under it


def marked_text(marked: str, width: int) -> Text:
    """A snippet with its matched words in bold (the store marks them), clipped with an ellipsis."""
    plain = marked.replace(MATCH_START, "").replace(MATCH_END, "")
    shown = clip(plain, width, at_word=True)
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


def result_prompt(result: SearchResult) -> Text:
    """Kind, title and, when it adds anything, the matched passage (a claim's passage shows on its own row)."""
    text = Text.assemble((f"{result.kind:<8}", "dim"), clip(result.title, TITLE_WIDTH, at_word=True))
    snippet = result.snippet.strip(" …")
    if result.claims:
        text.append(f"  ({len(result.claims)} matching claim{'s' if len(result.claims) != 1 else ''})", style="dim")
    if snippet and snippet not in result.title and all(snippet != c.snippet.strip(" …") for c in result.claims):
        text.append("\n         ")
        text.append_text(marked_text(result.marked, SNIPPET_WIDTH))
    return text


def claim_prompt(hit: SearchHit) -> Text:
    """A matching claim, indented under its note, its matched words in bold."""
    text = Text("  └ claim ", style="dim")
    text.append_text(marked_text(hit.marked or hit.title, CLAIM_WIDTH))
    return text


@dataclass
class SearchRow:
    """One line of the results: a result (a note, an inquiry) or a claim listed under its note."""

    node_id: str
    prompt: Text


def result_rows(results: list[SearchResult]) -> list[SearchRow]:
    """Each result, then the claims that matched for it, in the order the list shows them."""
    rows = []
    for result in results:
        rows.append(SearchRow(result.id, result_prompt(result)))
        rows += [SearchRow(hit.node_id, claim_prompt(hit)) for hit in result.claims]
    return rows


class SearchScreen(ModalScreen[str | None]):
    """Returns the chosen node id, or ``None``."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Close"), Binding("down", "focus_results", "Results", show=False)]

    def __init__(self, data: NotebookData):
        super().__init__()
        self.data = data
        self.rows: list[SearchRow] = []

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
        with self.data.locked() as nb:
            results = search(nb, text, limit=LIMIT)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show, text, results)

    def _show(self, text: str, results: list[SearchResult]) -> None:
        self.rows = result_rows(results)
        shown = self.query_one("#results", OptionList)
        shown.clear_options()
        shown.add_options([Option(row.prompt) for row in self.rows])
        if self.rows:
            shown.highlighted = 0
        self.query_one("#search-count", Label).update(
            f"{len(results)} result{'s' if len(results) != 1 else ''}" if text.strip() else ""
        )

    @on(Input.Submitted, "#query")
    def _submitted(self) -> None:
        index = self.query_one("#results", OptionList).highlighted
        if self.rows:
            self.dismiss(self.rows[index or 0].node_id)

    @on(OptionList.OptionSelected, "#results")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.rows[event.option_index].node_id)

    def action_focus_results(self) -> None:
        self.query_one("#results", OptionList).focus()
