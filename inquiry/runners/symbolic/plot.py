"""The run's figure: accuracy per condition for the registered symbol share and the arm's."""

from __future__ import annotations

from pathlib import Path

from ..api import Estimate, Series


def plot_result(series: list[Series], metrics: dict[str, Estimate], thresholds, path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    width = 0.8 / len(series)
    for i, s in enumerate(series):
        left.bar([x + i * width for x in s.x], s.y, width=width, label=s.name)
    left.set_xticks([x + width / 2 for x in series[0].x], ["semantic", "symbols", "counter"])
    left.set_ylabel("accuracy (greedy)")
    left.set_ylim(0, 1)
    left.legend(fontsize=7)
    keys = ["symbol_gap", "counter_gap", "arm_symbol_gap", "arm_gap_shrink"]
    values = [metrics[k] for k in keys]
    right.errorbar(
        range(len(keys)),
        [v.value for v in values],
        yerr=[[v.value - v.interval()[0] for v in values], [v.interval()[1] - v.value for v in values]],
        fmt="o",
    )
    for y in (thresholds["collapse_gap"], thresholds["equivalence_margin"], -thresholds["equivalence_margin"], 0):
        right.axhline(y, color="grey", linewidth=1, linestyle=":" if y else "-")
    right.set_xticks(range(len(keys)), ["S − Y", "S − C", "S − Y (arm)", "gap shrink"])
    right.set_ylabel("paired difference (95% CI)")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
