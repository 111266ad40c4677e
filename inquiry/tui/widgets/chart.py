"""A run's curves drawn in the terminal (textual-plotext): every series sharing a chart name together.

The figure is drawn afresh on every render (first paint, resize, theme change) from the series
themselves. plotext transforms the data of a log axis in place when it builds, so a figure built
twice took the log of the log (``math domain error`` on the second build, i.e. on any resize); here
a log axis is drawn on ``log10(x)`` computed once, with the ticks labelled by the original x values.
"""

from __future__ import annotations

import math

from textual_plotext import PlotextPlot

from ...runners.api import Series

# One colour and marker per series, so the legend tells them apart even without colour.
STYLES = [("cyan", "braille"), ("orange", "hd"), ("magenta", "dot"), ("green", "sd")]


def charts(series: list[Series]) -> dict[str, list[Series]]:
    """Series grouped by their chart name, in first-seen order."""
    grouped: dict[str, list[Series]] = {}
    for s in series:
        grouped.setdefault(s.chart, []).append(s)
    return grouped


def tick_label(x: float) -> str:
    """How an x tick is written: whole numbers without a decimal point (k = 1, 2, 4, …).

    >>> tick_label(4.0), tick_label(0.25), tick_label(1024.0)
    ('4', '0.25', '1024')
    """
    return str(int(x)) if float(x).is_integer() else f"{x:.3g}"


def x_ticks(xs: list[float], log: bool, most: int = 8) -> tuple[list[float], list[str]]:
    """Tick positions (in the axis' own scale) and labels: the data's own x values, thinned to ``most``.

    >>> x_ticks([1, 2, 4, 8], log=False)
    ([1, 2, 4, 8], ['1', '2', '4', '8'])
    >>> x_ticks([1, 10, 100], log=True)
    ([0.0, 1.0, 2.0], ['1', '10', '100'])
    """
    values = sorted({x for x in xs if not log or x > 0})
    if len(values) > most:
        step = math.ceil(len(values) / most)
        values = values[::step] + ([values[-1]] if (len(values) - 1) % step else [])
    return [math.log10(x) if log else x for x in values], [tick_label(x) for x in values]


class SeriesChart(PlotextPlot):
    """One chart, e.g. pass@k against k for the base and the RL model, with labelled confidence bands."""

    def __init__(self, title: str, series: list[Series], **kwargs):
        super().__init__(**kwargs)
        self.chart_title = title
        self.series = series

    def draw(self) -> None:
        """Lay the whole figure out again from the series (never from plotext's transformed data)."""
        plt = self.plt
        plt.clear_figure()
        first = self.series[0]
        log = first.log_x and all(x > 0 for s in self.series for x in s.x)
        scale = (lambda xs: [math.log10(x) for x in xs]) if log else (lambda xs: list(xs))
        plt.title(self.chart_title)
        plt.xlabel(first.x_label + (" (log scale)" if log else ""))
        plt.ylabel(first.y_label)
        all_x: list[float] = []
        for index, s in enumerate(self.series):
            colour, marker = STYLES[index % len(STYLES)]
            xs = scale(s.x)
            all_x += s.x
            plt.plot(xs, s.y, label=s.name, marker=marker, color=colour)
            if s.low is not None and s.high is not None:
                plt.plot(xs, s.low, marker="dot", color=colour, label=f"{s.name}: interval low")
                plt.plot(xs, s.high, marker="dot", color=colour, label=f"{s.name}: interval high")
        ticks, labels = x_ticks(all_x, log)
        if ticks:
            plt.xticks(ticks, labels)

    def render(self):
        self.draw()
        return super().render()
