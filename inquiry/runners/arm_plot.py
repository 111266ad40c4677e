"""One figure for an arms comparison: each arm's estimate with its interval, and curves beside it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from .api import Estimate, Series


def save_arms_plot(
    path: Path, arms: Mapping[str, Estimate], curves: Sequence[Series], title: str, bar_label: str, highlight: str = ""
) -> Path:
    """Bars with 95% intervals for ``arms``; the ``curves`` (one chart) on the right."""
    figure, (bars, lines) = plt.subplots(1, 2, figsize=(11, 4))
    names = list(arms)
    values = [arms[n].value for n in names]
    estimates = [arms[n] for n in names]
    errors = [
        [max(0.0, e.value - (e.low if e.low is not None else e.value)) for e in estimates],
        [max(0.0, (e.high if e.high is not None else e.value) - e.value) for e in estimates],
    ]
    bars.bar(names, values, yerr=errors, capsize=4, color=["#c44e52" if n == highlight else "#4c72b0" for n in names])
    bars.set_ylim(0, 1)
    bars.set_ylabel(bar_label)
    bars.tick_params(axis="x", labelrotation=20)
    for series in curves:
        lines.plot(series.x, series.y, label=series.name)
        if series.low is not None and series.high is not None:
            lines.fill_between(series.x, series.low, series.high, alpha=0.2)
    if curves:
        lines.set_xlabel(curves[0].x_label)
        lines.set_ylabel(curves[0].y_label)
        lines.legend(fontsize=7)
    figure.suptitle(title)
    figure.tight_layout()
    path = Path(path)
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return path
