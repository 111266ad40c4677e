"""A run's curves drawn in the terminal (textual-plotext): every series sharing a chart name together."""

from __future__ import annotations

from textual_plotext import PlotextPlot

from ...runners.api import Series


def charts(series: list[Series]) -> dict[str, list[Series]]:
    """Series grouped by their chart name, in first-seen order."""
    grouped: dict[str, list[Series]] = {}
    for s in series:
        grouped.setdefault(s.chart, []).append(s)
    return grouped


class SeriesChart(PlotextPlot):
    """One chart, e.g. pass@k against k for the base and the RL model; bands drawn as dotted bounds."""

    def __init__(self, title: str, series: list[Series], **kwargs):
        super().__init__(**kwargs)
        self.chart_title = title
        self.series = series

    def on_mount(self) -> None:
        plt = self.plt
        plt.clear_data()
        plt.title(self.chart_title)
        first = self.series[0]
        plt.xlabel(first.x_label)
        plt.ylabel(first.y_label)
        if first.log_x:
            plt.xscale("log")
        for s in self.series:
            plt.plot(s.x, s.y, label=s.name, marker="braille")
            if s.low is not None and s.high is not None:
                plt.plot(s.x, s.low, marker="dot")
                plt.plot(s.x, s.high, marker="dot")
        self.refresh()
