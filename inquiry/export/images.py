"""A run's plot for an export: the PNG/SVG the runner saved, or its series drawn with matplotlib (Agg).

Drawing is deterministic (no timestamps in the file), so the same run always exports the same bytes.

>>> from inquiry.runners.api import Series
>>> png = render_series([Series(name="base", x=[1, 2, 4], y=[0.2, 0.3, 0.4], x_label="k", y_label="pass@k")])
>>> png[:4] == b"\\x89PNG"
True
"""

from __future__ import annotations

import io
from pathlib import Path

from ..runners.api import Result, Series

_PLOT_SUFFIXES = (".png", ".svg")


def saved_plot(run_dir: Path, result: Result) -> tuple[bytes, str] | None:
    """The first plot artifact the runner saved, as (bytes, suffix), if it is still on disk and inside the run folder."""
    for artifact in result.artifacts:
        path = (run_dir / artifact.path).resolve()
        if (
            artifact.kind == "plot"
            and path.suffix.lower() in _PLOT_SUFFIXES
            and path.is_file()
            and path.is_relative_to(run_dir.resolve())
        ):
            return path.read_bytes(), path.suffix.lower()
    return None


def render_series(series: list[Series], title: str = "") -> bytes:
    """One PNG with a panel per chart name; bands where a series has ``low``/``high``."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    charts: dict[str, list[Series]] = {}
    for s in series:
        charts.setdefault(s.chart, []).append(s)
    fig = Figure(figsize=(4.2 * len(charts), 3.2), dpi=100, layout="constrained")
    for axes, (chart, members) in zip(fig.subplots(1, len(charts), squeeze=False)[0], charts.items()):
        for s in members:
            axes.plot(s.x, s.y, marker="o", markersize=3, label=s.name)
            if s.low is not None and s.high is not None:
                axes.fill_between(s.x, s.low, s.high, alpha=0.2)
        axes.set_xlabel(members[0].x_label)
        axes.set_ylabel(members[0].y_label)
        if members[0].log_x:
            axes.set_xscale("log", base=2)
        axes.set_title(chart if len(charts) > 1 else title, fontsize=9)
        axes.legend(fontsize=7)
        axes.grid(alpha=0.3)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def run_plot(run_dir: Path, result: Result, title: str = "") -> tuple[bytes, str] | None:
    """The run's plot as (bytes, suffix): the saved one, else its series drawn; None when it has neither."""
    saved = saved_plot(run_dir, result)
    if saved is not None:
        return saved
    if result.series:
        return render_series(result.series, title), ".png"
    return None
