"""The neighbourhood view (``g``): the centred node, its edges by kind and direction, and a drawing.

Choose a neighbour and press enter to move along that edge (the view recentres on it); ``[`` goes
back along the path walked; ``o`` opens the centred node in the reader; escape closes the view.
Each edge shows its kind (``cites``, ``supports`` …), its direction and whether it is only suggested.
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Label, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from ..data import Link, NotebookData


class GraphScreen(Screen[str | None]):
    """Returns the node to open in the reader (``o``), or ``None`` (escape)."""

    BINDINGS = [
        Binding("escape", "dismiss(None)", "Close", id="graph.close"),
        Binding("o", "open_node", "Open in reader", id="graph.open_node"),
        Binding("left_square_bracket,backspace", "walk_back", "Back along the path", id="graph.back"),
    ]

    def __init__(self, data: NotebookData, node_id: str):
        super().__init__()
        self.data = data
        self.centre = node_id
        self.path: list[str] = []
        self.entries: list[Link | None] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="graph-view"):
            yield Label("", id="graph-centre", classes="dialog-title")
            with Horizontal(id="graph-body"):
                yield OptionList(id="graph-edges")
                with VerticalScroll(id="graph-drawing-pane"):
                    yield Static("", id="graph-drawing")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#graph-edges", OptionList).focus()
        self._load(self.centre)

    @work(thread=True, exclusive=True, group="graph-view")
    def _load(self, node_id: str) -> None:
        with self.data.locked() as nb:
            title = nb.titles_of([node_id])[node_id]
        groups = self.data.neighbors(node_id)
        if get_current_worker().is_cancelled:
            return
        self.app.call_from_thread(self._show, node_id, title, groups, None)
        width = max(30, self.query_one("#graph-drawing-pane").content_size.width - 1)
        drawing = self.data.local_drawing(node_id, width=width)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show_drawing, node_id, drawing)

    def _show(self, node_id: str, title: str, groups, drawing: str | None) -> None:
        if node_id != self.centre:
            return
        self.query_one("#graph-centre", Label).update(
            Text.assemble(
                ("centre: ", "dim"),
                title,
                (f"  ({node_id})", "dim"),
                (f"   path: {len(self.path)} step{'s' if len(self.path) != 1 else ''} back with [", "dim"),
            )
        )
        options: list[Option] = []
        self.entries = []
        for group in groups:  # "cites (links)", "supports (backlinks)", …
            kind, _, direction = group.heading.partition(" (")
            arrow = "→" if direction.startswith("links") else "←"
            options.append(
                Option(Text.assemble((f"{arrow} {kind}", "bold"), (f"  {group.total}", "dim")), disabled=True)
            )
            self.entries.append(None)
            for link in group.links:
                options.append(
                    Option(
                        Text.assemble(
                            f"  {arrow} ", link.title[:200], (" (suggested)", "italic yellow") if link.suggested else ""
                        )
                    )
                )
                self.entries.append(link)
            if group.remaining:
                options.append(Option(Text(f"    … {group.remaining} more", style="dim"), disabled=True))
                self.entries.append(None)
        if not options:
            options.append(Option(Text("no edges", style="dim"), disabled=True))
            self.entries.append(None)
        edges = self.query_one("#graph-edges", OptionList)
        edges.clear_options()
        edges.add_options(options)
        first = next((i for i, e in enumerate(self.entries) if e is not None), None)
        if first is not None:
            edges.highlighted = first
        self.query_one("#graph-drawing", Static).update(Text("drawing the neighbourhood…", style="italic"))
        self.query_one("#graph-drawing-pane", VerticalScroll).scroll_home(animate=False)

    def _show_drawing(self, node_id: str, drawing: str) -> None:
        if node_id == self.centre:
            self.query_one("#graph-drawing", Static).update(
                Text(drawing or "(not in the graph)", no_wrap=True, overflow="ellipsis")
            )

    @on(OptionList.OptionSelected, "#graph-edges")
    def _walk(self, event: OptionList.OptionSelected) -> None:
        entry = self.entries[event.option_index]
        if entry is not None:
            self.path.append(self.centre)
            self.centre = entry.node_id
            self._load(entry.node_id)

    def action_walk_back(self) -> None:
        if self.path:
            self.centre = self.path.pop()
            self._load(self.centre)

    def action_open_node(self) -> None:
        self.dismiss(self.centre)
