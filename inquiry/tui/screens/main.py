"""The main screen: navigator (left), reader and runs (center), links (right), footer.

Every read of the notebook runs in a thread worker; the screen only places results. A background
watcher (a thread worker) reaps dead runs, starts queued ones and looks at SQLite's
``PRAGMA data_version``; only when another process committed does it post
:class:`MainScreen.NotebookChanged`, and only what the change touches is re-read. Runs started
elsewhere (the CLI) therefore appear live, and closing the app leaves running runs alone (their
workers are separate processes).
"""

from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass, replace
from pathlib import Path

from textual import events, on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.message import Message
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Header, Input
from textual.worker import get_current_worker

from ... import relations
from ...errors import InquiryError
from ...export import markdown as markdown_export
from ...models import Claim, NodeKind, kind_of
from ...runs import launcher
from ...runs.records import RunRecord
from .. import render
from ..data import ON_DEMAND, NotebookData, plural
from ..history import History
from ..keys import bindings
from ..widgets.links import LinksPanel
from ..widgets.navigator import Navigator
from ..widgets.reader import Reader
from ..widgets.runs import RunsPanel
from .confirm import ConfirmScreen
from .export import ExportScreen
from .graph import GraphScreen
from .help import HelpScreen
from .launch import LaunchScreen
from .relation import RelationChoice, RelationScreen
from .result import ResultScreen
from .search import SearchScreen
from .specs import SpecsScreen


def closing_ok():
    """A worker's result can arrive while the app is closing and its widgets are gone: drop it then."""
    return contextlib.suppress(NoMatches)


ACTIVE = ("queued", "running")
PANES = ("navigator", "reader", "runs", "links")


