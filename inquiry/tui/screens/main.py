"""The main screen: navigator (left), reader and runs (center), links (right), footer.

Every read of the notebook runs in a thread worker; the screen only places results. Run progress
is polled from the notebook on a timer, so runs started elsewhere (the CLI) appear live, and
closing the app leaves running runs alone (their workers are separate processes).
"""

from __future__ import annotations

import contextlib
from dataclasses import replace
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.css.query import NoMatches
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Header, Input
from textual.worker import get_current_worker

from ...errors import InquiryError
from ...export import markdown as markdown_export
from ...graph import relations
from ...models import Claim, NodeKind, kind_of
from ...runs import launcher
from ...runs.records import RunRecord
from .. import render
from ..data import ON_DEMAND, NotebookData
from ..history import History
from ..widgets.links import LinksPanel
from ..widgets.navigator import Navigator
from ..widgets.reader import Reader
from ..widgets.runs import RunsPanel
from .export import ExportScreen
from .help import HelpScreen
from .launch import LaunchScreen
from .relation import RelationChoice, RelationScreen
from .result import ResultScreen
from .search import SearchScreen
from .specs import SpecsScreen

def closing_ok():
    """A worker's result can arrive while the app is closing and its widgets are gone: drop it then."""
    return contextlib.suppress(NoMatches)


CONTEXT_ACTIONS = {"run": NodeKind.CLAIM, "relate": NodeKind.CLAIM, "cancel_run": NodeKind.CLAIM,
                   "specs": NodeKind.CLAIM, "export": NodeKind.INQUIRY}


