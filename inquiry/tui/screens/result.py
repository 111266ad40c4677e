"""The result of one run: verdict, reason and scope, metrics with intervals, fidelity card, curves."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Markdown

from ...errors import NotFound
from ...runners import registry
from ...runners.api import installed_registration
from ...runs.records import RunRecord
from ..render import result_page
from ..widgets.chart import SeriesChart, charts


class ResultScreen(Screen[None]):
    BINDINGS = [Binding("escape,q", "app.pop_screen", "Back")]

    def __init__(self, run: RunRecord):
        super().__init__()
        self.run_record = run

    def compose(self) -> ComposeResult:
        try:
            runner = registry.get(self.run_record.runner)
        except NotFound:
            runner = None
        fidelity = runner.fidelity if runner else None
        with VerticalScroll(id="result"):
            yield Markdown(result_page(self.run_record, fidelity, installed_registration(runner)), open_links=False)
            if self.run_record.result is not None:
                for name, series in charts(self.run_record.result.series).items():
                    yield SeriesChart(name, series, classes="chart")
        yield Footer()
