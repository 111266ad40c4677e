"""The pass@k figure for the export: base and RL curves with their bootstrap bands (matplotlib, Agg)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..api import Series


def plot_pass_curves(series: Sequence[Series], path: Path, title: str) -> Path:
    """Draw every series (log2 x axis, CI band when present) into a PNG at ``path``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4), dpi=120)
    for s in series:
        (line,) = ax.plot(s.x, s.y, marker="o", markersize=3, label=s.name)
        if s.low is not None and s.high is not None:
            ax.fill_between(s.x, s.low, s.high, alpha=0.2, color=line.get_color())
    ax.set_xscale("log", base=2)
    ax.set_xlabel("k (samples)")
    ax.set_ylabel("pass@k")
    ax.set_ylim(0, 1.02)
    ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path
