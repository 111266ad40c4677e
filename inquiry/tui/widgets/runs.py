"""The runs panel of a claim: each run with its status, a live progress bar and elapsed time.

The screen's notebook watcher hands the panel fresh run records when a run changes; a run started
from the CLI therefore shows up here too. ``enter`` on a run opens its result (the footer says so).
Each run takes three short lines (what, progress, outcome) so nothing is cut in a narrow pane.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Label, ListItem, ListView, ProgressBar

from ...models import RunStatus
from ...runs.records import RunRecord

STATUS_STYLE = {
    RunStatus.QUEUED: "dim",
    RunStatus.RUNNING: "bold cyan",
    RunStatus.SUCCEEDED: "green",
    RunStatus.FAILED: "red",
    RunStatus.CANCELLED: "yellow",
    RunStatus.INTERRUPTED: "yellow",
}


def elapsed(run: RunRecord, now: datetime | None = None) -> str:
    """Wall time of a run so far (or in total, once ended): ``"1m 05s"``."""
    if not run.started:
        return "not started"
    start = datetime.fromisoformat(run.started)
    end = datetime.fromisoformat(run.ended) if run.ended else (now or datetime.now(UTC))
    seconds = max(0, int((end - start).total_seconds()))
    return f"{seconds // 60}m {seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s"


def outcome(run: RunRecord) -> str:
    if run.result is not None:
        return f"verdict: {run.result.verdict.verdict.value}"
    if run.error:
        return run.error.splitlines()[0][:80]
    return run.message or ""


def progress_words(run: RunRecord) -> str:
    """``step 12/80 · 15% · 1m 05s`` (what fits beside the bar)."""
    parts = []
    if run.total:
        step = run.step or 0
        parts += [f"step {step}/{run.total}", f"{100 * step // max(run.total, 1)}%"]
    parts.append(elapsed(run))
    return " · ".join(parts)


class RunList(ListView):
    """The runs; enter opens the highlighted run's result (named in the footer)."""

    BINDINGS = [Binding("enter", "select_cursor", "Open result", id="runs.open")]


class RunItem(ListItem):
    def __init__(self, run: RunRecord):
        super().__init__()
        self.record = run

    def compose(self) -> ComposeResult:
        yield Label(classes="run-status")
        with Horizontal(classes="run-row"):
            yield ProgressBar(show_eta=False, show_percentage=False, classes="run-progress")
            yield Label(classes="run-elapsed")
        yield Label(classes="run-outcome")

    def on_mount(self) -> None:
        self.update(self.record)

    def update(self, run: RunRecord) -> None:
        self.record = run
        if not self.query(ProgressBar):  # not composed yet: on_mount shows the latest record
            return
        self.query_one(".run-status", Label).update(
            Text.assemble(
                (f"{run.status.value:<11}", STATUS_STYLE[run.status]), f" {run.runner}/{run.preset} seed {run.seed}"
            )
        )
        bar = self.query_one(ProgressBar)
        if run.total:
            bar.update(total=run.total, progress=run.step or 0)
        elif run.status is RunStatus.SUCCEEDED:
            bar.update(total=1, progress=1)
        self.query_one(".run-elapsed", Label).update(f" {progress_words(run)}")
        self.query_one(".run-outcome", Label).update(Text(f"  {run.id}  {outcome(run)}", style="dim"))


class RunsPanel(Vertical):
    """Shown under the reader while a claim is open."""

    ALLOW_MAXIMIZE = True  # m fills the screen with the pane (80×24 terminals)

    @dataclass
    class Open(Message):
        run_id: str

    def compose(self) -> ComposeResult:
        yield Label("Runs", classes="panel-title")
        yield Label("No runs yet. Press r to launch a reproduction.", id="no-runs")
        yield RunList(id="runlist")
        yield Label("enter on a run (or v) opens its result · c cancels · r launches another", id="runs-hint")

    def show(self, runs: list[RunRecord]) -> None:
        """Update rows in place (the progress bars keep their state), adding new runs on top."""
        listing = self.query_one(ListView)
        self.query_one("#no-runs").display = not runs
        existing = {item.record.id: item for item in listing.query(RunItem)}
        wanted = [run.id for run in runs]
        if list(existing) != wanted:
            listing.clear()
            listing.extend(RunItem(run) for run in runs)
            if runs:  # the newest run is selected, so enter opens it and c cancels it
                listing.call_after_refresh(setattr, listing, "index", 0)
            return
        for run in runs:
            existing[run.id].update(run)

    def selected(self) -> RunRecord | None:
        item = self.query_one(ListView).highlighted_child
        return item.record if isinstance(item, RunItem) else None

    def runs(self) -> list[RunRecord]:
        return [item.record for item in self.query(RunItem)]

    @on(ListView.Selected)
    def _open(self, event: ListView.Selected) -> None:
        event.stop()
        if isinstance(event.item, RunItem):
            self.post_message(self.Open(event.item.record.id))
