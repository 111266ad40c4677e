"""The run's figure: success against depth with the two fits, and violations per action against depth."""

from __future__ import annotations

from pathlib import Path

from ..api import Series


def plot_result(series: list[Series], train_max_depth: int, path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    for s in series:
        axis = left if s.chart == "success" else right
        style = "--" if "fit" in s.name else "-"
        axis.plot(s.x, s.y, style, marker="" if "fit" in s.name else "o", label=s.name)
        if s.low is not None and s.high is not None:
            axis.fill_between(s.x, s.low, s.high, alpha=0.2)
    for axis in (left, right):
        axis.axvline(train_max_depth + 0.5, color="grey", linewidth=1, linestyle=":")
        axis.set_xlabel("code length (bits); dotted line: end of the trained range")
        axis.legend(fontsize=7)
    left.set_ylabel("success rate")
    left.set_yscale("log")
    right.set_ylabel("violations per action")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