class MainScreen(Screen[None]):
    AUTO_FOCUS = "#browse"
    BINDINGS = bindings("main")

    @dataclass
    class NotebookChanged(Message):
        """Another process committed to the notebook (a run progressed, started or ended; the CLI wrote)."""

        runs: dict[str, tuple[str, str, int | None, str]]  # every run: (claim, status, step, heartbeat)
        moved: set[str]  # runs whose status or step changed since the last look
        ended_or_started: set[str]  # runs whose status changed (statuses of claims above them may change)

    def __init__(self, data: NotebookData, poll_s: float = 1.0):
        super().__init__()
        self.data = data
        self.poll_s = poll_s
        self.history = History()
        self.current: str | None = None
        self.claim: Claim | None = None
        self.run_states: tuple[tuple[str, str], ...] = ()
        self.all_runs: dict[str, tuple[str, str, int | None, str]] = {}
        self.binding_state: tuple[NodeKind | None, bool, bool] | None = None
        self.stop_watching = threading.Event()

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
        self._watch()

    def on_unmount(self) -> None:
        self.stop_watching.set()

    def _where(self) -> str:
        """The notebook's folder, with the home folder written as ``~``."""
        path = self.data.nb.path
        with contextlib.suppress(ValueError):
            return f"~/{path.relative_to(Path.home())}"
        return str(path)

    @on(Navigator.Sized)
    def _sized(self, event: Navigator.Sized) -> None:
        sizes = event.sizes
        self.sub_title = (
            f"{self._where()} · {plural(sizes['inquiries'], 'inquiry', 'inquiries')} · "
            f"{plural(sizes['notes'], 'note')} · {plural(sizes['claims'], 'claim')}"
            + (f" · {plural(sizes['placeholders'], 'placeholder')}" if sizes["placeholders"] else "")
        )

    # ---- live state ------------------------------------------------------------------------

    def _watch(self) -> None:
        """Start the notebook watcher: a daemon thread, not a Textual worker, because it never ends
        while the screen lives (tests and the app wait for workers to complete)."""
        threading.Thread(target=self._watch_loop, name="inquiry-notebook-watcher", daemon=True).start()

    def _watch_loop(self) -> None:
        """Off the interface's thread: reap dead runs, start queued ones, and look at ``PRAGMA
        data_version``; only when another process committed, say what changed (a typed message)."""
        version: int | None = None
        while not self.stop_watching.is_set():
            try:
                found = self.data.look_for_changes(version)
            except Exception:
                found = None
            if found is not None:
                first = version is None
                version, runs = found
                moved = {r for r, state in runs.items() if self.all_runs.get(r) != state}
                switched = {r for r in moved if self.all_runs.get(r, (None, None))[1] != runs[r][1]}
                self.all_runs = runs
                if not first:  # moved is empty when the commit was not a run's (the CLI wrote)
                    self.post_message(self.NotebookChanged(runs, moved, switched))
            self.stop_watching.wait(self.poll_s)

    def active_runs(self) -> list[str]:
        return [r for r, state in self.all_runs.items() if state[1] in ACTIVE]

    @on(NotebookChanged)
    def _notebook_changed(self, event: NotebookChanged) -> None:
        """Refresh only what the change touches: the open claim's runs, and the glyphs when a run's
        status changed (a verdict changes its claim, the claim's note and the inquiries above)."""
        if self.claim is not None and any(event.runs[r][0] == self.claim.id for r in event.moved):
            self._poll_runs(self.claim.id)
        if event.ended_or_started or not event.moved:
            self.query_one(Navigator).refresh_statuses()
            if self.current and (
                self.claim is None or not any(event.runs[r][0] == self.claim.id for r in event.ended_or_started)
            ):
                self._load_page(self.current)  # the open note or inquiry may show a changed status

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
            with self.data.locked() as nb:
                claim = nb.get_claim(node_id)
        runs = self.data.runs(node_id) if claim else []
        if not get_current_worker().is_cancelled:
            # an async callback is awaited there; mypy cannot solve call_from_thread's return type for it
            self.app.call_from_thread(self._show_page, node_id, markdown, claim, runs)  # type: ignore[arg-type]

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
        state = (
            kind_of(self.current) if self.current else None,
            any(s in ACTIVE for _, s in self.run_states),
            bool(self.run_states),
        )
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
        view = replace(view, drawing=self.data.local_drawing(node_id, width=self.drawing_width()))
        if not worker.is_cancelled:
            self.app.call_from_thread(self._show_links, view)

    def drawing_width(self) -> int:
        """The local graph's lines are as wide as the links pane (less its border and padding)."""
        with contextlib.suppress(NoMatches):
            return max(30, self.query_one(LinksPanel).content_size.width - 2)
        return 70

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

    def action_open_graph(self) -> None:
        if self.current:
            self.app.push_screen(GraphScreen(self.data, self.current), self._navigate_if_chosen)

    def action_draw_graph(self) -> None:
        """Draw the local graph in the links panel (a big notebook draws it only when asked)."""
        if self.current:
            self._load_links(self.current, draw=True)

    def action_back(self) -> None:
        node_id = self.history.back()
        if node_id:
            self.navigate(node_id, remember=False)
        else:
            self.notify("Nothing earlier in this session's history.", severity="information")

    def action_forward(self) -> None:
        node_id = self.history.forward()
        if node_id:
            self.navigate(node_id, remember=False)
        else:
            self.notify("Nothing later in the history: forward undoes a step back.", severity="information")

    def action_focus_filter(self) -> None:
        self.query_one("#filter", Input).focus()

    def action_search(self) -> None:
        self.app.push_screen(SearchScreen(self.data), self._navigate_if_chosen)

    def _navigate_if_chosen(self, node_id: str | None) -> None:
        if node_id:
            self.navigate(node_id)

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(getattr(self.app, "keymap_overrides", {})))

    def action_toggle_maximize(self) -> None:
        """Fill the screen with the focused pane (for 80×24 terminals), or restore the layout."""
        if self.maximized is not None:
            self.minimize()
            pane = None
        else:
            focused = self.focused
            pane = next(
                (
                    a
                    for a in ([focused] + list(focused.ancestors) if focused else [])
                    if isinstance(a, Widget) and a.id in PANES
                ),
                None,
            )
            if pane is None:
                self.notify("Focus a pane first (tab moves between them).", severity="warning")
                return
            self.maximize(pane, container=False)
        remember = getattr(self.app, "remember_layout", None)
        if remember:
            remember(pane.id if pane is not None else None)

    def action_quit(self) -> None:
        """Quit at once; runs are separate processes and carry on, which the terminal is told."""
        active = self.active_runs()
        message = (
            f"{plural(len(active), 'run')} carr{'ies' if len(active) == 1 else 'y'} on in the background "
            f"({', '.join(active[:3])}); `inquiry runs` or reopening the app shows {'it' if len(active) == 1 else 'them'}."
            if active
            else None
        )
        self.stop_watching.set()
        # what the terminal is told, kept on the app for tests to read (App declares no such attribute)
        self.app.quit_message = message  # type: ignore[attr-defined]
        self.app.exit(message=message)

    # ---- context actions -------------------------------------------------------------------

    def why_not(self, action: str) -> str | None:
        """Why an action does not apply now, or ``None`` when it does (shown by the key and the palette)."""
        kind = kind_of(self.current) if self.current else None
        if (
            action in ("run", "relate", "cancel_run", "view_result", "export", "open_graph", "draw_graph", "specs")
            and self.current is None
        ):
            return "Open a node first: choose one in the navigator (enter)."
        if action == "run" and kind not in (NodeKind.CLAIM, NodeKind.NOTE):
            return "Runs test a claim: open a claim, or a note with claims."
        if action == "relate" and kind is not NodeKind.CLAIM:
            return "Relations join two claims: open a claim first."
        if action == "specs" and kind is not NodeKind.CLAIM:
            return "Reproduction specs belong to a claim: open a claim first."
        if action == "cancel_run":
            if kind is not NodeKind.CLAIM:
                return "Open the claim whose run you want to cancel."
            if not any(s in ACTIVE for _, s in self.run_states):
                return "This claim has no queued or running run to cancel."
        if action == "view_result":
            if kind is not NodeKind.CLAIM:
                return "Results belong to runs: open a claim with runs."
            if not self.run_states:
                return "This claim has no runs yet: r launches one."
        if action == "export" and kind is not NodeKind.INQUIRY:
            return "Export writes an inquiry: open one (the navigator's first group)."
        return None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Actions that do not apply show dimmed in the footer (and say why when pressed: :meth:`on_key`)."""
        if action in ("run", "relate", "cancel_run", "view_result", "export", "open_graph", "draw_graph", "specs"):
            return None if self.why_not(action) else True
        return True

    def on_key(self, event: events.Key) -> None:
        """A key whose action does not apply says why instead of doing nothing."""
        for key, active in self.active_bindings.items():
            if key == event.key and not active.enabled:
                reason = self.why_not(active.binding.action)
                if reason:
                    event.stop()
                    event.prevent_default()
                    self.notify(reason, title=active.binding.description, severity="warning")
                return

    def action_run(self) -> None:
        if self.claim is not None:
            self.app.push_screen(LaunchScreen(self.data, self.claim), self._launched)
        elif self.current and kind_of(self.current) is NodeKind.NOTE:
            self._run_for_note(self.current)

    @work(thread=True, group="launch-pick")
    def _run_for_note(self, note_id: str) -> None:
        """A note stands for its claim with a reproduction spec (as on the command line), else its only claim."""
        with self.data.locked() as nb:
            claims = nb.list_claims(note_id=note_id)
            with_spec = [c for c in claims if nb.specs(c.id)]
        chosen = with_spec[0] if with_spec else (claims[0] if len(claims) == 1 else None)
        if chosen is None:
            self.app.call_from_thread(
                self.notify,
                "This note has "
                + (
                    f"{len(claims)} claims and none has a reproduction spec: open the one to test."
                    if claims
                    else "no claims to test."
                ),
                title="Run",
                severity="warning",
            )
            return
        self.app.call_from_thread(self.app.push_screen, LaunchScreen(self.data, chosen), self._launched)

    def _launched(self, run_id: str | None) -> None:
        if run_id:
            self.notify(f"Started {run_id}. Its progress shows under the claim.", title="Run launched")
            if self.claim is not None:
                self._poll_runs(self.claim.id)

    def action_cancel_run(self) -> None:
        panel = self.query_one(RunsPanel)
        chosen = panel.selected()
        active = [r for r in panel.runs() if not r.status.finished]
        target = chosen if chosen is not None and not chosen.status.finished else (active[0] if active else None)
        if target is None:
            self.notify("No queued or running run to cancel.", severity="warning")
            return
        run_id = target.id

        def cancel_if_confirmed(yes: bool | None) -> None:
            if yes:
                self._cancel(run_id)

        self.app.push_screen(
            ConfirmScreen(
                f"Cancel run {target.id} ({target.runner}/{target.preset}, "
                f"{target.status.value})? Its work so far is lost.",
                "Cancel the run",
                "Keep it running",
            ),
            cancel_if_confirmed,
        )

    def action_view_result(self) -> None:
        panel = self.query_one(RunsPanel)
        chosen = panel.selected() or next(iter(panel.runs()), None)
        if chosen is not None:
            self._open_run(chosen.id)

    @work(thread=True, group="write")
    def _cancel(self, run_id: str) -> None:
        try:
            with self.data.locked() as nb:
                status = launcher.cancel(nb, run_id)
        except InquiryError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        self.app.call_from_thread(
            self.notify,
            f"{run_id}: {status.value}" if status.finished else f"{run_id}: cancelling; it stops within seconds",
            title="Cancel",
        )

    def action_specs(self) -> None:
        if self.claim is not None:
            self.app.push_screen(
                SpecsScreen(self.data, self.claim.id),
                lambda changed: self._changed("Specs updated; the claim's status follows") if changed else None,
            )

    def action_relate(self) -> None:
        if self.claim is not None:
            self.app.push_screen(RelationScreen(self.data, self.claim), self._relate)

    def _relate(self, choice: RelationChoice | None) -> None:
        if choice and self.claim:
            self._write_relation(self.claim.id, choice)

    @work(thread=True, group="write")
    def _write_relation(self, claim_id: str, choice: RelationChoice) -> None:
        try:
            with self.data.locked() as nb:
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
            with self.data.locked() as nb:
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
            with self.data.locked() as nb:
                inquiry = nb.get_inquiry(self.current)
            if inquiry is None:
                return
            question = inquiry.question
            self.app.push_screen(ExportScreen(question, self.data.nb.path / "exports"), self._export)

    def _export(self, choice: tuple[Path, str] | None) -> None:
        if choice and self.current:
            self._write_export(self.current, *choice)

    @work(thread=True, group="write")
    def _write_export(self, inquiry_id: str, folder: Path, style: str) -> None:
        try:
            with self.data.locked() as nb:
                written = markdown_export.export(nb, folder, [inquiry_id], style=style)
        except (InquiryError, OSError, ValueError) as exc:
            self.app.call_from_thread(self.notify, f"Nothing exported: {exc}", severity="error", timeout=10)
            return
        pages = [p for p in written if p.suffix == ".md"]
        self.app.call_from_thread(
            self.notify,
            f"Wrote {len(written)} files in {folder}: " + ", ".join(p.name for p in pages[:3]),
            title="Exported",
            timeout=10,
        )

    # ---- runs ------------------------------------------------------------------------------

    @on(RunsPanel.Open)
    def _open_run_event(self, event: RunsPanel.Open) -> None:
        self._open_run(event.run_id)

    @work(thread=True, group="result")
    def _open_run(self, run_id: str) -> None:
        run = self.data.run(run_id)
        self.app.call_from_thread(self.app.push_screen, ResultScreen(run))

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
