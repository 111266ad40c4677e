"""The run's figure: accuracy against alpha per (layer, positions), and the random-vector null."""

from __future__ import annotations

from pathlib import Path

from ..api import Series


def plot_result(series: list[Series], marks: dict[str, float], steer_gain: float, path: Path) -> Path:
    """Left: every series on the ``accuracy`` chart with ``marks`` as horizontal lines; right: the null."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    for s in series:
        if s.chart == "accuracy":
            left.plot(s.x, s.y, marker="o", label=s.name)
    for label, value in marks.items():
        left.axhline(value, linestyle="--", linewidth=1, label=label, color="grey" if "alpha" in label else "green")
    left.set_xlabel("alpha (x mean residual norm)")
    left.set_ylabel("greedy accuracy (test)")
    left.legend(fontsize=7)
    null = next(s for s in series if s.chart == "null")
    right.hist(null.y, bins=10, color="lightgrey", edgecolor="grey", label="random directions")
    right.axvline(steer_gain, color="red", label="contrast vector")
    right.set_xlabel("accuracy gain over alpha = 0 at the chosen (layer, alpha, positions)")
    right.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