class MainScreen(Screen[None]):
    AUTO_FOCUS = "#browse"

    BINDINGS = [
        Binding("slash", "search", "Search"),
        Binding("f", "focus_filter", "Filter"),
        Binding("r", "run", "Run"),
        Binding("c", "cancel_run", "Cancel run"),
        Binding("t", "relate", "Relate"),
        Binding("p", "specs", "Specs", show=False),
        Binding("g", "draw_graph", "Graph"),
        Binding("e", "export", "Export"),
        Binding("left_square_bracket", "back", "Back"),
        Binding("right_square_bracket", "forward", "Forward"),
        Binding("question_mark", "help", "Help"),
        Binding("q", "app.quit", "Quit"),
    ]

    def __init__(self, data: NotebookData, poll_s: float = 1.0):
        super().__init__()
        self.data = data
        self.poll_s = poll_s
        self.history = History()
        self.current: str | None = None
        self.claim: Claim | None = None
        self.run_states: tuple[tuple[str, str], ...] = ()
        self.binding_state: tuple[NodeKind | None, bool] | None = None

    def compose(self) -> ComposeResult:
        yield Header(icon="")
        with Horizontal(id="panes"):
            yield Navigator(self.data, id="navigator")
            with Vertical(id="center"):
                yield Reader(id="reader")
                yield RunsPanel(id="runs")
            yield LinksPanel(id="links")
        yield Footer()

    def on_mount(self) -> None:
        for pane, title in ((Navigator, "Navigator"), (Reader, "Reader"), (RunsPanel, "Runs"), (LinksPanel, "Links")):
            self.query_one(pane).border_title = title
        self.query_one(RunsPanel).display = False
        self.sub_title = self._where()
        self.set_interval(self.poll_s, self._poll)

    def _where(self) -> str:
        """The notebook's folder, with the home folder written as ``~``."""
        path = self.data.nb.path
        with contextlib.suppress(ValueError):
            return f"~/{path.relative_to(Path.home())}"
        return str(path)

    @on(Navigator.Sized)
    def _sized(self, event: Navigator.Sized) -> None:
        sizes = event.sizes
        self.sub_title = (f"{self._where()} · {sizes['inquiries']} inquiries · {sizes['notes']} notes · "
                          f"{sizes['claims']} claims" + (f" · {sizes['placeholders']} placeholders"
                                                         if sizes["placeholders"] else ""))

    # ---- navigation ------------------------------------------------------------------------

    def navigate(self, node_id: str, remember: bool = True) -> None:
        if node_id.startswith(("http://", "https://")):
            self.app.open_url(node_id)
            return
        if node_id.startswith("run:"):
            self._open_run(node_id)
            return
        if remember:
            self.history.visit(node_id)
        self.current = node_id
        self._load_page(node_id)  # the links follow once the page is shown: a hub's links are the slower read

    @work(thread=True, exclusive=True, group="page")
    def _load_page(self, node_id: str) -> None:
        try:
            markdown = render.page(self.data, node_id)
        except InquiryError as exc:
            markdown = f"# Not found\n\n{exc}"
        claim = None
        if kind_of(node_id) is NodeKind.CLAIM:
            with self.data.read() as nb:
                claim = nb.get_claim(node_id)
        runs = self.data.runs(node_id) if claim else []
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show_page, node_id, markdown, claim, runs)

    async def _show_page(self, node_id: str, markdown: str, claim: Claim | None, runs: list[RunRecord]) -> None:
        if node_id != self.current:
            return
        self.claim = claim
        with closing_ok():
            await self.query_one(Reader).show(node_id, markdown)
            panel = self.query_one(RunsPanel)
            panel.display = claim is not None
            panel.show(runs)
            self.run_states = tuple((r.id, r.status.value) for r in runs)
            self._refresh_bindings_if_changed()
        self._load_links(node_id)

    def _refresh_bindings_if_changed(self) -> None:
        """Re-check the footer's context actions only when their answer can change: the footer
        recomposes all its keys on every refresh, which costs more than the page update itself."""
        state = (kind_of(self.current) if self.current else None,
                 any(s in ("queued", "running") for _, s in self.run_states))
        if state != self.binding_state:
            self.binding_state = state
            self.refresh_bindings()

    @work(thread=True, exclusive=True, group="links")
    def _load_links(self, node_id: str, draw: bool = False) -> None:
        """Links and co-citations (SQL) at once; the local graph's drawing when the graph is built, is
        cheap to build, or ``draw`` asks for it (``g``)."""
        worker = get_current_worker()
        view = self.data.local_view(node_id)
        ready = self.data.graph_ready()
        if not (draw or ready or self.data.graph_is_small()):
            if not worker.is_cancelled:
                self.app.call_from_thread(self._show_links, replace(view, waiting=ON_DEMAND))
            return
        if not ready and not worker.is_cancelled:
            self.app.call_from_thread(self._show_links, view)  # "building the graph…" meanwhile
        view = replace(view, drawing=self.data.local_drawing(node_id))
        if not worker.is_cancelled:
            self.app.call_from_thread(self._show_links, view)

    def _show_links(self, view) -> None:
        if view.node_id == self.current:
            with closing_ok():
                self.query_one(LinksPanel).show(view)

    @on(Navigator.Chosen)
    @on(LinksPanel.Chosen)
    def _chosen(self, event: Navigator.Chosen | LinksPanel.Chosen) -> None:
        self.navigate(event.node_id)

    @on(Reader.Follow)
    def _follow(self, event: Reader.Follow) -> None:
        self.navigate(event.target)

    def action_draw_graph(self) -> None:
        if self.current:
            self._load_links(self.current, draw=True)

    def action_back(self) -> None:
        node_id = self.history.back()
        if node_id:
            self.navigate(node_id, remember=False)

    def action_forward(self) -> None:
        node_id = self.history.forward()
        if node_id:
            self.navigate(node_id, remember=False)

    def action_focus_filter(self) -> None:
        self.query_one("#filter", Input).focus()

    def action_search(self) -> None:
        self.app.push_screen(SearchScreen(self.data), lambda node_id: node_id and self.navigate(node_id))

    def action_help(self) -> None:
        sections = {"main": self.BINDINGS, "reader": Reader.BINDINGS, "links": LinksPanel.BINDINGS,
                    "navigator": [Binding("enter", "", "open the node / expand; '… more' loads the next page")]}
        self.app.push_screen(HelpScreen(sections))

    # ---- context actions -------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Claim and inquiry actions show dimmed in the footer unless such a node is open."""
        if action == "draw_graph":
            return True if self.current else None
        wanted = CONTEXT_ACTIONS.get(action)
        if wanted is None:
            return True
        if self.current is None or kind_of(self.current) is not wanted:
            return None
        if action == "cancel_run" and not any(s in ("queued", "running") for _, s in self.run_states):
            return None
        return True

    def action_run(self) -> None:
        if self.claim is not None:
            self.app.push_screen(LaunchScreen(self.data, self.claim), self._launched)

    def _launched(self, run_id: str | None) -> None:
        if run_id:
            self.notify(f"Started {run_id}. Its progress shows under the claim.", title="Run launched")
            self._poll()

    def action_cancel_run(self) -> None:
        panel = self.query_one(RunsPanel)
        chosen = panel.selected()
        active = [r for r in panel.runs() if not r.status.finished]
        target = chosen if chosen is not None and not chosen.status.finished else (active[0] if active else None)
        if target is None:
            self.notify("No queued or running run to cancel.", severity="warning")
            return
        self._cancel(target.id)

    @work(thread=True, group="write")
    def _cancel(self, run_id: str) -> None:
        try:
            with self.data.read() as nb:
                status = launcher.cancel(nb, run_id)
        except InquiryError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        self.app.call_from_thread(self.notify, f"{run_id}: {status.value}" if status.finished
                                  else f"{run_id}: cancelling; it stops within seconds", title="Cancel")

    def action_specs(self) -> None:
        if self.claim is not None:
            self.app.push_screen(SpecsScreen(self.data, self.claim.id),
                                 lambda changed: changed and self._changed("Specs updated; the claim's status follows"))

    def action_relate(self) -> None:
        if self.claim is not None:
            self.app.push_screen(RelationScreen(self.data, self.claim), self._relate)

    def _relate(self, choice: RelationChoice | None) -> None:
        if choice and self.claim:
            self._write_relation(self.claim.id, choice)

    @work(thread=True, group="write")
    def _write_relation(self, claim_id: str, choice: RelationChoice) -> None:
        try:
            with self.data.read() as nb:
                relations.add_relation(nb, claim_id, choice.target, choice.kind, choice.why)
        except InquiryError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        self.app.call_from_thread(self._changed, f"Recorded: {choice.kind} {choice.target}")

    @on(LinksPanel.Review)
    def _review(self, event: LinksPanel.Review) -> None:
        self._write_review(event.edge, event.decision)

    @work(thread=True, group="write")
    def _write_review(self, edge: int, decision: str) -> None:
        try:
            with self.data.read() as nb:
                row = (relations.accept if decision == "accept" else relations.reject)(nb, edge)
        except InquiryError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        self.app.call_from_thread(self._changed, f"Relation {row['kind']} {decision}ed")

    def _changed(self, message: str) -> None:
        self.notify(message)
        if self.current:
            self.navigate(self.current, remember=False)

    def action_export(self) -> None:
        if self.current is not None and kind_of(self.current) is NodeKind.INQUIRY:
            with self.data.read() as nb:
                question = nb.get_inquiry(self.current).question
            self.app.push_screen(ExportScreen(question, self.data.nb.path / "exports"), self._export)

    def _export(self, choice: tuple[Path, str] | None) -> None:
        if choice and self.current:
            self._write_export(self.current, *choice)

    @work(thread=True, group="write")
    def _write_export(self, inquiry_id: str, folder: Path, style: str) -> None:
        try:
            with self.data.read() as nb:
                written = markdown_export.export(nb, folder, [inquiry_id], style=style)
        except (InquiryError, OSError, ValueError) as exc:
            self.app.call_from_thread(self.notify, f"Nothing exported: {exc}", severity="error", timeout=10)
            return
        pages = [p for p in written if p.suffix == ".md"]
        self.app.call_from_thread(self.notify, f"Wrote {len(written)} files in {folder}: "
                                  + ", ".join(p.name for p in pages[:3]), title="Exported", timeout=10)

    # ---- runs ------------------------------------------------------------------------------

    @on(RunsPanel.Open)
    def _open_run_event(self, event: RunsPanel.Open) -> None:
        self._open_run(event.run_id)

    @work(thread=True, group="result")
    def _open_run(self, run_id: str) -> None:
        run = self.data.run(run_id)
        self.app.call_from_thread(self.app.push_screen, ResultScreen(run))

    def _poll(self) -> None:
        if self.claim is not None:
            self._poll_runs(self.claim.id)

    @work(thread=True, exclusive=True, group="poll")
    def _poll_runs(self, claim_id: str) -> None:
        runs = self.data.runs(claim_id)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show_runs, claim_id, runs)

    def _show_runs(self, claim_id: str, runs: list[RunRecord]) -> None:
        if self.claim is None or self.claim.id != claim_id:
            return
        with closing_ok():
            self.query_one(RunsPanel).show(runs)
        states = tuple((r.id, r.status.value) for r in runs)
        if states != self.run_states:  # a run started or ended: statuses and the page change
            self.run_states = states
            self._refresh_bindings_if_changed()
            self.query_one(Navigator).refresh_statuses()
            self._load_page(claim_id)
